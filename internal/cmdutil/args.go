package cmdutil

import (
	"github.com/spf13/cobra"
)

// ExactArgs is cobra.ExactArgs whose error is a usage error (exit 2).
func ExactArgs(n int) cobra.PositionalArgs {
	return wrapArgs(cobra.ExactArgs(n))
}

// MaximumNArgs is cobra.MaximumNArgs whose error is a usage error.
func MaximumNArgs(n int) cobra.PositionalArgs {
	return wrapArgs(cobra.MaximumNArgs(n))
}

// NoArgs is cobra.NoArgs whose error is a usage error.
func NoArgs(c *cobra.Command, args []string) error {
	return wrapArgs(cobra.NoArgs)(c, args)
}

func wrapArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			return &UsageError{Err: err}
		}
		return nil
	}
}

// RegisterOutputCompletion completes -o with its values.
func RegisterOutputCompletion(root *cobra.Command) {
	_ = root.RegisterFlagCompletionFunc("output", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"table\ta readable table", "json\tthe API's data payload"}, cobra.ShellCompDirectiveNoFileComp
	})
}
