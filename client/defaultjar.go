package client

import "github.com/httpstate/httpstate/jar"

// newDefaultJar returns the jar used when Options.Jar is nil: browser
// defaults.
func newDefaultJar() (Jar, error) { return jar.New(nil) }
