package customers

import (
	"context"
	"errors"
	"io/fs"
	"os"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/iostreams"
)

func writeTemplate(ctx context.Context, opts *ImportOptions, lk *cmdutil.Lookups) error {
	var content importer.TemplateContent
	if pl, err := lk.Pools(ctx); err == nil {
		content.Pools = pl.Pools
		content.FieldMaps, _ = lk.FieldMaps(ctx, "customer")
		if cf, err := lk.CustomFields(ctx, ""); err == nil {
			content.Form = fields.NewForm(cf, "")
		} else if ctx.Err() == nil {
			opts.IO.T().Fprintf(iostreams.SafeWriter(opts.IO.ErrOut), "crmctl: warning: no drop-down lists (%v)\n", err)
		}
		if deps, err := lk.Departments(ctx); err == nil {
			content.Departments = deps.Departments
		}
	} else if ctx.Err() == nil {
		opts.IO.T().Fprintf(iostreams.SafeWriter(opts.IO.ErrOut), "crmctl: warning: no drop-down lists (%v)\n", err)
	}
	// Checked again: the file may have appeared while the look-ups ran.
	if err := checkTemplateTarget(opts.Template, opts.Force); err != nil {
		return err
	}
	if err := importer.WriteTemplate(opts.Template, content); err != nil {
		return &cmdutil.UsageError{Err: err}
	}
	opts.IO.T().Fprintf(opts.IO.ErrOut, "wrote the import template %s\n", opts.Template)
	return nil
}

// checkTemplateTarget refuses to write a template over an existing file without
// --force: the file may be a filled workbook, and one slip in the shell's history
// would wipe it.
func checkTemplateTarget(path string, force bool) error {
	info, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return cmdutil.UsageErrorf("--template %s: %v", path, err)
	case info.IsDir():
		return cmdutil.UsageErrorf("--template %s is a folder: name the template file to write", path)
	case !force:
		return cmdutil.WithHint(cmdutil.UsageErrorf("--template %s: the file exists; not overwritten", path),
			"add --force to replace it with an empty template, or name another file")
	}
	return nil
}
