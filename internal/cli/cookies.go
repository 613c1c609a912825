package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"text/tabwriter"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/httpstate/httpstate/cookie"
	"github.com/httpstate/httpstate/internal/limitread"
	"github.com/httpstate/httpstate/jar"
)

// maxRefusedListed is how many refused cookies "cookies get" names, and
// how many left-out lines of a file the cookies commands name, one warning
// each; the others are counted in one more.
const maxRefusedListed = 1000

// maxValueWidth is how many characters of a value "cookies list" shows.
const maxValueWidth = 32

// maxCookieFile is the largest cookie file the cookies commands read: 4,000
// cookies of the 4 KiB a browser allows each. A file is held in memory
// whole, an entry costing some 30 times its line.
const maxCookieFile = 16 << 20

// cookiesOptions are the flags of "httpstate cookies" and what its tests
// replace: the clock (expired markers, and the jar "get" builds).
type cookiesOptions struct {
	to      string // convert --to
	now     func() time.Time
	streams *Streams
}

func newCookiesCmd(s *Streams) *cobra.Command {
	return newCookiesCmdWith(s, &cookiesOptions{now: time.Now})
}

func newCookiesCmdWith(s *Streams, o *cookiesOptions) *cobra.Command {
	o.streams = s
	cmd := &cobra.Command{
		Use:   "cookies",
		Short: "Inspect and convert cookie jar files (cookies.txt or JSON)",
		Long: `Inspect and convert cookie jar files.

FILE is a Netscape cookies.txt file (the format of curl -c and wget
--save-cookies) or an httpstate JSON jar; the format is detected. A file
over 16 MiB is refused. As curl does, a malformed cookies.txt line (and a
cookie no browser would store, such as one for a Fake A-label domain) is
left out with a warning on stderr naming its line; a file with malformed
lines and not one cookie line (an HTML page) is an error.`,
		Example: `  httpstate cookies list cookies.txt
  httpstate cookies convert --to json cookies.txt > cookies.json
  httpstate cookies get https://www.example.com/app/ cookies.txt`,
		// Without these, cobra answers a mistyped subcommand with the help
		// and status 0: "cookies lsit FILE" in a script would "succeed".
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	list := &cobra.Command{
		Use:   "list FILE",
		Short: "Print the cookies in FILE as a table",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCookiesList(o, args[0])
		},
	}
	convert := &cobra.Command{
		Use:   "convert --to json|txt FILE",
		Short: "Write the cookies in FILE to stdout in another format",
		Args:  cobra.ExactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCookiesConvert(o, args[0])
		},
	}
	convert.Flags().StringVar(&o.to, "to", "", "output format: json or txt (required)")
	_ = convert.MarkFlagRequired("to")
	get := &cobra.Command{
		Use:   "get URL FILE",
		Short: "Print the Cookie header a browser holding FILE would send to URL",
		Long: `Print the Cookie header value a browser holding the cookies in FILE would
send in a same-site, top-level GET to URL (RFC 6265bis section 5.8). Nothing
is printed, and a note goes to stderr, if no cookie applies. A cookie a
browser would not have stored (one breaking the __Host- or __Secure- name
prefix rules, for example) is left out, with a warning on stderr.`,
		Args: cobra.ExactArgs(2),
		RunE: func(_ *cobra.Command, args []string) error {
			return runCookiesGet(o, args[0], args[1])
		},
	}
	cmd.AddCommand(list, convert, get)
	return cmd
}

// errCookieFileTooLarge reports a cookie file over maxCookieFile bytes.
var errCookieFileTooLarge = fmt.Errorf("the file is larger than %d MiB, more than any cookie jar holds", maxCookieFile>>20)

// readCookieFile reads and detects the cookie file at path, at most
// maxCookieFile bytes of it, as the jar's Load does: a malformed
// cookies.txt line, or a cookie a jar refuses, is left out with a warning
// on warn naming its line, never its value (the first maxRefusedListed,
// the others counted), and a file with not one cookie line (an HTML page)
// fails with its first line's error.
func readCookieFile(path string, warn io.Writer) ([]jar.Entry, jar.Format, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, jar.FormatAuto, err
	}
	defer f.Close()
	// The warnings wait for the end of the file: one with no cookie line
	// is one error, not a warning per line first.
	var left []error
	skipped := 0
	skip := func(err error) {
		if skipped++; skipped <= maxRefusedListed {
			left = append(left, err)
		}
	}
	es, format, err := jar.ReadEntriesSkipping(&limitread.Reader{R: f, N: maxCookieFile, Err: errCookieFileTooLarge}, jar.FormatAuto, skip)
	if err == nil {
		for _, l := range left {
			fmt.Fprintf(warn, "httpstate: warning: %s: %s\n", printable(path), printable(l.Error()))
		}
		if skipped > len(left) {
			fmt.Fprintf(warn, "httpstate: warning: %s: %d more lines left out\n", printable(path), skipped-len(left))
		}
	}
	if errors.Is(err, errCookieFileTooLarge) {
		return nil, format, fmt.Errorf("%s: %w", path, errCookieFileTooLarge)
	}
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return es, format, nil
}

