package jar

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// SaveOptions control how a Jar is written to a file. A nil *SaveOptions
// is the zero value.
type SaveOptions struct {
	// Format is the file format. FormatAuto means JSON for Save paths
	// ending in ".json" and cookies.txt otherwise.
	Format Format
	// SessionCookies includes session cookies (persistent-flag false),
	// written with an expires of 0 in cookies.txt, as curl does. The zero
	// value leaves them out, as a browser does: they do not outlive the
	// session (RFC 6265bis section 5.7).
	SessionCookies bool
}

// Export writes the jar's unexpired cookies to w in creation order (so a
// reload keeps their relative order). In cookies.txt, which has no
// partitions, a partitioned cookie is written only if its partition is its
// own site under the jar's public suffix list (see WriteCookiesTxt), and a
// cookie with a TAB in its name, value or path (which RFC 6265bis section
// 5.7 step 3 admits but the TAB-separated format cannot hold) is left out,
// as curl drops such cookies, rather than failing the whole file: any
// server could otherwise stop every save. So is an RFC 2965 cookie with a
// ';' in its value (from a quoted-string), which the format, lacking the
// Version, would read back as a plain cookie no Cookie header can carry,
// and a cookie whose line would pass the 64 KiB the readers take (a long
// default-path, RFC 6265bis section 5.1.4), so that the jar can always load
// its own file. JSON holds every cookie. ExportWithReport lists the cookies
// left out.
func (j *Jar) Export(w io.Writer, o *SaveOptions) error {
	_, err := j.ExportWithReport(w, o)
	return err
}

// ExportReport tells what Jar.ExportWithReport and Jar.SaveWithReport
// wrote.
type ExportReport struct {
	// Written is the number of cookies written.
	Written int
	// Dropped has one error per unexpired cookie the format cannot hold,
	// left out of the file (see Export), in creation order; each matches
	// ErrNotWritable and names the format, cookie name and domain, never
	// the value. It is empty for JSON, which holds every cookie. Session
	// cookies left out because SaveOptions.SessionCookies is false are not
	// listed: the caller asked for that.
	Dropped []error
}

// ErrNotWritable is matched (with errors.Is) by the errors in
// ExportReport.Dropped: a cookie the file format cannot hold.
var ErrNotWritable = errors.New("jar: cookie the file format cannot hold")

// ExportWithReport is Export, reporting the cookies it left out. The
// report is valid even when the write fails (then Written counts the
// cookies formatted before the failure).
func (j *Jar) ExportWithReport(w io.Writer, o *SaveOptions) (ExportReport, error) {
	var opt SaveOptions
	if o != nil {
		opt = *o
	}
	es := j.saved(opt)
	if opt.Format != FormatCookiesTxt && opt.Format != FormatAuto {
		if err := WriteEntries(w, es, opt.Format); err != nil {
			return ExportReport{}, err
		}
		return ExportReport{Written: len(es)}, nil
	}
	var rep ExportReport
	n, err := writeCookiesTxt(w, es, j.ownSitePartition, func(e *Entry, reason string) {
		rep.Dropped = append(rep.Dropped, fmt.Errorf("jar: %s: cookie %q for %s left out: %w: %s",
			FormatCookiesTxt, e.Name, e.Domain, ErrNotWritable, reason))
	})
	rep.Written = n
	return rep, err
}

// saved returns the entries a save writes.
func (j *Jar) saved(o SaveOptions) []Entry {
	now := j.now()
	j.mu.Lock()
	es := j.collectLocked(func(*item) bool { return true }, now, true)
	j.mu.Unlock()
	if o.SessionCookies {
		return es
	}
	kept := es[:0]
	for _, e := range es {
		if e.Persistent {
			kept = append(kept, e)
		}
	}
	return kept
}

