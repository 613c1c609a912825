package jar

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"
)

// embedIn makes a request a subresource (or nested frame) request of a
// page whose top-level site is top: the context CHIPS partitions by.
func embedIn(top string) func(*Request) {
	return func(r *Request) {
		r.SiteForCookies = mustURL(top)
		r.TopLevelNavigation = false
	}
}

// The partitioned cookie used below: the shape CHIPS recommends.
const chip = "__Host-p=%s; Secure; Path=/; SameSite=None; Partitioned"

func chipLine(v string) string { return strings.Replace(chip, "%s", v, 1) }

var partitionScenarios = []jarScenario{
	{name: "set under top-level A: sent under A, not under B nor first-party", steps: []step{
		{set: "https://widget.example/frame", lines: []string{chipLine("a")}, req: embedIn("https://a.example/page")},
		{get: "https://widget.example/api", req: embedIn("https://a.example/other"), want: "__Host-p=a"},
		{get: "https://widget.example/api", req: embedIn("https://www.a.example/"), want: "__Host-p=a"}, // same site
		{get: "https://widget.example/api", req: embedIn("https://b.example/"), want: ""},
		{get: "https://widget.example/api", req: embedIn("http://a.example/"), want: ""}, // schemeful site
		{get: "https://widget.example/", want: ""},                                       // top-level: partition widget.example
	}},
	{name: "same name in two partitions and unpartitioned: replaced and deleted independently", steps: []step{
		{set: "https://widget.example/", lines: []string{"p=A; Secure; SameSite=None; Partitioned"}, req: embedIn("https://a.example/")},
		{advance: time.Second, set: "https://widget.example/", lines: []string{"p=B; Secure; SameSite=None; Partitioned"}, req: embedIn("https://b.example/")},
		{advance: time.Second, set: "https://widget.example/", lines: []string{"p=U; Secure; SameSite=None"}, req: embedIn("https://a.example/")},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "p=A; p=U"},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: "p=B; p=U"},
		{get: "https://widget.example/", req: embedIn("https://c.example/"), want: "p=U"},
		// Replacing A's keeps its creation-time (order) and leaves B's.
		{advance: time.Second, set: "https://widget.example/", lines: []string{"p=A2; Secure; SameSite=None; Partitioned"}, req: embedIn("https://a.example/")},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "p=A2; p=U"},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: "p=B; p=U"},
		// Deleting B's (Max-Age=0 in partition B) leaves A's and the
		// unpartitioned one.
		{set: "https://widget.example/", lines: []string{"p=; Secure; SameSite=None; Partitioned; Max-Age=0"}, req: embedIn("https://b.example/")},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: "p=U"},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "p=A2; p=U"},
		// Deleting without Partitioned deletes only the unpartitioned one.
		{set: "https://widget.example/", lines: []string{"p=; Secure; SameSite=None; Expires=Thu, 01 Jan 1970 00:00:00 GMT"}, req: embedIn("https://a.example/")},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "p=A2"},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: ""},
	}},
	{name: "Partitioned without Secure is rejected", steps: []step{
		{set: "https://a.example/", lines: []string{"p=1; Partitioned", "q=1; Partitioned; SameSite=None", "ok=1; Secure; Partitioned"}},
		{get: "https://a.example/", want: "ok=1"},
	}},
	{name: "top-level navigation's partition is the URL's site, whoever navigates", steps: []step{
		{set: "https://a.example/", lines: []string{"p=1; Secure; Partitioned"}},
		{get: "https://a.example/", req: crossSiteTop, want: "p=1"},
		{get: "https://sub.a.example/", want: ""}, // host-only
		{get: "https://a.example/img", req: embedIn("https://a.example/"), want: "p=1"},
		{get: "https://a.example/img", req: embedIn("https://b.example/"), want: ""}, // and Lax anyway
	}},
	{name: "domain cookie in a partition reaches subdomains in the same partition", steps: []step{
		{set: "https://w.widget.example/", lines: []string{"p=1; Domain=widget.example; Secure; SameSite=None; Partitioned"}, req: embedIn("https://a.example/")},
		{get: "https://x.widget.example/", req: embedIn("https://a.example/"), want: "p=1"},
		{get: "https://x.widget.example/", req: embedIn("https://b.example/"), want: ""},
	}},
	{name: "opaque top-level origin: no partition, not stored nor sent", steps: []step{
		{set: "https://widget.example/", lines: []string{chipLine("x")}, req: embedIn("data:text/html,hi")},
		{get: "https://widget.example/", want: ""},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: ""},
	}},
	{name: "per-domain limit counts each partition apart", opt: &Options{Limits: &Limits{PerDomain: 2}}, steps: []step{
		{set: "https://widget.example/", lines: []string{"u1=1; Secure; SameSite=None", "u2=1; Secure; SameSite=None"}, req: embedIn("https://a.example/")},
		{advance: time.Second, set: "https://widget.example/", lines: []string{"a1=1; Secure; SameSite=None; Partitioned", "a2=1; Secure; SameSite=None; Partitioned"}, req: embedIn("https://a.example/")},
		{advance: time.Second, set: "https://widget.example/", lines: []string{"b1=1; Secure; SameSite=None; Partitioned", "b2=1; Secure; SameSite=None; Partitioned"}, req: embedIn("https://b.example/")},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "u1=1; u2=1; a1=1; a2=1"},
		{advance: time.Second, set: "https://widget.example/", lines: []string{"a3=1; Secure; SameSite=None; Partitioned"}, req: embedIn("https://a.example/")},
		{get: "https://widget.example/", req: embedIn("https://a.example/"), want: "u1=1; u2=1; a2=1; a3=1"},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: "u1=1; u2=1; b1=1; b2=1"},
	}},
	{name: "per-partition byte limit evicts least recently accessed of that partition", opt: &Options{Limits: &Limits{PartitionBytes: 10}}, steps: []step{
		{set: "https://widget.example/", lines: []string{"a=1234; Path=/; Secure; SameSite=None; Partitioned", "b=1234; Path=/b; Secure; SameSite=None; Partitioned", "unpartitioned=0123456789; Secure; SameSite=None"}, req: embedIn("https://a.example/")},
		{set: "https://widget.example/", lines: lines{"a=1234"}.withChip(), req: embedIn("https://b.example/")},
		{advance: time.Second, get: "https://widget.example/b", req: embedIn("https://a.example/"), want: "b=1234; a=1234; unpartitioned=0123456789"},
		// Touch a only: b is now the least recently accessed (though
		// created after a).
		{advance: time.Second, get: "https://widget.example/", req: embedIn("https://a.example/"), want: "a=1234; unpartitioned=0123456789"},
		{advance: time.Second, set: "https://widget.example/", lines: lines{"c=1234"}.withChip(), req: embedIn("https://a.example/")},
		{get: "https://widget.example/b", req: embedIn("https://a.example/"), want: "a=1234; unpartitioned=0123456789; c=1234"},
		{get: "https://widget.example/", req: embedIn("https://b.example/"), want: "unpartitioned=0123456789; a=1234"},
	}},
}

