package main

import (
	"errors"

	"github.com/spf13/cobra"
)

func newProbeCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "probe URL",
		Short: "Probe a live Django deployment (not implemented yet)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return &exitError{code: exitUsage, err: errors.New("probe is not implemented yet")}
		},
	}
}
