package importer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// validate is pass 1. It returns the number of the last non-empty row, the count of
// valid rows, duplicates included, and of the rows whose customer seen (when not nil)
// has as created.
func (r *runner) validate(ctx context.Context, rd Reader, seen LedgerStore) (lastRow, valid, inLedger int, err error) {
	var empties []int
	var keys []string // valid rows not yet looked up in seen
	count := func() error {
		if seen == nil {
			return nil
		}
		n, err := seen.CountCreated(ctx, keys)
		inLedger += n
		keys = keys[:0]
		return err
	}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			r.sum.Interrupted = true
			return 0, 0, 0, ErrInterrupted
		}
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, 0, 0, &InputError{i18n.Errorf("%s: %w", r.cfg.Path, err)}
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil {
			return 0, 0, 0, err
		}
		if v.Empty {
			empties = append(empties, v.Row)
			continue
		}
		for _, e := range empties {
			r.sum.Rows++
			r.invalid(&Verdict{Row: e, Problems: []RowProblem{{Reason: i18n.M("empty row")}}}, true)
		}
		empties = empties[:0]
		lastRow = v.Row
		r.sum.Rows++
		switch {
		case !v.Valid():
			r.invalid(v, true)
		case v.DuplicateOf != 0:
			r.sum.Duplicates++
			valid++
			r.list(r.cfg.T.Sprintf("row %d: duplicate of row %d (same name, mobile and telephone): imported once", v.Row, v.DuplicateOf))
		default:
			valid++
			if seen != nil {
				if keys = append(keys, ledgerKey(v, r.cfg.AllowDuplicates)); len(keys) == ledgerBatch {
					if err := count(); err != nil {
						return 0, 0, 0, err
					}
				}
			}
		}
	}
	if err := count(); err != nil {
		return 0, 0, 0, err
	}
	return lastRow, valid, inLedger, nil
}

// ledgerBatch is how many rows --dry-run asks the ledger about at once.
const ledgerBatch = 500

func (r *runner) invalid(v *Verdict, report bool) {
	r.sum.Invalid++
	if v.Empty {
		v.Problems = []RowProblem{{Reason: i18n.M("empty row")}}
	}
	msgs := make([]string, len(v.Problems))
	lines := make([]string, len(v.Problems))
	for i, p := range v.Problems {
		msgs[i] = p.String() // English: the summary's JSON and the results file are data
		lines[i] = r.cfg.T.Sprintf("row %d: %s", v.Row, p.Localize(r.cfg.T))
	}
	if report {
		r.list(lines...)
	}
	if len(r.sum.InvalidRows) < maxInvalidKept {
		r.sum.InvalidRows = append(r.sum.InvalidRows, InvalidRow{Row: v.Row, Problems: msgs})
	}
	_ = r.res.Write(Result{Row: v.Row, Status: StatusInvalid, Name: v.Name, Message: strings.Join(msgs, "; ")})
}

// detached is a context that an interruption does not cancel: a request in flight is
// finished and recorded.
func (r *runner) detached(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), r.cfg.InFlight)
}

// send is pass 2.
func (r *runner) send(ctx context.Context, rd Reader, lastRow int) error {
	bg := context.WithoutCancel(ctx) // journal reads: an interruption must not fail them
	for {
		rec, err := rd.Next()
		if errors.Is(err, io.EOF) {
			if r.sum.Interrupted {
				return ErrInterrupted
			}
			return nil
		}
		if err != nil {
			return err
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil {
			return err
		}
		if !r.sum.Interrupted && ctx.Err() != nil {
			r.sum.Interrupted = true
		}
		switch {
		case v.Empty && v.Row > lastRow:
			continue
		case !v.Valid():
			r.invalid(v, false)
			continue
		case v.DuplicateOf != 0:
			r.sum.Duplicates++
			r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, Message: fmt.Sprintf("duplicate of row %d", v.DuplicateOf)})
			continue
		}
		if r.sum.Interrupted {
			r.sum.Pending++
			continue
		}
		e, err := r.j.Get(bg, v.Row)
		if err != nil {
			return err
		}
		if r.led != nil {
			r.key = ledgerKey(v, r.cfg.AllowDuplicates)
		}
		switch e.State {
		case StateCreated:
			r.sum.AlreadyCreated++
			r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: e.CustomerID, Message: "created by an earlier run"})
			continue
		case StateFailed:
			if !r.cfg.RetryFailed {
				r.sum.Failed++
				r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, APICode: e.Code, Message: e.Message + " (an earlier run; --retry-failed tries it again)"})
				continue
			}
		}
		// What is known, before the row is sent, of the customers there already: the
		// answer of a check just made, or the highest id known (none yet: a matching_name
		// is asked, after the claim, as late as can be).
		var facts SendFacts
		var settled bool
		recovering := e.State == StateSent || e.State == StateUnknown
		if recovering {
			settled, facts, err = r.recover(ctx, v, e)
		} else {
			facts.Floor = r.maxID
		}
		if err == nil && !settled {
			settled, facts, err = r.claim(ctx, v, facts)
		}
		// (With --if-exists each row is checked by name before it is sent anyway; no
		// second check is made, and a lost answer with no id known yet is "unknown".)
		if err == nil && !settled && !facts.Checked && facts.Floor == 0 && r.cfg.IfExists == "" {
			facts, err = r.factsBefore(ctx, v)
		}
		if err != nil {
			if err := r.halt(ctx, rd, lastRow, err); err != nil {
				return err
			}
			continue
		}
		if settled {
			continue
		}
		if r.cfg.IfExists != "" {
			exists, err := r.exists(ctx, v)
			if err != nil {
				err = r.release(context.WithoutCancel(ctx), err)
				if err := r.halt(ctx, rd, lastRow, err); err != nil {
					return err
				}
				continue
			}
			if exists {
				continue
			}
		}
		if err := r.create(ctx, v, facts); err != nil {
			if errors.Is(err, ErrInterrupted) {
				r.sum.Interrupted = true
				r.sum.Pending++
				continue // count what is left; send nothing more
			}
			var ce *crashError
			if errors.As(err, &ce) {
				return err
			}
			r.sum.Pending++
			r.drain(ctx, rd, lastRow)
			return err
		}
	}
}

// halt settles a row whose check before sending failed with err: it stays pending. After
// an interruption the run goes on counting the rows (nil); any other error ends it, once
// the rows left are counted.
func (r *runner) halt(ctx context.Context, rd Reader, lastRow int, err error) error {
	r.sum.Pending++
	if ctx.Err() != nil {
		r.sum.Interrupted = true
		return nil
	}
	r.drain(ctx, rd, lastRow)
	return err
}

// drain counts the rows left after a stop.
func (r *runner) drain(ctx context.Context, rd Reader, lastRow int) {
	for {
		rec, err := rd.Next()
		if err != nil {
			return
		}
		v, err := r.val.Check(ctx, rec)
		if err != nil || (v.Empty && v.Row > lastRow) {
			continue
		}
		if !v.Valid() {
			r.invalid(v, false)
			continue
		}
		if v.DuplicateOf != 0 {
			r.sum.Duplicates++
			continue
		}
		r.sum.Pending++
	}
}

func (r *runner) write(res Result) {
	if err := r.res.Write(res); err != nil {
		r.cfg.T.Fprintf(r.cfg.Report, "crmctl: warning: results file: %v\n", err)
	}
}
