package cli

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// redirectChainServer answers /a with a 302 to /b, /b with a 301 to
// /final, /post307 and /post303 with a 307 and a 303 to /echo; each
// redirect has a JSON body, and no Date header.
func redirectChainServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	redirect := func(to string, code, step int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header()["Date"] = nil
			w.Header().Set("Location", to)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(code)
			fmt.Fprintf(w, `{"step":%d,"a":[1]}`, step)
		}
	}
	mux.Handle("/a", redirect("/b", http.StatusFound, 1))
	mux.Handle("/b", redirect("/final", http.StatusMovedPermanently, 2))
	mux.Handle("/post307", redirect("/echo", http.StatusTemporaryRedirect, 1))
	mux.Handle("/post303", redirect("/echo", http.StatusSeeOther, 1))
	mux.HandleFunc("/final", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"done":true}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		w.Header().Set("Content-Type", "text/plain")
		fmt.Fprintf(w, "%s %q\n", r.Method, mustRead(r.Body))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func mustRead(r io.Reader) string {
	b, _ := io.ReadAll(r)
	return string(b)
}

func TestHTTPAll(t *testing.T) {
	srv := redirectChainServer(t)
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", "--print=Hhb", srv.URL+"/a")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := `GET /a HTTP/1.1
Host: HOST
Accept: */*
User-Agent: httpstate-client/1

HTTP/1.1 302 Found
Content-Length: 18
Content-Type: application/json
Location: /b

{"step":1,"a":[1]}

GET /b HTTP/1.1
Host: HOST
Accept: */*
Referer: http://HOST/a
User-Agent: httpstate-client/1

HTTP/1.1 301 Moved Permanently
Content-Length: 18
Content-Type: application/json
Location: /final

{"step":2,"a":[1]}

GET /final HTTP/1.1
Host: HOST
Accept: */*
Referer: http://HOST/b
User-Agent: httpstate-client/1

HTTP/1.1 200 OK
Content-Length: 13
Content-Type: application/json

{"done":true}`
	if out != want {
		t.Errorf("--all --follow --print=Hhb:\n%s\nwant:\n%s", out, want)
	}

	// Formatted as the final one: JSON indented (a terminal: coloured).
	out, _, _ = runHTTPCmd(t, srv, false, "--all", "--follow", "--pretty=format", srv.URL+"/a")
	want = "{\n    \"a\": [\n        1\n    ],\n    \"step\": 1\n}\n\n" +
		"{\n    \"a\": [\n        1\n    ],\n    \"step\": 2\n}\n\n" +
		"{\n    \"done\": true\n}\n"
	if out != want {
		t.Errorf("--all --pretty=format:\n%q\nwant\n%q", out, want)
	}
	out, _, _ = runHTTPCmd(t, srv, true, "--all", "--follow", srv.URL+"/a")
	if n := strings.Count(out, "\x1b[1mHTTP/1.1 "); n != 3 || strings.Count(out, "\x1b[34m\"step\"\x1b[0m") != 2 {
		t.Errorf("--all on a terminal: %d status lines, want 3, and two coloured bodies:\n%s", n, out)
	}

	// Without --all, or without --follow, no intermediary.
	out, _, _ = runHTTPCmd(t, srv, false, "--follow", "--print=h", srv.URL+"/a")
	if strings.Count(out, "HTTP/1.1") != 1 || !strings.Contains(out, "200 OK") {
		t.Errorf("--follow without --all:\n%s", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "--all", "--print=h", srv.URL+"/a")
	if strings.Count(out, "HTTP/1.1") != 1 || !strings.Contains(out, "302 Found") {
		t.Errorf("--all without --follow:\n%s", out)
	}
	// --quiet prints none of it.
	if out, stderr, _ = runHTTPCmd(t, srv, false, "-q", "--all", "--follow", srv.URL+"/a"); out+stderr != "" {
		t.Errorf("-q --all printed %q %q", out, stderr)
	}
}

// TestHTTPAllBody: a 307 sends the request body again, and --all -v prints
// it with each request that carried it; after a 303 (a GET) it is not.
func TestHTTPAllBody(t *testing.T) {
	srv := redirectChainServer(t)
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", "-v", srv.URL+"/post307", "x=1")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(out, `{"x": "1"}`) != 2 || !strings.Contains(out, `POST "{\"x\": \"1\"}"`) {
		t.Errorf("307: want the body printed with both requests, and sent again:\n%s", out)
	}
	if i, j := strings.Index(out, "POST /post307"), strings.Index(out, "POST /echo"); i < 0 || j < i {
		t.Errorf("307: requests missing or out of order:\n%s", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "--all", "--follow", "-v", srv.URL+"/post303", "x=1")
	if strings.Count(out, `{"x": "1"}`) != 1 || !strings.Contains(out, "GET /echo") || !strings.Contains(out, `GET ""`) {
		t.Errorf("303: want the body printed once, with the POST:\n%s", out)
	}
}

// TestHTTPAllRetry: an attempt retried after its chain ended in a 503
// prints the chain of the attempt that answered only.
func TestHTTPAllRetry(t *testing.T) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header()["Date"] = nil
		switch r.URL.Path {
		case "/start":
			http.Redirect(w, r, "/flaky", http.StatusFound)
		case "/flaky":
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, "ok\n")
		}
	}))
	defer srv.Close()
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", "--retries=1", "--print=h", srv.URL+"/start")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if strings.Count(out, "302 Found") != 1 || strings.Count(out, "HTTP/1.1") != 2 || strings.Contains(out, "503") {
		t.Errorf("want the answering attempt's 302 then its 200:\n%s", out)
	}
}

// TestHTTPAllTimeout: --timeout bounds reading a redirect's body too.
func TestHTTPAllTimeout(t *testing.T) {
	var gaveUp atomic.Bool
	srv := httptest.NewServer(stallRedirectBody("/", "/x", "part", &gaveUp))
	defer srv.Close()
	checkTimesOut(t, srv, &gaveUp, "--all", "--follow", "--timeout=0.3", srv.URL+"/")
}

// stallRedirectBody answers path with a 302 to location whose body starts
// with part and never ends (until the client gives up, or for at most 10 s:
// then the server gives up, ends the body and records that in gaveUp);
// other paths get an empty 200.
func stallRedirectBody(path, location, part string, gaveUp *atomic.Bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != path {
			return
		}
		w.Header().Set("Location", location)
		w.WriteHeader(http.StatusFound)
		io.WriteString(w, part)
		w.(http.Flusher).Flush()
		select { // the rest never comes
		case <-r.Context().Done():
		case <-time.After(10 * time.Second):
			gaveUp.Store(true)
		}
	}
}

// checkTimesOut runs the http command with args against srv, whose
// stallRedirectBody records in gaveUp, and wants it to exit 2 (the
// --timeout) before the stalling server gives up: once the command has
// returned, srv.Close waits for the stalled handler, which has then either
// seen the client go away or given up. That is checked rather than the
// command's wall time, which a loaded machine can stretch.
func checkTimesOut(t *testing.T, srv *httptest.Server, gaveUp *atomic.Bool, args ...string) {
	t.Helper()
	_, stderr, code := runHTTPCmd(t, srv, false, args...)
	srv.Close()
	if code != 2 || gaveUp.Load() {
		t.Errorf("exit %d (%s), server gave up first: %v; want 2 before the server gives up", code, stderr, gaveUp.Load())
	}
}

// TestHTTPAllLargeRedirectBody: a redirect's body over maxFormatBody is
// printed cut, with a warning, not held whole.
func TestHTTPAllLargeRedirectBody(t *testing.T) {
	old := maxFormatBody
	maxFormatBody = 10
	defer func() { maxFormatBody = old }()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			w.Header().Set("Location", "/x")
			w.WriteHeader(http.StatusFound)
			io.WriteString(w, strings.Repeat("z", 100))
			return
		}
		io.WriteString(w, "final")
	}))
	defer srv.Close()
	out, stderr, code := runHTTPCmd(t, srv, false, "--all", "--follow", srv.URL+"/")
	if code != 0 || out != strings.Repeat("z", 10)+"\n\nfinal" || !strings.Contains(stderr, "printed cut") {
		t.Errorf("exit %d, out %q, stderr %q", code, out, stderr)
	}
}

// TestHTTPFollowBodyAfter303: -v --follow prints the request body with
// the request that carried it, not with the GET a 303 made (it printed
// it there before).
func TestHTTPFollowBodyAfter303(t *testing.T) {
	srv := redirectChainServer(t)
	out, _, _ := runHTTPCmd(t, srv, false, "--follow", "-v", srv.URL+"/post303", "x=1")
	if strings.Count(out, `{"x": "1"}`) != 0 || !strings.Contains(out, "GET /echo") {
		t.Errorf("303 without --all: want the final GET printed without a body:\n%s", out)
	}
	out, _, _ = runHTTPCmd(t, srv, false, "--follow", "-v", srv.URL+"/post307", "x=1")
	if strings.Count(out, `{"x": "1"}`) != 1 || !strings.Contains(out, "POST /echo") {
		t.Errorf("307 without --all: want the final POST printed with its body:\n%s", out)
	}
}

// TestHTTPFollowTimeoutRedirectBody: without --all too, --timeout bounds
// the wait for a redirect's body, which net/http reads (up to 2 KiB)
// before following it: a server that stalls there made the command wait
// for it (here 10 s) before.
func TestHTTPFollowTimeoutRedirectBody(t *testing.T) {
	var gaveUp atomic.Bool
	srv := httptest.NewServer(stallRedirectBody("/", "/x", "part", &gaveUp))
	defer srv.Close()
	checkTimesOut(t, srv, &gaveUp, "--follow", "--timeout=0.3", srv.URL+"/")
}
