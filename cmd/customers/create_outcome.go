package customers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/kballard/go-shellquote"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
)

// createError is a failed create told in the user's terms. It wraps the errors that
// set the exit code (the create's own, and a cancellation of the check after it).
type createError struct {
	msg  string
	errs []error
}

func (e *createError) Error() string   { return e.msg }
func (e *createError) Unwrap() []error { return e.errs }

// interruptedBeforeSend says that an interruption came before the create left: nothing
// was created. err is returned as it is when it is no interruption.
func interruptedBeforeSend(ctx context.Context, err error) error {
	if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return &createError{msg: "interrupted before the customer was sent: nothing was created", errs: []error{err}}
}

// createFailed explains a create that failed. When the request may have reached the CRM
// (no answer after it was written, an error page, an unreadable answer, an interruption
// in flight) the customer may exist, and the same command run again would create it a
// second time: the error says so, and a hint tells how to check.
//
// Unless the user interrupted the command, the check is made at once, as an import
// does: one duplicates/matching_name request (no retries, bounded by --timeout). A
// customer of that name created since the request is most likely the one, and its id
// is reported; the exit code stays the create's own (4 for a timeout or a 5xx page, 1
// for an unreadable answer), because the create itself got no answer and a name is no
// proof. After an interruption nothing more is sent: the user asked to stop, and a
// second Ctrl-C could not end the check.
//
// progress, when not nil, is told that a check is being made (a terminal's stderr).
func createFailed(ctx context.Context, client *api.Client, name, pool string, sentAt time.Time, progress io.Writer, err error) error {
	if !api.OutcomeUnknown(err) {
		return interruptedBeforeSend(ctx, err)
	}
	name = strings.TrimSpace(name)
	hint := checkHint(name)
	if ctx.Err() != nil {
		return cmdutil.WithHint(&createError{
			msg:  fmt.Sprintf("interrupted after the request was sent: customer %q may have been created", name),
			errs: []error{err},
		}, hint)
	}
	lines := []string{fmt.Sprintf("customer %q may have been created: the create got no usable answer: %v", name, err)}
	errs := []error{err}
	if name != "" {
		if progress != nil {
			fmt.Fprintf(progress, "crmctl: no usable answer to the create: checking with matching_name whether customer %q exists\n", name)
		}
		found, cerr := lookupCreated(ctx, client, name, pool, sentAt)
		switch {
		case cerr != nil && errors.Is(cerr, context.Canceled):
			lines = append(lines, "the check by name (matching_name) was interrupted")
			errs = append(errs, cerr)
		case cerr != nil:
			lines = append(lines, fmt.Sprintf("the check by name failed too: %v", cerr))
		case found != nil:
			return cmdutil.WithHint(&createError{
				msg: fmt.Sprintf("customer %q was most likely created, as %s, but the answer to the create was lost: %v\n"+
					"matching_name finds customer %s of that name, created %s%s",
					name, found.ID, err, found.ID, found.CreatedAt, inPool(found)),
				errs: errs,
			}, fmt.Sprintf("do not run the command again, or the customer may be created twice; `crmctl customers get %s` shows it", found.ID))
		default:
			lines = append(lines, "matching_name finds no customer of that name created since the request, but the CRM may still be processing it")
		}
	}
	return cmdutil.WithHint(&createError{msg: strings.Join(lines, "\n"), errs: errs}, hint)
}

// checkHint tells how to check, before running the command again, whether an unanswered
// create made the customer.
func checkHint(name string) string {
	if name == "" {
		return "check in the CRM before running the command again, or the customer may be created twice"
	}
	return fmt.Sprintf("check before running the command again, or the customer may be created twice: "+
		"`crmctl customers find --name %s` lists the customers named %q", shellquote.Join(name), name)
}

func inPool(c *api.Customer) string {
	if c.CommonID == "" {
		return ""
	}
	return " in pool " + string(c.CommonID)
}

// lookupCreated asks matching_name, once, for the customer an unanswered create of name
// in pool most likely made (api.CustomerList.CreatedBy): nil when there is none.
func lookupCreated(ctx context.Context, client *api.Client, name, pool string, sentAt time.Time) (*api.Customer, error) {
	once, err := client.With(func(o *api.Options) { o.MaxRetries = -1 })
	if err != nil {
		return nil, err
	}
	list, err := once.MatchingName(ctx, name)
	if err != nil {
		return nil, err
	}
	return list.CreatedBy(name, pool, sentAt), nil
}
