package cli

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/httpstate/httpstate/client"
)

// httpOptions are the flags of "httpstate http".
type httpOptions struct {
	session      string
	sessionRO    string
	form         bool
	print        string
	verbose      bool
	headersOnly  bool
	bodyOnly     bool
	ignoreStdin  bool
	download     bool
	output       string
	checkStatus  bool
	auth         string
	authType     string
	follow       bool
	maxRedirects int
	timeout      time.Duration
	verify       string
	pretty       string
	unsorted     bool
	retries      int
	offline      bool
	quiet        int
	ignoreNetrc  bool
	all          bool
}

// newHTTPCmd builds "httpstate http", an HTTPie-style client on package client.
func newHTTPCmd(s *Streams) *cobra.Command {
	o := &httpOptions{}
	cmd := &cobra.Command{
		Use:   "http [METHOD] URL [ITEM...]",
		Short: "Send an HTTP request, HTTPie style, with persistent sessions",
		Long: `Send an HTTP request and print the response, as HTTPie's "http" does.

Items:
  Header:value    request header ("Header:" removes it, "Header;" sends it empty)
  field=value     data field, a JSON string (a form field with --form)
  field:=json     data field with a raw JSON value (with --form, a JSON
                  string or number is the field's text)
  param==value    URL query parameter
  field@file      file upload (with --form: the request becomes
                  multipart/form-data); 'field@file;type=MIME' sets its type,
                  which is otherwise guessed from the extension
  @file           the file is the request body, its type from the extension
With @ after the separator, the value is read from a file: Header:@file
(trailing newlines removed), param==@file, field=@file (text),
field:=@file (JSON).

JSON data fields nest, as in HTTPie 3: user[name]=Ann user[tags][]=a
items[0][id]:=1; a name starting with "[" is a path from the top level, so
[]:=1 []:=2 sends [1, 2]. A container keeps the type of its first use:
user[x]=1 then user[]=2 is an error. A repeated field keeps its last value.

The first separator in an item splits it. As in HTTPie, a backslash makes
a separator character (: ; = @) literal, in the name and in the value:
'a\=b=c' is the field "a=b", 'foo\==bar' the field "foo=", 'a=b\=c' the
value "b=c". Before any other character the backslash stays: 'a\b=c' is
the field "a\b". In JSON data field names, '\[', '\]' and '\\' are a
literal bracket or backslash ('a\[b\]=c' is the flat key "a[b]"), and a
backslash and a number in brackets is a key, not an index: '[\1]' is the
key "1"; '[-1]' is an error. Form fields (--form) have no JSON paths:
'a\[b\]=c' is the field "a\[b\]".

Piped or redirected stdin is the raw request body (Content-Type
application/json, or form-encoded with --form); it cannot be combined with
data fields or files. As in HTTPie, with data fields or files stdin is not
read: unless it is a terminal, /dev/null, an empty file or a pipe already
closed empty, the command fails at once. --ignore-stdin (-I) leaves stdin alone: use it in scripts whose
stdin is not meant for the request (shell loops, ssh, xargs). A request body (stdin,
files, uploads) is held in memory and may be at most 64 MiB.

Items starting with "-" go after "--", or they are read as flags:
http URL -- -name=value -Header:value.

The method defaults to GET, or POST when there is a body. A URL without
a scheme gets http://; ":3000/x" means http://localhost:3000/x.

As HTTPie's, the output is the response headers and body (--print hb) on a
terminal and the body only (--print b) when piped or redirected; a body
not printed is not read (--headers returns at once), and one printed as
it is (piped, no --pretty) streams as it arrives; JSON is
formatted (keys sorted unless --unsorted) and coloured only on a terminal
(--pretty). A body over 16 MiB is not formatted: it is printed as it
arrives, as it is (binary data still replaced by a note on a terminal).

--all prints the intermediary exchanges before the final one, as
HTTPie's: each redirect followed (--follow) and a digest challenge
answered, request and response as --print says and formatted as the
final exchange (their bodies held in memory, up to 16 MiB in all,
printed cut past it).

--offline builds the request and prints it (--print HB) without sending
it, as HTTPie's; a --session is read but not updated.

--quiet (-q) prints nothing but errors and warnings (-qq: errors only), as
HTTPie's; --output still gets the output and --download the body.

--download (-d) saves the body to -o FILE, or to a new file named from
Content-Disposition or the URL (index.html: a name from the URL without a
"." gets the extension of the body's type); as in HTTPie, a redirected stdout gets the
body instead (http -d URL | tar x), and everything else goes to stderr.

--auth-type digest (-A digest) answers, as HTTPie's, a 401 with a Digest
challenge (RFC 7616: MD5, SHA-256 or SHA-512-256, plain or -sess, qop
"auth" or none; of those offered, the first SHA-2 one, else the first
MD5 one) by sending the
request once more, with the Authorization it asks for, to the URL that
sent it; a challenge from another origin than the URL's (after a
redirect) is not answered. A 401 to that answer is final, unless its
challenge says stale=true (the nonce had expired, the credentials were
good): that one is answered once more, with its new nonce. Credentials in the URL (http://u:p@host)
serve too, never sent as Basic. -A digest governs Authorization: the
first request carries no credentials (a session's auth and Authorization
header are not sent, and the session keeps them; an Authorization item
is sent), a session does not keep digest credentials, and without any
(--auth, the URL's or netrc's) -A digest is an error, as HTTPie's
"--auth required", rather than a request sent with other credentials.

Without --auth, as in HTTPie, credentials come from the netrc file
($NETRC, else ~/.netrc or ~/_netrc): the login and password of the
"machine" entry naming the URL's host (the first one; without case),
else of the "default" entry, sent as Basic auth (with -A digest, as
digest credentials). They are not sent when a --session has auth or an
Authorization header (unless -A digest, which sends neither), or with credentials in the URL, an Authorization
item, -A bearer or --ignore-netrc; a session does not keep them; a
redirect to another host, port or scheme does not get them; the output
shows "Basic LOGIN:REDACTED (netrc)" in their place. "macdef" entries
are skipped; a netrc that does not parse is not used, with a warning
naming its line, nor one that is not a regular file (a FIFO, a
directory; /dev/null is no netrc, silently); a password in one that users other than its owner can
read or write, or that another user than the current one owns, is used,
with a warning (chmod 600 it; chown it).

--session NAME keeps cookies, headers and auth in
$XDG_CONFIG_HOME/httpstate/sessions/<host_port>/NAME.json (default
~/.config); a value containing "/" is a file path. As in HTTPie, the
cookies of a Cookie item go into the session, for the URL's host.

--check-status exits with 3 for 3xx (when not following), 4 for 4xx and 5
for 5xx responses, with a message on stderr unless the status line was
printed to a terminal; a timeout exits with 2, and more redirects than
--max-redirects with --follow (0: none) with 6.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHTTP(cmd.Context(), s, o, args)
		},
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		if strings.HasPrefix(err.Error(), "unknown") {
			// HTTPie's rule too: items starting with "-" go after "--".
			return fmt.Errorf("%w (a request item starting with '-' goes after --: http URL -- -name=value)", err)
		}
		return err
	})
	f := cmd.Flags()
	f.StringVar(&o.session, "session", "", "read and update the session `NAME` or file path")
	f.StringVar(&o.sessionRO, "session-read-only", "", "read the session `NAME` or file path without updating it")
	f.BoolVarP(&o.form, "form", "f", false, "send data fields form-encoded instead of as JSON (multipart/form-data with field@file uploads)")
	f.StringVarP(&o.print, "print", "p", "", "what to print: H request headers, B request body, h response headers, b response body (default hb on a terminal, b when piped)")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print the whole exchange (--print HBhb)")
	f.BoolVar(&o.headersOnly, "headers", false, "print the response headers only (--print h); no -h shorthand as in HTTPie: -h is --help")
	f.BoolVarP(&o.bodyOnly, "body", "b", false, "print the response body only (--print b)")
	f.BoolVarP(&o.ignoreStdin, "ignore-stdin", "I", false, "do not read the request body from stdin")
	f.BoolVarP(&o.download, "download", "d", false, "save the response body to a file named from the URL or Content-Disposition")
	f.StringVarP(&o.output, "output", "o", "", "write the output to `FILE` instead of stdout (with --download, the body)")
	f.BoolVar(&o.checkStatus, "check-status", false, "exit with 3, 4 or 5 for 3xx, 4xx and 5xx responses")
	f.StringVarP(&o.auth, "auth", "a", "", "credentials: `USER:PASS` for basic and digest, the token for bearer")
	f.StringVarP(&o.authType, "auth-type", "A", "basic", "authentication type: basic, digest or bearer")
	f.BoolVar(&o.ignoreNetrc, "ignore-netrc", false, "do not take credentials from the netrc file ($NETRC or ~/.netrc)")
	f.BoolVarP(&o.follow, "follow", "F", false, "follow redirects")
	f.IntVar(&o.maxRedirects, "max-redirects", 30, "redirects followed with --follow")
	f.BoolVar(&o.all, "all", false, "print the intermediary exchanges too (redirects followed with --follow, a digest challenge), each as --print says")
	f.Var((*secondsFlag)(&o.timeout), "timeout", "as HTTPie's: the longest wait for a connection, the response or more of its body (not a limit on the whole download), in seconds (2.5) or a duration (500ms); 0: none")
	f.StringVar(&o.verify, "verify", "yes", `TLS certificate check: "yes", "no", or a CA bundle file`)
	f.StringVar(&o.pretty, "pretty", "", "output processing: all, colors, format or none (default all on a terminal, none when piped)")
	f.BoolVar(&o.unsorted, "unsorted", false, "keep the order of JSON keys when formatting (sorted by default, as HTTPie)")
	f.CountVarP(&o.quiet, "quiet", "q", "print nothing but errors and warnings (-qq: errors only); with --output the output still goes to the file, with --download the body to its file")
	f.BoolVar(&o.offline, "offline", false, "build the request and print it (--print HB by default) without sending it; a session is read, not updated")
	f.IntVar(&o.retries, "retries", 0, "retries of idempotent requests after connection errors and 429/502/503/504")
	return cmd
}

// secondsFlag is a duration flag that also takes HTTPie's plain seconds
// ("2.5").
type secondsFlag time.Duration

func (d *secondsFlag) String() string {
	if *d == 0 {
		return "0" // pflag then shows no default
	}
	return time.Duration(*d).String()
}

func (d *secondsFlag) Type() string { return "seconds" }

func (d *secondsFlag) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		secs, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || math.IsNaN(secs) || math.IsInf(secs, 0) || secs > math.MaxInt64/float64(time.Second) {
			return fmt.Errorf("want seconds (2.5) or a duration (500ms)")
		}
		v = time.Duration(secs * float64(time.Second))
		if v == 0 && secs > 0 {
			v = 1 // a limit, however short: 0 means none
		}
	}
	if v < 0 {
		return fmt.Errorf("want 0 or more")
	}
	*d = secondsFlag(v)
	return nil
}

// httpRequest is the request the command line describes.
type httpRequest struct {
	method string
	url    *url.URL
	header http.Header
	body   []byte
	ctype  string
}

var methodRE = regexp.MustCompile(`^[A-Za-z]+$`)

// schemeRE matches a URL that starts with a scheme (RFC 3986, section
// 3.1), as HTTPie's test for one.
var schemeRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9+.-]*://`)

// parseHTTPArgs reads [METHOD] URL [ITEM...] as HTTPie does: a first word of
// letters only followed by more arguments is the method.
func parseHTTPArgs(args []string, form bool) (*httpRequest, error) {
	return parseHTTPArgsStdin(args, form, nil)
}

// parseHTTPArgsStdin is parseHTTPArgs with a request body read from
// stdin: a non-empty one is the body, as given, and cannot be combined
// with data items.
func parseHTTPArgsStdin(args []string, form bool, stdin []byte) (*httpRequest, error) {
	p, err := parseHTTPItems(args, form)
	if err != nil {
		return nil, err
	}
	return p.request(stdin)
}

// errStdinMixed reports a request body on stdin given with data items.
var errStdinMixed = errors.New("request data from stdin and data items (field=value, field:=json, files) cannot be mixed; pass --ignore-stdin (-I) to send the items")

// httpItems is the command line parsed, its body not built yet: whether
// stdin is read depends on hasData.
type httpItems struct {
	r             *httpRequest // method "" unless given
	form          bool
	jb            jsonBody
	fields        [][2]string
	parts         []any // fields and files of a multipart form, in order
	bodyFile      *formFile
	multipartForm bool
	nData         int // data items: fields, raw JSON, files
}

// hasData reports whether the command line has data items, which exclude
// a body from stdin.
func (p *httpItems) hasData() bool { return p.nData > 0 }

// parseHTTPItems reads [METHOD] URL [ITEM...]: everything but the body.
func parseHTTPItems(args []string, form bool) (*httpItems, error) {
	method := ""
	if len(args) > 1 && methodRE.MatchString(args[0]) {
		method, args = strings.ToUpper(args[0]), args[1:]
	}
	u, err := parseCLIURL(args[0])
	if err != nil {
		return nil, err
	}
	r := &httpRequest{method: method, url: u, header: make(http.Header)}
	p := &httpItems{r: r, form: form}
	var q queryItems
	for _, a := range args[1:] {
		it, err := parseItem(a)
		if err != nil {
			return nil, err
		}
		if it, err = resolveItem(it, a); err != nil {
			return nil, err
		}
		switch it.Kind {
		case itemHeader:
			if it.Value == "" {
				// A present key without values: neither the client's
				// defaults nor net/http add it.
				r.header[http.CanonicalHeaderKey(it.Key)] = nil
				continue
			}
			r.header.Add(it.Key, it.Value)
		case itemEmptyHeader:
			r.header[http.CanonicalHeaderKey(it.Key)] = []string{""}
		case itemQuery:
			q.add(it.Key, it.Value)
		case itemFormFile:
			p.nData++
			if it.Key == "" && !form {
				// "@path": the file is the body (HTTPie's request data
				// from a filename).
				if p.bodyFile != nil {
					return nil, fmt.Errorf("%q: only one @file body", a)
				}
				f, err := parseFormFile(it)
				if err != nil {
					return nil, fmt.Errorf("%q: %w", a, err)
				}
				p.bodyFile = &f
				continue
			}
			if !form {
				return nil, fmt.Errorf("%q: file upload fields (field@file) need --form", a)
			}
			if it.Key == "" {
				return nil, fmt.Errorf("%q: a file upload field needs a name (field@file)", a)
			}
			p.multipartForm = true
			f, err := parseFormFile(it)
			if err != nil {
				return nil, fmt.Errorf("%q: %w", a, err)
			}
			p.parts = append(p.parts, f)
		case itemData, itemRawJSON:
			p.nData++
			if form {
				if it.Kind == itemRawJSON {
					v, err := formJSONScalar(it.Value)
					if err != nil {
						return nil, fmt.Errorf("%q: %w", a, err)
					}
					it.Value = v
				}
				p.fields = append(p.fields, [2]string{it.Key, it.Value})
				p.parts = append(p.parts, [2]string{it.Key, it.Value})
				continue
			}
			v := it.Value
			if it.Kind == itemData {
				b, _ := json.Marshal(it.Value)
				v = string(b)
			}
			if err := p.jb.add(a, it.Key, v); err != nil {
				return nil, err
			}
		}
	}
	u.RawQuery = q.appendTo(u.RawQuery)
	if p.bodyFile != nil && p.nData > 1 {
		return nil, errors.New("an @file body and other data items cannot be mixed")
	}
	return p, nil
}

// formJSONScalar returns the form field text of a raw JSON value, as
// HTTPie 3 sends := items with --form: a string's text, a number as
// written; other types are an error.
func formJSONScalar(raw string) (string, error) {
	t := strings.TrimSpace(raw)
	switch typ := jsonTypeOf(t); typ {
	case "number":
		return t, nil
	case "string":
		var s string
		if err := json.Unmarshal([]byte(t), &s); err != nil {
			return "", err
		}
		return s, nil
	case "object", "array":
		return "", fmt.Errorf("an %s cannot be sent with --form (a JSON string or number can)", typ)
	default:
		return "", fmt.Errorf("a %s cannot be sent with --form (a JSON string or number can)", typ)
	}
}

// request builds the request's body, from stdin or the data items, and
// the headers and method that depend on it.
func (p *httpItems) request(stdin []byte) (*httpRequest, error) {
	r, form := p.r, p.form
	if len(stdin) > 0 && p.hasData() {
		return nil, errStdinMixed
	}
	var err error
	switch {
	case len(stdin) > 0:
		r.body = stdin
		r.ctype = "application/json"
		if form {
			r.ctype = "application/x-www-form-urlencoded; charset=utf-8"
		}
	case p.bodyFile != nil:
		data, err := readFileLimited(p.bodyFile.path)
		if err != nil {
			return nil, fmt.Errorf("@%s: %w", p.bodyFile.path, err)
		}
		r.body, r.ctype = data, p.bodyFile.ctype
	case p.hasData() && p.multipartForm:
		r.body, r.ctype, err = multipartBody(p.parts)
		if err != nil {
			return nil, err
		}
	case p.hasData() && form:
		r.body = formBody(p.fields)
		r.ctype = "application/x-www-form-urlencoded; charset=utf-8"
	case p.hasData():
		r.body = p.jb.bytes()
		r.ctype = "application/json"
	}
	hasBody := r.body != nil
	if r.method == "" {
		r.method = http.MethodGet
		if hasBody {
			r.method = http.MethodPost
		}
	}
	if _, ok := r.header["Accept"]; !ok {
		if hasBody && r.ctype == "application/json" {
			r.header.Set("Accept", "application/json, */*;q=0.5")
		} else {
			r.header.Set("Accept", "*/*")
		}
	}
	if r.ctype != "" && r.header.Get("Content-Type") == "" {
		r.header.Set("Content-Type", r.ctype)
	}
	if ct := r.header.Get("Content-Type"); ct != "" && r.body != nil {
		r.ctype = ct // the type given on the command line, for --print B
	}
	return r, nil
}

// queryItems are the == items, in command-line order.
type queryItems struct {
	names []string            // each name once, at its first use
	vals  map[string][]string // the values of each name, in order
}

func (q *queryItems) add(name, value string) {
	if q.vals == nil {
		q.vals = make(map[string][]string)
	}
	if _, ok := q.vals[name]; !ok {
		q.names = append(q.names, name)
	}
	q.vals[name] = append(q.vals[name], value)
}

// appendTo returns the URL query raw with the items after it, as HTTPie
// (requests) sends them: the URL's own query as written, then each name
// at its first use with all its values in command-line order.
func (q *queryItems) appendTo(raw string) string {
	var b strings.Builder
	b.WriteString(raw)
	for _, name := range q.names {
		for _, v := range q.vals[name] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(name) + "=" + url.QueryEscape(v))
		}
	}
	return b.String()
}

