// Package cli implements the httpstate command's subcommands, one file each.
// It is not public API.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// Streams are the command's standard streams. Data goes to Out, messages to
// ErrOut; output is plain (no colour, no progress bars) unless OutTTY is set.
type Streams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// OutTTY reports whether Out is a terminal.
	OutTTY bool
	// ErrTTY reports whether ErrOut is a terminal.
	ErrTTY bool
}

// System returns the process's standard streams.
func System() *Streams {
	return &Streams{
		In:     os.Stdin,
		Out:    os.Stdout,
		ErrOut: os.Stderr,
		OutTTY: term.IsTerminal(int(os.Stdout.Fd())),
		ErrTTY: term.IsTerminal(int(os.Stderr.Fd())),
	}
}

// ExitError carries a specific exit status out of a subcommand.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// NewRootCmd builds the httpstate command tree writing to s.
func NewRootCmd(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "httpstate",
		Short:         "HTTP state management: sessions, cookies and tokens",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.ErrOut)
	root.AddCommand(
		newCookiesCmd(s),
		newHTTPCmd(s),
		newServeCmd(s),
		newSessionsCmd(s),
	)
	return root
}

// Main runs the command line in os.Args with the streams s and returns the
// process exit status. SIGINT and SIGTERM cancel the command's context; a
// command they make fail exits with 128 and the signal's number (130 for
// Ctrl-C, as HTTPie).
func Main(s *Streams) int {
	return run(s, os.Args[1:])
}

func run(s *Streams, args []string) int {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return runSignals(s, args, sigs)
}

// runSignals runs the command line args with the streams s; a signal
// received on sigs cancels the command's context.
func runSignals(s *Streams, args []string, sigs <-chan os.Signal) int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	go func() {
		select {
		case sig := <-sigs:
			cancel(signalError{sig})
		case <-ctx.Done():
		}
	}()
	code := runContext(ctx, s, args)
	// As HTTPie (130 for Ctrl-C) and shells: 128 and the signal's number
	// when a signal ended a command that then failed.
	var se signalError
	if code != 0 && errors.As(context.Cause(ctx), &se) {
		if n, ok := se.sig.(syscall.Signal); ok {
			return 128 + int(n)
		}
	}
	return code
}

// signalError is the cause of a command context a signal cancelled.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return e.sig.String() + " received" }

// runContext runs the command line args with the streams s; ctx is the
// commands' context.
func runContext(ctx context.Context, s *Streams, args []string) int {
	root := NewRootCmd(s)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			printError(s.ErrOut, ee.Err)
		}
		return ee.Code
	}
	printError(s.ErrOut, err)
	return 1
}

// printError prints err after "httpstate: ", with its control characters
// replaced as printable does: an error can quote what a server sent (a
// redirect's target in a dial error, a header value), which would drive
// the terminal. The lines of a joined error (errors.Join) stay lines,
// indented under the first so that none passes for a message of its own.
func printError(w io.Writer, err error) {
	lines := strings.Split(err.Error(), "\n")
	for i, l := range lines {
		lines[i] = printable(l)
	}
	fmt.Fprintln(w, "httpstate: "+strings.Join(lines, "\n  "))
}
