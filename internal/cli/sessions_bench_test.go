package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/httpstate/httpstate/session"
	"github.com/httpstate/httpstate/store/boltstore"
)

// BenchmarkSessionsList runs "list" (plain, and --json) on a bolt store of
// n sessions; B/op shows what list holds for sorting (metadata only).
func BenchmarkSessionsList(b *testing.B) {
	for _, n := range []int{200, 2000} {
		path := filepath.Join(b.TempDir(), "s.db")
		st, err := boltstore.Open(path, &boltstore.Options{Now: func() time.Time { return tNow }})
		if err != nil {
			b.Fatal(err)
		}
		for i := range n {
			at := tNow.Add(-time.Duration(i) * time.Second)
			r := &session.Record{Key: session.Key(fmt.Sprint("id", i)), Principal: fmt.Sprintf("user%d", i%50), Created: at, LastAccess: at,
				IdleTimeout: 24 * time.Hour, Deadline: tNow.Add(24 * time.Hour), Attrs: map[string][]byte{"cart": []byte(`["apple"]`)}}
			if err := st.Create(context.Background(), r); err != nil {
				b.Fatal(err)
			}
		}
		st.Close()
		for _, args := range [][]string{{"list"}, {"list", "--json"}} {
			b.Run(fmt.Sprintf("n=%d/%s", n, strings.Join(args, "")), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					s := &Streams{In: strings.NewReader(""), Out: io.Discard, ErrOut: io.Discard}
					cmd := newSessionsCmdWith(s, &sessionsOptions{now: func() time.Time { return tNow }})
					cmd.SetArgs(append([]string{"--store", "bolt:" + path}, args...))
					if err := cmd.ExecuteContext(context.Background()); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

func benchMetas(n int) []session.Meta {
	metas := make([]session.Meta, n)
	for i := range metas {
		at := tNow.Add(-time.Duration(i) * time.Second)
		metas[i] = session.Meta{Key: session.Key(fmt.Sprint("id", i)), Principal: fmt.Sprintf("user<%d>&", i%50),
			Created: at, LastAccess: at, Expiry: at.Add(time.Hour), Size: i}
	}
	return metas
}

// writeJSONSlice is how list --json wrote before writeJSONList: the whole
// list converted, then encoded at once. The baseline of
// BenchmarkSessionsListJSON and the reference of TestWriteJSONList.
func writeJSONSlice(w io.Writer, metas []session.Meta) error {
	list := make([]sessionJSON, 0, len(metas))
	for _, meta := range metas {
		list = append(list, toJSON(meta))
	}
	return writeJSONTo(w, list)
}

// TestWriteJSONList: the streamed list is byte for byte the encoded slice.
func TestWriteJSONList(t *testing.T) {
	for _, n := range []int{0, 1, 3} {
		var got, want strings.Builder
		if err := writeJSONList(&got, benchMetas(n)); err != nil {
			t.Fatal(err)
		}
		if err := writeJSONSlice(&want, benchMetas(n)); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("writeJSONList of %d:\n%s\nwant:\n%s", n, got.String(), want.String())
		}
	}
}

// BenchmarkSessionsListJSON compares writeJSONList with the slice encoding
// it replaced, interleaved (run with -count N).
func BenchmarkSessionsListJSON(b *testing.B) {
	metas := benchMetas(2000)
	for _, c := range []struct {
		name string
		fn   func(io.Writer, []session.Meta) error
	}{{"slice", writeJSONSlice}, {"stream", writeJSONList}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.fn(io.Discard, metas); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