// lines is a list of Set-Cookie values.
type lines []string

// withChip makes each line without attributes a partitioned one.
func (ls lines) withChip() []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		if !strings.Contains(l, ";") {
			l += "; Secure; SameSite=None; Partitioned"
		}
		out[i] = l
	}
	return out
}

func TestPartitionedCookies(t *testing.T) {
	for _, s := range partitionScenarios {
		t.Run(s.name, s.run)
	}
}

func TestPartitionedStorageErrors(t *testing.T) {
	for _, tt := range []struct {
		name, url, line string
		req             func(*Request)
		wantErr         error
		wantKey         string
	}{
		{name: "no Secure", url: "https://a.example/", line: "p=1; Partitioned", wantErr: errPartitionedInsecure},
		{name: "Secure over http", url: "http://a.example/", line: "p=1; Secure; Partitioned", wantErr: errSecureInsecure},
		{name: "opaque top-level", url: "https://w.example/", line: "p=1; Secure; SameSite=None; Partitioned", req: embedIn("data:,x"), wantErr: errNoPartition},
		{name: "own site", url: "https://www.a.example/", line: "p=1; Secure; Partitioned", wantKey: "https://a.example"},
		{name: "embedded", url: "https://w.example/", line: "p=1; Secure; SameSite=None; Partitioned", req: embedIn("https://x.b.example:8443/p"), wantKey: "https://b.example"},
		{name: "wss is https", url: "wss://w.example/", line: "p=1; Secure; SameSite=None; Partitioned", req: embedIn("wss://b.example/"), wantKey: "https://b.example"},
		{name: "loopback http", url: "http://127.0.0.1:9/", line: "p=1; Secure; Partitioned", wantKey: "http://127.0.0.1"},
		{name: "unpartitioned", url: "https://a.example/", line: "p=1; Secure", wantKey: ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, nil)
			r := plainRequest(mustURL(tt.url))
			if tt.req != nil {
				tt.req(&r)
			}
			err := storeLine(j, r, tt.line)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("got error %v, want %v", err, tt.wantErr)
			}
			es := j.All()
			if tt.wantErr != nil {
				if len(es) != 0 {
					t.Errorf("stored %+v", es)
				}
				return
			}
			if len(es) != 1 || es[0].PartitionKey != tt.wantKey || es[0].Partitioned != (tt.wantKey != "") {
				t.Errorf("got %+v, want one cookie with partition key %q", es, tt.wantKey)
			}
		})
	}
}

