package importer

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/pace"
)

// recover settles a row an earlier run left "sent" or "unknown", from facts
// (api.Reconcile): the customer proven the row's is recorded (settled); with none found
// the row is sent again, with facts telling its customer from the ones there now; an
// unknown outcome stays unknown (settled) unless --retry-unknown.
func (r *runner) recover(ctx context.Context, v *Verdict, e Entry) (settled bool, next SendFacts, err error) {
	rec, err := r.reconcile(ctx, v, e.Facts)
	if err != nil {
		return false, next, err
	}
	bg, cancel := r.detached(ctx)
	defer cancel()
	next = SendFacts{Floor: r.maxID, Before: rec.Seen, Checked: true}
	switch rec.Finding {
	case api.Created:
		if err := r.ledgerCreated(bg, v, rec.ID); err != nil {
			return false, next, err
		}
		if err := r.j.MarkCreated(bg, v.Row, rec.ID, "an earlier request got no answer; the customer was found and proven the row's"); err != nil {
			return false, next, err
		}
		r.sum.Created++
		r.sum.Recovered++
		r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: rec.ID, Message: i18n.M("an earlier request got no answer; matching_name found the customer, proven the row's").String()})
		r.cfg.Progress.Update(r.sum)
		return true, next, nil
	case api.Unknown:
		if r.cfg.RetryUnknown {
			r.cfg.T.Fprintf(r.cfg.Report, "row %d: outcome unknown (candidates %s): sent again, as --retry-unknown asks\n", v.Row, rec.CandidateList())
			return false, next, nil
		}
		if e.State != StateUnknown {
			if err := r.j.MarkUnknown(bg, v.Row, "candidates: "+rec.CandidateList()); err != nil {
				return false, next, err
			}
		}
		r.unknown(v, rec, i18n.M("an earlier request got no usable answer"))
		return true, next, nil
	}
	r.cfg.T.Fprintf(r.cfg.Report, "row %d: an earlier request got no answer and created no customer: sending it again\n", v.Row)
	return false, next, nil
}

// unknown reports a row whose outcome is unknown: in the chosen language on the
// report, in English in the summary's JSON and the results file (data for scripts).
func (r *runner) unknown(v *Verdict, rec *api.Reconciliation, why i18n.Message) {
	r.sum.Unknown++
	u := UnknownRow{Row: v.Row, Name: v.Name, Candidates: rec.CandidateList()}
	reason := i18n.M("%s; no customer of its name and details is found yet: the next run checks again, and sends it again only if it still finds none", why)
	if len(rec.Candidates) > 0 {
		reason = i18n.M("%s; these customers may be its own, and nothing proves which: check them, then run again with --retry-unknown to send it again (or leave it)", why)
	}
	u.Reason = reason.String()
	if len(r.sum.UnknownRows) < maxInvalidKept {
		r.sum.UnknownRows = append(r.sum.UnknownRows, u)
	}
	msg := reason
	if u.Candidates != "" {
		msg = i18n.M("candidates %s: %s", u.Candidates, reason)
	}
	r.cfg.T.Fprintf(r.cfg.Report, "row %d: outcome unknown: %s\n", v.Row, msg)
	r.write(Result{Row: v.Row, Status: StatusUnknown, Name: v.Name, Message: msg.String()})
}

// see raises the highest id known to exist.
func (r *runner) see(id int64) {
	r.maxID = max(r.maxID, id)
}

func (r *runner) seeID(id string) {
	if n, err := strconv.ParseInt(strings.TrimSpace(id), 10, 64); err == nil {
		r.see(n)
	}
}

// factsBefore asks, before v is sent when no customer id is known yet (a first import),
// one matching_name of the row's name, so that its customer can be told from the ones
// there now; the row's claim in the ledger records the answer.
func (r *runner) factsBefore(ctx context.Context, v *Verdict) (SendFacts, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	if err != nil {
		return SendFacts{}, i18n.Errorf("row %d: listing the customers named %q before sending: %w", v.Row, v.Name, err)
	}
	f := SendFacts{Checked: true}
	for _, c := range list.Customers {
		if id := strings.TrimSpace(string(c.ID)); id != "" {
			f.Before = append(f.Before, id)
			r.seeID(id)
		}
	}
	f.Floor = r.maxID
	if r.led != nil {
		bg, cancel := r.detached(ctx)
		defer cancel()
		if err := r.recordFacts(bg, f); err != nil {
			return f, err
		}
	}
	return f, nil
}

