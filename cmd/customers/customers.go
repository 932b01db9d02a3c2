// Package customers is `crmctl customers`: create, get and import public-pool customers.
package customers

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// NewCmdCustomers builds `crmctl customers`.
func NewCmdCustomers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customers <command>",
		Short: "Create, find and show public-pool customers / 创建、查找和查看公海客户",
		Example: `  crmctl customers create --pool 公司公海 --name 贸易公司 --status 初访
  crmctl customers find --name 贸易公司
  crmctl customers get 18`,
	}
	cmd.Annotations = map[string]string{
		// The messages are the catalogue's (i18n.M marks them): they are printed in the
		// chosen language.
		cmdutil.AbsentAnnotation + "list": i18n.M("the ikcrm open API has no call that lists public-pool customers\n" +
			"`crmctl customers find --name NAME` finds customers by exact name; `crmctl customers get ID` shows one; `crmctl pools list` lists the pools").Format,
		cmdutil.AbsentAnnotation + "delete": i18n.M("the ikcrm open API has no call that deletes a customer: delete it in the ikcrm web app\n" +
			"`crmctl customers get ID` shows one customer").Format,
	}
	cmd.AddCommand(NewCmdCreate(f, nil), NewCmdGet(f, nil), NewCmdFind(f, nil), NewCmdImport(f, nil))
	return cmd
}

// CustomerTable is the table of one created or fetched customer. The POOL column is the
// pool's name as the record itself carries it (common_setting_name), so that it does not
// change with the state of the pools cache; poolName, the name the caller knows from the
// cache, stands in for a record without one, and the pool id for a pool known by neither.
func CustomerTable(c *api.Customer, poolName string) output.Table {
	pool := strings.TrimSpace(c.CommonSettingName)
	if pool == "" {
		pool = poolName
	}
	if pool == "" {
		pool = string(c.CommonID)
	}
	return output.Table{
		Record: true,
		Header: []string{"ID", "NAME", "POOL", "STATUS", "CATEGORY", "SOURCE", "INDUSTRY", "STAFF SIZE", "CREATED"},
		Rows: [][]string{{
			string(c.ID), c.Name, pool,
			labelOr(c.StatusMapped, c.Status), labelOr(c.CategoryMapped, c.Category),
			labelOr(c.SourceMapped, c.Source), labelOr(c.IndustryMapped, c.Industry),
			labelOr(c.StaffSizeMapped, c.StaffSize), c.CreatedAt,
		}},
	}
}

func labelOr(label string, id api.Text) string {
	if label != "" {
		return label
	}
	if id == "0" {
		return ""
	}
	return string(id)
}

// PrintCustomer prints one created or fetched customer: through a pipe (and with -o
// json) as documented, at a terminal as FIELD / VALUE lines of every non-empty field.
func PrintCustomer(p *output.Printer, c *api.Customer, poolName string, forms ...*fields.Form) error {
	if !p.JSON() && p.IO.IsStdoutTTY() {
		return p.PrintTable(CustomerDetail(c, poolName, forms...))
	}
	return p.Print(c.Raw, CustomerTable(c, poolName))
}

// CustomerDetail is the view of one customer at a terminal: every non-empty field of
// the record, named in English and Chinese as the walk-through names them (the field
// catalogue), select fields by their labels, then custom fields (by their label in the
// first of forms that knows them, else by their key), the owner and dates.
func CustomerDetail(c *api.Customer, poolName string, forms ...*fields.Form) output.Table {
	var rec map[string]any
	dec := json.NewDecoder(bytes.NewReader(c.Raw))
	dec.UseNumber()
	if dec.Decode(&rec) != nil || rec == nil {
		return CustomerTable(c, poolName)
	}
	t := output.Table{Record: true}
	add := func(title, val string) {
		if val = strings.TrimSpace(val); val != "" {
			t.Header = append(t.Header, title)
			if len(t.Rows) == 0 {
				t.Rows = [][]string{nil}
			}
			t.Rows[0] = append(t.Rows[0], val)
		}
	}
	base := CustomerTable(c, poolName).Rows[0]
	add("ID", base[0])
	all := fields.All()
	// the name first, then the pool, then the catalogue's order
	slices.SortStableFunc(all, func(a, b fields.Field) int {
		rank := func(f fields.Field) int {
			switch f.Key {
			case "name":
				return 0
			case fields.PoolKey:
				return 1
			}
			return 2
		}
		return rank(a) - rank(b)
	})
	for _, f := range all {
		switch {
		case f.Key == fields.PoolKey:
			add(f.Title(), base[2])
		case f.Kind == fields.Select:
			v := scalar(rec[f.Key+"_mapped"])
			if v == "" {
				v = nonZero(scalar(rec[f.Key]))
			}
			add(f.Title(), v)
		default:
			add(f.Title(), recordValue(rec, f))
		}
	}
	custom := make([]string, 0)
	for k := range rec {
		if fields.IsCustomKey(k) {
			custom = append(custom, k)
		}
	}
	slices.Sort(custom)
	for _, k := range custom {
		title, val := k, scalar(rec[k])
		for _, form := range forms {
			if cf, ok := form.Field(k); ok {
				title = cf.Label
				break
			}
		}
		add(title, val)
	}
	add("Owner (负责人)", scalar(path(rec, "user", "name")))
	add("Created (创建时间)", scalar(rec["created_at"]))
	add("Updated (更新时间)", scalar(rec["updated_at"]))
	return t
}

// recordValue finds a catalogue field in a customer record: address_attributes[tel]
// is address.tel, contacts_attributes[0][name] contacts[0].name, a region id its
// region's name, the department id the owning department's name.
func recordValue(rec map[string]any, f fields.Field) string {
	head, rest, _ := strings.Cut(f.Key, "[")
	var parts []string
	for _, p := range strings.Split(strings.TrimSuffix(rest, "]"), "][") {
		if p != "" {
			parts = append(parts, p)
		}
	}
	switch {
	case head == "want_department_id":
		if v := scalar(path(rec, "owned_department", "name")); v != "" {
			return v
		}
	case head == "address_attributes" && len(parts) == 1 && strings.HasSuffix(parts[0], "_id"):
		if v := scalar(path(rec, "address", strings.TrimSuffix(parts[0], "_id"), "name")); v != "" {
			return v
		}
	}
	if obj, ok := strings.CutSuffix(head, "_attributes"); ok {
		if obj == "address" {
			return nonZero(scalar(path(rec, append([]string{"address"}, parts...)...)))
		}
		return nonZero(scalar(path(rec, append([]string{obj}, parts...)...)))
	}
	return nonZero(scalar(path(rec, append([]string{head}, parts...)...)))
}

// path walks maps by key and lists by index; nil where it leads nowhere.
func path(v any, keys ...string) any {
	for _, k := range keys {
		switch x := v.(type) {
		case map[string]any:
			v = x[k]
		case []any:
			i, err := strconv.Atoi(k)
			if err != nil || i < 0 || i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// scalar is a text or a number as text; "" for anything else.
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

// nonZero drops the 0 that stands for "none" in ids and numbers.
func nonZero(s string) string {
	if s == "0" {
		return ""
	}
	return s
}
