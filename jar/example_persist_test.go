package jar_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

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

// SaveWithReport and LoadWithReport tell which cookies a file could not
// hold or the jar would not take; the others are saved and loaded. The
// errors match ErrNotWritable or the reason a cookie was refused, and name
// the cookie, never its value.
func ExampleJar_SaveWithReport() {
	j, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	u, _ := url.Parse("https://example.com/")
	// RFC 6265bis admits a TAB inside a value; cookies.txt cannot hold it.
	j.SetCookieLines(u, []string{"sid=abc; Max-Age=3600", "tab=x\ty; Max-Age=3600"})

	dir, err := os.MkdirTemp("", "jar-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cookies.txt")
	rep, err := j.SaveWithReport(path, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("written:", rep.Written)
	for _, err := range rep.Dropped {
		fmt.Println(errors.Is(err, jar.ErrNotWritable), err)
	}

	// A line curl may write: a ';' in a value, which no Cookie header can
	// carry.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(f, "example.com\tFALSE\t/\tTRUE\t%d\tsemi\tx;y\n", time.Now().Add(time.Hour).Unix())
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	j2, err := jar.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	lrep, err := j2.LoadWithReport(path)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("read:", lrep.Read, "rejected:", len(lrep.Rejected)+lrep.RejectedUnlisted)
	for _, err := range lrep.Rejected {
		fmt.Println(err)
	}
	fmt.Println(j2.CookieHeader(u))
	// Output:
	// written: 1
	// true jar: cookies.txt: cookie "tab" for example.com left out: jar: cookie the file format cannot hold: TAB in its name, value or path
	// read: 2 rejected: 1
	// jar: cookies.txt line 6: cookie "semi" for example.com left out: jar: cookie name or value that no Cookie header can carry: cookie "semi" has a "=" or ";" in its name or value
	// sid=abc
}
