// Package wrk runs the wrk HTTP load generator against a loopback URL and
// reads its results; the bench commands (cmd/sessionload, cmd/redisload)
// share it.
package wrk

import (
	"errors"
	"fmt"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"time"
)

// Load is one wrk invocation.
type Load struct {
	Path    string // the wrk binary
	Threads int
	Conns   int
	Dur     time.Duration
	Cookie  string // a Cookie header value to send; "" sends none
}

// Result is what one run measured.
type Result struct {
	RPS      float64 // requests per second
	Requests int64   // requests completed
}

var (
	rpsRE    = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	totalRE  = regexp.MustCompile(`(\d+) requests in`)
	non2xxRE = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)
	// ErrOutput reports wrk output without the figures Run reads.
	ErrOutput = errors.New("wrk: unexpected output")
)

// Find returns the path of the wrk binary.
func Find() (string, error) {
	p, err := exec.LookPath("wrk")
	if err != nil {
		return "", fmt.Errorf("wrk not installed (apt-get install -y wrk): %w", err)
	}
	return p, nil
}

// Run runs l against url once. A non-2xx response is an error: a contender
// that fails requests must not look fast.
func (l Load) Run(url string) (Result, error) {
	args := []string{"-t", strconv.Itoa(l.Threads), "-c", strconv.Itoa(l.Conns), "-d", l.Dur.String()}
	if l.Cookie != "" {
		args = append(args, "-H", "Cookie: "+l.Cookie)
	}
	out, err := exec.Command(l.Path, append(args, url)...).CombinedOutput()
	if err != nil {
		return Result{}, fmt.Errorf("wrk: %v: %s", err, out)
	}
	if m := non2xxRE.FindSubmatch(out); m != nil {
		return Result{}, fmt.Errorf("wrk saw %s non-2xx responses", m[1])
	}
	m, t := rpsRE.FindSubmatch(out), totalRE.FindSubmatch(out)
	if m == nil || t == nil {
		return Result{}, fmt.Errorf("%w: %s", ErrOutput, out)
	}
	rps, _ := strconv.ParseFloat(string(m[1]), 64)
	total, _ := strconv.ParseInt(string(t[1]), 10, 64)
	return Result{RPS: rps, Requests: total}, nil
}

// Median returns the median of v (the mean of the middle two for an even
// count); v is not modified.
func Median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
