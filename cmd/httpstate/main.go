// Command httpstate is the httpstate toolkit's binary: a reference app with a
// live sessions dashboard (serve), an HTTPie-style client with named sessions
// (http), cookie-file tools (cookies) and session admin for a store (sessions).
package main

import (
	"os"

	"github.com/httpstate/httpstate/internal/cli"
)

func main() {
	os.Exit(cli.Main(cli.System()))
}
