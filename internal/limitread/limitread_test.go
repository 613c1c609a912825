package limitread

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestReader(t *testing.T) {
	errBig := errors.New("too large")
	for _, tt := range []struct {
		in      string
		n       int64
		wantErr bool
	}{
		{"", 0, false},
		{"abc", 3, false},
		{"abcd", 3, true},
		{strings.Repeat("x", 10000), 9999, true},
		{strings.Repeat("x", 10000), 10000, false},
	} {
		got, err := io.ReadAll(&Reader{R: strings.NewReader(tt.in), N: tt.n, Err: errBig})
		if tt.wantErr {
			if !errors.Is(err, errBig) {
				t.Errorf("%d bytes, limit %d: err %v, want errBig", len(tt.in), tt.n, err)
			}
			continue
		}
		if err != nil || string(got) != tt.in {
			t.Errorf("%d bytes, limit %d: read %d bytes, err %v; want all, nil", len(tt.in), tt.n, len(got), err)
		}
	}
}
