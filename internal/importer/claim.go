package importer

import (
	"context"
	"errors"
	"time"

	"github.com/gofrs/flock"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
)

// awaitPoll is how often a row whose customer another import is sending asks the
// ledger whether that import is done with it, for at most awaitMax.
const (
	awaitPoll = 250 * time.Millisecond
	awaitMax  = 2 * time.Minute
)

// teamFloor raises f's floor to the highest customer id a shared ledger knows now
// (other machines' imports create customers meanwhile): every id there existed before
// the row's request leaves.
func (r *runner) teamFloor(ctx context.Context, f SendFacts) (SendFacts, error) {
	fl, ok := r.led.(FactsLedger)
	if !ok || r.cfg.SharedLedger == nil {
		return f, nil
	}
	m, err := fl.MaxID(ctx)
	if err != nil {
		return f, err
	}
	r.see(m)
	f.Floor = max(f.Floor, m)
	return f, nil
}

// recordFacts records facts on the row's claim, in a ledger that keeps them.
func (r *runner) recordFacts(ctx context.Context, f SendFacts) error {
	if fl, ok := r.led.(FactsLedger); ok {
		return fl.RecordFacts(ctx, r.key, f)
	}
	return nil
}

// claim claims the row's customer in the ledger before it is sent, with facts, the
// SendFacts of the send to come. settled is true when the row is settled without a
// request: another import created its customer, or sent it without an answer and the
// customer was found and proven its own, or that is unknown. A customer that another
// import is sending right now (on this machine, or on another through a shared ledger)
// is waited for, a while: its outcome settles the row; past awaitMax the row is left
// for the next run. next are the facts to send with.
func (r *runner) claim(ctx context.Context, v *Verdict, facts SendFacts) (settled bool, next SendFacts, err error) {
	next = facts
	if r.led == nil {
		return false, next, nil
	}
	bg, cancel := r.detached(ctx)
	defer cancel()
	var (
		prev    LedgerEntry
		earlier i18n.Message // the import that claimed the customer first
	)
	start := r.cfg.Clock.Now()
	for waited := false; ; waited = true {
		var ok bool
		prev, ok, err = r.led.Claim(bg, r.key, r.j.Path, r.cfg.Path, v.Row, v.Name, time.Now())
		if err != nil {
			return false, next, err
		}
		if ok {
			if next, err = r.teamFloor(bg, next); err != nil {
				return false, next, err
			}
			return false, next, r.recordFacts(bg, next)
		}
		own := prev.Journal == r.j.Path && prev.Row == v.Row
		earlier = i18n.M("%s row %d", prev.File, prev.Row)
		if own {
			earlier = i18n.M("an earlier run")
		}
		switch {
		case prev.State == LedgerCreated:
			return true, next, r.adopt(bg, v, prev.CustomerID, i18n.M("created by %s", earlier))
		case own:
			// This row's claim, whose request never left or was settled by the journal.
			if err := r.led.Take(bg, r.key, r.j.Path, r.cfg.Path, v.Row, time.Now()); err != nil {
				return false, next, err
			}
			return false, next, r.recordFacts(bg, facts)
		case r.led.Busy(prev):
			if r.cfg.Clock.Now().Sub(start) >= awaitMax {
				r.sum.Unknown++
				r.write(Result{Row: v.Row, Status: StatusUnknown, Name: v.Name,
					Message: i18n.M("another import (%s) is sending this customer now: the next run checks again", earlier).String()})
				return true, next, nil
			}
			if !waited {
				r.cfg.T.Fprintf(r.cfg.Report, "row %d: another import (%s) is sending this customer now: waiting for its outcome\n", v.Row, earlier)
			}
			if err := r.cfg.Clock.Sleep(ctx, awaitPoll); err != nil {
				return false, next, err
			}
			continue
		}
		break
	}
	r.cfg.T.Fprintf(r.cfg.Report, "row %d: an import of %s sent this customer and got no answer: checking with matching_name\n", v.Row, earlier)
	rec, err := r.reconcile(ctx, v, prev.Facts)
	if err != nil {
		return false, next, err
	}
	next = SendFacts{Floor: r.maxID, Before: rec.Seen, Checked: true}
	switch {
	case rec.Finding == api.Created:
		if err := r.led.Created(bg, r.key, rec.ID, prev.Journal, prev.File, prev.Row, v.Name); err != nil {
			return false, next, err
		}
		return true, next, r.adopt(bg, v, rec.ID, i18n.M("sent by %s; the customer was found and proven its own", earlier))
	case rec.Finding == api.Unknown && !r.cfg.RetryUnknown:
		r.unknown(v, rec, i18n.M("sent by %s without a usable answer", earlier))
		return true, next, nil
	}
	if err := r.led.Take(bg, r.key, r.j.Path, r.cfg.Path, v.Row, time.Now()); err != nil {
		return false, next, err
	}
	return false, next, r.recordFacts(bg, next)
}

// adopt records a row whose customer an earlier import created: nothing is sent. The
// note is kept in English, as the results file has it.
func (r *runner) adopt(ctx context.Context, v *Verdict, id string, note i18n.Message) error {
	if err := r.j.MarkCreatedEarlier(ctx, v.Row, v.Name, id, note.String()); err != nil {
		return err
	}
	r.sum.AlreadyCreated++
	r.sum.ToCreate = max(r.sum.ToCreate-1, 0)
	r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: id, Message: note.String()})
	return nil
}

// ledgerCreated records the row's customer in the ledger.
func (r *runner) ledgerCreated(ctx context.Context, v *Verdict, id string) error {
	if r.led == nil {
		return nil
	}
	return r.led.Created(ctx, r.key, id, r.j.Path, r.cfg.Path, v.Row, v.Name)
}

// release gives up the row's claim (its request was refused or never left) and
// returns cause.
func (r *runner) release(ctx context.Context, cause error) error {
	if r.led == nil {
		return cause
	}
	if err := r.led.Release(ctx, r.key); err != nil {
		return errors.Join(cause, err)
	}
	return cause
}

// importRunning reports whether an import holds the journal at path.
func importRunning(path string) bool {
	lk := flock.New(path + ".lock")
	ok, err := lk.TryLock()
	if err != nil {
		return false
	}
	if ok {
		_ = lk.Unlock()
		return false
	}
	return true
}