// parseCLIURL completes a command-line URL: http:// by default, and as
// HTTPie's shortcuts ":port/path", ":/path" and ":" for localhost.
func parseCLIURL(s string) (*url.URL, error) {
	if rest, ok := strings.CutPrefix(s, ":"); ok && !strings.HasPrefix(rest, ":") {
		port := rest[:len(rest)-len(strings.TrimLeft(rest, "0123456789"))]
		if after := rest[len(port):]; after != "" && !strings.ContainsRune("/?#", rune(after[0])) {
			return nil, fmt.Errorf("invalid URL %q: after ':' a localhost shortcut has a port and a path (:3000/x)", s)
		}
		s = "http://localhost"
		if port != "" {
			s += ":" + port
		}
		s += rest[len(port):]
	} else if !schemeRE.MatchString(s) {
		// As HTTPie: a URL that does not start with a scheme gets
		// http://, even with "://" further on (?next=http://x).
		s = "http://" + s
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("invalid URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("invalid URL %q: scheme must be http or https", s)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("invalid URL %q: no host", s)
	}
	return u, nil
}

// recorder is the innermost RoundTripper: it keeps the last request as it
// went on the wire (cookies and auth included) for --print H, counts the
// redirects answered in a row and, for --all, keeps the redirects of the
// last attempt's chain.
type recorder struct {
	next http.RoundTripper
	// keepHops, set before the first request, keeps the exchanges of
	// redirect responses (hops), each body read into memory (up to
	// maxFormatBody for the chain) before the client follows it. Each read of a
	// redirect's body waits at most timeout (0: none) or cancels the
	// request with cancel.
	keepHops bool
	timeout  time.Duration
	cancel   context.CancelCauseFunc

	mu        sync.Mutex // protects the fields below
	last      *http.Request
	redirects int // round trips in a row, up to the last, answered by a redirect
	hops      []hop
	kept      int // bytes of the bodies in hops
	// held is the bytes of bodies --all holds from earlier chains (the
	// exchanges before a digest answer): a chain's hops get what is
	// left of maxFormatBody.
	held int
}

// hop is an exchange of a redirect chain that --all prints.
type hop struct {
	req  *http.Request
	resp *http.Response
	body []byte // the body's first maxFormatBody bytes
	cut  bool   // the body was longer
	// short is why the body ended before its end (the connection
	// broke), or "".
	short string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	r.mu.Lock()
	r.last = req
	if req.Response == nil {
		// The first request of an attempt (net/http sets Response on
		// the requests a redirect makes): an attempt retried starts a
		// new chain.
		r.hops, r.kept = nil, 0
	}
	r.mu.Unlock()
	resp, err := r.next.RoundTrip(req)
	if err == nil && r.keepHops && followedRedirect(resp) {
		r.mu.Lock()
		budget := maxFormatBody - r.held - r.kept
		r.mu.Unlock()
		h, rerr := r.keep(req, resp, budget)
		if rerr != nil {
			resp.Body.Close()
			return nil, rerr
		}
		r.mu.Lock()
		r.hops = append(r.hops, h)
		r.kept += len(h.body)
		r.mu.Unlock()
	} else if err == nil && r.timeout > 0 && r.cancel != nil && followedRedirect(resp) {
		// net/http reads some of a redirect's body before following
		// it: that wait is bounded by --timeout too.
		resp.Body = newIdleBody(resp.Body, r.timeout, r.cancel)
	}
	r.mu.Lock()
	if err == nil && isRedirect(resp) {
		r.redirects++
	} else {
		r.redirects = 0
	}
	r.mu.Unlock()
	return resp, err
}

// keep reads the first limit bytes of a redirect's body, which net/http
// discards when it follows the redirect, and leaves resp.Body whole for
// whoever reads it next (the client, or the output when the client did
// not follow it after all). The hops of a chain share maxFormatBody
// bytes: a limit of one each would let a long chain (--max-redirects)
// hold maxFormatBody per redirect.
func (r *recorder) keep(req *http.Request, resp *http.Response, limit int) (hop, error) {
	limit = max(limit, 0)
	// The rest of the body, read by whoever reads it next (net/http
	// reads 2 KiB more of a redirect's), is under --timeout too: with
	// the chain's budget spent, little of it is read here.
	var body io.ReadCloser = resp.Body
	if r.timeout > 0 && r.cancel != nil {
		body = newIdleBody(resp.Body, r.timeout, r.cancel)
	}
	data, err := io.ReadAll(io.LimitReader(body, int64(limit)+1))
	if err != nil && (errors.Is(err, errIdleTimeout) || req.Context().Err() != nil) {
		return hop{}, fmt.Errorf("reading the body of the %d from %s: %w", resp.StatusCode, req.URL.Redacted(), err)
	}
	h := hop{req: req, resp: resp, body: data}
	if err != nil {
		// Cut short (the connection broke): net/http, discarding a
		// redirect's body, follows it all the same, and so does --all,
		// with what came.
		h.short = err.Error()
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(data))
		return h, nil
	}
	if len(data) > limit {
		h.body, h.cut = data[:limit], true
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(data), body), body}
	return h, nil
}

