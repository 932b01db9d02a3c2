package customers

import (
	"context"
	"strings"

	"github.com/kballard/go-shellquote"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/output"
)

// nameCheck asks duplicates/matching_name for a name, once: the walk-through's warning
// and --if-exists share the answer while the name stays the same.
type nameCheck struct {
	client func() (*api.Client, error)
	name   string
	list   *api.CustomerList
}

func (n *nameCheck) lookup(ctx context.Context, name string) (*api.CustomerList, error) {
	name = strings.TrimSpace(name)
	if n.list != nil && n.name == name {
		return n.list, nil
	}
	c, err := n.client()
	if err != nil {
		return nil, err
	}
	list, err := c.MatchingName(ctx, name)
	if err != nil {
		return nil, err
	}
	n.name, n.list = name, list
	return list, nil
}

// existing returns the customers that a create of the resolved values would repeat.
func (n *nameCheck) existing(ctx context.Context, v fields.Values) ([]api.Customer, error) {
	list, err := n.lookup(ctx, v["name"])
	if err != nil {
		return nil, err
	}
	return list.Existing(api.Match{
		Name:  v["name"],
		Phone: v["address_attributes[phone]"],
		Tel:   v["address_attributes[tel]"],
		Pool:  v[fields.PoolKey],
	}), nil
}

// existingFound answers --if-exists skip or fail when found customers exist: skip prints
// the one found as a create prints its customer; fail, or skip with several, is an error
// naming them. Nothing is sent either way.
func existingFound(p *output.Printer, opts *CreateOptions, found []api.Customer, pools []api.Pool, v fields.Values) error {
	name := strings.TrimSpace(v["name"])
	if opts.IfExists == IfExistsSkip && len(found) == 1 {
		c := &found[0]
		opts.IO.T().Fprintf(opts.IO.ErrOut, "customer %q exists (%s): not created (--if-exists skip)\n", name, describeCustomers(found, pools))
		if err := PrintCustomer(p, c, poolName(pools, v[fields.PoolKey])); err != nil {
			return err
		}
		return nil
	}
	what := i18n.M("exists")
	if len(found) > 1 {
		what = i18n.M("exists %d times", len(found))
	}
	err := i18n.Errorf("customer %q %s: not created (--if-exists %s)\n%s", name, what, opts.IfExists, describeCustomers(found, pools))
	if opts.IfExists == IfExistsSkip {
		err = i18n.Errorf("customer %q %s, and --if-exists skip needs exactly one to print: not created\n%s", name, what, describeCustomers(found, pools))
	}
	return cmdutil.WithHintf(err, "`crmctl customers find --name %s` lists the customers of that name", shellquote.Join(name))
}
