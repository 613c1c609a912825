package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

// download writes resp's body to -o FILE; else, as HTTPie does, to a
// redirected stdout ("http -d URL | tar x"); else to a new file named from
// Content-Disposition or the URL. A terminal stderr gets a progress bar.
func download(s *Streams, o *httpOptions, resp *http.Response, u *url.URL) error {
	if o.output == "" && !s.OutTTY {
		return downloadTo(s, resp, nopCloser{s.Out}, "stdout")
	}
	var f *os.File
	var err error
	if o.output != "" {
		f, err = os.OpenFile(o.output, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	} else {
		f, err = createUnique(downloadNameType(resp.Header.Get("Content-Disposition"), resp.Header.Get("Content-Type"), u))
	}
	if err != nil {
		return fmt.Errorf("http: download: %w", err)
	}
	return downloadTo(s, resp, f, f.Name())
}

// nopCloser is a WriteCloser whose Close does nothing: stdout is not ours
// to close.
type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// downloadTo copies resp's body to f, named name in messages, and closes
// f.
func downloadTo(s *Streams, resp *http.Response, f io.WriteCloser, name string) error {
	fmt.Fprintf(s.ErrOut, "Downloading to %s\n", name)
	var w io.Writer = f
	var bar *progressBar
	if s.ErrTTY {
		bar = &progressBar{w: s.ErrOut, total: resp.ContentLength}
		w = io.MultiWriter(f, bar)
	}
	n, err := io.Copy(w, resp.Body)
	if bar != nil {
		bar.finish()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("http: download to %s: %w", name, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return fmt.Errorf("http: download to %s: incomplete: %d of %d bytes", name, n, resp.ContentLength)
	}
	fmt.Fprintf(s.ErrOut, "Done: %d bytes\n", n)
	return nil
}

// downloadName picks a safe file name: Content-Disposition's filename, else
// the URL path's last segment, else "index"; never a path, never hidden,
// never with control characters.
func downloadName(disposition string, u *url.URL) string {
	return downloadNameType(disposition, "", u)
}

// downloadNameType is downloadName for a body of type ctype: as HTTPie, a
// name from the URL without a "." gets the extension of the type
// (http -d example.org saves index.html).
func downloadNameType(disposition, ctype string, u *url.URL) string {
	name := ""
	if _, params, err := mime.ParseMediaType(disposition); err == nil {
		name = params["filename"]
	}
	if clean := safeName(name); clean != "" {
		return clean
	}
	name = "index"
	if clean := safeName(path.Base(u.Path)); clean != "" {
		name = clean
	}
	if !strings.Contains(name, ".") {
		mt, _, _ := mime.ParseMediaType(ctype)
		name += typeExtensions[mt]
	}
	return name
}

// typeExtensions are the file name extensions of common media types, for
// a download named from its URL (a fixed table: mime.ExtensionsByType
// depends on the system's files).
var typeExtensions = map[string]string{
	"text/html": ".html", "text/plain": ".txt", "text/css": ".css", "text/csv": ".csv",
	"text/xml": ".xml", "application/xml": ".xml", "application/json": ".json",
	"text/javascript": ".js", "application/javascript": ".js", "application/pdf": ".pdf",
	"application/zip": ".zip", "application/gzip": ".gz", "application/x-tar": ".tar",
	"image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/svg+xml": ".svg",
	"image/webp": ".webp",
}

func safeName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(name)
	name = strings.TrimLeft(name, ".")
	if name == "" || name == "/" || strings.ContainsAny(name, "\x00/") {
		return ""
	}
	// Control characters (line breaks, ESC of a terminal sequence, C1
	// controls such as U+009B, CSI to some terminals), invalid UTF-8 (a raw
	// 0x9B byte is CSI to those terminals too) and bidirectional controls
	// (a name that shows as "invoice.txt" but ends in ".exe") make no file
	// name, and the name is printed in "Downloading to".
	if !utf8.ValidString(name) || strings.ContainsFunc(name, func(r rune) bool {
		return unicode.Is(unicode.Cc, r) || unicode.Is(unicode.Bidi_Control, r)
	}) {
		return ""
	}
	return name
}

// createUnique creates name, or name-1, name-2, … when it exists, as HTTPie
// does.
func createUnique(name string) (*os.File, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 1000; i++ {
		try := name
		if i > 0 {
			try = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		f, err := os.OpenFile(try, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, err
	}
	return nil, fmt.Errorf("%s: too many existing copies", name)
}

// progressBar draws a download's progress on a terminal: a bar and
// percentage when the size is known, bytes otherwise. It redraws when the
// percentage or the number of whole 256 KiB blocks changes.
type progressBar struct {
	w     io.Writer
	total int64
	n     int64
	drawn int64 // the last drawn step
}

const progressWidth = 30

func (p *progressBar) Write(b []byte) (int, error) {
	p.n += int64(len(b))
	step := p.n >> 18
	if p.total > 0 {
		step = p.n * 100 / p.total
	}
	if step != p.drawn {
		p.drawn = step
		p.draw()
	}
	return len(b), nil
}

func (p *progressBar) draw() {
	if p.total > 0 {
		filled := int(min(p.n, p.total) * progressWidth / p.total)
		fmt.Fprintf(p.w, "\r[%s%s] %3d%% %s / %s", strings.Repeat("=", filled),
			strings.Repeat(" ", progressWidth-filled), p.n*100/p.total, sizeString(p.n), sizeString(p.total))
		return
	}
	fmt.Fprintf(p.w, "\r%s", sizeString(p.n))
}

func (p *progressBar) finish() {
	p.draw()
	fmt.Fprintln(p.w)
}

func sizeString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
