package jar

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/httpstate/httpstate/cookie"
)

// The JSON cookie file holds every Entry field:
//
//	{
//	  "version": 2,
//	  "cookies": [
//	    {"name": "sid", "value": "x", "domain": "example.com", "hostOnly": true,
//	     "path": "/", "expires": "2027-01-02T03:04:05Z", "persistent": true,
//	     "secure": true, "httpOnly": true, "sameSite": "lax", ...}
//	  ]
//	}
//
// Times are RFC 3339 with nanoseconds in UTC; a zero time is omitted.
// Cookie octets need not be UTF-8, which JSON strings cannot carry: a name,
// value, path or comment that is not valid UTF-8 is written base64-encoded
// in "nameBase64", "valueBase64", "pathBase64", "commentBase64" or
// "commentURLBase64" instead.
//
// A cookie whose creation-time is unknown (Entry.CreatedUnknown: it was
// loaded from cookies.txt) has "createdUnknown": true next to "created",
// the time it was added. Files written before that field existed lack it:
// their "created" times load as known ones, as they always did.
//
// Versions: "createdUnknown" is what version 2 adds to version 1. Readers
// of version 1 reject any field they do not know (they decode with
// DisallowUnknownFields, so that a typo never loses a field silently),
// so a file with "createdUnknown" is not a version 1 file: it says
// "version": 2, and such a reader reports an unsupported version instead
// of an unknown field. A file none of whose cookies has an unknown
// creation-time is written as version 1, which is exactly what it is, so
// version 1 readers keep reading it. Version 3 adds "portBare" (an RFC
// 2965 cookie set with a bare Port, Entry.PortBare) in the same way: only
// a file with such a cookie says 3. ReadJSON reads all three, and also the
// version 1 files with "createdUnknown" that this package wrote before
// the version was raised.
//
// A partitioned (CHIPS) cookie has "partitioned": true and "partitionKey",
// its top-level site ("https://example.com"). Files written before the jar
// enforced partitions have no "partitionKey": loading them gives a
// partitioned cookie the site of its own domain (see Entry.PartitionKey),
// and a partitioned cookie without Secure, which the jar then kept, loads
// as an unpartitioned one.

// jsonVersion is the newest version of the JSON cookie file format, the
// one with "portBare"; jsonVersionCreatedUnknown the one with
// "createdUnknown"; jsonVersionNoCreatedUnknown is the oldest. A file is
// written with the oldest version that holds its fields.
const (
	jsonVersion                 = 3
	jsonVersionCreatedUnknown   = 2
	jsonVersionNoCreatedUnknown = 1
)

// maxJSON bounds a JSON cookie file (the default limits hold 3300 cookies
// of at most 4 KiB each).
const maxJSON = 64 << 20

// jsonFile is the JSON document.
type jsonFile struct {
	Version int         `json:"version"`
	Cookies []jsonEntry `json:"cookies"`
}

// jsonEntry is one Entry in the JSON file.
type jsonEntry struct {
	Name         string     `json:"name"`
	Value        string     `json:"value"`
	Domain       string     `json:"domain"`
	HostOnly     bool       `json:"hostOnly"`
	Path         string     `json:"path"`
	Expires      *time.Time `json:"expires,omitempty"`
	Persistent   bool       `json:"persistent"`
	Secure       bool       `json:"secure"`
	HttpOnly     bool       `json:"httpOnly"`
	SameSite     string     `json:"sameSite"`
	Partitioned  bool       `json:"partitioned,omitempty"`
	PartitionKey string     `json:"partitionKey,omitempty"`
	Created      *time.Time `json:"created,omitempty"`
	// CreatedUnknown is Entry.CreatedUnknown; files written before it
	// existed lack it, and then a "created" time is a known one.
	CreatedUnknown bool       `json:"createdUnknown,omitempty"`
	LastAccess     *time.Time `json:"lastAccess,omitempty"`
	Version        int        `json:"version,omitempty"`
	Port           []int      `json:"port,omitempty"`
	// PortBare is Entry.PortBare, new in version 3.
	PortBare   bool   `json:"portBare,omitempty"`
	Comment    string `json:"comment,omitempty"`
	CommentURL string `json:"commentURL,omitempty"`

	NameB64       string `json:"nameBase64,omitempty"`
	ValueB64      string `json:"valueBase64,omitempty"`
	PathB64       string `json:"pathBase64,omitempty"`
	CommentB64    string `json:"commentBase64,omitempty"`
	CommentURLB64 string `json:"commentURLBase64,omitempty"`
}

// b64Fields pairs each text field of a jsonEntry with its base64 twin.
func (je *jsonEntry) b64Fields() [5][2]*string {
	return [5][2]*string{
		{&je.Name, &je.NameB64}, {&je.Value, &je.ValueB64}, {&je.Path, &je.PathB64},
		{&je.Comment, &je.CommentB64}, {&je.CommentURL, &je.CommentURLB64},
	}
}

