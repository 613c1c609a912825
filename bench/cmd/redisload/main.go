// Command redisload measures loopback requests per second of the Redis
// session contenders (see package bench, RedisImpls) with wrk: it starts
// its own redis-server, then for each workload and contender serves the
// handler on 127.0.0.1, runs wrk against it and prints req/s, the ratio to
// each scs contender of the same run, and the Redis commands executed per
// request (INFO commandstats delta ÷ wrk's request count). It is not part
// of go test; bench/README.md ("redis") has the command and the results.
package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/httpstate/httpstate/bench"
	"github.com/httpstate/httpstate/bench/internal/wrk"
)

func main() {
	conns := flag.Int("c", 8, "wrk connections")
	threads := flag.Int("t", 2, "wrk threads")
	dur := flag.Duration("d", 3*time.Second, "wrk duration per run")
	rounds := flag.Int("rounds", 3, "runs per contender and workload, interleaved; the median is reported")
	flag.Parse()
	if err := run(*conns, *threads, *dur, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "redisload:", err)
		os.Exit(1)
	}
}

var scenarios = []struct {
	name    string
	handler func(h *bench.SessionHandlers) http.Handler
}{
	{"readonly", func(h *bench.SessionHandlers) http.Handler { return h.ReadOnly }},
	{"readwrite", func(h *bench.SessionHandlers) http.Handler { return h.ReadWrite }},
}

// contender is one contender serving one workload.
type contender struct {
	name   string
	h      *bench.SessionHandlers
	srv    *http.Server
	url    string
	cookie string
	rps    []float64
	cmds   []float64
}

func run(conns, threads int, dur time.Duration, rounds int) error {
	path, err := wrk.Find()
	if err != nil {
		return err
	}
	rs, err := bench.StartRedisServer()
	if err != nil {
		return err
	}
	defer rs.Close()
	fmt.Printf("wrk -t%d -c%d -d%s, median of %d interleaved runs, 127.0.0.1, redis-server on 127.0.0.1\n\n", threads, conns, dur, rounds)
	fmt.Printf("%-10s %-22s %10s %12s %12s %10s\n", "workload", "contender", "req/s", "x scs-goredis", "x scs-redigo", "cmds/req")
	for _, sc := range scenarios {
		var cs []*contender
		for _, impl := range bench.RedisImpls() {
			h, _, err := impl.New(rs.Addr)
			if err != nil {
				return fmt.Errorf("%s: %w", impl.Name, err)
			}
			defer h.Close()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: sc.handler(h), ReadHeaderTimeout: 10 * time.Second}
			go srv.Serve(ln)
			defer srv.Shutdown(context.Background())
			var pairs []string
			for _, c := range h.Cookies {
				pairs = append(pairs, c.Name+"="+c.Value)
			}
			cs = append(cs, &contender{name: impl.Name, h: h, srv: srv, url: "http://" + ln.Addr().String() + "/", cookie: strings.Join(pairs, "; ")})
		}
		for range rounds {
			for _, c := range cs {
				if err := rs.ResetStats(); err != nil {
					return err
				}
				res, err := wrk.Load{Path: path, Threads: threads, Conns: conns, Dur: dur, Cookie: c.cookie}.Run(c.url)
				rps, reqs := res.RPS, res.Requests
				if err != nil {
					return fmt.Errorf("%s/%s: %w", sc.name, c.name, err)
				}
				calls, err := rs.CommandCalls()
				if err != nil {
					return err
				}
				c.rps = append(c.rps, rps)
				c.cmds = append(c.cmds, float64(calls)/float64(reqs))
			}
		}
		med := make(map[string]float64)
		for _, c := range cs {
			med[c.name] = wrk.Median(c.rps)
		}
		for _, c := range cs {
			fmt.Printf("%-10s %-22s %10.0f %12.2f %12.2f %10.2f\n", sc.name, c.name, med[c.name],
				med[c.name]/med["scs-goredisstore"], med[c.name]/med["scs-redisstore"], wrk.Median(c.cmds))
		}
	}
	return nil
}
