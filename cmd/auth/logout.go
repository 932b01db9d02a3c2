package auth

import (
	"slices"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cache"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// LogoutOptions are the inputs of `auth logout`.
type LogoutOptions struct {
	IO       *iostreams.IOStreams
	Settings func() (*config.Settings, error)
}

// NewCmdLogout builds `crmctl auth logout`.
func NewCmdLogout(f *cmdutil.Factory, runF func(*LogoutOptions) error) *cobra.Command {
	opts := &LogoutOptions{IO: f.IOStreams, Settings: f.Settings}
	return &cobra.Command{
		Use:   "logout",
		Short: "Forget the profile's stored token / 清除配置档保存的令牌",
		Long: `Remove the profile's token from the config file, and the profile's cached pools
and field maps. A token belongs to an account (API host, login and corp id) and is
shared by every profile of that account: they all lose it, and the command names them.
The API has no logout call: the token stays valid on the server until it expires or the
account logs in again.`,
		Example: "  crmctl auth logout\n  crmctl auth logout --profile ci",
		Args:    cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return logoutRun(opts)
		},
	}
}

func logoutRun(opts *LogoutOptions) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if s.Sandbox.V {
		// The embedded sandbox keeps its own account; the profile's token is the real
		// API's and stays where it is.
		return cmdutil.UsageErrorf("the embedded sandbox has no stored token to forget: run `crmctl auth logout` without --sandbox to forget the profile's token")
	}
	if err := s.RequireProfile(); err != nil {
		return err
	}
	gone, err := config.ForgetToken(s.ConfigFile, s.Profile.V, s.Account)
	if err != nil {
		return err
	}
	_ = (&cache.Store{Dir: cache.ProfileDir(s.CacheDir, s.Profile.V)}).Clear()
	tr := opts.IO.T()
	switch others := slices.DeleteFunc(slices.Clone(gone.Profiles), func(n string) bool { return n == s.Profile.V }); {
	case gone.Removed && len(others) > 0:
		tr.Fprintf(iostreams.SafeWriter(opts.IO.ErrOut), "Token of %s removed from %s: profile %q and %s, which shared it, are logged out\n",
			s.Account, s.ConfigFile, s.Profile.V, profileList(others, ""))
	case gone.Removed:
		tr.Fprintf(opts.IO.ErrOut, "Token of profile %q removed from %s\n", s.Profile.V, s.ConfigFile)
	default:
		tr.Fprintf(opts.IO.ErrOut, "No token stored for profile %q in %s: nothing to remove\n", s.Profile.V, s.ConfigFile)
	}
	if s.Token.Source == config.SourceEnv {
		tr.Fprintf(opts.IO.ErrOut, "crmctl: warning: CRMCTL_TOKEN is still set in the environment\n")
	}
	return nil
}
