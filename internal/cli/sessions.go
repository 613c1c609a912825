package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newSessionsCmd is a placeholder until the subcommand lands.
func newSessionsCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "sessions",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("sessions: not implemented yet")
		},
	}
}
