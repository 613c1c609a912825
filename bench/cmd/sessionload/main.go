// Command sessionload measures loopback requests per second of the session
// benchmark handlers (see package bench, SessionImpls) with wrk: for each
// scenario it starts an HTTP server on 127.0.0.1 per contender, then runs
// wrk against each in turn, round after round (interleaved, so that a change
// in the machine's load hits every contender alike), and prints each
// contender's median req/s and the median of its per-round ratios to the
// bare handler's req/s in the same round. It is not part of go test;
// bench/README.md ("sessions") has the command and the latest results.
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
	fmt.Printf("wrk -t%d -c%d -d%s, %d interleaved rounds, medians, 127.0.0.1\n\n", threads, conns, dur, rounds)
	fmt.Printf("%-10s %-24s %12s %8s %s\n", "scenario", "contender", "req/s", "ratio", "(per-round ratios)")
	for _, sc := range scenarios {
		var targets []*target
		for _, impl := range bench.SessionImpls() {
			if impl.Name != "bare" && !sel.MatchString(impl.Name) {
				continue
			}
			t, err := start(path, impl, sc.handler, sc.cookie, conns, threads, dur)
			if err != nil {
				closeAll(targets)
				return fmt.Errorf("%s/%s: %w", sc.name, impl.Name, err)
			}
			targets = append(targets, t)
		}
		for range rounds {
			for _, t := range targets {
				if err := t.round(); err != nil {
					closeAll(targets)
					return fmt.Errorf("%s/%s: %w", sc.name, t.name, err)
				}
			}
		}
		bare := targets[0] // SessionImpls lists bare first
		for _, t := range targets {
			ratios := make([]float64, len(t.rps))
			for i := range t.rps {
				ratios[i] = t.rps[i] / bare.rps[i]
			}
			var each []string
			for _, r := range ratios {
				each = append(each, fmt.Sprintf("%.2f", r))
			}
			fmt.Printf("%-10s %-24s %12.0f %8.2f (%s)\n", sc.name, t.name, wrk.Median(t.rps), wrk.Median(ratios), strings.Join(each, " "))
		}
		closeAll(targets)
	}
	return nil
}

// target is one contender's server for one scenario, and its results.
type target struct {
	name    string
	url     string
	load    wrk.Load
	h       *bench.SessionHandlers
	cookie  bool
	rps     []float64
	cleanup func()
}

// start builds impl's handlers and serves the scenario's one on 127.0.0.1.
func start(path string, impl bench.SessionImpl, pick func(*bench.SessionHandlers) http.Handler, cookie bool, conns, threads int, dur time.Duration) (*target, error) {
	dir, err := os.MkdirTemp("", "sessionload-")
	if err != nil {
		return nil, err
	}
	h, err := impl.New(dir)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		h.Close()
		os.RemoveAll(dir)
		return nil, err
	}
	srv := &http.Server{Handler: pick(h), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t := &target{
		name: impl.Name, url: "http://" + ln.Addr().String() + "/", h: h, cookie: cookie,
		load: wrk.Load{Path: path, Threads: threads, Conns: conns, Dur: dur},
		cleanup: func() {
			srv.Shutdown(context.Background())
			h.Close()
			os.RemoveAll(dir)
		},
	}
	if cookie {
		var pairs []string
		for _, c := range h.Cookies {
			pairs = append(pairs, c.Name+"="+c.Value)
		}
		t.load.Cookie = strings.Join(pairs, "; ")
	}
	return t, nil
}

// round runs wrk once against t.
func (t *target) round() error {
	if t.h.Trim != nil && !t.cookie {
		t.h.Trim() // start each round of "new" from a store of one session
	}
	res, err := t.load.Run(t.url)
	if err != nil {
		return err
	}
	t.rps = append(t.rps, res.RPS)
	return nil
}

func closeAll(ts []*target) {
	for _, t := range ts {
		t.cleanup()
	}
}