func TestPartitionedHTTPCookieJar(t *testing.T) {
	j := newTestJar(t, nil)
	u := mustURL("https://shop.example/cart")
	j.SetCookies(u, []*http.Cookie{
		{Name: "p", Value: "1", Secure: true, Partitioned: true, Path: "/"},
		{Name: "insecure", Value: "1", Partitioned: true, Path: "/"},
	})
	// The http.CookieJar methods act as a same-site top-level request:
	// partition = the URL's own site.
	if got := j.Cookies(u); len(got) != 1 || got[0].Name != "p" {
		t.Errorf("Cookies got %v, want [p=1]", got)
	}
	if es := j.All(); len(es) != 1 || es[0].PartitionKey != "https://shop.example" {
		t.Errorf("stored %+v, want p in partition https://shop.example", es)
	}
	r := plainRequest(mustURL("https://shop.example/"))
	embedIn("https://news.example/")(&r)
	if got := j.CookieHeaderFor(r); got != "" {
		t.Errorf("embedded under another top-level site got %q", got)
	}
}

// partitionedJar holds an own-site partitioned cookie, a third-party one
// in two partitions and an unpartitioned one.
func partitionedJar(tb testing.TB) *Jar {
	tb.Helper()
	j := newTestJar(tb, nil)
	j.SetCookieLines(mustURL("https://a.example/"), []string{"own=1; Secure; Partitioned; Max-Age=600"})
	for _, top := range []string{"https://a.example/", "https://b.example/"} {
		r := plainRequest(mustURL("https://widget.example/"))
		embedIn(top)(&r)
		j.SetCookieLinesFor(r, []string{"w=" + top[8:9] + "; Secure; SameSite=None; Partitioned; Max-Age=600"})
	}
	j.SetCookieLines(mustURL("https://widget.example/"), []string{"u=1; Secure; SameSite=None; Max-Age=600"})
	return j
}

// partitionedHeaders are the Cookie headers of partitionedJar's cookies in
// the contexts that tell the partitions apart.
func partitionedHeaders(j *Jar) []string {
	var out []string
	for _, c := range []struct{ url, top string }{
		{"https://a.example/", ""},
		{"https://widget.example/", "https://a.example/"},
		{"https://widget.example/", "https://b.example/"},
		{"https://widget.example/", "https://c.example/"},
		{"https://widget.example/", ""},
	} {
		r := plainRequest(mustURL(c.url))
		if c.top != "" {
			embedIn(c.top)(&r)
		}
		out = append(out, j.CookieHeaderFor(r))
	}
	return out
}

