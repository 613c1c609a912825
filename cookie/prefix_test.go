package cookie_test

import (
	"testing"

	"github.com/httpstate/httpstate/cookie"
)

// TestNeedsSecure: RFC 6265bis section 5.4, prefixes matched in any case.
func TestNeedsSecure(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"__Secure-id", true},
		{"__Host-id", true},
		{"__HOST-id", true},
		{"__secure-", true},
		{"__sEcUrE-x", true},
		{"__Host", false},
		{"__Hostx-id", false},
		{"_Host-id", false},
		{"sid", false},
		{"", false},
		{"x__Host-id", false},
	}
	for _, tt := range tests {
		if got := cookie.NeedsSecure(tt.name); got != tt.want {
			t.Errorf("NeedsSecure(%q) = %v, want %v", tt.name, got, tt.want)
		}
		// FormatSetCookie agrees: a name that needs Secure is refused
		// without it.
		_, err := cookie.FormatSetCookie(&cookie.Cookie{Name: tt.name, Value: "v", Path: "/"})
		if tt.name != "" && (err != nil) != tt.want {
			t.Errorf("FormatSetCookie(%q without Secure) error = %v, want an error: %v", tt.name, err, tt.want)
		}
	}
}
