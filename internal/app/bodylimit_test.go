package app

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
)

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// filler is an endless stream of 'a'.
type filler struct{}

func (filler) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// TestRequestBodyBounded: the CSRF check parses an unsafe request's form
// before any handler runs, and a multipart form of any size (the rest in
// temporary files). Anyone can POST, so the app must bound request bodies
// itself: a 64 MiB upload is cut off early, whether its length is announced
// (413 at once) or not (chunked).
func TestRequestBodyBounded(t *testing.T) {
	_, srv := newTestApp(t, storeFactories[0].open(t), nil)
	c := newClient(t, srv.URL)
	tok := c.token()
	const size = 64 << 20
	const boundary = "b0undary"
	body := func() *countingReader {
		return &countingReader{r: io.MultiReader(
			strings.NewReader("--"+boundary+"\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n"+tok+
				"\r\n--"+boundary+"\r\nContent-Disposition: form-data; name=\"item\"; filename=\"big\"\r\n\r\n"),
			io.LimitReader(filler{}, size),
			strings.NewReader("\r\n--"+boundary+"--\r\n"))}
	}
	for _, chunked := range []bool{true, false} {
		cr := body()
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/cart", cr)
		if err != nil {
			t.Fatal(err)
		}
		if !chunked {
			req.ContentLength = size + 1000 // about right; the server must not wait for it
		}
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		resp, err := c.hc.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 {
				t.Errorf("chunked %v: status %d, want an error", chunked, resp.StatusCode)
			}
			if !chunked && resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("announced 64 MiB body: status %d, want 413", resp.StatusCode)
			}
		}
		if n := cr.n.Load(); n > 16<<20 {
			t.Errorf("chunked %v: the server read %d bytes of a 64 MiB form, want it cut off early", chunked, n)
		}
	}
}