func TestPartitionedJSONRoundTrip(t *testing.T) {
	j := partitionedJar(t)
	want := []string{"own=1", "w=a; u=1", "w=b; u=1", "u=1", "u=1"}
	if got := partitionedHeaders(j); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("headers %q, want %q", got, want)
	}
	var buf bytes.Buffer
	if err := j.Export(&buf, &SaveOptions{Format: FormatJSON}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), `"partitionKey": "https://b.example"`) {
		t.Errorf("JSON lacks the partition key:\n%s", buf.String())
	}
	j2 := newTestJar(t, nil)
	if n, err := j2.Import(bytes.NewReader(buf.Bytes())); err != nil || n != 4 {
		t.Fatalf("Import = %d, %v; want 4 cookies", n, err)
	}
	if got := partitionedHeaders(j2); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after JSON round trip headers %q, want %q", got, want)
	}
	if !sameEntries(j2.All(), j.All()) {
		t.Errorf("entries differ:\n%+v\n%+v", j2.All(), j.All())
	}
}

func TestPartitionedOldJSON(t *testing.T) {
	// A file written before partitions were enforced: no partitionKey.
	old := `{"version": 1, "cookies": [
  {"name": "p", "value": "1", "domain": "widget.example", "hostOnly": true, "path": "/",
   "persistent": false, "secure": true, "httpOnly": false, "sameSite": "none", "partitioned": true},
  {"name": "q", "value": "1", "domain": "widget.example", "hostOnly": true, "path": "/",
   "persistent": false, "secure": false, "httpOnly": false, "sameSite": "lax", "partitioned": true}
]}`
	es, err := ReadJSON(strings.NewReader(old))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 || !es[0].Partitioned || es[0].PartitionKey != "" || es[1].Partitioned {
		t.Fatalf("read %+v: want p partitioned without key, q (not Secure) unpartitioned", es)
	}
	j := newTestJar(t, nil)
	if err := j.Add(es...); err != nil {
		t.Fatal(err)
	}
	if got := j.Domain("widget.example"); len(got) != 2 || got[0].PartitionKey != "https://widget.example" || got[1].PartitionKey != "" {
		t.Errorf("loaded %+v: want p in partition https://widget.example", got)
	}
	if got := j.CookieHeader(mustURL("https://widget.example/")); got != "p=1; q=1" {
		t.Errorf("top-level got %q, want p=1; q=1", got)
	}
	r := plainRequest(mustURL("https://widget.example/"))
	embedIn("https://a.example/")(&r)
	if got := j.CookieHeaderFor(r); got != "" {
		t.Errorf("embedded under a.example got %q, want nothing", got)
	}
}

func TestPartitionedEntryChecks(t *testing.T) {
	base := `{"version": 1, "cookies": [{"name": "p", "value": "1", "domain": "w.example", "path": "/", "secure": %s, "partitioned": %s%s}]}`
	for _, tt := range []struct {
		name, secure, partitioned, extra string
		ok                               bool
	}{
		{"keyed", "true", "true", `, "partitionKey": "https://a.example"`, true},
		{"key without partitioned", "true", "false", `, "partitionKey": "https://a.example"`, false},
		{"keyed without secure", "false", "true", `, "partitionKey": "https://a.example"`, false},
		{"key with path", "true", "true", `, "partitionKey": "https://a.example/"`, false},
		{"key with port", "true", "true", `, "partitionKey": "https://a.example:443"`, false},
		{"key upper case", "true", "true", `, "partitionKey": "https://A.example"`, false},
		{"key without scheme", "true", "true", `, "partitionKey": "a.example"`, false},
		{"key bad scheme", "true", "true", `, "partitionKey": "1x://a.example"`, false},
		{"key IPv4", "true", "true", `, "partitionKey": "https://192.0.2.1"`, true},
		{"key IPv6 in brackets", "true", "true", `, "partitionKey": "https://[2001:db8::1]"`, true},
		{"key IPv6 bare", "true", "true", `, "partitionKey": "https://2001:db8::1"`, false},
		{"key name in brackets", "true", "true", `, "partitionKey": "https://[a.example]"`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := strings.Replace(strings.Replace(strings.Replace(base, "%s", tt.secure, 1), "%s", tt.partitioned, 1), "%s", tt.extra, 1)
			_, err := ReadJSON(strings.NewReader(data))
			if (err == nil) != tt.ok {
				t.Errorf("ReadJSON error %v, want ok=%v", err, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrSyntax) {
				t.Errorf("error %v does not match ErrSyntax", err)
			}
		})
	}
	j := newTestJar(t, nil)
	if err := j.Add(Entry{Name: "p", Value: "1", Domain: "a.example", Path: "/", Partitioned: true}); err == nil {
		t.Error("Add accepted a Partitioned entry without Secure")
	}
	if j.Len() != 0 {
		t.Errorf("jar holds %d cookies", j.Len())
	}
}