// history returns the redirects of the last chain before final, the
// response that ended it.
func (r *recorder) history(final *http.Response) []hop {
	r.mu.Lock()
	defer r.mu.Unlock()
	var hs []hop
	for _, h := range r.hops {
		if h.resp != final {
			hs = append(hs, h)
		}
	}
	return hs
}

// followedRedirect reports whether net/http's client follows resp (given
// a request body it can send again, as the command's always is).
func followedRedirect(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return resp.Header.Get("Location") != ""
	}
	return false
}

// isRedirect reports whether resp is a redirect a client follows.
func isRedirect(resp *http.Response) bool {
	return resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != ""
}

// redirectRun returns how many round trips in a row, up to the last, got
// a redirect.
func (r *recorder) redirectRun() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.redirects
}

// hold records n bytes of bodies kept from earlier chains (see held).
func (r *recorder) hold(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.held = n
}

func (r *recorder) lastRequest() *http.Request {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// readStdinBody returns the request body piped or redirected to the
// command, as HTTPie's redirected input: nothing with --ignore-stdin or
// when stdin is a terminal. With data items (hasData) stdin is never read,
// as in HTTPie: one that holds nothing (/dev/null, an empty file, a pipe
// its writer already closed empty, an empty in-memory reader) is no body, and any other (a pipe, a file with data)
// is errStdinMixed at once, so that a pipe nobody closes (a shell loop,
// ssh, xargs) cannot block the command. Otherwise stdin is read until its
// end or until ctx is done (Ctrl-C).
func readStdinBody(ctx context.Context, in io.Reader, ignore, hasData bool) ([]byte, error) {
	if ignore || in == nil {
		return nil, nil
	}
	if f, ok := in.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return nil, nil
	}
	if hasData {
		if stdinEmpty(in) {
			return nil, nil
		}
		return nil, errStdinMixed
	}
	data, err := readAllContext(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("reading the request body from stdin: %w", err)
	}
	return data, nil
}

