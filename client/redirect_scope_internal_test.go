package client

import (
	"net/url"
	"testing"
)

var credentialScopeTests = []struct {
	from, to string
	want     bool
}{
	{"https://a.example/x", "https://a.example/y", true},
	{"https://a.example/x", "https://a.example:443/y", true},
	{"https://a.example/x", "http://a.example/y", false}, // downgrade: in the clear
	{"https://a.example/x", "https://a.example:8443/y", false},
	{"http://a.example/x", "https://a.example/y", true}, // upgrade on default ports
	{"http://a.example:8080/x", "https://a.example:8443/y", false},
	{"http://a.example:8080/x", "http://a.example:8080/y", true},
	{"HTTPS://a.example/x", "https://a.example/y", true},
	{"https://a.example/x", "https://A.Example/y", true},
	{"https://a.example/x", "https://b.a.example/y", false}, // a subdomain is another host
	{"https://b.a.example/x", "https://a.example/y", false},
	{"https://a.example/x", "https://b.example/y", false},
}

func TestSameCredentialScope(t *testing.T) {
	for _, tt := range credentialScopeTests {
		from, _ := url.Parse(tt.from)
		to, _ := url.Parse(tt.to)
		if got := sameCredentialScope(from, to); got != tt.want {
			t.Errorf("sameCredentialScope(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
