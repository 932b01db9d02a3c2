package cmdutil

import (
	"github.com/spf13/pflag"

	"github.com/crmctl/crmctl/internal/config"
)

// Globals are the values of the global flags. Changed tells whether a flag was given
// on the command line (only given flags take precedence over the environment).
type Globals struct {
	Profile, BaseURL, Output, Timeout, Config, JQ string
	Sandbox, NoInput, Debug, Refresh              bool

	flags *pflag.FlagSet
}

// Bind registers the global flags on fs (the root's persistent flags).
func (g *Globals) Bind(fs *pflag.FlagSet) {
	g.flags = fs
	fs.StringVar(&g.Profile, "profile", "", "profile of the config file to use (env CRMCTL_PROFILE)")
	fs.StringVar(&g.BaseURL, "base-url", "", "API host (env CRMCTL_BASE_URL; default "+config.DefaultBaseURL+")")
	fs.StringVarP(&g.Output, "output", "o", "", "output format: table or json (env CRMCTL_OUTPUT)")
	fs.StringVar(&g.JQ, "jq", "", "filter JSON output with a jq expression (implies -o json)")
	fs.StringVar(&g.Timeout, "timeout", "", "time limit for each API call's whole wait for the network, retries included, e.g. 30s (env CRMCTL_TIMEOUT)")
	fs.StringVar(&g.Config, "config", "", "config file path (env CRMCTL_CONFIG)")
	fs.BoolVar(&g.Sandbox, "sandbox", false, "use the embedded emulator of the API: no account, no network (env CRMCTL_SANDBOX=1)")
	fs.BoolVar(&g.NoInput, "no-input", false, "never prompt (env CRMCTL_NO_INPUT=1)")
	fs.BoolVar(&g.Debug, "debug", false, "log each HTTP request and answer to stderr, secrets redacted (env CRMCTL_DEBUG=1)")
	fs.BoolVar(&g.Refresh, "refresh", false, "bypass the cache of pools and field maps")
}

func (g *Globals) changed(name string) bool {
	if g.flags == nil {
		return false
	}
	f := g.flags.Lookup(name)
	return f != nil && f.Changed
}

// ConfigFlags returns the given global flags for config.Load.
func (g *Globals) ConfigFlags() config.Flags {
	var fl config.Flags
	str := func(name string, v *string) *string {
		if g.changed(name) {
			return v
		}
		return nil
	}
	boolean := func(name string, v *bool) *bool {
		if g.changed(name) {
			return v
		}
		return nil
	}
	fl.Profile = str("profile", &g.Profile)
	fl.BaseURL = str("base-url", &g.BaseURL)
	fl.Output = str("output", &g.Output)
	fl.Timeout = str("timeout", &g.Timeout)
	fl.Config = str("config", &g.Config)
	fl.Sandbox = boolean("sandbox", &g.Sandbox)
	fl.NoInput = boolean("no-input", &g.NoInput)
	fl.Debug = boolean("debug", &g.Debug)
	return fl
}

// Repeat lists the given global flags that choose where a command goes (--sandbox,
// --profile, --base-url), to repeat them in an equivalent command.
func (g *Globals) Repeat() []string {
	var out []string
	if g.changed("sandbox") && g.Sandbox {
		out = append(out, "--sandbox")
	}
	if g.changed("profile") {
		out = append(out, "--profile", g.Profile)
	}
	if g.changed("base-url") {
		out = append(out, "--base-url", g.BaseURL)
	}
	return out
}