// stdinEmpty reports whether in is known to hold nothing without reading
// it: /dev/null, an empty regular file, a pipe already closed by its
// writer with nothing in it, or an in-memory reader of length zero.
func stdinEmpty(in io.Reader) bool {
	switch in := in.(type) {
	case *os.File:
		fi, err := in.Stat()
		if err != nil {
			return false
		}
		if fi.Mode().IsRegular() {
			return fi.Size() == 0
		}
		if fi.Mode()&os.ModeCharDevice != 0 {
			null, err := os.Stat(os.DevNull)
			return err == nil && os.SameFile(fi, null)
		}
		if fi.Mode()&os.ModeNamedPipe != 0 {
			// A pipe its writer closed empty (a CI runner's or
			// "true |"), told by poll without reading.
			return pipeClosedEmpty(in)
		}
		return false
	case interface{ Len() int }: // strings.Reader, bytes.Reader, bytes.Buffer
		return in.Len() == 0
	}
	return false
}

// readAllContext is readAllLimited ending early when ctx is done. A read
// that blocks then is left behind (a file with deadlines, such as a pipe,
// is told to stop); the command is ending anyway.
func readAllContext(ctx context.Context, in io.Reader) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := readAllLimited(in)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		if f, ok := in.(*os.File); ok {
			_ = f.SetReadDeadline(time.Now())
		}
		return nil, context.Cause(ctx)
	}
}