// reconcile decides from facts what an unanswered request for v, sent with f, did: one
// matching_name, and the records of the customers that could be the row's (for their
// contact details). A refused token (code 100401) is handled as for a create: one
// login and the same question again.
func (r *runner) reconcile(ctx context.Context, v *Verdict, f SendFacts) (*api.Reconciliation, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	if err != nil {
		return nil, i18n.Errorf("row %d: checking whether an unanswered request created %q: %w", v.Row, v.Name, err)
	}
	fetch := func(ctx context.Context, id string) (c *api.Customer, err error) {
		err = r.withLogin(ctx, func() (e error) { c, e = r.client.CommonCustomer(ctx, id); return e })
		return c, err
	}
	sent := api.Sent{
		Name: v.Name, Pool: v.Values[fields.PoolKey],
		Phone: v.Values["address_attributes[phone]"], Tel: v.Values["address_attributes[tel]"], Email: v.Values["address_attributes[email]"],
		Floor: f.Floor, Before: f.Before, Checked: f.Checked,
		Owned: func(ctx context.Context, id string) (bool, error) {
			if own, err := r.j.OwnedByOther(ctx, id, v.Row); own || err != nil {
				return own, err
			}
			if fl, ok := r.led.(FactsLedger); ok {
				return fl.OwnedByOther(ctx, id, r.key)
			}
			return false, nil
		},
	}
	rec, err := api.Reconcile(ctx, sent, list, fetch)
	if err != nil {
		return nil, i18n.Errorf("row %d: checking whether an unanswered request created %q: %w", v.Row, v.Name, err)
	}
	r.see(rec.MaxID)
	return rec, nil
}

// exists asks the CRM, for --if-exists, whether the row's customer exists: the same name,
// mobile and telephone, in the row's pool (api.CustomerList.Existing). When it does, the
// row is settled without a request: skipped with the customer's id (skip, one customer),
// or failed naming them (fail, or several with skip); its ledger claim is given up and
// the journal keeps it unsent, so that a later run asks again. A refused token is
// handled as for a create.
func (r *runner) exists(ctx context.Context, v *Verdict) (bool, error) {
	var list *api.CustomerList
	err := r.withLogin(ctx, func() (e error) { list, e = r.client.MatchingName(ctx, v.Name); return e })
	r.cfg.Progress.Update(r.sum)
	if err != nil {
		return false, i18n.Errorf("row %d: checking whether customer %q exists (--if-exists %s): %w", v.Row, v.Name, r.cfg.IfExists, err)
	}
	found := list.Existing(api.Match{
		Name:  v.Name,
		Phone: v.Values["address_attributes[phone]"],
		Tel:   v.Values["address_attributes[tel]"],
		Pool:  v.Values["common_id"],
	})
	if len(found) == 0 {
		return false, nil
	}
	if err := r.release(context.WithoutCancel(ctx), nil); err != nil {
		return false, err
	}
	ids := make([]string, len(found))
	for i, c := range found {
		ids[i] = string(c.ID)
	}
	if r.cfg.IfExists == IfExistsSkip && len(found) == 1 {
		r.sum.Exists++
		r.sum.ToCreate = max(r.sum.ToCreate-1, 0)
		r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: ids[0],
			Message: i18n.M("exists in the CRM (--if-exists skip)").String()})
		return true, nil
	}
	msg := i18n.M("exists in the CRM as customer %s (--if-exists fail)", ids[0])
	if len(found) > 1 {
		msg = i18n.M("exists %d times in the CRM, as customers %s (--if-exists %s)", len(found), strings.Join(ids, ", "), r.cfg.IfExists)
	}
	r.sum.Failed++
	if r.refused++; r.refused <= MaxListed {
		r.cfg.T.Fprintf(r.cfg.Report, "row %d (%s): not sent: %s\n", v.Row, shorten(r.cfg.T, v.Name, maxQuoted), msg)
	}
	r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, CustomerID: strings.Join(ids, " "), Message: msg.String()})
	return true, nil
}