// encodeBinary moves each field that is not valid UTF-8 to its base64 twin.
func (je *jsonEntry) encodeBinary() {
	for _, f := range je.b64Fields() {
		if !utf8.ValidString(*f[0]) {
			*f[1] = base64.StdEncoding.EncodeToString([]byte(*f[0]))
			*f[0] = ""
		}
	}
}

// decodeBinary restores the fields written base64-encoded.
func (je *jsonEntry) decodeBinary() error {
	for _, f := range je.b64Fields() {
		if *f[1] == "" {
			continue
		}
		if *f[0] != "" {
			return errors.New("both a field and its Base64 form are set")
		}
		b, err := base64.StdEncoding.DecodeString(*f[1])
		if err != nil {
			return fmt.Errorf("bad base64: %w", err)
		}
		*f[0] = string(b)
	}
	return nil
}

// sameSiteNames are the JSON spellings of cookie.SameSite.
var sameSiteNames = [...]string{
	cookie.SameSiteDefault: "default",
	cookie.SameSiteNone:    "none",
	cookie.SameSiteLax:     "lax",
	cookie.SameSiteStrict:  "strict",
}

// timePtr returns &t in UTC, or nil for the zero Time.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// timeVal returns *p, or the zero Time for nil.
func timeVal(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// WriteJSON writes es as a JSON cookie file, indented, one field per line.
func WriteJSON(w io.Writer, es []Entry) error {
	f := jsonFile{Version: jsonVersionNoCreatedUnknown, Cookies: make([]jsonEntry, len(es))}
	for i := range es {
		e := &es[i]
		if e.CreatedUnknown {
			f.Version = max(f.Version, jsonVersionCreatedUnknown)
		}
		if e.PortBare {
			f.Version = jsonVersion
		}
		ss := "default"
		if int(e.SameSite) >= 0 && int(e.SameSite) < len(sameSiteNames) {
			ss = sameSiteNames[e.SameSite]
		}
		f.Cookies[i] = jsonEntry{
			Name: e.Name, Value: e.Value, Domain: e.Domain, HostOnly: e.HostOnly, Path: e.Path,
			Expires: timePtr(e.Expires), Persistent: e.Persistent, Secure: e.Secure, HttpOnly: e.HttpOnly,
			SameSite: ss, Partitioned: e.Partitioned, PartitionKey: e.PartitionKey, Created: timePtr(e.Created), CreatedUnknown: e.CreatedUnknown,
			LastAccess: timePtr(e.LastAccess), Version: e.Version, Port: e.Port, PortBare: e.PortBare, Comment: e.Comment, CommentURL: e.CommentURL,
		}
		f.Cookies[i].encodeBinary()
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(&f); err != nil {
		return fmt.Errorf("jar: writing JSON: %w", err)
	}
	return nil
}

// ReadJSON reads a JSON cookie file, version 1, 2 or 3. Like ReadCookiesTxt
// it returns expired cookies and cookies breaking a cookie name prefix rule
// as they are; Jar.Import drops them. A malformed document or cookie gives a
// *ParseError with the line number of the problem (for an invalid cookie,
// the line its object starts on).
func ReadJSON(r io.Reader) ([]Entry, error) {
	es, _, err := readJSON(r, nil)
	return es, err
}

// readJSON is ReadJSON, also returning the line each entry's object starts
// on.
func readJSON(r io.Reader, skip skipFunc) (es []Entry, lines []int, err error) {
	data, err := io.ReadAll(io.LimitReader(r, maxJSON+1))
	if err != nil {
		return nil, nil, fmt.Errorf("jar: reading JSON: %w", err)
	}
	if len(data) > maxJSON {
		return nil, nil, &ParseError{Format: FormatJSON, Line: 1, Err: fmt.Errorf("file larger than %d bytes", maxJSON)}
	}
	// A byte order mark, which some editors write (DetectFormat skips it
	// too; encoding/json refuses it). It holds no newline, so line
	// numbers are unchanged.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	lc := lineCounter{data: data}
	lineAt := lc.at
	perr := func(off int64, err error) error {
		return &ParseError{Format: FormatJSON, Line: lineAt(off), Err: err}
	}
	// Syntax first: json.Unmarshal reports the absolute offset of a syntax
	// error, which a streaming Decoder does not.
	var raw json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, nil, perr(se.Offset-1, err)
		}
		return nil, nil, perr(int64(len(data)), jsonErr(err))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	// The document: {"version": 1 to 3, "cookies": [...]}, cookies decoded one at
	// a time so an error can name the line of its cookie.
	if err := expectDelim(dec, '{'); err != nil {
		return nil, nil, perr(dec.InputOffset(), err)
	}
	sawVersion := false
	for dec.More() {
		off := dec.InputOffset()
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, perr(off, jsonErr(err))
		}
		key, _ := tok.(string)
		switch key {
		case "version":
			var v int
			if err := dec.Decode(&v); err != nil {
				return nil, nil, perr(dec.InputOffset(), jsonErr(err))
			}
			if v < jsonVersionNoCreatedUnknown || v > jsonVersion {
				return nil, nil, perr(off, fmt.Errorf("unsupported version %d (want %d to %d)", v, jsonVersionNoCreatedUnknown, jsonVersion))
			}
			sawVersion = true
		case "cookies":
			if err := expectDelim(dec, '['); err != nil {
				return nil, nil, perr(dec.InputOffset(), err)
			}
			for dec.More() {
				// The value starts after the separator and white space.
				base := dec.InputOffset()
				for base < int64(len(data)) && strings.IndexByte(" \t\r\n", data[base]) >= 0 {
					base++
				}
				if base < int64(len(data)) && data[base] == ',' {
					base++
				}
				s := base
				for s < int64(len(data)) && strings.IndexByte(" \t\r\n", data[s]) >= 0 {
					s++
				}
				var je jsonEntry
				if err := dec.Decode(&je); err != nil {
					// The document is valid JSON: a wrong type or an unknown
					// field, reported at the cookie's first line.
					return nil, nil, perr(s, jsonErr(err))
				}
				e, err := je.entry()
				if err != nil && skip != nil && refusedHost(err) {
					skip(lineAt(s), je.Name, je.Domain, err)
					continue
				}
				if err != nil {
					return nil, nil, perr(s, err)
				}
				es = append(es, e)
				lines = append(lines, lineAt(s))
			}
			if err := expectDelim(dec, ']'); err != nil {
				return nil, nil, perr(dec.InputOffset(), err)
			}
		default:
			return nil, nil, perr(off, fmt.Errorf("unknown field %q", key))
		}
	}
	if err := expectDelim(dec, '}'); err != nil {
		return nil, nil, perr(dec.InputOffset(), err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, nil, perr(dec.InputOffset(), errors.New("data after the JSON document"))
	}
	if !sawVersion {
		return nil, nil, perr(0, errors.New(`missing "version"`))
	}
	return es, lines, nil
}

// lineCounter maps offsets of data to 1-based line numbers. Offsets asked
// for in increasing order, as readJSON asks for each cookie's, are counted
// on from the previous one, so a file costs one pass: counting each from
// the start made reading n cookies take time n times the file size (a
// 5 MB file of 80,000 cookies took a minute, a 64 MiB one hours).
type lineCounter struct {
	data    []byte
	off     int64 // offset counted up to
	line    int   // line number at off
	scanned int64 // bytes counted so far, for tests
}

// at returns the line number of offset off (clamped to the data).
func (c *lineCounter) at(off int64) int {
	off = max(0, min(off, int64(len(c.data))))
	if c.line == 0 || off < c.off {
		c.off, c.line = 0, 1
	}
	c.line += bytes.Count(c.data[c.off:off], []byte("\n"))
	c.scanned += off - c.off
	c.off = off
	return c.line
}

// expectDelim reads the next token and checks it is d.
func expectDelim(dec *json.Decoder, d json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return jsonErr(err)
	}
	if got, ok := tok.(json.Delim); !ok || got != d {
		return fmt.Errorf("got %v, want %q", tok, string(d))
	}
	return nil
}