// ImportReport tells what Jar.ImportWithReport and Jar.LoadWithReport did
// with the cookies of a file.
type ImportReport struct {
	// Read is the number of cookies in the file, including the expired
	// ones (dropped; they delete stored namesakes) and the rejected ones
	// (malformed lines too), so that len(Rejected) + RejectedUnlisted is
	// never more than Read.
	Read int
	// Rejected has one error per cookie left out because a browser would
	// not admit it to its store, in line order: it breaks a cookie name
	// prefix rule (RFC 6265bis section 5.7 steps 20-22; the error matches
	// ErrPrefix), its name and value exceed the jar's
	// Limits.MaxCookieBytes (section 5.7 step 4 with the configured
	// limit), or its Domain has a Fake A-label, an "xn--" label that
	// is not a valid A-label (section 5.1.2 step 4), which the jar stored
	// before it checked A-labels, or a ':' without being an IPv6 address
	// (a host with its port), which it stored before it canonicalized
	// IPv6 hosts, or its RFC 2965 Port list holds a number outside
	// 1-65535 (a bare Port set on a URL with port 0, which it stored
	// before it refused such cookies), or its name holds a '=' or ';', its
	// value a ';' (as a cookies.txt line curl wrote may) or either a control
	// character, which no Cookie header can carry (RFC 6265bis sections 5.6
	// and 5.8.3). Each error names the file format, line, cookie name and
	// domain, never the value. A malformed cookies.txt line, which curl
	// ignores too (a field count other than 6 or 7, an includeSubdomains
	// or secure field neither TRUE nor FALSE, an expires that is no Unix
	// time, an invalid domain or path, neither name nor value), is listed
	// in line order with them as a *ParseError (matching ErrSyntax, which
	// the others do not) naming the line and what is wrong with it, never
	// the value. At most the first 1000 are listed (an error each would
	// let a hostile file cost memory many times its size);
	// RejectedUnlisted counts the others.
	Rejected []error
	// RejectedUnlisted is the number of cookies left out beyond those
	// listed in Rejected.
	RejectedUnlisted int
}

// maxRejected bounds ImportReport.Rejected.
const maxRejected = 1000

// Import reads a cookie file from r (format detected: JSON or
// cookies.txt) and adds its cookies to the jar as Add does; expired ones
// are dropped. The file is read completely first: on a malformed file
// (a *ParseError naming the line) the jar is left unchanged. In
// cookies.txt a malformed line (see ImportReport.Rejected) is left out
// and reported instead, as curl ignores a line it cannot parse; but a file
// with malformed lines and not one cookie line, which is no cookies.txt
// file (an HTML page, binary data), fails with the *ParseError of its
// first malformed line, and a line over 64 KiB or a file over 64 MiB
// fails the file. A JSON file has no lines to skip: any malformed value
// fails it. A well-formed
// cookie the jar refuses as a browser would, one breaking a cookie name
// prefix rule, one larger than Limits.MaxCookieBytes, one for a Domain
// with a Fake A-label or a port, one with an RFC 2965 port outside
// 1-65535, or one with a name or value no Cookie header can carry (a ';'
// in the value of a cookies.txt line curl wrote), does not fail the
// file: it is left out and the others are added (ImportWithReport lists
// such cookies). Expiry-times more than 400
// days ahead are reduced to that limit (RFC 6265bis section 5.5). It
// returns the number of cookies read.
func (j *Jar) Import(r io.Reader) (int, error) {
	rep, err := j.ImportWithReport(r)
	return rep.Read, err
}

// ImportWithReport is Import, reporting the cookies it left out.
func (j *Jar) ImportWithReport(r io.Reader) (ImportReport, error) {
	type left struct {
		line         int
		name, domain string
		err          error
	}
	var out []left
	// A Domain with a Fake A-label, which releases before that check
	// stored, is well-formed: the readers leave it out and read on. Only
	// the first maxRejected are kept: with the ones found below (all
	// kept, their entries are in memory anyway) they include the first
	// maxRejected of the file.
	skipped := 0
	skip := func(line int, name, domain string, err error) {
		skipped++
		if len(out) < maxRejected {
			out = append(out, left{line, name, domain, err})
		}
	}
	es, lines, f, err := readEntries(r, FormatAuto, skip)
	if err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{Read: len(es) + skipped, RejectedUnlisted: skipped - len(out)}
	kept := es[:0]
	for i := range es {
		// RFC 6265bis section 5.7 steps 20-22 (see checkEntryPrefixes).
		if err := checkEntryPrefixes(&es[i]); err != nil {
			out = append(out, left{lines[i], es[i].Name, es[i].Domain, err})
			continue
		}
		// The configured size limit, as for a received cookie.
		if err := j.checkSize(&es[i]); err != nil {
			out = append(out, left{lines[i], es[i].Name, es[i].Domain, err})
			continue
		}
		kept = append(kept, es[i])
	}
	slices.SortStableFunc(out, func(a, b left) int { return cmp.Compare(a.line, b.line) })
	if len(out) > maxRejected {
		rep.RejectedUnlisted += len(out) - maxRejected
		out = out[:maxRejected]
	}
	for _, l := range out {
		if pe := (*ParseError)(nil); errors.As(l.err, &pe) {
			// A malformed cookies.txt line: the error says so.
			rep.Rejected = append(rep.Rejected, l.err)
			continue
		}
		rep.Rejected = append(rep.Rejected, fmt.Errorf("jar: %s line %d: cookie %q for %s left out: %w", f, l.line, l.name, l.domain, l.err))
	}
	if err := j.Add(kept...); err != nil {
		// Not reached: the readers check every invariant Add checks.
		return rep, err
	}
	return rep, nil
}

