package csrf_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/httpstate/httpstate/csrf"
)

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// TestMultipartTempFilesRemoved: Handler parses a multipart body for the
// form token on a copy of the request (r.WithContext), so the server's own
// cleanup (it removes the temporary files of its original request's
// MultipartForm) never sees them. A file part over the 32 MB kept in memory
// then stayed on disk for good: a client could fill the disk with forged
// requests, rejected or not. Handler must remove them itself.
func TestMultipartTempFilesRemoved(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir) // os.TempDir, where mime/multipart spills

	secret := fixedSecret(bytes.Repeat([]byte{7}, csrf.SecretLen))
	p, err := csrf.New(&csrf.Options{Secret: secret})
	if err != nil {
		t.Fatal(err)
	}
	var tok string
	srv := httptest.NewServer(p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			io.WriteString(w, csrf.Token(r))
			return
		}
		io.WriteString(w, "ok")
	})))
	defer srv.Close()

	res, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok = string(b)

	for _, tc := range []struct {
		name   string
		token  string
		status int
	}{
		{"no token", "", http.StatusForbidden},
		{"valid token", tok, http.StatusOK},
	} {
		pr, pw := io.Pipe()
		mw := multipart.NewWriter(pw)
		go func() {
			if tc.token != "" {
				mw.WriteField(csrf.FieldName, tc.token)
			}
			fw, err := mw.CreateFormFile("upload", "big.bin")
			if err == nil {
				_, err = io.Copy(fw, io.LimitReader(zeros{}, 33<<20))
			}
			if err == nil {
				err = mw.Close()
			}
			pw.CloseWithError(err)
		}()
		req, err := http.NewRequest(http.MethodPost, srv.URL, pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", mw.FormDataContentType())
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Fatalf("%s: status %d, want %d", tc.name, res.StatusCode, tc.status)
		}
		left, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		if len(left) != 0 {
			names := make([]string, len(left))
			for i, e := range left {
				names[i] = e.Name()
			}
			t.Errorf("%s: temporary files left after the response: %v", tc.name, names)
			for _, e := range left {
				os.Remove(fmt.Sprintf("%s/%s", dir, e.Name()))
			}
		}
	}
}

// TestMultipartTempFilesOwnership: the files Handler removes are those of a
// form parsed on its own request copy, also when next parsed it (the token
// came in the header); a form the caller parsed before Handler belongs to
// the caller and must still be readable after Handler returns.
func TestMultipartTempFilesOwnership(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("TMPDIR", dir)

	p, err := csrf.New(&csrf.Options{Secret: fixedSecret(bytes.Repeat([]byte{7}, csrf.SecretLen))})
	if err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, csrf.Token(r))
	})).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	tok := rec.Body.String()

	upload := func() *http.Request {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, err := mw.CreateFormFile("upload", "f.bin")
		if err != nil {
			t.Fatal(err)
		}
		fw.Write([]byte("payload"))
		mw.Close()
		req := httptest.NewRequest(http.MethodPost, "/", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set(csrf.HeaderName, tok)
		return req
	}
	files := func() int {
		left, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		return len(left)
	}

	// next parses the form itself, every file part on disk (maxMemory 0).
	parsed := 0
	rec = httptest.NewRecorder()
	p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(0); err != nil {
			t.Errorf("next: %v", err)
			return
		}
		parsed = files()
	})).ServeHTTP(rec, upload())
	if rec.Code != http.StatusOK || parsed == 0 {
		t.Fatalf("next's parse: status %d, %d temporary files; want 200 and some", rec.Code, parsed)
	}
	if n := files(); n != 0 {
		t.Errorf("next's parse: %d temporary files left after Handler", n)
	}

	// The caller parsed the form before Handler: its files stay.
	req := upload()
	if err := req.ParseMultipartForm(0); err != nil {
		t.Fatal(err)
	}
	if files() == 0 {
		t.Fatal("caller's parse: no temporary file; the case tests nothing")
	}
	rec = httptest.NewRecorder()
	p.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("caller's parse: status %d", rec.Code)
	}
	f, err := req.MultipartForm.File["upload"][0].Open()
	if err != nil {
		t.Fatalf("caller's file after Handler: %v", err)
	}
	b, _ := io.ReadAll(f)
	f.Close()
	if string(b) != "payload" {
		t.Errorf("caller's file after Handler reads %q", b)
	}
	req.MultipartForm.RemoveAll()
}
