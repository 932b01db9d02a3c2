// Package pools is `crmctl pools`.
package pools

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/output"
)

// NewCmdPools builds `crmctl pools`.
func NewCmdPools(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "pools <command>",
		Short:   "Public pools / 公海",
		Example: "  crmctl pools list",
	}
	cmd.AddCommand(NewCmdList(f, nil))
	return cmd
}

// ListOptions are the inputs of `pools list`.
type ListOptions struct {
	IO      func() (*output.Printer, error)
	Lookups func() (*cmdutil.Lookups, error)
}

// NewCmdList builds `crmctl pools list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{IO: f.Printer, Lookups: f.Lookups}
	return &cobra.Command{
		Use:   "list",
		Short: "List the public pools and their ids / 列出公海及其 ID",
		Long: `List the public pools (公海) of the company: customers no salesperson owns yet.
A pool's id, or its exact name, is what ` + "`customers create --pool`" + ` takes.

The list is cached per profile (10 minutes by default); --refresh fetches it anew.`,
		Example: "  crmctl pools list\n  crmctl pools list -o json --jq '.[].name'",
		Args:    cmdutil.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(c.Context(), opts)
		},
	}
}

func listRun(ctx context.Context, opts *ListOptions) error {
	p, err := opts.IO()
	if err != nil {
		return err
	}
	lk, err := opts.Lookups()
	if err != nil {
		return err
	}
	list, err := lk.Pools(ctx)
	if err != nil {
		return err
	}
	t := output.Table{Header: []string{"ID", "NAME (名称)", "RETURN RULE (回收规则)", "CLAIM LIMIT (领取上限)"}}
	for _, pool := range list.Pools {
		t.Rows = append(t.Rows, []string{string(pool.ID), pool.Name, returnRule(pool), claimLimit(pool)})
	}
	return p.Print(list.Raw, t)
}

// RuleName describes a pool's rule_type: when customers flow back into it.
func RuleName(t api.Int) string {
	switch t {
	case 0:
		return "never"
	case 1:
		return "no follow-up"
	case 2:
		return "no deal"
	default:
		return fmt.Sprintf("rule %d", t)
	}
}

// returnRule describes when customers flow back into the pool, with the rule's number
// of days when the pool's rule_config gives it: "after 60 days without a deal".
func returnRule(p api.Pool) string {
	var days api.Int
	switch p.RuleType {
	case 1:
		days = p.RuleConfig.Owner.MaxUnfollowDay
	case 2:
		days = p.RuleConfig.Unsold.MaxUnfollowDay
	default:
		return RuleName(p.RuleType)
	}
	if days <= 0 {
		return RuleName(p.RuleType)
	}
	what := "without follow-up"
	if p.RuleType == 2 {
		what = "without a deal"
	}
	return fmt.Sprintf("after %s %s", plural(days, "day"), what)
}

// claimLimit describes how many customers a user may claim from the pool:
// limit_grab_count per limit_grab_day days ("20 per 7 days").
func claimLimit(p api.Pool) string {
	if !p.LimitGrabEnable {
		return "none"
	}
	switch n, days := p.LimitGrabCount, p.LimitGrabDay; {
	case n > 0 && days == 1:
		return fmt.Sprintf("%d a day", n)
	case n > 0 && days > 1:
		return fmt.Sprintf("%d per %d days", n, days)
	case n > 0:
		return fmt.Sprintf("%d", n)
	case days > 0:
		return fmt.Sprintf("limited (count not given) per %s", plural(days, "day"))
	}
	return "limited"
}

func plural(n api.Int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}