func TestPartitionedCookiesTxt(t *testing.T) {
	j := partitionedJar(t)
	var buf bytes.Buffer
	if err := j.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	txt := buf.String()
	// The own-site partitioned cookie is written as a plain cookie; the
	// widget's partitioned cookies (partitions a.example and b.example)
	// are left out; the unpartitioned one is written.
	for _, want := range []string{"a.example\tFALSE\t/\tTRUE\t", "\town\t1\n", "\tu\t1\n"} {
		if !strings.Contains(txt, want) {
			t.Errorf("cookies.txt lacks %q:\n%s", want, txt)
		}
	}
	if strings.Contains(txt, "\tw\t") {
		t.Errorf("cookies.txt holds a cookie of another site's partition:\n%s", txt)
	}
	es, err := ReadCookiesTxt(strings.NewReader(txt))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 2 {
		t.Fatalf("read back %d cookies, want 2: %+v", len(es), es)
	}
	j2 := newTestJar(t, nil)
	if err := j2.Add(es...); err != nil {
		t.Fatal(err)
	}
	// Read back unpartitioned, and with SameSite lost (Default: Lax).
	want := []string{"own=1", "", "", "", "u=1"}
	if got := partitionedHeaders(j2); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("after cookies.txt headers %q, want %q", got, want)
	}
}

func TestLaxAllowingUnsafe(t *testing.T) {
	post := func(r *Request) { crossSiteTop(r); r.Method = http.MethodPost }
	postSub := func(r *Request) { crossSiteSub(r); r.Method = http.MethodPost }
	postNonHTTP := func(r *Request) { post(r); r.HTTP = false }
	set := step{set: "https://site.example/", lines: []string{"d=1", "l=1; SameSite=Lax", "s=1; SameSite=Strict", "n=1; SameSite=None; Secure"}}
	scenarios := []jarScenario{
		{name: "off by default: cross-site POST carries only None", steps: []step{
			set,
			{get: "https://site.example/", req: post, want: "n=1"},
			{get: "https://site.example/", req: crossSiteTop, want: "d=1; l=1; n=1"},
		}},
		{name: "on: a recent Default cookie goes with a cross-site top-level POST", opt: &Options{LaxAllowingUnsafe: 2 * time.Minute}, steps: []step{
			set,
			{get: "https://site.example/", req: post, want: "d=1; n=1"},
			{get: "https://site.example/", req: crossSiteTop, want: "d=1; l=1; n=1"},
			{get: "https://site.example/", req: postSub, want: "n=1"},
			{get: "https://site.example/", req: postNonHTTP, want: "n=1"},
			{advance: 2 * time.Minute, get: "https://site.example/", req: post, want: "d=1; n=1"}, // age == limit
			{advance: time.Nanosecond, get: "https://site.example/", req: post, want: "n=1"},
			{get: "https://site.example/", req: crossSiteTop, want: "d=1; l=1; n=1"},
		}},
		{name: "on: replacing keeps the creation-time, so the age runs on", opt: &Options{LaxAllowingUnsafe: 2 * time.Minute}, steps: []step{
			{set: "https://site.example/", lines: []string{"d=1"}},
			{advance: 90 * time.Second, set: "https://site.example/", lines: []string{"d=2"}},
			{get: "https://site.example/", req: post, want: "d=2"},
			{advance: 31 * time.Second, get: "https://site.example/", req: post, want: ""},
		}},
	}
	for _, s := range scenarios {
		t.Run(s.name, s.run)
	}
	if _, err := New(&Options{LaxAllowingUnsafe: -time.Second}); err == nil {
		t.Error("New accepted a negative LaxAllowingUnsafe")
	}
}