func runHTTP(ctx context.Context, s *Streams, o *httpOptions, args []string) (err error) {
	items, err := parseHTTPItems(args, o.form)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	// Every flag is checked before stdin is read or a connection made: a
	// mistyped flag fails at once, even with a stdin nobody closes.
	if o.retries < 0 {
		// RetryPolicy.MaxAttempts 0 or less means the client's default.
		return fmt.Errorf("http: --retries %d: want 0 or more", o.retries)
	}
	if o.retries >= math.MaxInt {
		// retries+1 attempts would overflow to the client's default.
		return fmt.Errorf("http: --retries %d: too large (at most %d)", o.retries, math.MaxInt-1)
	}
	if o.maxRedirects < 0 {
		return fmt.Errorf("http: --max-redirects %d: want 0 or more", o.maxRedirects)
	}
	if o.session != "" && o.sessionRO != "" {
		return errors.New("http: --session and --session-read-only exclude each other")
	}
	// --output without --download sends the output to a file: not a
	// terminal. With --download, as in HTTPie, everything but the body
	// goes to stderr.
	outTTY := s.OutTTY && o.output == ""
	if o.download {
		outTTY = s.ErrTTY
	}
	show, err := printSpec(o, outTTY)
	if err != nil {
		return err
	}
	// As HTTPie's --quiet: stdout and stderr are silenced, but for
	// --output (the output goes to the file) and the body of --download;
	// warnings stay unless -qq, errors always.
	warnOut := s.ErrOut
	if o.quiet > 0 {
		if o.quiet > 1 {
			warnOut = io.Discard
		}
		if o.output == "" || o.download {
			show = ""
		}
		s = &Streams{In: s.In, Out: s.Out, ErrOut: io.Discard, OutTTY: s.OutTTY}
	}
	pretty, err := prettySpec(o.pretty, outTTY)
	if err != nil {
		return err
	}
	pretty.unsorted = o.unsorted
	tlsConf, err := tlsFromVerify(o.verify)
	if err != nil {
		return err
	}
	auth, digest, err := authFromFlags(o)
	if err != nil {
		return err
	}
	sessPath, sessWrite := "", false
	if name := o.session + o.sessionRO; name != "" {
		sessPath, err = sessionPath(name, items.r.url)
		if err != nil {
			return fmt.Errorf("http: %w", err)
		}
		sessWrite = o.session != ""
	}

	stdin, err := readStdinBody(ctx, s.In, o.ignoreStdin, items.hasData())
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	req, err := items.request(stdin)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	if strings.EqualFold(o.authType, "digest") && req.url.User != nil {
		// As HTTPie's: -A digest takes the URL's credentials (unless
		// --auth gives others), which must not go out as net/http
		// sends a URL's: Basic, the password in the clear.
		if digest == nil {
			pass, _ := req.url.User.Password()
			digest = &digestCreds{user: req.url.User.Username(), pass: pass}
		}
		u := *req.url
		u.User = nil
		req.url = &u
	}
	// As HTTPie's (requests' connect and read timeouts), --timeout
	// bounds each wait: connecting, the response headers and each read of
	// the body (idleBody), not the whole exchange, so that a download
	// longer than it but never stalled completes.
	rec := &recorder{next: client.NewTransport(&client.Options{TLSConfig: tlsConf,
		DialTimeout: o.timeout, TLSHandshakeTimeout: o.timeout, ResponseHeaderTimeout: o.timeout})}
	if o.offline {
		rec.next = offlineTransport{}
	}
	rec.keepHops = o.all && o.follow && !o.offline
	copts := &client.Options{
		Transport:    rec,
		MaxRedirects: -1,
		Retry:        &client.RetryPolicy{MaxAttempts: o.retries + 1},
	}
	if o.offline {
		copts.Retry.MaxAttempts = 1 // nothing is sent
	}
	if o.follow && o.maxRedirects > 0 {
		copts.MaxRedirects = o.maxRedirects
	}
	// As HTTPie's, exit status 6 when --follow meets more redirects than
	// --max-redirects allows.
	tooManyRedirects := &ExitError{Code: 6, Err: fmt.Errorf("http: too many redirects (--max-redirects=%d)", o.maxRedirects)}
	c, err := client.New(copts)
	if err != nil {
		return fmt.Errorf("http: %w", err)
	}
	defer c.CloseIdleConnections()

	if sessPath != "" {
		rep, err := c.LoadWithReport(sessPath)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("http: session: %w", err)
		}
		// Cookies an older version kept but a browser would refuse
		// (a broken __Host-/__Secure- rule, a Fake A-label) are left
		// out: say so, since the next save drops them for good.
		what := "not sent"
		if sessWrite {
			what = "not sent, and dropped from the session when it is saved"
		}
		for _, e := range rep.Rejected {
			fmt.Fprintf(warnOut, "httpstate: warning: %s (%s)\n", printable(e.Error()), what)
		}
		if rep.RejectedUnlisted > 0 {
			// The report lists the first ones only.
			fmt.Fprintf(warnOut, "httpstate: warning: session %s: %d more cookies left out (%s)\n",
				printable(sessPath), rep.RejectedUnlisted, what)
		}
		// As HTTPie, the session keeps the headers given on the command
		// line (Save leaves out Content-* and If-*), and the cookies of
		// a Cookie item.
		for k, vs := range req.header {
			if k != "Accept" && k != "Cookie" && len(vs) > 0 && vs[len(vs)-1] != "" {
				c.SetHeader(k, vs[len(vs)-1])
			}
		}
		if sessWrite {
			sessionCookies(c.Jar(), req)
		}
	}
	if auth != nil {
		c.SetAuth(auth)
	}
	// --auth-type digest governs Authorization: the session's auth is
	// not sent (the --auth given replaces it, as in HTTPie), nor its
	// Authorization header (below), but both are kept in the session,
	// which does not keep digest credentials.
	digestWanted := strings.EqualFold(o.authType, "digest")
	sessAuth := c.Auth()
	if digestWanted {
		c.SetAuth(nil)
	}

	reqCtx, cancelReq := context.WithCancelCause(ctx)
	defer cancelReq(nil)
	rec.timeout, rec.cancel = o.timeout, cancelReq
	// newRequest builds the request to send to u with method, with the
	// body unless withBody is false.
	newRequest := func(method string, u *url.URL, withBody bool) (*http.Request, error) {
		var body io.Reader
		if req.body != nil && withBody {
			body = bytes.NewReader(req.body)
		}
		hreq, err := c.NewRequest(reqCtx, method, u.String(), body)
		if err != nil {
			return nil, fmt.Errorf("http: %w", err)
		}
		hreq.Header = req.header.Clone()
		if o.timeout > 0 && len(req.body) > 0 && withBody {
			// Each send of the body (retries, 307 redirects) waits at most
			// --timeout for the server to take each chunk.
			hreq.GetBody = func() (io.ReadCloser, error) {
				return newIdleUpload(req.body, o.timeout, cancelReq), nil
			}
			hreq.Body, _ = hreq.GetBody()
		}
		// net/http sends req.Host and ignores a Host in the header map: a
		// Host item (or a session's) names the virtual host, as in HTTPie.
		if h, given := hreq.Header["Host"]; given {
			if len(h) > 0 && h[0] != "" {
				hreq.Host = h[0]
			}
		} else if h := c.Header().Get("Host"); h != "" {
			hreq.Host = h
		}
		return hreq, nil
	}
	hreq, err := newRequest(req.method, req.url, true)
	if err != nil {
		return err
	}
	var hideAuth [2]string // netrc's Authorization, and what the output shows
	if useNetrc(o, auth, digest, c, hreq) {
		n, err := readNetrc(netrcPath())
		if err != nil {
			fmt.Fprintf(warnOut, "httpstate: warning: netrc: %s (not used)\n", printable(err.Error()))
		}
		login, pass, ok := n.lookup(req.url.Hostname())
		if ok && pass != "" && n.open {
			// As Python's netrc module does of ~/.netrc (where it
			// refuses the file): the password is not the user's own
			// secret there. Still used, as HTTPie and curl do.
			fmt.Fprintf(warnOut, "httpstate: warning: netrc: %s can be read or written by other users than its owner (chmod 600 it)\n",
				printable(netrcPath()))
		}
		if ok && pass != "" && n.foreign {
			// As Python's netrc module does of ~/.netrc (where it
			// refuses the file), and for the same reason: its owner,
			// not the user, controls the password. Still used, as
			// a file other users can read is.
			fmt.Fprintf(warnOut, "httpstate: warning: netrc: %s is owned by another user (uid %d) than the current one (uid %d)\n",
				printable(netrcPath()), n.owner, os.Getuid())
		}
		if ok && strings.EqualFold(o.authType, "digest") {
			digest = &digestCreds{user: login, pass: pass}
		} else if ok {
			// On the request itself, not the client's auth: a --session
			// does not keep it, and the client drops it on a redirect
			// to another host, port or scheme.
			v := "Basic " + base64.StdEncoding.EncodeToString([]byte(login+":"+pass))
			hreq.Header.Set("Authorization", v)
			hideAuth = [2]string{v, "Basic " + printable(login) + ":REDACTED (netrc)"}
		}
	}
	if digestWanted {
		if digest == nil {
			// As HTTPie's "--auth required": no credentials to answer a
			// challenge with, and no other auth to send instead.
			return errors.New("http: -A digest: no credentials: give --auth USER:PASS, put them in the URL or in the netrc file")
		}
		if _, given := hreq.Header["Authorization"]; !given {
			// The session's Authorization header stays out: a present
			// key without values, which the client's defaults do not
			// fill and redirects copy. An Authorization item is the
			// user's own, sent.
			hreq.Header["Authorization"] = nil
		}
	}
	// failed returns the error of a request that got no response.
	failed := func(err error) error {
		if errors.Is(err, client.ErrTimeout) {
			return &ExitError{Code: 2, Err: err}
		}
		if errors.Is(context.Cause(reqCtx), errIdleTimeout) {
			return &ExitError{Code: 2, Err: fmt.Errorf("%w (%w)", err, errIdleTimeout)}
		}
		// More redirects in a row than allowed, then a failure: the
		// client's redirect limit (hooks fail with ErrHook).
		if o.follow && rec.redirectRun() > o.maxRedirects && !errors.Is(err, client.ErrHook) {
			return tooManyRedirects
		}
		return err
	}
	resp, err := c.Do(reqCtx, hreq)
	offline := o.offline && errors.Is(err, errOffline)
	if offline {
		err = nil
	}
	if err != nil {
		return failed(err)
	}
	var authHops []hop // --all: the exchanges up to a digest challenge
	// As HTTPie's (requests') digest auth: a 401 with a challenge from
	// the origin the credentials are for (not from a redirect's target
	// elsewhere) is answered once, by the same request to the URL that
	// sent it (RFC 7616, section 3.4). A 401 to that answer whose
	// challenge says stale=true (RFC 7616, section 3.3: the nonce was
	// stale, the credentials good) is answered once more, with its new
	// nonce; any other 401, or a second stale one, ends it.
	for answers := 0; digest != nil && !offline && resp.StatusCode == http.StatusUnauthorized && answers < 2; answers++ {
		ch, ok := pickDigest(resp.Header.Values("Www-Authenticate"))
		if !ok || !sameOriginURL(req.url, resp.Request.URL) || answers == 1 && !ch.stale {
			break
		}
		if o.all {
			// The 401s answered share one budget with their chains.
			authHops = append(authHops, rec.history(resp)...)
			kept := 0
			for _, h := range authHops {
				kept += len(h.body)
			}
			h, err := rec.keep(rec.lastRequest(), resp, maxFormatBody-kept)
			if err != nil {
				resp.Body.Close()
				return failed(err)
			}
			authHops = append(authHops, h)
			// The redirects after the answer share what is left.
			rec.hold(kept + len(h.body))
		}
		resp.Body.Close()
		prev := resp.Request
		hreq, err = newRequest(prev.Method, prev.URL, sentBody(prev))
		if err != nil {
			return err
		}
		hreq.Header.Set("Authorization", ch.authorization(*digest, prev.Method, prev.URL.RequestURI(), newCnonce()))
		if resp, err = c.Do(reqCtx, hreq); err != nil {
			return failed(err)
		}
	}
	if !offline {
		if o.timeout > 0 {
			resp.Body = newIdleBody(resp.Body, o.timeout, cancelReq)
		}
		defer resp.Body.Close()
		if o.follow && o.maxRedirects == 0 && isRedirect(resp) {
			return tooManyRedirects
		}
	}

	if o.output != "" && !o.download {
		// As HTTPie's: the output goes to the file, plain, as when
		// piped.
		f, err := os.OpenFile(o.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err != nil {
			return fmt.Errorf("http: --output: %w", err)
		}
		defer func() {
			if cerr := f.Close(); cerr != nil && err == nil {
				err = fmt.Errorf("http: --output: %w", cerr)
			}
		}()
		s = &Streams{In: s.In, Out: f, ErrOut: s.ErrOut, ErrTTY: s.ErrTTY}
	}
	// Every write of the printer goes through sw: an output that cannot
	// be written (a full disk) is an error, however it was printed.
	sw := &stickyWriter{w: s.Out}
	if o.download {
		sw.w = s.ErrOut
	}
	out := &printer{w: sw, pretty: pretty, tty: outTTY, hideAuth: hideAuth}
	if !offline {
		// --all: the redirects followed, each printed as the final
		// exchange is.
		for _, h := range append(authHops, rec.history(resp)...) {
			printHop(out, show, h, req, s.ErrOut)
		}
	}
	if sent := rec.lastRequest(); sent != nil {
		if strings.Contains(show, "H") {
			out.requestHead(sent)
		}
		// Not after a 301, 302 or 303 that made it a GET without one.
		if strings.Contains(show, "B") && len(req.body) > 0 && sentBody(sent) {
			out.body(req.body, req.ctype, true)
		}
	}
	if offline {
		// As HTTPie's --offline: nothing sent, nothing received, the
		// session not updated.
		if sw.err != nil {
			return fmt.Errorf("http: writing the output: %w", sw.err)
		}
		return nil
	}
	status := resp.StatusCode
	if o.download && status < 300 {
		if strings.Contains(show, "h") {
			out.responseHead(resp)
		}
		if err := download(s, o, resp, req.url); err != nil {
			return bodyTimeout(err)
		}
	} else {
		if strings.Contains(show, "h") {
			out.responseHead(resp)
		}
		// As in HTTPie, a body that is not printed is not read, and one
		// printed as it is (piped, no --pretty) is streamed.
		switch {
		case !strings.Contains(show, "b"):
		case !out.tty && !out.pretty.format && !out.pretty.colors:
			if _, err := io.Copy(out.w, resp.Body); err != nil {
				return bodyTimeout(fmt.Errorf("http: response body: %w", err))
			}
		default:
			if err := out.responseBody(resp.Body, resp.Header.Get("Content-Type"), s.ErrOut); err != nil {
				return bodyTimeout(fmt.Errorf("http: reading the response body: %w", err))
			}
		}
	}
	if sessWrite {
		if err := os.MkdirAll(filepath.Dir(sessPath), 0o700); err != nil {
			return fmt.Errorf("http: session: %w", err)
		}
		c.SetAuth(sessAuth)
		if err := c.Save(sessPath); err != nil {
			return fmt.Errorf("http: session: %w", err)
		}
	}
	// With --download the printer writes to stderr, messages beside the
	// body saved: stderr failing (closed, 2>&-) does not fail a download
	// that completed.
	if sw.err != nil && !o.download {
		return fmt.Errorf("http: writing the output: %w", sw.err)
	}
	if o.checkStatus || (o.download && status >= 300) {
		code := 0
		// As HTTPie's: a status past 599 (which net/http takes, up to
		// 999) is no error.
		switch {
		case status >= 600:
		case status >= 500:
			code = 5
		case status >= 400:
			code = 4
		case status >= 300 && !o.follow:
			code = 3
		}
		if code != 0 && outTTY && strings.Contains(show, "h") {
			// As in HTTPie: on a terminal the status line printed says
			// it; the message is for redirected output.
			return &ExitError{Code: code}
		}
		if code != 0 && o.quiet > 1 {
			return &ExitError{Code: code} // -qq: the status says it
		}
		if code != 0 {
			return &ExitError{Code: code, Err: &client.StatusError{Method: req.method,
				URL: resp.Request.URL.Redacted(), StatusCode: status, Status: printableHeader(resp.Status)}}
		}
	}
	return nil
}

