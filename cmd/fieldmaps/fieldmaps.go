// Package fieldmaps is `crmctl fieldmaps`.
package fieldmaps

import (
	"context"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// Entities are the entities that have field maps.
var Entities = []string{"customer", "lead", "contact", "opportunity", "contract"}

// NewCmdFieldmaps builds `crmctl fieldmaps`.
func NewCmdFieldmaps(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "fieldmaps <command>",
		Short:   "Field maps: the options behind select fields / 字段选项：下拉字段背后的选项",
		Example: "  crmctl fieldmaps show\n  crmctl fieldmaps show lead --all",
	}
	cmd.AddCommand(NewCmdShow(f, nil))
	return cmd
}

// ShowOptions are the inputs of `fieldmaps show`.
type ShowOptions struct {
	Printer func() (*output.Printer, error)
	Lookups func() (*cmdutil.Lookups, error)
	Entity  string
	All     bool
}

// NewCmdShow builds `crmctl fieldmaps show [ENTITY]`.
func NewCmdShow(f *cmdutil.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Printer: f.Printer, Lookups: f.Lookups}
	cmd := &cobra.Command{
		Use:   "show [ENTITY]",
		Short: "Show the select options of an entity's fields / 查看实体字段的下拉选项",
		Long: `Show the options of an entity's select fields — 跟进状态 (status), 客户类型
(category), 客户来源 (source), 所属行业 (industry), 人员规模 (staff_size), ... — with the
option ids that the API takes. ENTITY is one of ` + strings.Join(Entities, ", ") + ` (default customer).

Only enabled options are listed; --all adds the disabled ones, marked. With -o json the
API's payload is printed as it came.`,
		Example:   "  crmctl fieldmaps show\n  crmctl fieldmaps show --all\n  crmctl fieldmaps show lead -o json",
		Args:      cmdutil.MaximumNArgs(1),
		ValidArgs: Entities,
		RunE: func(c *cobra.Command, args []string) error {
			opts.Entity = "customer"
			if len(args) == 1 {
				opts.Entity = args[0]
			}
			if !slices.Contains(Entities, opts.Entity) {
				return cmdutil.UsageErrorf("unknown entity %q: use one of %s", opts.Entity, strings.Join(Entities, ", "))
			}
			if runF != nil {
				return runF(opts)
			}
			return showRun(c.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.All, "all", false, "include disabled options, marked")
	return cmd
}

func showRun(ctx context.Context, opts *ShowOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	lk, err := opts.Lookups()
	if err != nil {
		return err
	}
	list, err := lk.FieldMaps(ctx, opts.Entity)
	if err != nil {
		return err
	}
	// A status is a word for people: in the chosen language at a terminal, in English
	// through a pipe (as the headers), for scripts.
	word := func(m i18n.Message) string { return m.String() }
	if p.IO.IsStdoutTTY() {
		word = func(m i18n.Message) string { return m.Localize(p.IO.T()) }
	}
	header := []string{"FIELD", "ID", i18n.M("LABEL").Format}
	if opts.All {
		header = append(header, "STATUS")
	}
	t := output.Table{Header: header}
	for _, fm := range list.Fields {
		var opt []api.FieldOption
		if opts.All {
			opt = append(opt, fm.Options...)
			fields.SortOptions(opt)
		} else {
			opt = fields.EnabledOptions(fm)
		}
		name := fieldTitle(opts.Entity, fm)
		for _, o := range opt {
			row := []string{name, string(o.ID), o.Label()}
			if opts.All {
				status := i18n.M("enabled")
				if !o.Enabled() {
					status = i18n.M("disabled")
				}
				row = append(row, word(status))
			}
			t.Rows = append(t.Rows, row)
		}
	}
	if len(t.Rows) == 0 && !p.JSON() {
		// Say so, on stderr: an empty stdout alone looks like a failure.
		tr := p.IO.T()
		switch {
		case len(list.Fields) == 0:
			tr.Fprintf(p.IO.ErrOut, "%s has no select fields\n", opts.Entity)
		case opts.All:
			tr.Fprintf(p.IO.ErrOut, "%s has no options in its select fields\n", opts.Entity)
		default:
			tr.Fprintf(p.IO.ErrOut, "%s has no enabled options in its select fields (--all shows the disabled ones)\n", opts.Entity)
		}
		return nil
	}
	return p.Print(list.Raw, t)
}

// fieldTitle names a field "status (跟进状态)" when the catalogue knows it.
func fieldTitle(entity string, fm api.FieldMap) string {
	if entity == "customer" {
		if f, ok := fields.ByKey(fm.FieldName); ok {
			return fm.FieldName + " (" + f.Label + ")"
		}
	}
	if fm.Label != "" {
		return fm.FieldName + " (" + fm.Label + ")"
	}
	return fm.FieldName
}
