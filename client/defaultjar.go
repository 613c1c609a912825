package client

import "errors"

// newDefaultJar returns the jar used when Options.Jar is nil.
// TODO(client): jar.New(nil) once package jar compiles.
func newDefaultJar() (Jar, error) { return nil, errors.New("no default jar yet") }