// printHop prints an intermediary exchange (--all: a redirect followed, a
// digest challenge answered), the parts show names, formatted as the
// final exchange is; a blank line ends a body, before the next request or
// response.
func printHop(out *printer, show string, h hop, req *httpRequest, warn io.Writer) {
	if strings.Contains(show, "H") {
		out.requestHead(h.req)
	}
	if strings.Contains(show, "B") && sentBody(h.req) && len(req.body) > 0 {
		out.body(req.body, req.ctype, true) // a 307 or 308 sends it again
	}
	if strings.Contains(show, "h") {
		out.responseHead(h.resp)
	}
	if !strings.Contains(show, "b") {
		return
	}
	if h.short != "" {
		fmt.Fprintf(warn, "httpstate: warning: the body of the %d from %s ended early (%s): printed as it came\n",
			h.resp.StatusCode, printable(h.req.URL.Redacted()), printable(h.short))
	}
	if h.cut {
		fmt.Fprintf(warn, "httpstate: warning: the body of the %d from %s: printed cut (--all holds %s of the intermediary bodies)\n",
			h.resp.StatusCode, printable(h.req.URL.Redacted()), sizeString(int64(maxFormatBody)))
	}
	if len(h.body) == 0 {
		return
	}
	if (out.tty || out.pretty.format || out.pretty.colors) && bytes.IndexByte(h.body, 0) >= 0 {
		out.binaryNote()
		fmt.Fprintln(out.w)
		return
	}
	out.body(h.body, h.resp.Header.Get("Content-Type"), true)
}

