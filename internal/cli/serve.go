package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newServeCmd is a placeholder until the subcommand lands.
func newServeCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "serve",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("serve: not implemented yet")
		},
	}
}