// Load imports the cookie file at path (see Import).
func (j *Jar) Load(path string) (int, error) {
	rep, err := j.LoadWithReport(path)
	return rep.Read, err
}

// LoadWithReport is Load, reporting the cookies it left out (see
// ImportWithReport).
func (j *Jar) LoadWithReport(path string) (ImportReport, error) {
	f, err := os.Open(path)
	if err != nil {
		return ImportReport{}, fmt.Errorf("jar: %w", err)
	}
	defer f.Close()
	rep, err := j.ImportWithReport(f)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", path, err)
	}
	return rep, nil
}

// Save writes the jar to path atomically: to a temporary file in the same
// directory (mode 0600, as the file holds credentials), flushed to disk with
// fsync, then renamed over path, so a reader sees the old file or the new
// one, never a torn one. Cookies the format cannot hold are left out (see
// Export); SaveWithReport lists them. A file larger than the 64 MiB Load
// reads is not written (ErrFileTooLarge).
func (j *Jar) Save(path string, o *SaveOptions) error {
	_, err := j.SaveWithReport(path, o)
	return err
}

// SaveWithReport is Save, reporting the cookies it left out (see
// ExportWithReport). The file is written whether or not the report lists
// any; its content is what Export writes with the same options (Format
// resolved from path as Save does). On an error the file at path is left
// as it was and the report's Written is 0 (Dropped still lists the cookies
// the format could not hold).
func (j *Jar) SaveWithReport(path string, o *SaveOptions) (rep ExportReport, err error) {
	defer func() {
		if err != nil {
			rep.Written = 0 // nothing reached path
		}
	}()
	var opt SaveOptions
	if o != nil {
		opt = *o
	}
	if opt.Format == FormatAuto && strings.EqualFold(filepath.Ext(path), ".json") {
		opt.Format = FormatJSON
	}
	var buf bytes.Buffer
	rep, err = j.ExportWithReport(&buf, &opt)
	if err != nil {
		return rep, err
	}
	// A file the readers refuse as a whole must not replace one they take.
	limit := maxCookiesTxt
	if opt.Format == FormatJSON {
		limit = maxJSON
	}
	if j.saveLimit > 0 {
		limit = j.saveLimit // tests
	}
	if buf.Len() > limit {
		return rep, fmt.Errorf("%w: %s of %d bytes, over %d; %s kept", ErrFileTooLarge, opt.Format, buf.Len(), limit, path)
	}
	return rep, writeFileAtomic(path, buf.Bytes())
}

// ErrFileTooLarge is matched (with errors.Is) by the error of Jar.Save for
// a file larger than the 64 MiB that Load reads (a jar whose Limits let
// it hold that much): the file is not written, and the old one is kept.
var ErrFileTooLarge = errors.New("jar: cookie file larger than Load reads")

// writeFileAtomic replaces path with data: temp file in the same
// directory, mode 0600, fsync, rename, fsync of the directory.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = f.Chmod(0o600); err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	if _, err = f.Write(data); err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("jar: save: %w", err)
	}
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync() // best effort: make the rename durable
		d.Close()
	}
	return nil
}