// sameOriginURL reports whether a and b have the same scheme, host and
// port (RFC 6454, section 5).
func sameOriginURL(a, b *url.URL) bool {
	port := func(u *url.URL) string {
		if p := u.Port(); p != "" {
			return p
		}
		if strings.EqualFold(u.Scheme, "https") {
			return "443"
		}
		return "80"
	}
	return strings.EqualFold(a.Scheme, b.Scheme) && strings.EqualFold(a.Hostname(), b.Hostname()) && port(a) == port(b)
}

// sentBody reports whether r, a request of the exchange, carried the body:
// a redirect's 307 or 308 sends it again, its 301, 302 or 303 (to a GET)
// does not.
func sentBody(r *http.Request) bool {
	return r.ContentLength != 0 || r.Body != nil && r.Body != http.NoBody
}

// errOffline is what offlineTransport answers: the request is not sent.
var errOffline = errors.New("--offline: not sent")

// offlineTransport sends nothing, for --offline: the recorder before it
// keeps the request, as it would have gone out, to be printed.
type offlineTransport struct{}

func (offlineTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	return nil, errOffline
}

// errIdleTimeout is the cause of a request cancelled by idleBody.
var errIdleTimeout = fmt.Errorf("timed out: the server sent or took no data for --timeout: %w", context.DeadlineExceeded)

// idleUpload is a request body whose sending waits at most timeout for
// each chunk to go out, as HTTPie's socket timeout: the time between two
// reads (the transport writing the last chunk) longer than timeout cancels
// the request (cancel).
type idleUpload struct {
	r       *bytes.Reader
	timeout time.Duration
	timer   *time.Timer
}

func newIdleUpload(data []byte, timeout time.Duration, cancel context.CancelCauseFunc) *idleUpload {
	u := &idleUpload{r: bytes.NewReader(data), timeout: timeout}
	u.timer = time.AfterFunc(timeout, func() { cancel(errIdleTimeout) })
	u.timer.Stop()
	return u
}

func (u *idleUpload) Read(p []byte) (int, error) {
	u.timer.Stop()
	n, err := u.r.Read(p)
	if err == nil {
		u.timer.Reset(u.timeout) // until the next read
	}
	return n, err
}

func (u *idleUpload) Close() error {
	u.timer.Stop()
	return nil
}

// idleBody is a response body whose reads each wait at most timeout for
// data, as HTTPie's read timeout: a read that waits longer cancels the
// request (cancel), and fails with errIdleTimeout. Time spent outside Read
// (writing the output) does not count.
type idleBody struct {
	rc       io.ReadCloser
	timeout  time.Duration
	timer    *time.Timer
	timedOut atomic.Bool
}