func TestLaxAllowingUnsafeFutureCreation(t *testing.T) {
	// A cookie whose creation-time is ahead of the clock (a file from a
	// skewed clock) is not "recent".
	j := newTestJar(t, &Options{LaxAllowingUnsafe: time.Hour})
	if err := j.Add(Entry{Name: "d", Value: "1", Domain: "site.example", HostOnly: true, Path: "/", Created: tNow.Add(time.Minute)}); err != nil {
		t.Fatal(err)
	}
	r := plainRequest(mustURL("https://site.example/"))
	crossSiteTop(&r)
	r.Method = http.MethodPost
	if got := j.CookieHeaderFor(r); got != "" {
		t.Errorf("got %q, want nothing", got)
	}
	r.Method = http.MethodGet
	if got := j.CookieHeaderFor(r); got != "d=1" {
		t.Errorf("GET got %q, want d=1", got)
	}
}

// TestPartitionedCookiesTxtOnlyOwnSite: cookies.txt loses the partition,
// so only a cookie whose partition is exactly the one a top-level request
// to its domain uses may be written: not one keyed by an http top-level
// site (a top-level https request uses https://...), nor one keyed by a
// public suffix above the cookie's registrable domain.
func TestPartitionedCookiesTxtOnlyOwnSite(t *testing.T) {
	j := newTestJar(t, nil)
	embedded := func(url, top, line string) {
		r := plainRequest(mustURL(url))
		embedIn(top)(&r)
		if err := storeLine(j, r, line); err != nil {
			t.Fatalf("%s under %s: %v", url, top, err)
		}
	}
	embedded("https://a.example/", "http://a.example/", "h=1; Secure; SameSite=None; Partitioned; Max-Age=600")
	embedded("https://x.github.io/", "https://github.io/", "g=1; Secure; SameSite=None; Partitioned; Max-Age=600")
	embedded("https://a.example/", "https://a.example/", "ok=1; Secure; SameSite=None; Partitioned; Max-Age=600")
	before := []string{
		j.CookieHeader(mustURL("https://a.example/")),
		j.CookieHeader(mustURL("https://x.github.io/")),
	}
	if strings.Join(before, "|") != "ok=1|" {
		t.Fatalf("top-level headers before %q", before)
	}
	var buf bytes.Buffer
	if err := j.Export(&buf, nil); err != nil {
		t.Fatal(err)
	}
	es, err := ReadCookiesTxt(&buf)
	if err != nil {
		t.Fatal(err)
	}
	j2 := newTestJar(t, nil)
	if err := j2.Add(es...); err != nil {
		t.Fatal(err)
	}
	after := []string{
		j2.CookieHeader(mustURL("https://a.example/")),
		j2.CookieHeader(mustURL("https://x.github.io/")),
	}
	if strings.Join(after, "|") != "ok=1|" {
		t.Errorf("top-level headers after cookies.txt %q, want %q (a partitioned cookie leaked)", after, before)
	}
}

