// Package version is `crmctl version`.
package version

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
)

// Options are the inputs of `crmctl version`.
type Options struct {
	IO *iostreams.IOStreams
	// Format is the output format of -o or CRMCTL_OUTPUT ("" for a table): version
	// reads no config file.
	Format string
	JQ     string
	// Info is the build's version (build.Get()).
	Info build.Info
}

// NewCmdVersion builds `crmctl version`.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams}
	return &cobra.Command{
		Use:     "version",
		Short:   "Show crmctl's version, commit and build date / 显示 crmctl 的版本、提交和构建日期",
		Args:    cmdutil.NoArgs,
		Example: "  crmctl version\n  crmctl version -o json",
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Info = build.Get()
			// version reads no config file: the flag or CRMCTL_OUTPUT decides the format.
			opts.Format = f.OutputFormat()
			if f.Globals != nil {
				opts.JQ = f.Globals.JQ
			}
			if runF != nil {
				return runF(opts)
			}
			return versionRun(opts)
		},
	}
}

func versionRun(opts *Options) error {
	format := opts.Format
	if format == "" {
		format = output.FormatTable
	}
	p, err := output.New(opts.IO, format, opts.JQ)
	if err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	if p.JSON() {
		b, err := json.Marshal(opts.Info)
		if err != nil {
			return err
		}
		return p.PrintJSON(b)
	}
	_, err = io.WriteString(opts.IO.Out, Line(opts.IO.T(), opts.Info)+"\n")
	return err
}

// Line is the one-line version of `crmctl version` and `crmctl --version`, in tr's
// language.
func Line(tr *i18n.Printer, info build.Info) string {
	return tr.Sprintf("crmctl %s (commit %s, built %s, %s)", info.Version, info.Commit, info.Date, info.Go)
}