func runCookiesList(o *cookiesOptions, path string) error {
	es, _, err := readCookieFile(path, o.streams.ErrOut)
	if err != nil {
		return err
	}
	if len(es) == 0 {
		fmt.Fprintf(o.streams.ErrOut, "%s holds no cookies\n", printable(path))
		return nil
	}
	now := o.now()
	tw := tabwriter.NewWriter(o.streams.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DOMAIN\tPATH\tNAME\tVALUE\tEXPIRES\tFLAGS")
	for _, e := range es {
		domain := e.Domain
		if !e.HostOnly {
			domain = "." + domain
		}
		expires := "session"
		if e.Persistent {
			expires = e.Expires.UTC().Format(time.RFC3339)
			if !e.Expires.After(now) {
				expires += " (expired)"
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", printable(domain), printable(e.Path), printable(e.Name),
			truncate(printable(e.Value), maxValueWidth), expires, flags(&e))
	}
	return tw.Flush()
}

// flags lists an entry's attributes for "cookies list".
func flags(e *jar.Entry) string {
	var f []string
	if e.Secure {
		f = append(f, "Secure")
	}
	if e.HttpOnly {
		f = append(f, "HttpOnly")
	}
	switch e.SameSite {
	case cookie.SameSiteLax:
		f = append(f, "SameSite=Lax")
	case cookie.SameSiteStrict:
		f = append(f, "SameSite=Strict")
	case cookie.SameSiteNone:
		f = append(f, "SameSite=None")
	}
	if e.Partitioned {
		if e.PartitionKey != "" {
			// The top-level site the cookie is sent under (CHIPS).
			f = append(f, "Partitioned="+printable(e.PartitionKey))
		} else {
			f = append(f, "Partitioned")
		}
	}
	if e.Version > 0 {
		f = append(f, fmt.Sprintf("Version=%d", e.Version))
	}
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ",")
}

// truncate shortens s to n runes, marking the cut with "...".
func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-3]) + "..."
}

// printable replaces TABs and other control characters, which would break
// the table or drive the terminal, with "?": C0, DEL and C1 (U+0080 to
// U+009F; U+009B is CSI to some terminals), an invalid UTF-8 byte, and the
// bidirectional controls (U+202E and the like), which reorder the rest of
// a line as displayed.
func printable(s string) string {
	return strings.Map(func(r rune) rune {
		if unprintable(r) {
			return '?'
		}
		return r
	}, s)
}

// unprintable reports whether printable replaces r.
func unprintable(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == utf8.RuneError || unicode.Is(unicode.Bidi_Control, r)
}

func runCookiesConvert(o *cookiesOptions, path string) error {
	to, err := jar.ParseFormat(o.to)
	if err != nil || to == jar.FormatAuto {
		return fmt.Errorf("--to %q: want json or txt", o.to)
	}
	es, _, err := readCookieFile(path, o.streams.ErrOut)
	if err != nil {
		return err
	}
	if to != jar.FormatCookiesTxt {
		return jar.WriteEntries(o.streams.Out, es, to)
	}
	// cookies.txt leaves out, without failing, the partitioned cookies it
	// cannot hold (another top-level site's partition, or beside an
	// unpartitioned namesake): count them in what reads back, and say so.
	var buf bytes.Buffer
	if err := jar.WriteEntries(&buf, es, to); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if back, err := jar.ReadCookiesTxt(bytes.NewReader(buf.Bytes())); err == nil && len(back) < len(es) {
		fmt.Fprintf(o.streams.ErrOut, "httpstate: warning: %s: %d partitioned cookies left out: cookies.txt holds one only in its own site's partition, and not beside an unpartitioned namesake\n",
			printable(path), len(es)-len(back))
	}
	_, err = o.streams.Out.Write(buf.Bytes())
	return err
}

func runCookiesGet(o *cookiesOptions, rawURL, path string) error {
	u, err := url.Parse(rawURL)
	if err != nil {
		return fmt.Errorf("URL: %w", err)
	}
	if u.Scheme == "" || u.Host == "" {
		return fmt.Errorf("URL %q: want an absolute URL such as https://example.com/", rawURL)
	}
	es, _, err := readCookieFile(path, o.streams.ErrOut)
	if err != nil {
		return err
	}
	j, err := jar.New(&jar.Options{Now: o.now})
	if err != nil {
		return err
	}
	// One at a time: a cookie the jar refuses (one a browser would never
	// have stored, such as a __Host- cookie with a Domain) is left out with
	// a warning naming it, as "http --session" does, rather than making
	// every other cookie of the file unusable.
	refused := 0
	for i := range es {
		if err := j.Add(es[i]); err != nil {
			// As the jar's ImportReport: the first ones named, the
			// others counted (a file of 16 MiB holds many).
			if refused++; refused > maxRefusedListed {
				continue
			}
			cause := errors.Unwrap(err)
			if cause == nil {
				cause = err
			}
			fmt.Fprintf(o.streams.ErrOut, "httpstate: warning: %s: cookie %q (entry %d) left out: %s\n",
				printable(path), printable(es[i].Name), i+1, printable(cause.Error()))
		}
	}
	if refused > maxRefusedListed {
		fmt.Fprintf(o.streams.ErrOut, "httpstate: warning: %s: %d more cookies left out\n",
			printable(path), refused-maxRefusedListed)
	}
	h := j.CookieHeader(u)
	if h == "" {
		fmt.Fprintf(o.streams.ErrOut, "no cookie in %s applies to %s\n", printable(path), printable(rawURL))
		return nil
	}
	_, err = io.WriteString(o.streams.Out, h+"\n")
	return err
}
