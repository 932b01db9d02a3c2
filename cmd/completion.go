package cmd

import (
	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
)

func newCmdCompletion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish|powershell",
		Short: "Print a shell completion script / 输出 shell 补全脚本",
		Long: `Print the completion script of a shell to standard output.

Completion of pools, select labels and profiles reads only the local cache: it never
waits on the network.`,
		Example: `  # bash, for the current shell
  source <(crmctl completion bash)
  # zsh, installed
  crmctl completion zsh > "${fpath[1]}/_crmctl"
  # fish
  crmctl completion fish > ~/.config/fish/completions/crmctl.fish
  # PowerShell
  crmctl completion powershell | Out-String | Invoke-Expression`,
		ValidArgs:             []string{"bash", "zsh", "fish", "powershell"},
		Args:                  cmdutil.ExactArgs(1),
		DisableFlagsInUseLine: true,
		RunE: func(c *cobra.Command, args []string) error {
			root := c.Root()
			out := f.IOStreams.Out
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, true)
			case "zsh":
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, true)
			case "powershell":
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return cmdutil.UsageErrorf("unknown shell %q: use bash, zsh, fish or powershell", args[0])
		},
	}
}
