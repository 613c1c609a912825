// Package limitread bounds what a reader may yield: past the limit it fails
// with a given error, where io.LimitReader would end the input quietly (and
// a file cut short may well parse).
package limitread

import "io"

// Reader reads from R and fails with Err once more than N bytes have come.
type Reader struct {
	R   io.Reader
	N   int64 // bytes still allowed; below 0 once the limit is passed
	Err error
}

// Read reads at most one byte past the limit, so that a file of exactly N
// bytes reads whole and a longer one fails.
func (l *Reader) Read(p []byte) (int, error) {
	if l.N < 0 {
		return 0, l.Err
	}
	if int64(len(p)) > l.N+1 {
		p = p[:l.N+1]
	}
	k, err := l.R.Read(p)
	l.N -= int64(k)
	if l.N < 0 {
		return k, l.Err
	}
	return k, err
}
