package client

import (
	"net/url"
	"slices"
	"strings"
	"testing"
)

// FuzzBaseQuery checks addBaseQuery on arbitrary BaseURL and request
// queries: the request's query comes first, as written; every base
// parameter the request does not name is added with all its values, in
// order; a parameter the request names gets none of the base's.
func FuzzBaseQuery(f *testing.F) {
	f.Add("api-version=2024-10&key=a%2Fb", "page=2")
	f.Add("tag=a&tag=b&x=1", "tag=c")
	f.Add("q=a+b&k=%7E&&e", "q+=x")
	f.Add("", "a=1")
	f.Add("a=1", "")
	f.Add("%41=1", "A=2")
	f.Fuzz(func(t *testing.T, base, own string) {
		pairs, err := splitQuery(base)
		if err != nil {
			return
		}
		got := addBaseQuery(own, pairs)
		if !strings.HasPrefix(got, own) {
			t.Fatalf("addBaseQuery(%q, %q) = %q: does not start with the request's query", own, base, got)
		}
		oq, oerr := url.ParseQuery(own)
		gq, gerr := url.ParseQuery(got)
		if oerr != nil || gerr != nil {
			return
		}
		bq, _ := url.ParseQuery(base)
		for k, bv := range bq {
			want := bv
			if ov, mine := oq[k]; mine {
				want = ov
			}
			if !slices.Equal(gq[k], want) {
				t.Fatalf("addBaseQuery(%q, %q) = %q: %q has %q, want %q", own, base, got, k, gq[k], want)
			}
		}
		for k, ov := range oq {
			if !slices.Equal(gq[k], ov) {
				t.Fatalf("addBaseQuery(%q, %q) = %q: the request's %q became %q", own, base, got, k, gq[k])
			}
		}
	})
}
