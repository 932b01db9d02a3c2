// Package version is `crmctl version`.
package version

import (
	"encoding/json"
	"io"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// NewCmdVersion builds `crmctl version`.
func NewCmdVersion(f *cmdutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Show crmctl's version, commit and build date / 显示 crmctl 的版本、提交和构建日期",
		Args:    cmdutil.NoArgs,
		Example: "  crmctl version\n  crmctl version -o json",
		RunE: func(c *cobra.Command, _ []string) error {
			info := build.Get()
			// version reads no config file: the flag or CRMCTL_OUTPUT decides the format.
			format := f.OutputFormat()
			if format == "" {
				format = output.FormatTable
			}
			p, err := output.New(f.IOStreams, format, f.Globals.JQ)
			if err != nil {
				return &cmdutil.UsageError{Err: err}
			}
			if p.JSON() {
				b, _ := json.Marshal(info)
				return p.PrintJSON(b)
			}
			_, err = io.WriteString(f.IOStreams.Out, Line(f.IOStreams.T(), info)+"\n")
			return err
		},
	}
}

// Line is the one-line version of `crmctl version` and `crmctl --version`, in tr's
// language.
func Line(tr *i18n.Printer, info build.Info) string {
	return tr.Sprintf("crmctl %s (commit %s, built %s, %s)", info.Version, info.Commit, info.Date, info.Go)
}
