package cli

import (
	"errors"

	"github.com/spf13/cobra"
)

// newCookiesCmd is a placeholder until the subcommand lands.
func newCookiesCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "cookies",
		Hidden: true,
		RunE: func(*cobra.Command, []string) error {
			return errors.New("cookies: not implemented yet")
		},
	}
}
