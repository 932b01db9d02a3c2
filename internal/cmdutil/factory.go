package cmdutil

import (
	"context"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/prompter"
	"github.com/crmctl/crmctl/internal/team"
)

// Factory builds a command's dependencies lazily, so that --help reads no config and
// touches no network.
type Factory struct {
	IOStreams *iostreams.IOStreams

	// Settings resolves the configuration once (flags are read when it is first called).
	Settings func() (*config.Settings, error)

	// Client returns an authenticated API client for the resolved profile (the embedded
	// sandbox with --sandbox). A missing token is an *AuthError.
	Client func() (*api.Client, error)

	// LoginClient returns a client with no token, for auth login.
	LoginClient func() (*api.Client, error)

	// PacedClient makes a new client as Client does, but paced by p alone (nil: not
	// paced) instead of the profile's shared limiter, and without Client's note on long
	// throttled waits: for a command with a pace of its own, which reports its waits
	// itself (customers import --rate).
	PacedClient func(p *pace.Pacer) (*api.Client, error)

	// PacedLoginClient makes a new client as LoginClient does, paced by p alone (nil:
	// not paced), as PacedClient.
	PacedLoginClient func(p *pace.Pacer) (*api.Client, error)

	// Lookups reads pools and field maps through the per-profile cache.
	Lookups func() (*Lookups, error)

	// Team connects once to the team's Redis (CRMCTL_REDIS_URL or the profile's
	// redis_url), through which pacing and the import ledger are shared; nil when none
	// is configured. An unreachable server is a *team.UnavailableError.
	Team func() (*team.Store, error)

	// Printer prints in the format of -o / --jq.
	Printer func() (*output.Printer, error)

	// Prompter asks questions at a terminal (commands check IOStreams.CanPrompt first).
	Prompter prompter.Prompter

	// Globals are the global flags.
	Globals *Globals

	// Getenv reads the environment (tests replace it).
	Getenv func(string) (string, bool)

	// Context is the root context (cancelled by Ctrl-C / SIGTERM).
	Context context.Context

	// Clock is the time of every wait a command makes: the back-off between retries, a
	// throttled answer's Retry-After, the pacing of requests, an import's wait for a row
	// another import is sending, and the times its progress reports. NewFactory sets the
	// real one; a test sets a fake one before the first command runs. nil is the real one.
	Clock pace.Clock
}

// WantsJSON reports whether the run asked for JSON output, from the settings when they
// load and from the raw flag and environment otherwise (to format an error).
func (f *Factory) WantsJSON() bool {
	if f.Globals != nil && f.Globals.JQ != "" {
		return true
	}
	if f.Settings != nil {
		if s, err := f.Settings(); err == nil {
			return s.Output.V == config.OutputJSON
		}
	}
	return f.OutputFormat() == config.OutputJSON
}

// OutputFormat is the output format asked for with --output or CRMCTL_OUTPUT, read
// without the config file (version reads none): trimmed and in lower case, as the
// settings take it; "" when neither is given.
func (f *Factory) OutputFormat() string {
	var v string
	if f.Globals != nil && f.Globals.changed("output") {
		v = f.Globals.Output
	} else if f.Getenv != nil {
		v, _ = f.Getenv(config.EnvOutput)
	}
	return strings.ToLower(strings.TrimSpace(v))
}
