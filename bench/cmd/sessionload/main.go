// Command sessionload measures loopback requests per second of the session
// benchmark handlers (see package bench, SessionImpls) with wrk: for each
// scenario and contender it starts an HTTP server on 127.0.0.1, runs wrk
// against it and prints req/s and the ratio to the bare handler of the same
// run. It is not part of go test; bench/README.md ("sessions") has the
// command and the latest results.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/httpstate/httpstate/bench"
	"github.com/httpstate/httpstate/bench/internal/wrk"
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
	path, err := wrk.Find()
	if err != nil {
		return err
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
			rps, err := measure(path, impl, sc.handler, sc.cookie, conns, threads, dur, rounds)
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

func measure(path string, impl bench.SessionImpl, pick func(*bench.SessionHandlers) http.Handler, cookie bool, conns, threads int, dur time.Duration, rounds int) (float64, error) {
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

	load := wrk.Load{Path: path, Threads: threads, Conns: conns, Dur: dur}
	if cookie {
		var pairs []string
		for _, c := range h.Cookies {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
		load.Cookie = strings.Join(pairs, "; ")
	}
	url := "http://" + ln.Addr().String() + "/"
	var results []float64
	for range rounds {
		if h.Trim != nil && !cookie {
			h.Trim() // start each round of "new" from a store of one session
		}
		res, err := load.Run(url)
		if err != nil {
			return 0, err
		}
		results = append(results, res.RPS)
	}
	return wrk.Median(results), nil
}
