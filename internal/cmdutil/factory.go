package cmdutil

import (
	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// Factory builds a command's dependencies lazily, so that --help reads no config and
// touches no network.
type Factory struct {
	IOStreams *iostreams.IOStreams

	// Settings resolves the configuration once (flags are read when it is first called).
	Settings func() (*config.Settings, error)

	// Client returns an authenticated API client for the resolved profile (the embedded
	// sandbox with --sandbox).
	Client func() (*api.Client, error)

	// Getenv reads the environment (tests replace it).
	Getenv func(string) (string, bool)
}
