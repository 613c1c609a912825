package jar

import (
	"errors"
	"fmt"
)

// ErrSyntax is matched (with errors.Is) by every error reading a cookie
// file that is malformed, as opposed to an I/O failure.
var ErrSyntax = errors.New("jar: malformed cookie file")

// ParseError is the error reading a cookie file returns for a malformed
// line or JSON value. It matches ErrSyntax.
type ParseError struct {
	// Format is the file format being read.
	Format Format
	// Line is the 1-based line number the problem is on.
	Line int
	// Err describes the problem.
	Err error
}

// Error implements error.
func (e *ParseError) Error() string {
	return fmt.Sprintf("jar: %s line %d: %v", e.Format, e.Line, e.Err)
}

// Unwrap returns the underlying problem.
func (e *ParseError) Unwrap() error { return e.Err }

// Is makes a ParseError match ErrSyntax.
func (e *ParseError) Is(target error) bool { return target == ErrSyntax }
