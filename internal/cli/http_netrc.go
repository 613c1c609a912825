package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/httpstate/httpstate/internal/limitread"
)

// maxNetrc bounds the netrc file read: credentials for thousands of hosts
// fit in far less.
const maxNetrc = 1 << 20

// errNetrcTooLarge is reading a netrc file over maxNetrc bytes.
var errNetrcTooLarge = fmt.Errorf("over %d bytes", maxNetrc)

// errNetrcNotRegular is a netrc path that names no regular file: a FIFO
// (whose open waits for a writer, for ever), a device, a directory.
var errNetrcNotRegular = errors.New("not a regular file")

// netrcEntry is one machine (or the default) of a netrc file.
type netrcEntry struct {
	machine  string // "" for default
	login    string
	password string
}

// netrc is a parsed netrc file.
type netrc struct {
	machines []netrcEntry // in file order
	def      *netrcEntry
	// open is set when the file's permissions let users other than its
	// owner read or write it (not checked on Windows).
	open bool
	// foreign is set when the file is owned by another user than the
	// current one (as Python's netrc module checks ~/.netrc's owner; not
	// checked outside Unix); owner is then that user's ID.
	foreign bool
	owner   int
}

// netrcPath returns the netrc file to read, as Python's requests (and so
// HTTPie) finds it: $NETRC if set, else ~/.netrc, else ~/_netrc; "" when
// none exists.
func netrcPath() string {
	if p := os.Getenv("NETRC"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	for _, name := range []string{".netrc", "_netrc"} {
		p := filepath.Join(home, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// readNetrc reads and parses the netrc file at path. A file that does not
// exist, and the null device (a way to say "no netrc"), are no error and
// no credentials (nil); anything else but a regular file is
// errNetrcNotRegular, told without reading it: a FIFO would block the
// command until a writer came. Errors never quote the file's contents:
// they may hold a password.
func readNetrc(path string) (*netrc, error) {
	return readNetrcAs(path, os.Getuid())
}

// readNetrcAs is readNetrc for the user uid, whom the file should belong
// to.
func readNetrcAs(path string, uid int) (*netrc, error) {
	if path == "" {
		return nil, nil
	}
	fi, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if err := netrcRegular(path, fi); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil // the null device
	}
	// Opened without waiting (O_NONBLOCK), and checked again: the path
	// may name a FIFO by now.
	f, err := os.OpenFile(path, os.O_RDONLY|netrcOpenFlags, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := netrcRegular(path, fi); err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, nil
	}
	data, err := io.ReadAll(&limitread.Reader{R: f, N: maxNetrc, Err: errNetrcTooLarge})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	n, err := parseNetrc(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		n.open = true
	}
	if owner, ok := fileOwner(fi); ok && owner != uid {
		n.foreign, n.owner = true, owner
	}
	return n, nil
}

// netrcRegular returns errNetrcNotRegular, with path, for fi that is not a
// regular file, but nil for the null device.
func netrcRegular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return nil
	}
	return fmt.Errorf("%s: %w", path, errNetrcNotRegular)
}

// netrcLexer splits a netrc file into tokens: words separated by white
// space, or double-quoted strings in which a backslash makes the next
// character literal (as Python's netrc module and curl read them).
type netrcLexer struct {
	data []byte
	pos  int
	line int // of the last token read, from 1
}

// next returns the next token, ok false at the end of the file.
func (l *netrcLexer) next() (tok string, ok bool, err error) {
	for l.pos < len(l.data) && isNetrcSpace(l.data[l.pos]) {
		if l.data[l.pos] == '\n' {
			l.line++
		}
		l.pos++
	}
	if l.pos == len(l.data) {
		return "", false, nil
	}
	var b strings.Builder
	if l.data[l.pos] == '"' {
		l.pos++
		for {
			if l.pos == len(l.data) {
				return "", false, fmt.Errorf("line %d: unterminated quoted string", l.line)
			}
			c := l.data[l.pos]
			l.pos++
			switch c {
			case '"':
				return b.String(), true, nil
			case '\\':
				if l.pos < len(l.data) {
					c = l.data[l.pos]
					l.pos++
				}
			case '\n':
				l.line++
			}
			b.WriteByte(c)
		}
	}
	for l.pos < len(l.data) && !isNetrcSpace(l.data[l.pos]) {
		b.WriteByte(l.data[l.pos])
		l.pos++
	}
	return b.String(), true, nil
}

// skipLine skips the rest of the current line.
func (l *netrcLexer) skipLine() {
	for l.pos < len(l.data) && l.data[l.pos] != '\n' {
		l.pos++
	}
}

// skipMacro skips a macdef's body: the lines after the current one up to
// an empty line (or the end of the file).
func (l *netrcLexer) skipMacro() {
	l.skipLine()
	for l.pos < len(l.data) {
		l.pos++ // the '\n'
		l.line++
		end := l.pos
		for end < len(l.data) && l.data[end] != '\n' {
			end++
		}
		line := l.data[l.pos:end]
		l.pos = end
		if len(line) == 0 || string(line) == "\r" {
			return
		}
	}
}

func isNetrcSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}