// TestPartitionedCookiesTxtJarList: Export decides which partitioned
// cookies are own-site with the jar's public suffix list, not the default
// one. Under testPSL, shop.co.test is a registrable domain and co.test a
// public suffix; under the default list co.test is the registrable domain
// of both. A written cookie must be sent on a top-level request to url
// after the reload (at url and at a subdomain of url's host) nowhere it was
// not sent before, and a written one exactly where it was.
func TestPartitionedCookiesTxtJarList(t *testing.T) {
	custom := &Options{PublicSuffixList: testPSL{}}
	noList := &Options{NoPublicSuffixList: true}
	tests := []struct {
		name      string
		opt       *Options
		url, top  string // top "" is a top-level request to url
		line      string
		wantSaved bool
	}{
		{name: "custom: host-only own site (default list: co.test)", opt: custom,
			url: "https://shop.co.test/", line: "p=1; Secure; Partitioned; Max-Age=600", wantSaved: true},
		{name: "custom: domain cookie own site (default list: co.test)", opt: custom,
			url: "https://www.shop.co.test/", line: "p=1; Domain=shop.co.test; Secure; Partitioned; Max-Age=600", wantSaved: true},
		{name: "custom: partition of the public suffix co.test (default list: own site)", opt: custom,
			url: "https://x.co.test/", top: "https://co.test/", line: "p=1; Secure; SameSite=None; Partitioned; Max-Age=600"},
		{name: "custom: another site's partition", opt: custom,
			url: "https://x.co.test/", top: "https://shop.co.test/", line: "p=1; Secure; SameSite=None; Partitioned; Max-Age=600"},
		{name: "no list: the host is the site (default list: a.example)", opt: noList,
			url: "https://www.a.example/", line: "p=1; Secure; Partitioned; Max-Age=600", wantSaved: true},
		{name: "no list: the parent domain's partition (default list: own site)", opt: noList,
			url: "https://www.a.example/", top: "https://a.example/", line: "p=1; Domain=a.example; Secure; SameSite=None; Partitioned; Max-Age=600"},
		{name: "no list: a domain cookie (its subdomains are other sites)", opt: noList,
			url: "https://a.example/", line: "p=1; Domain=a.example; Secure; Partitioned; Max-Age=600"},
		{name: "default list: own site", opt: nil,
			url: "https://www.a.example/", line: "p=1; Domain=a.example; Secure; Partitioned; Max-Age=600", wantSaved: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newTestJar(t, tt.opt)
			r := plainRequest(mustURL(tt.url))
			if tt.top != "" {
				embedIn(tt.top)(&r)
			}
			if err := storeLine(j, r, tt.line); err != nil {
				t.Fatalf("store: %v", err)
			}
			if es := j.All(); len(es) != 1 || !es[0].Partitioned {
				t.Fatalf("stored %+v, want one partitioned cookie", es)
			}
			sub := "https://sub." + mustURL(tt.url).Host + "/"
			headers := func(j *Jar) [2]string {
				return [2]string{j.CookieHeader(mustURL(tt.url)), j.CookieHeader(mustURL(sub))}
			}
			before := headers(j)
			var buf bytes.Buffer
			if err := j.Export(&buf, nil); err != nil {
				t.Fatal(err)
			}
			if saved := strings.Contains(buf.String(), "\tp\t1\n"); saved != tt.wantSaved {
				t.Errorf("written %v, want %v (key %s):\n%s", saved, tt.wantSaved, j.All()[0].PartitionKey, buf.String())
			}
			j2 := newTestJar(t, tt.opt)
			if _, err := j2.Import(&buf); err != nil {
				t.Fatal(err)
			}
			after := headers(j2)
			for i := range after {
				if after[i] != "" && before[i] == "" {
					t.Errorf("top-level headers at url, sub after cookies.txt %q, before %q: leaked", after, before)
				}
			}
			if tt.wantSaved && after != before {
				t.Errorf("top-level headers at url, sub after cookies.txt %q, before %q", after, before)
			}
		})
	}
}

// TestPartitionBytesOnReplace: replacing a partitioned cookie with a
// longer value keeps its partition within PartitionBytes.
func TestPartitionBytesOnReplace(t *testing.T) {
	j := newTestJar(t, &Options{Limits: &Limits{PartitionBytes: 10}})
	r := plainRequest(mustURL("https://widget.example/"))
	embedIn("https://a.example/")(&r)
	for _, l := range []string{"a=1234", "b=1234", "a=12345678"} {
		if err := storeLine(j, r, l+"; Secure; SameSite=None; Partitioned"); err != nil {
			t.Fatal(err)
		}
	}
	checkInvariants(t, j)
	if got := j.CookieHeaderFor(r); got != "a=12345678" {
		t.Errorf("got %q, want a=12345678 (b evicted)", got)
	}
}