func newIdleBody(rc io.ReadCloser, timeout time.Duration, cancel context.CancelCauseFunc) *idleBody {
	b := &idleBody{rc: rc, timeout: timeout}
	b.timer = time.AfterFunc(timeout, func() {
		b.timedOut.Store(true)
		cancel(errIdleTimeout)
	})
	b.timer.Stop()
	return b
}

func (b *idleBody) Read(p []byte) (int, error) {
	b.timer.Reset(b.timeout)
	n, err := b.rc.Read(p)
	b.timer.Stop()
	if err != nil && err != io.EOF && b.timedOut.Load() {
		err = fmt.Errorf("%w (%w)", err, errIdleTimeout)
	}
	return n, err
}

func (b *idleBody) Close() error {
	b.timer.Stop()
	return b.rc.Close()
}

// bodyTimeout returns err, an error reading the response body, as exit
// status 2 when --timeout ran out while the body arrived: a timeout exits
// with 2 (as in HTTPie) whether it comes before the response or during its
// body.
func bodyTimeout(err error) error {
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout() {
		return &ExitError{Code: 2, Err: fmt.Errorf("%w (%w)", err, client.ErrTimeout)}
	}
	return err
}

// sessionCookies moves the cookies of req's Cookie header into j, as
// HTTPie does with a Cookie item and --session: each becomes a cookie of
// the URL's host with path "/", which the jar then sends, so that a new
// value replaces the session's rather than going out beside it. A cookie
// the jar refuses (a __Host- one over http) stays in the header, sent as
// given; a header that does not parse is left alone.
func sessionCookies(j client.Jar, req *httpRequest) {
	line := req.header.Get("Cookie")
	if line == "" {
		return
	}
	cookies, err := http.ParseCookie(line)
	if err != nil {
		return
	}
	for _, ck := range cookies {
		j.SetCookieLines(req.url, []string{ck.Name + "=" + ck.Value + "; Path=/"})
	}
	sent := map[string]bool{}
	if jc, err := http.ParseCookie(j.CookieHeader(req.url)); err == nil {
		for _, ck := range jc {
			sent[ck.Name+"="+ck.Value] = true
		}
	}
	var keep []string
	for _, ck := range cookies {
		if !sent[ck.Name+"="+ck.Value] {
			keep = append(keep, ck.Name+"="+ck.Value)
		}
	}
	if len(keep) == 0 {
		req.header.Del("Cookie")
		return
	}
	req.header.Set("Cookie", strings.Join(keep, "; "))
}

// printSpec returns the --print letters: HTTPie's defaults are hb on a
// terminal and b when the output is piped or redirected.
func printSpec(o *httpOptions, tty bool) (string, error) {
	p := o.print
	switch {
	case p != "":
		if strings.Trim(p, "HBhb") != "" {
			return "", fmt.Errorf("http: --print %q: use the letters H, B, h and b", p)
		}
	case o.verbose:
		p = "HBhb"
	case o.headersOnly:
		p = "h"
	case o.bodyOnly:
		p = "b"
	case o.offline:
		p = "HB" // as HTTPie's: there is no response
	case tty:
		p = "hb"
	default:
		p = "b"
	}
	return p, nil
}

// prettySpec returns whether to format and to colour.
func prettySpec(v string, tty bool) (prettyMode, error) {
	switch v {
	case "":
		if tty {
			return prettyMode{format: true, colors: true}, nil
		}
		return prettyMode{}, nil
	case "all":
		return prettyMode{format: true, colors: true}, nil
	case "format":
		return prettyMode{format: true}, nil
	case "colors":
		return prettyMode{colors: true}, nil
	case "none":
		return prettyMode{}, nil
	}
	return prettyMode{}, fmt.Errorf("http: --pretty %q: use all, colors, format or none", v)
}

func tlsFromVerify(v string) (*tls.Config, error) {
	switch strings.ToLower(v) {
	case "", "yes", "true":
		return nil, nil
	case "no", "false":
		return &tls.Config{InsecureSkipVerify: true}, nil
	}
	pem, err := os.ReadFile(v)
	if err != nil {
		return nil, fmt.Errorf("http: --verify: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("http: --verify %s: no PEM certificates", v)
	}
	return &tls.Config{RootCAs: pool}, nil
}

// useNetrc reports whether the netrc file may give hreq's credentials: as
// in HTTPie, only when no credentials come from elsewhere (--auth, the
// URL, the session's auth, an Authorization item or session header, even
// one that removes it) and --auth-type is basic or digest; not with --ignore-netrc.
// With -A digest the session's auth and header, not sent, do not count.
func useNetrc(o *httpOptions, auth client.Auth, digest *digestCreds, c *client.Client, hreq *http.Request) bool {
	if o.ignoreNetrc || auth != nil || digest != nil || c.Auth() != nil || hreq.URL.User != nil {
		return false // URL credentials (http://u:p@host) win, as in HTTPie
	}
	if t := strings.ToLower(o.authType); t != "basic" && t != "digest" {
		return false
	}
	if _, given := hreq.Header["Authorization"]; given {
		return false
	}
	// -A digest does not send the session's Authorization: the netrc
	// serves all the same.
	_, inSession := c.Header()["Authorization"]
	return !inSession || strings.EqualFold(o.authType, "digest")
}

// authFromFlags returns the credentials of --auth: a client.Auth for basic
// and bearer, digestCreds for digest (answered by the command, not the
// client: a challenge comes first).
func authFromFlags(o *httpOptions) (client.Auth, *digestCreds, error) {
	if o.auth == "" {
		return nil, nil, nil
	}
	switch strings.ToLower(o.authType) {
	case "basic", "digest":
		user, pass, ok := strings.Cut(o.auth, ":")
		if !ok {
			return nil, nil, errors.New("http: --auth: want USER:PASS (no password prompt)")
		}
		if strings.EqualFold(o.authType, "digest") {
			return nil, &digestCreds{user: user, pass: pass}, nil
		}
		return client.Basic(user, pass), nil, nil
	case "bearer":
		return client.Bearer(o.auth), nil, nil
	}
	return nil, nil, fmt.Errorf("http: --auth-type %q: use basic, digest or bearer", o.authType)
}

var sessionNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]+$`)

// sessionPath returns the file of a named session for u's host, as HTTPie
// lays them out, or name itself when it is a path.
func sessionPath(name string, u *url.URL) (string, error) {
	if strings.ContainsRune(name, '/') || strings.ContainsRune(name, filepath.Separator) {
		return name, nil
	}
	if !sessionNameRE.MatchString(name) || name == "." || name == ".." {
		return "", fmt.Errorf("session name %q: use letters, digits, '_', '-' and '.'", name)
	}
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("session %q: %w", name, err)
		}
		dir = filepath.Join(home, ".config")
	}
	host := strings.ReplaceAll(u.Host, ":", "_")
	host = strings.NewReplacer("/", "_", "\\", "_").Replace(host)
	return filepath.Join(dir, "httpstate", "sessions", host, name+".json"), nil
}
