package cmd

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/cmd/apicmd"
	"github.com/crmctl/crmctl/cmd/auth"
	configcmd "github.com/crmctl/crmctl/cmd/config"
	"github.com/crmctl/crmctl/cmd/customers"
	"github.com/crmctl/crmctl/cmd/fieldmaps"
	"github.com/crmctl/crmctl/cmd/fieldscmd"
	"github.com/crmctl/crmctl/cmd/pools"
	sandboxcmd "github.com/crmctl/crmctl/cmd/sandbox"
	"github.com/crmctl/crmctl/cmd/version"
	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
)

// NewRootCmd builds the command tree with its global flags.
func NewRootCmd(f *cmdutil.Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "crmctl <command> <subcommand> [flags]",
		Short: "Work with the ikcrm CRM from the command line / 在命令行使用励销云 CRM",
		Long: `crmctl creates and finds customers in ikcrm public pools (公海), lists the pools and
shows the field maps behind select fields, through the CRM's open API; ` + "`crmctl api`" + `
makes any other call of it.

It keeps its token and look-ups cached and paces itself under the API's limit of
10 requests per 10 seconds. Try it with no account: every command takes --sandbox,
which talks to an embedded emulator of the API.`,
		Example: `  crmctl --sandbox customers create --pool 公司公海 --name 贸易公司 --status 初访
  crmctl auth login
  crmctl pools list -o json
  crmctl fieldmaps show --all
  crmctl api user/list --paginate --jq '.users[].name'`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			noInput := f.Globals.NoInput
			if v, ok := f.Getenv(config.EnvNoInput); ok && !c.Flags().Changed("no-input") {
				// An invalid value never prompts; loading the settings reports it.
				b, valid := config.ParseBool(v)
				noInput = b || !valid
			}
			f.IOStreams.SetNeverPrompt(noInput)
			return nil
		},
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		if hint := flagHint(c, err); !hint.IsZero() {
			return cmdutil.WithHintf(cmdutil.CobraError(err), hint.Format)
		}
		return cmdutil.CobraError(err)
	})
	info := build.Get()
	root.Version = info.Version
	root.SetVersionTemplate(version.Line(f.IOStreams.T(), info) + "\n")
	f.Globals.Bind(root.PersistentFlags())
	cmdutil.RegisterOutputCompletion(root)
	cmdutil.RegisterProfileCompletion(f, root)

	root.AddCommand(
		customers.NewCmdCustomers(f),
		pools.NewCmdPools(f),
		fieldmaps.NewCmdFieldmaps(f),
		fieldscmd.NewCmdFields(f),
		auth.NewCmdAuth(f),
		configcmd.NewCmdConfig(f),
		apicmd.NewCmdAPI(f, nil),
		sandboxcmd.NewCmdSandbox(f),
		version.NewCmdVersion(f, nil),
		newCmdCompletion(f),
	)
	for _, c := range root.Commands() {
		cmdutil.RejectUnknownSubcommands(c)
	}
	return root
}

// flagHint explains an unknown flag that users reach for: secrets never come as flags.
func flagHint(c *cobra.Command, err error) i18n.Message {
	msg := err.Error()
	switch {
	case strings.Contains(msg, "unknown flag: --token"), strings.Contains(msg, "unknown flag: --user-token"):
		return i18n.M("a token is never a flag (it would show in shell history and ps): set CRMCTL_TOKEN, or run `crmctl auth login --with-token` and give it on standard input")
	case strings.Contains(msg, "unknown flag: --password") && c.Name() == "login":
		return i18n.M("a password is never a flag: pipe it to `crmctl auth login --password-stdin`, set CRMCTL_PASSWORD, or run `crmctl auth login` at a terminal to be asked")
	}
	return i18n.Message{}
}