// create sends one row: journal "sent", wait for the slot, request, journal outcome,
// result.
func (r *runner) create(ctx context.Context, v *Verdict, facts SendFacts) error {
	cfg := r.cfg
	for {
		if ctx.Err() != nil {
			return ErrInterrupted
		}
		bg, cancel := r.detached(ctx)
		r.facts = facts
		err := r.j.MarkSent(bg, v.Row, v.Name, facts)
		if err == nil && cfg.Hooks.AfterMarkSent != nil {
			if herr := cfg.Hooks.AfterMarkSent(v.Row); herr != nil {
				err = &crashError{herr}
			}
		}
		if err != nil {
			cancel()
			return err
		}
		// The request itself is not cancelled by an interruption (it is finished and
		// recorded); the wait for its slot is.
		cust, err := r.client.CreateCommonCustomer(bg, v.Values.Form())
		if cfg.Hooks.AfterAnswer != nil {
			if herr := cfg.Hooks.AfterAnswer(v.Row); herr != nil {
				cancel()
				return &crashError{herr}
			}
		}
		retry, err := r.outcome(bg, v, cust, err)
		cancel()
		r.cfg.Progress.Update(r.sum)
		if !retry {
			return err
		}
	}
}

// outcome records the answer to a create. retry is true when the row should be sent
// again at once (after a new login).
func (r *runner) outcome(ctx context.Context, v *Verdict, cust *api.Customer, err error) (retry bool, _ error) {
	var (
		apiErr *api.Error
		netErr *api.NetworkError
		thr    *api.ThrottledError
		canc   *api.CanceledError
		wait   *pace.WaitError
	)
	switch {
	case err == nil:
		r.loginOK = true
		r.seeID(string(cust.ID))
		if err := r.ledgerCreated(ctx, v, string(cust.ID)); err != nil {
			return false, err
		}
		if err := r.j.MarkCreated(ctx, v.Row, string(cust.ID), ""); err != nil {
			return false, err
		}
		r.sum.Created++
		r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: string(cust.ID)})
		return false, nil
	case errors.As(err, &apiErr) && apiErr.IsAuth():
		// Refused before it was processed.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		if err := r.relogin(ctx, err); err != nil {
			return false, r.release(ctx, err)
		}
		return true, nil
	case errors.As(err, &apiErr):
		r.loginOK = true
		if err := r.j.MarkFailed(ctx, v.Row, apiErr.Code, apiErr.Message); err != nil {
			return false, err
		}
		if err := r.release(ctx, nil); err != nil {
			return false, err
		}
		r.sum.Failed++
		r.noteRefused(v.Row, v.Name, apiErr)
		r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, APICode: apiErr.Code, Message: apiErr.Error()})
		return false, nil
	case errors.Is(err, pace.ErrWaitInterrupted):
		// Interrupted before the request left.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		return false, r.release(ctx, ErrInterrupted)
	case errors.As(err, &thr), errors.As(err, &netErr) && !netErr.MaybeSent, errors.As(err, &canc) && !canc.MaybeSent,
		errors.Is(err, api.ErrNoToken), errors.As(err, &wait):
		// It certainly was not processed: the row stays pending; the run stops.
		if jerr := r.j.Unsend(ctx, v.Row); jerr != nil {
			return false, jerr
		}
		return false, r.release(ctx, err)
	default:
		// The request may have been processed (no answer, a 5xx page, an answer that
		// could not be read): ask matching_name before anything is sent again.
		r.cfg.T.Fprintf(r.cfg.Report, "row %d: no usable answer (%v): checking with matching_name\n", v.Row, err)
		rec, lerr := r.reconcile(ctx, v, r.facts)
		if lerr != nil {
			return false, lerr // the row stays "sent": the next run checks it again
		}
		switch rec.Finding {
		case api.Created:
			if err := r.ledgerCreated(ctx, v, rec.ID); err != nil {
				return false, err
			}
			if err := r.j.MarkCreated(ctx, v.Row, rec.ID, "no answer; the customer was found and proven the row's"); err != nil {
				return false, err
			}
			r.sum.Created++
			r.sum.Recovered++
			r.write(Result{Row: v.Row, Status: StatusCreated, Name: v.Name, CustomerID: rec.ID, Message: i18n.M("no answer; matching_name found the customer, proven the row's").String()})
		case api.Unknown:
			if err := r.j.MarkUnknown(ctx, v.Row, "candidates: "+rec.CandidateList()); err != nil {
				return false, err
			}
			r.unknown(v, rec, i18n.M("no usable answer (%v)", err))
		default:
			// The row stays "sent": the CRM may still be carrying the request out.
			r.unknown(v, rec, i18n.M("no usable answer (%v)", err))
		}
		return false, nil
	}
}
