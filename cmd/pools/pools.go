// Package pools is `crmctl pools`.
package pools

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/i18n"
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
	Printer func() (*output.Printer, error)
	Lookups func() (*cmdutil.Lookups, error)
}

// NewCmdList builds `crmctl pools list`.
func NewCmdList(f *cmdutil.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Printer: f.Printer, Lookups: f.Lookups}
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
	p, err := opts.Printer()
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
	// The rules are words for people: in the chosen language at a terminal, in English
	// through a pipe (as the headers), for scripts.
	cell := func(m i18n.Message) string { return m.String() }
	if p.IO.IsStdoutTTY() {
		cell = func(m i18n.Message) string { return m.Localize(p.IO.T()) }
	}
	t := output.Table{Header: []string{"ID", "NAME (名称)", "RETURN RULE (回收规则)", "CLAIM LIMIT (领取上限)"}}
	for _, pool := range list.Pools {
		t.Rows = append(t.Rows, []string{string(pool.ID), pool.Name, cell(returnRule(pool)), cell(claimLimit(pool))})
	}
	return p.Print(list.Raw, t)
}

// RuleName describes a pool's rule_type: when customers flow back into it.
func RuleName(t api.Int) i18n.Message {
	switch t {
	case 0:
		return i18n.M("never")
	case 1:
		return i18n.M("no follow-up")
	case 2:
		return i18n.M("no deal")
	default:
		return i18n.M("rule %d", t)
	}
}

// returnRule describes when customers flow back into the pool, with the rule's number
// of days when the pool's rule_config gives it: "after 60 days without a deal".
func returnRule(p api.Pool) i18n.Message {
	var days api.Int
	switch p.RuleType {
	case 1:
		days = p.RuleConfig.Owner.MaxUnfollowDay
	case 2:
		days = p.RuleConfig.Unsold.MaxUnfollowDay
	default:
		return RuleName(p.RuleType)
	}
	switch {
	case days <= 0:
		return RuleName(p.RuleType)
	case p.RuleType == 2 && days == 1:
		return i18n.M("after 1 day without a deal")
	case p.RuleType == 2:
		return i18n.M("after %d days without a deal", days)
	case days == 1:
		return i18n.M("after 1 day without follow-up")
	default:
		return i18n.M("after %d days without follow-up", days)
	}
}

// claimLimit describes how many customers a user may claim from the pool:
// limit_grab_count per limit_grab_day days ("20 per 7 days").
func claimLimit(p api.Pool) i18n.Message {
	if !p.LimitGrabEnable {
		return i18n.M("none")
	}
	switch n, days := p.LimitGrabCount, p.LimitGrabDay; {
	case n > 0 && days == 1:
		return i18n.M("%d a day", n)
	case n > 0 && days > 1:
		return i18n.M("%d per %d days", n, days)
	case n > 0:
		return i18n.M("%d", n)
	case days == 1:
		return i18n.M("limited (count not given) per 1 day")
	case days > 0:
		return i18n.M("limited (count not given) per %d days", days)
	}
	return i18n.M("limited")
}