// parseNetrc parses a netrc file (the format of ftp(1), curl and Python's
// netrc module): "machine NAME" or "default" starts an entry whose
// "login" (or "user"), "password" and "account" tokens follow; "macdef
// NAME" and the lines after it up to an empty line are skipped; a "#"
// where a keyword is expected starts a comment to the end of the line.
// Errors name the line, never a token (it may be a password).
func parseNetrc(data []byte) (*netrc, error) {
	l := &netrcLexer{data: data, line: 1}
	n := &netrc{}
	var cur *netrcEntry
	end := func() {
		if cur == nil {
			return
		}
		if cur.machine == "" {
			if n.def == nil { // the first default, as ftp(1)
				n.def = cur
			}
		} else {
			n.machines = append(n.machines, *cur)
		}
		cur = nil
	}
	for {
		tok, ok, err := l.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			end()
			return n, nil
		}
		if strings.HasPrefix(tok, "#") {
			l.skipLine()
			continue
		}
		// value reads the value of a keyword.
		value := func(what string) (string, error) {
			v, ok, err := l.next()
			if err != nil {
				return "", err
			}
			if !ok {
				return "", fmt.Errorf("line %d: %s without a value", l.line, what)
			}
			return v, nil
		}
		switch tok {
		case "machine":
			end()
			name, err := value("machine")
			if err != nil {
				return nil, err
			}
			cur = &netrcEntry{machine: name}
		case "default":
			end()
			cur = &netrcEntry{}
		case "macdef":
			end()
			if _, err := value("macdef"); err != nil {
				return nil, err
			}
			l.skipMacro()
		case "login", "user", "password", "account":
			if cur == nil {
				return nil, fmt.Errorf("line %d: %q outside a machine or default entry", l.line, tok)
			}
			v, err := value(tok)
			if err != nil {
				return nil, err
			}
			switch tok {
			case "login", "user":
				cur.login = v
			case "password":
				cur.password = v
			}
		default:
			// Not quoted: a misplaced password would be printed.
			return nil, fmt.Errorf("line %d: unknown keyword", l.line)
		}
	}
}

// lookup returns the credentials for host: the first machine entry of
// that name (compared without case, as host names are), else the default
// entry. An entry without a login gives none.
func (n *netrc) lookup(host string) (login, password string, ok bool) {
	if n == nil || host == "" {
		return "", "", false
	}
	for _, e := range n.machines {
		if strings.EqualFold(e.machine, host) {
			return e.login, e.password, e.login != ""
		}
	}
	if n.def != nil {
		return n.def.login, n.def.password, n.def.login != ""
	}
	return "", "", false
}
