package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newHTTPCmd is a placeholder until the subcommand lands.
func newHTTPCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "http",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("http: not implemented yet")
		},
	}
}
