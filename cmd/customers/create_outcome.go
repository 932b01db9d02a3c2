package customers

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/kballard/go-shellquote"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/importer"
)

// createError is a failed create told in the user's terms. It wraps the errors that
// set the exit code (the create's own, and a cancellation of the check after it).
type createError struct {
	msg  i18n.Localizer
	errs []error
}

func (e *createError) Error() string   { return e.msg.Localize(i18n.New(i18n.English)) }
func (e *createError) Unwrap() []error { return e.errs }

// Localize tells the error in p's language.
func (e *createError) Localize(p *i18n.Printer) string { return e.msg.Localize(p) }

// interruptedBeforeSend says that an interruption came before the create left: nothing
// was created. err is returned as it is when it is no interruption.
func interruptedBeforeSend(ctx context.Context, err error) error {
	if ctx.Err() == nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return &createError{msg: i18n.M("interrupted before the customer was sent: nothing was created"), errs: []error{err}}
}

// createFailed explains a create that failed. When the request may have reached the CRM
// (no answer after it was written, an error page, an unreadable answer, an interruption
// in flight) the customer may exist, and the same command run again would create it a
// second time: the error says so, and a hint tells how to check.
//
// Unless the user interrupted the command, the check is made at once, as an import
// does, from facts and never from clocks (api.Reconcile): one duplicates/matching_name
// request (no retries, bounded by --timeout), and the record of each customer that
// could be the create's, for its mobile, telephone and email. A customer counts as the
// create's only if its name, contact details and pool match and its id is above the
// highest id known before the create (from the profile's import ledger): it is then
// reported as created. Customers that match but cannot be proven new (no id was known
// before) are reported as candidates. The exit code stays the create's own (4 for a
// timeout or a 5xx page, 1 for an unreadable answer), because the create itself got
// no answer. After an interruption nothing more is sent: the user asked to stop, and
// a second Ctrl-C could not end the check.
//
// progress, when not nil, is told in tr's language that a check is being made (a
// terminal's stderr).
func createFailed(ctx context.Context, client *api.Client, sent api.Sent, progress io.Writer, tr *i18n.Printer, err error) error {
	if !api.OutcomeUnknown(err) {
		return interruptedBeforeSend(ctx, err)
	}
	name := strings.TrimSpace(sent.Name)
	hint := checkHint(name)
	if ctx.Err() != nil {
		return cmdutil.WithHintf(&createError{
			msg:  i18n.M("interrupted after the request was sent: customer %q may have been created", name),
			errs: []error{err},
		}, "%s", hint)
	}
	lines := []i18n.Message{i18n.M("customer %q may have been created: the create got no usable answer: %v", name, err)}
	errs := []error{err}
	if name != "" {
		if progress != nil {
			tr.Fprintf(progress, "crmctl: no usable answer to the create: checking with matching_name whether customer %q exists\n", name)
		}
		rec, cerr := reconcileCreate(ctx, client, sent)
		switch {
		case cerr != nil && errors.Is(cerr, context.Canceled):
			lines = append(lines, i18n.M("the check by name (matching_name) was interrupted"))
			errs = append(errs, cerr)
		case cerr != nil:
			lines = append(lines, i18n.M("the check by name failed too: %v", cerr))
		case rec.Finding == api.Created:
			return cmdutil.WithHintf(&createError{
				msg: i18n.M("customer %q was created, as %s, but the answer to the create was lost: %v\n"+
					"matching_name finds customer %s of that name and contact details, newer than any customer known before the create",
					name, rec.ID, err, rec.ID),
				errs: errs,
			}, "do not run the command again, or the customer will be created twice; `crmctl customers get %s` shows it", rec.ID)
		case rec.Finding == api.Unknown:
			ids := make([]string, len(rec.Candidates))
			for i, c := range rec.Candidates {
				ids[i] = c.ID
			}
			return cmdutil.WithHintf(&createError{
				msg: i18n.M("customer %q may have been created: the create got no usable answer: %v\n"+
					"outcome unknown: matching_name finds customers that may be the create's, and nothing proves which: %s",
					name, err, rec.CandidateList()),
				errs: errs,
			}, "check them (`crmctl customers get %s`) before running the command again, or the customer may be created twice", ids[0])
		default:
			lines = append(lines, i18n.M("matching_name finds no customer of that name and contact details that the create could have made, but the CRM may still be processing it"))
		}
	}
	return cmdutil.WithHintf(&createError{msg: i18n.Join(lines, "\n"), errs: errs}, "%s", hint)
}

// checkHint tells how to check, before running the command again, whether an unanswered
// create made the customer.
func checkHint(name string) i18n.Message {
	if name == "" {
		return i18n.M("check in the CRM before running the command again, or the customer may be created twice")
	}
	return i18n.M("check before running the command again, or the customer may be created twice: "+
		"`crmctl customers find --name %s` lists the customers named %q", shellquote.Join(name), name)
}

// sentOf is what a create of resolved sends, for a reconciliation; floor is the highest
// customer id known before it.
func sentOf(resolved fields.Values, floor int64) api.Sent {
	return api.Sent{
		Name: resolved["name"], Pool: resolved[fields.PoolKey],
		Phone: resolved["address_attributes[phone]"], Tel: resolved["address_attributes[tel]"], Email: resolved["address_attributes[email]"],
		Floor: floor,
	}
}

// reconcileCreate asks matching_name, once, what an unanswered create did, reading the
// records of the customers that could be its own (each once, no retries).
func reconcileCreate(ctx context.Context, client *api.Client, sent api.Sent) (*api.Reconciliation, error) {
	once, err := client.With(func(o *api.Options) { o.MaxRetries = -1 })
	if err != nil {
		return nil, err
	}
	list, err := once.MatchingName(ctx, strings.TrimSpace(sent.Name))
	if err != nil {
		return nil, err
	}
	return api.Reconcile(ctx, sent, list, once.CommonCustomer)
}

// ledgerFloor reads the highest customer id the profile's import ledger knows (0 when
// there is none, or it cannot be read).
func ledgerFloor(settings func() (*config.Settings, error)) func(ctx context.Context) int64 {
	if settings == nil {
		return nil
	}
	return func(ctx context.Context) int64 {
		s, err := settings()
		if err != nil || s.DataDir == "" {
			return 0
		}
		led, err := importer.ReadLedger(ctx, importer.DefaultLedgerPath(s.DataDir, importer.JournalMeta{Profile: s.Profile.V, BaseURL: scopeOf(s)}))
		if err != nil || led == nil {
			return 0
		}
		defer led.Close()
		n, _ := led.MaxID(ctx)
		return n
	}
}