// jsonErr turns io.EOF into a readable error.
func jsonErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return errors.New("unexpected end of JSON")
	}
	return err
}

// entry converts and validates a decoded cookie.
func (je *jsonEntry) entry() (Entry, error) {
	if err := je.decodeBinary(); err != nil {
		return Entry{}, fmt.Errorf("cookie %q: %w", je.Name, err)
	}
	e := Entry{
		Name: je.Name, Value: je.Value, Domain: je.Domain, HostOnly: je.HostOnly, Path: je.Path,
		Expires: timeVal(je.Expires), Persistent: je.Persistent, Secure: je.Secure, HttpOnly: je.HttpOnly,
		Partitioned: je.Partitioned, PartitionKey: je.PartitionKey, Created: timeVal(je.Created), CreatedUnknown: je.CreatedUnknown,
		LastAccess: timeVal(je.LastAccess), Version: je.Version, PortBare: je.PortBare, Comment: je.Comment, CommentURL: je.CommentURL,
	}
	if je.Port != nil {
		e.Port = append([]int{}, je.Port...)
	}
	switch strings.ToLower(je.SameSite) {
	case "", "default":
		e.SameSite = cookie.SameSiteDefault
	case "none":
		e.SameSite = cookie.SameSiteNone
	case "lax":
		e.SameSite = cookie.SameSiteLax
	case "strict":
		e.SameSite = cookie.SameSiteStrict
	default:
		return e, fmt.Errorf("cookie %q: unknown sameSite %q", je.Name, je.SameSite)
	}
	if e.Partitioned && e.PartitionKey == "" && !e.Secure {
		// A file from before partitions were enforced: the jar then kept
		// a Partitioned cookie without Secure (which a browser refuses)
		// and sent it like any other, so it loads unpartitioned.
		e.Partitioned = false
	}
	if je.Version < 0 {
		return e, fmt.Errorf("cookie %q: negative version", je.Name)
	}
	if e.Persistent && e.Expires.Year() > 9999 {
		return e, fmt.Errorf("cookie %q: expires after year 9999", je.Name)
	}
	if err := checkEntry(&e); err != nil {
		return e, fmt.Errorf("cookie %q: %w", je.Name, err)
	}
	return e, nil
}
