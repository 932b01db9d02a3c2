// Package customers is `crmctl customers`: create, get and import public-pool customers.
package customers

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// NewCmdCustomers builds `crmctl customers`.
func NewCmdCustomers(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "customers <command>",
		Short: "Create, find and show public-pool customers",
		Example: `  crmctl customers create --pool 公司公海 --name 贸易公司 --status 初访
  crmctl customers find --name 贸易公司
  crmctl customers get 18`,
	}
	cmd.Annotations = map[string]string{
		// The messages are the catalogue's (i18n.M marks them): they are printed in the
		// chosen language.
		cmdutil.AbsentAnnotation + "list": i18n.M("the ikcrm open API has no call that lists public-pool customers\n" +
			"`crmctl customers get ID` shows one customer; `crmctl pools list` lists the pools").Format,
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
