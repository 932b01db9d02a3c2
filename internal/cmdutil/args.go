package cmdutil

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/i18n"
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
			return CobraError(err)
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

// AbsentAnnotation is the prefix of a group command's annotation that explains a verb
// users reach for but the API has no call for: Annotations[AbsentAnnotation+"list"] is
// the message for `<group> list`.
const AbsentAnnotation = "crmctl/absent:"

// RejectUnknownSubcommands makes a group command (one with subcommands and no action of
// its own) fail with a usage error on an unknown subcommand, instead of printing help
// and succeeding: a verb the API has no call for gets its explanation, a typo the
// nearest command. With no argument it prints its help.
func RejectUnknownSubcommands(c *cobra.Command) {
	if !c.HasSubCommands() || c.Runnable() {
		return
	}
	c.Args = cobra.ArbitraryArgs
	c.RunE = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			if msg, ok := c.Annotations[AbsentAnnotation+args[0]]; ok {
				return UsageErrorf("%s", i18n.M(msg))
			}
			if sugg := c.SuggestionsFor(args[0]); len(sugg) > 0 {
				return UsageErrorf("unknown command %q for %q; did you mean %s?\nrun `%s --help` for its commands", args[0], c.CommandPath(), strings.Join(sugg, " or "), c.CommandPath())
			}
			return UsageErrorf("unknown command %q for %q\nrun `%s --help` for its commands", args[0], c.CommandPath(), c.CommandPath())
		}
		return c.Help()
	}
	for _, sub := range c.Commands() {
		RejectUnknownSubcommands(sub)
	}
}
