// Command sessionload measures loopback requests per second of the session
// benchmark handlers (see package bench, SessionImpls) with wrk: for each
// scenario and contender it starts an HTTP server on 127.0.0.1, runs wrk
// against it and prints req/s and the ratio to the bare handler of the same
// run. It is not part of go test; bench/README.md ("sessions") has the
// command and the latest results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/httpstate/httpstate/bench"
)

func main() {
	conns := flag.Int("c", 8, "wrk connections")
	threads := flag.Int("t", 2, "wrk threads")
	dur := flag.Duration("d", 3*time.Second, "wrk duration per run")
	rounds := flag.Int("rounds", 3, "runs per contender and scenario; the median is reported")
	only := flag.String("only", "", "regexp selecting contenders (bare always runs)")
	flag.Parse()
	if err := run(*conns, *threads, *dur, *rounds, *only); err != nil {
		fmt.Fprintln(os.Stderr, "sessionload:", err)
		os.Exit(1)
	}
}

var scenarios = []struct {
	name    string
	handler func(h *bench.SessionHandlers) http.Handler
	cookie  bool
}{
	{"readwrite", func(h *bench.SessionHandlers) http.Handler { return h.ReadWrite }, true},
	{"readonly", func(h *bench.SessionHandlers) http.Handler { return h.ReadOnly }, true},
	{"new", func(h *bench.SessionHandlers) http.Handler { return h.Create }, false},
}

func run(conns, threads int, dur time.Duration, rounds int, only string) error {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		return fmt.Errorf("wrk not installed (apt-get install -y wrk): %w", err)
	}
	sel, err := regexp.Compile(only)
	if err != nil {
		return err
	}
	fmt.Printf("wrk -t%d -c%d -d%s, median of %d runs, 127.0.0.1\n\n", threads, conns, dur, rounds)
	fmt.Printf("%-10s %-24s %12s %8s\n", "scenario", "contender", "req/s", "ratio")
	for _, sc := range scenarios {
		var bare float64
		for _, impl := range bench.SessionImpls() {
			if impl.Name != "bare" && !sel.MatchString(impl.Name) {
				continue
			}
			rps, err := measure(wrk, impl, sc.handler, sc.cookie, conns, threads, dur, rounds)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", sc.name, impl.Name, err)
			}
			if impl.Name == "bare" {
				bare = rps
			}
			fmt.Printf("%-10s %-24s %12.0f %8.2f\n", sc.name, impl.Name, rps, rps/bare)
		}
	}
	return nil
}

var rpsRE = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
var non2xxRE = regexp.MustCompile(`Non-2xx or 3xx responses:\s+(\d+)`)

func measure(wrk string, impl bench.SessionImpl, pick func(*bench.SessionHandlers) http.Handler, cookie bool, conns, threads int, dur time.Duration, rounds int) (float64, error) {
	dir, err := os.MkdirTemp("", "sessionload-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	h, err := impl.New(dir)
	if err != nil {
		return 0, err
	}
	defer h.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	srv := &http.Server{Handler: pick(h), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	args := []string{"-t", strconv.Itoa(threads), "-c", strconv.Itoa(conns), "-d", dur.String()}
	if cookie {
		var pairs []string
		for _, c := range h.Cookies {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
		args = append(args, "-H", "Cookie: "+strings.Join(pairs, "; "))
	}
	args = append(args, "http://"+ln.Addr().String()+"/")
	var results []float64
	for range rounds {
		if h.Trim != nil && !cookie {
			h.Trim() // start each round of "new" from a store of one session
		}
		out, err := exec.Command(wrk, args...).CombinedOutput()
		if err != nil {
			return 0, fmt.Errorf("wrk: %v: %s", err, out)
		}
		if m := non2xxRE.FindSubmatch(out); m != nil {
			return 0, fmt.Errorf("wrk saw %s non-2xx responses", m[1])
		}
		m := rpsRE.FindSubmatch(out)
		if m == nil {
			return 0, errors.New("no Requests/sec in wrk output: " + string(out))
		}
		v, _ := strconv.ParseFloat(string(m[1]), 64)
		results = append(results, v)
	}
	return median(results), nil
}

func median(v []float64) float64 {
	s := append([]float64(nil), v...)
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
