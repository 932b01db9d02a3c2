// Package fieldscmd is `crmctl fields`.
package fieldscmd

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// NewCmdFields builds `crmctl fields`.
func NewCmdFields(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "fields <command>",
		Short:   "The customer form: the create call's fields and the company's custom fields / 客户表单：创建接口的字段和公司的自定义字段",
		Example: "  crmctl fields list\n  crmctl fields list --template 12 -o json",
	}
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}

// ListOptions are the inputs of `fields list`.
type ListOptions struct {
	Printer  func() (*output.Printer, error)
	Lookups  func() (*cmdutil.Lookups, error)
	Template string
	All      bool
}

// NewCmdList builds `crmctl fields list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer, Lookups: f.Lookups}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every field a customer can be created with, and the options of the selects / 列出创建客户可用的全部字段及下拉选项",
		Long: `List the whole customer form, one field a line: the create call's own parameters (by
their flag: --tel, --status, ...) and the company's custom fields (by their key:
text_asset_fbf817), with the label the CRM shows, the type, whether the form requires it,
and for selects the options: each option's label and the value sent (a field map's option
id, a custom select's code such as sel_6010).

Custom fields come from custom_fields/customer/by_group; --template ID shows a business
template's (业务模版) form, which may add fields (and required ones). Disabled fields and
options are left out; --all lists them, marked.

Any label shown here can name its field: ` + "`customers create --field 客户级别=VIP`" + `, a
key of --from-file, a column of ` + "`customers import`" + `. With -o json the list is an
array of objects with key, flag (the create call's own fields), label, type
(text, textarea, select, multi_select, number, email, mobile, url, date, datetime, id,
pool, department; a field_type crmctl does not know is text), field_type (the API's),
group, required, enabled and, for selects, options: [{value, label, enabled}].

The field maps and the form are cached per profile; --refresh reads them anew.`,
		Example: `  crmctl fields list
  crmctl fields list --template 12
  crmctl fields list -o json --jq '.[] | select(.required) | .label'`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Template = strings.TrimSpace(opts.Template)
			if opts.Template != "" && fields.CheckInt(opts.Template) != nil {
				return cmdutil.UsageErrorf("--template %q: expected a business template id (a positive integer)", opts.Template)
			}
			if runF != nil {
				return runF(opts)
			}
			return listRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Template, "template", "", "show the form of this business template (业务模版) id")
	cmd.Flags().BoolVar(&opts.All, "all", false, "include disabled fields and options, marked")
	return cmd
}

func listRun(ctx context.Context, opts *ListOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	lk, err := opts.Lookups()
	if err != nil {
		return err
	}
	maps, err := lk.FieldMaps(ctx, "customer")
	if err != nil {
		return err
	}
	cf, err := lk.CustomFields(ctx, opts.Template)
	if err != nil {
		return err
	}
	rows := fields.FormRows(maps, fields.NewForm(cf, opts.Template), opts.All)
	raw, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	// Marks and statuses are words for people: in the chosen language at a terminal, in
	// English through a pipe (as the headers), for scripts.
	word := func(m i18n.Message) string { return m.String() }
	if p.IO.IsStdoutTTY() {
		word = func(m i18n.Message) string { return m.Localize(p.IO.T()) }
	}
	header := []string{"FIELD", i18n.M("LABEL").Format, i18n.M("TYPE").Format, i18n.M("REQUIRED").Format, i18n.M("GROUP").Format, i18n.M("OPTIONS").Format}
	if opts.All {
		header = append(header, "STATUS")
	}
	t := output.Table{Header: header}
	for _, r := range rows {
		name := r.Key
		if r.Flag != "" {
			name = "--" + r.Flag
		}
		req := ""
		if r.Required {
			req = word(i18n.M("required"))
		}
		opt := make([]string, 0, len(r.Options))
		for _, o := range r.Options {
			s := o.Label + "=" + o.Value
			if !o.Enabled {
				s += word(i18n.M(" (disabled)"))
			}
			opt = append(opt, s)
		}
		row := []string{name, r.Label, r.Type, req, r.Group, strings.Join(opt, ", ")}
		if opts.All {
			status := i18n.M("enabled")
			if !r.Enabled {
				status = i18n.M("disabled")
			}
			row = append(row, word(status))
		}
		t.Rows = append(t.Rows, row)
	}
	return p.Print(raw, t)
}