// TestLaxAllowingUnsafeUnknownCreation: a cookie loaded without a
// creation-time (cookies.txt has none) was not created recently: it does
// not go with a cross-site top-level POST right after loading, nor after
// a response replaces it (the replacement keeps its creation-time).
func TestLaxAllowingUnsafeUnknownCreation(t *testing.T) {
	j := newTestJar(t, &Options{LaxAllowingUnsafe: 2 * time.Minute})
	txt := "site.example\tFALSE\t/\tFALSE\t4102444800\td\t1\n"
	if _, err := j.Import(strings.NewReader(txt)); err != nil {
		t.Fatal(err)
	}
	r := plainRequest(mustURL("https://site.example/"))
	crossSiteTop(&r)
	r.Method = http.MethodPost
	if got := j.CookieHeaderFor(r); got != "" {
		t.Errorf("POST right after loading got %q, want nothing", got)
	}
	j.SetCookieLines(mustURL("https://site.example/"), []string{"d=2"})
	if got := j.CookieHeaderFor(r); got != "" {
		t.Errorf("POST after replacing a loaded cookie got %q, want nothing", got)
	}
	j.SetCookieLines(mustURL("https://site.example/"), []string{"e=1"})
	if got := j.CookieHeaderFor(r); got != "e=1" {
		t.Errorf("POST got %q, want e=1 (created just now)", got)
	}
}

// TestPartitionKeyIPv6: a partition key is an origin: an IPv6 top-level
// site is written in brackets, and the cookie is sent under it.
func TestPartitionKeyIPv6(t *testing.T) {
	j := newTestJar(t, nil)
	r := plainRequest(mustURL("https://widget.example/"))
	embedIn("https://[::1]:8443/page")(&r)
	j.SetCookieLinesFor(r, []string{chipLine("v6")})
	es := j.All()
	if len(es) != 1 || es[0].PartitionKey != "https://[::1]" {
		t.Fatalf("stored %+v, want one cookie in partition https://[::1]", es)
	}
	if got := j.CookieHeaderFor(r); got != "__Host-p=v6" {
		t.Errorf("under the same top-level site got %q", got)
	}
	var buf bytes.Buffer
	if err := WriteJSON(&buf, es); err != nil {
		t.Fatal(err)
	}
	back, err := ReadJSON(&buf)
	if err != nil || len(back) != 1 || back[0].PartitionKey != "https://[::1]" {
		t.Fatalf("JSON round trip: %+v, %v", back, err)
	}
}

// TestCookiesTxtOwnSiteFQDN: WriteCookiesTxt and Export agree on which
// partitioned cookies of a fully qualified host are own-site: a top-level
// request to www.example.com. partitions under https://example.com., the
// registrable domain of the host without its dot, with the dot.
func TestCookiesTxtOwnSiteFQDN(t *testing.T) {
	j := newTestJar(t, nil)
	j.SetCookieLines(mustURL("https://www.example.com./"), []string{"p=1; Secure; Partitioned; Max-Age=600"})
	es := j.All()
	if len(es) != 1 || es[0].PartitionKey != "https://example.com." {
		t.Fatalf("stored %+v, want one cookie partitioned under https://example.com.", es)
	}
	var exported, written bytes.Buffer
	if err := j.Export(&exported, nil); err != nil {
		t.Fatal(err)
	}
	if err := WriteCookiesTxt(&written, es); err != nil {
		t.Fatal(err)
	}
	for name, buf := range map[string]*bytes.Buffer{"Export": &exported, "WriteCookiesTxt": &written} {
		got, err := ReadCookiesTxt(buf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 1 || got[0].Name != "p" {
			t.Errorf("%s wrote %+v, want the own-site cookie p", name, got)
		}
	}
}
