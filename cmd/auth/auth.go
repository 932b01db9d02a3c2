// Package auth is `crmctl auth`: log in, check and forget a token.
package auth

import (
	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
)

// NewCmdAuth builds `crmctl auth`.
func NewCmdAuth(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth <command>",
		Short: "Log in, check and forget the API token / 登录、检查和清除 API 令牌",
		Long: `Log in to the ikcrm open API and keep the token in the config file (mode 0600).

The API allows one live token per account: a new login ends the previous token, so
crmctl logs in once and reuses the stored token. Tokens are stored per account (API
host, login and corp id) and shared by every profile of that account: a login with one
profile refreshes them all. CRMCTL_TOKEN overrides the stored one.`,
		Example: "  crmctl auth login\n  crmctl auth status\n  crmctl auth logout",
	}
	cmd.AddCommand(NewCmdLogin(f, nil), NewCmdStatus(f, nil), NewCmdLogout(f, nil))
	return cmd
}
