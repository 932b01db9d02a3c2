package customers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/kballard/go-shellquote"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/fields"
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
	findHint := fmt.Sprintf("`crmctl customers find --name %s` lists the customers of that name", shellquote.Join(name))
	if opts.IfExists == IfExistsSkip && len(found) == 1 {
		c := &found[0]
		fmt.Fprintf(opts.IO.ErrOut, "customer %q exists (%s): not created (--if-exists skip)\n", name, describeCustomers(found, pools))
		if err := PrintCustomer(p, c, poolName(pools, v[fields.PoolKey])); err != nil {
			return err
		}
		return nil
	}
	what := "exists"
	if len(found) > 1 {
		what = fmt.Sprintf("exists %d times", len(found))
	}
	msg := fmt.Sprintf("customer %q %s: not created (--if-exists %s)\n%s", name, what, opts.IfExists, describeCustomers(found, pools))
	if opts.IfExists == IfExistsSkip {
		msg = fmt.Sprintf("customer %q %s, and --if-exists skip needs exactly one to print: not created\n%s", name, what, describeCustomers(found, pools))
	}
	return cmdutil.WithHint(errors.New(msg), findHint)
}
