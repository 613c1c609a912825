package cli

import (
	"bufio"
	"bytes"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// rawResponseServer answers each connection's first request with resp as
// it is, bytes net/http would never write: a hostile server's.
func rawResponseServer(t *testing.T, resp string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				if _, err := http.ReadRequest(bufio.NewReader(conn)); err != nil {
					return
				}
				conn.Write([]byte(resp))
			}()
		}
	}()
	return "http://" + ln.Addr().String()
}

// unsafeForTerminal returns the first rune of s that drives a terminal or
// hides text (a C0 or C1 control but a tab or a line break, a bidi
// control, invalid UTF-8), or -1.
func unsafeForTerminal(s string) rune {
	for i, r := range s {
		if r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD") {
			return r
		}
		if (r < 0x20 && r != '\n' && r != '\t') || (r >= 0x7f && r <= 0x9f) || unicode.Is(unicode.Bidi_Control, r) {
			return r
		}
	}
	return -1
}

// TestHTTPHeadersPrintable: the status line and header values a server
// sends are printed with the bytes that drive a terminal replaced (an ESC
// in the reason phrase, which net/http passes; a C1 CSI in UTF-8, a bidi
// override and a lone 0x9B byte in a value, which net/http passes as
// obs-text), ordinary UTF-8 and tabs kept. They reached the terminal as
// they came.
func TestHTTPHeadersPrintable(t *testing.T) {
	t.Setenv("NETRC", "")
	u := rawResponseServer(t, "HTTP/1.1 200 OK\x1b[2J\x1b]0;pwned\x07\r\n"+
		"X-Evil: a\u009b31mred\u202eb\x9bc\r\n"+
		"X-Fine: caf\u00e9 \u2713\tand a tab\r\n"+
		"Content-Length: 2\r\n\r\nok")
	for _, args := range [][]string{{"--print=h"}, {"--print=h", "--pretty=all"}} {
		var out, errb bytes.Buffer
		s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
		if code := run(s, append([]string{"http", "--ignore-netrc"}, append(args, u+"/")...)); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		got := out.String()
		if args[len(args)-1] == "--pretty=all" {
			// The printer's own colours are the only escapes.
			for _, c := range []string{ansiKey, ansiStatus, ansiReset} {
				got = strings.ReplaceAll(got, c, "")
			}
		}
		if r := unsafeForTerminal(got); r != -1 {
			t.Errorf("%v: %U printed:\n%q", args, r, got)
		}
		if !strings.Contains(got, "X-Fine: caf\u00e9 \u2713\tand a tab\n") || !strings.Contains(got, "X-Evil: a") {
			t.Errorf("%v: the printable header is altered or missing:\n%q", args, got)
		}
	}
}

// TestHTTPRequestHeadersPrintable: --offline prints request headers the
// user or a session gave with their control characters replaced too.
func TestHTTPRequestHeadersPrintable(t *testing.T) {
	t.Setenv("NETRC", "")
	sess := filepath.Join(t.TempDir(), "s.json")
	// Load takes obs-text (a C1 control in UTF-8) in a session's value.
	if err := os.WriteFile(sess, []byte(`{"version": 1, "headers": {"X-Sess": ["s\u009b2Jt"]}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	code := run(s, []string{"http", "--ignore-netrc", "--offline", "--print=H", "--session-read-only", sess,
		"http://127.0.0.1:9/", "X-Evil:a\x1b[2J\u009b1m\u202eb", "X-Fine:caf\u00e9"})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	got := out.String()
	if r := unsafeForTerminal(got); r != -1 {
		t.Errorf("%U printed:\n%q", r, got)
	}
	if !strings.Contains(got, "X-Fine: caf\u00e9\n") || !strings.Contains(got, "X-Sess: s") {
		t.Errorf("the printable header is altered or missing:\n%q", got)
	}
}

// TestHTTPCheckStatusPrintable: --check-status names the status line in
// its message with the reason phrase's control characters replaced.
func TestHTTPCheckStatusPrintable(t *testing.T) {
	t.Setenv("NETRC", "")
	u := rawResponseServer(t, "HTTP/1.1 404 Not\x1b[2J\u009b1m Found\r\nContent-Length: 0\r\n\r\n")
	var out, errb bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, ErrOut: &errb}
	if code := run(s, []string{"http", "--ignore-netrc", "--check-status", u + "/"}); code != 4 {
		t.Fatalf("exit %d (want 4): %s", code, errb.String())
	}
	if r := unsafeForTerminal(errb.String()); r != -1 || !strings.Contains(errb.String(), "404 Not") {
		t.Errorf("%U printed:\n%q", r, errb.String())
	}
}
