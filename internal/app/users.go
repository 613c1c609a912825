package app

import (
	"crypto/sha256"
	"crypto/subtle"
)

// DemoUsers are the reference app's accounts: user name → password. They are
// demo credentials for a local reference app, never for a real deployment.
var DemoUsers = map[string]string{
	"alice": "alice",
	"bob":   "bob",
	"admin": "admin",
}

// DemoAdmins are the DemoUsers allowed on the dashboard.
var DemoAdmins = []string{"admin"}

// users checks credentials. Passwords are kept as SHA-256 digests and
// compared with subtle.ConstantTimeCompare, so the time a check takes says
// nothing about how much of a password was right (nor its length); an unknown
// user costs the same comparison against a dummy digest.
type users struct {
	digests map[string][32]byte
	admins  map[string]bool
}

func newUsers(accounts map[string]string, admins []string) *users {
	u := &users{digests: make(map[string][32]byte, len(accounts)), admins: make(map[string]bool, len(admins))}
	for name, pw := range accounts {
		u.digests[name] = sha256.Sum256([]byte(pw))
	}
	for _, a := range admins {
		u.admins[a] = true
	}
	return u
}

// check reports whether password is user's password.
func (u *users) check(user, password string) bool {
	want, known := u.digests[user]
	if !known {
		want = sha256.Sum256([]byte("\x00no such user\x00"))
	}
	got := sha256.Sum256([]byte(password))
	ok := subtle.ConstantTimeCompare(got[:], want[:]) == 1
	return ok && known
}

// isAdmin reports whether principal may use the dashboard.
func (u *users) isAdmin(principal string) bool {
	return principal != "" && u.admins[principal]
}
