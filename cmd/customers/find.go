package customers

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
)

// FindOptions are the inputs of `customers find`.
type FindOptions struct {
	IO      *iostreams.IOStreams
	Printer func() (*output.Printer, error)
	Client  func() (*api.Client, error)
	// CachedPools names the customers' pools from the cache (no request).
	CachedPools func() []api.Pool

	Name, Phone, Tel string
}

// NewCmdFind builds `crmctl customers find --name NAME`.
func NewCmdFind(f *cmdutil.Factory, runF func(*FindOptions) error) *cobra.Command {
	opts := &FindOptions{IO: f.IOStreams, Printer: f.Printer, Client: f.Client, CachedPools: func() []api.Pool {
		lk, err := f.Lookups()
		if err != nil {
			return nil
		}
		return lk.StalePools()
	}}
	cmd := &cobra.Command{
		Use:   "find --name NAME",
		Short: "Find the customers of an exact name, in any pool or owned / 按完整名称查找客户（任意公海或名下）",
		Long: `Find the customers whose name is exactly NAME (after trimming spaces), in any public
pool or owned by a salesperson, with GET /api/v2/duplicates/matching_name: the API's only
search, and the way to check whether a customer exists before creating it (see
` + "`customers create --if-exists`" + `), or whether a create that got no answer made it.

--phone and --tel narrow the answer by mobile and telephone, compared by their digits
("010-6488 1989" is 01064881989); a customer whose record in the answer carries no
numbers is not ruled out. The narrowing is made by crmctl: it costs no request.

The table shows ID, NAME, POOL (the pool's name, or "owner NAME" for a customer that
left its pool), STATUS, PHONE/TEL and CREATED. -o json prints the matching records as
the API sent them, as an array ([] when none). One request, retried like every read.`,
		Example: `  crmctl customers find --name 贸易公司
  crmctl customers find --name 贸易公司 --tel 010-64881989 -o json --jq '.[].id'`,
		Args: cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts.Name = strings.TrimSpace(opts.Name)
			if opts.Name == "" {
				return cmdutil.UsageErrorf("--name is required: the customer's exact name (客户名称)")
			}
			if runF != nil {
				return runF(opts)
			}
			return findRun(c.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Name, "name", "", "the customer's exact name (客户名称); required")
	cmd.Flags().StringVar(&opts.Phone, "phone", "", "only customers with this mobile number (手机)")
	cmd.Flags().StringVar(&opts.Tel, "tel", "", "only customers with this telephone number (电话)")
	return cmd
}

func findRun(ctx context.Context, opts *FindOptions) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	client, err := opts.Client()
	if err != nil {
		return err
	}
	list, err := client.MatchingName(ctx, opts.Name)
	if err != nil {
		return err
	}
	found := list.Existing(api.Match{Name: opts.Name, Phone: opts.Phone, Tel: opts.Tel})
	var pools []api.Pool
	if opts.CachedPools != nil {
		pools = opts.CachedPools()
	}
	if !p.JSON() && len(found) == 0 {
		opts.IO.T().Fprintf(opts.IO.ErrOut, "%s\n", notFound(opts.Name, opts.Phone, opts.Tel))
		return nil
	}
	return p.Print(recordsJSON(found), CustomersTable(found, pools))
}

func notFound(name, phone, tel string) i18n.Message {
	phone, tel = strings.TrimSpace(phone), strings.TrimSpace(tel)
	switch {
	case phone != "" && tel != "":
		return i18n.M("no customer is named %q with mobile %s and telephone %s", name, phone, tel)
	case phone != "":
		return i18n.M("no customer is named %q with mobile %s", name, phone)
	case tel != "":
		return i18n.M("no customer is named %q with telephone %s", name, tel)
	}
	return i18n.M("no customer is named %q", name)
}

// recordsJSON is the customers' records as the API sent them, as a JSON array.
func recordsJSON(cs []api.Customer) json.RawMessage {
	raws := make([]json.RawMessage, 0, len(cs))
	for _, c := range cs {
		raws = append(raws, c.Raw)
	}
	b, _ := json.Marshal(raws) // RawMessages of a decoded answer: valid JSON
	return b
}

// CustomersTable lists customers found by name: where each one is (its pool, or its
// owner once it left the pool) and its numbers.
func CustomersTable(cs []api.Customer, pools []api.Pool) output.Table {
	t := output.Table{Header: []string{"ID", "NAME", "POOL", "STATUS", "PHONE/TEL", "CREATED"}}
	for i := range cs {
		c := &cs[i]
		t.Rows = append(t.Rows, []string{string(c.ID), c.Name, whereIs(c, pools),
			labelOr(c.StatusMapped, c.Status), numbers(c), c.CreatedAt})
	}
	return t
}

// whereIs names a customer's pool (its record's name for it, the cached pools', or the
// id), or its owner when it is in no pool.
func whereIs(c *api.Customer, pools []api.Pool) string {
	if name := strings.TrimSpace(c.CommonSettingName); name != "" {
		return name
	}
	if c.CommonID != "" {
		return poolName(pools, string(c.CommonID))
	}
	owner := strings.TrimSpace(c.UserName)
	if owner == "" && c.User != nil {
		owner = c.User.Name
	}
	if owner == "" && c.UserID != "" {
		owner = "user " + string(c.UserID)
	}
	if owner == "" {
		return ""
	}
	return "owner " + owner
}

func numbers(c *api.Customer) string {
	if c.Address == nil {
		return ""
	}
	var n []string
	for _, s := range []api.Text{c.Address.Phone, c.Address.Tel} {
		if v := strings.TrimSpace(string(s)); v != "" {
			n = append(n, v)
		}
	}
	return strings.Join(n, " / ")
}

// describeCustomers lists customers in one line each: "18 贸易公司, 公司公海".
func describeCustomers(cs []api.Customer, pools []api.Pool) string {
	var lines []string
	for i := range cs {
		c := &cs[i]
		line := string(c.ID) + " " + c.Name
		if w := whereIs(c, pools); w != "" {
			line += ", " + w
		}
		if n := numbers(c); n != "" {
			line += ", " + n
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
