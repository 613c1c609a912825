package jar_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"net/http"
	"net/http/httptest"
	"net/url"

	"github.com/httpstate/httpstate/jar"
)

// Save writes the jar atomically in the cookies.txt format curl reads
// (-b file); Load reads it back.
func ExampleJar_Save() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Set-Cookie", "sid=abc; Max-Age=3600; HttpOnly")
		w.Header().Add("Set-Cookie", "tmp=1")
	}))
	defer srv.Close()

	j, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse(srv.URL + "/")
	resp, err := http.Get(u.String())
	if err != nil {
		log.Fatal(err)
	}
	resp.Body.Close()
	j.SetCookieLines(u, resp.Header.Values("Set-Cookie"))

	dir, err := os.MkdirTemp("", "jar-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cookies.txt")
	// Session cookies are left out unless SessionCookies is set.
	if err := j.Save(path, nil); err != nil {
		log.Fatal(err)
	}

	j2, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	n, err := j2.Load(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n, j2.CookieHeader(u))
	// Output: 1 sid=abc
}
