package importer

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

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

// openStores opens what pass 2 records in: the journal, the ledger, the results file.
// closeAll closes what was opened, even after an error.
func (r *runner) openStores(ctx context.Context, jpath string, meta JournalMeta, lpath string) (closeAll func(), err error) {
	var closers []func() error
	closeAll = func() {
		for i := len(closers) - 1; i >= 0; i-- {
			_ = closers[i]()
		}
	}
	if r.j, err = OpenJournal(ctx, jpath, meta); err != nil {
		return closeAll, err
	}
	closers = append(closers, r.j.Close)
	closeLedger, err := r.openLedger(ctx, lpath)
	if closeLedger != nil {
		closers = append(closers, closeLedger)
	}
	if err != nil {
		return closeAll, err
	}
	jmax, err := r.j.MaxID(ctx)
	if err != nil {
		return closeAll, err
	}
	r.see(jmax)
	rpath := r.cfg.ResultsPath
	if rpath == "" {
		rpath = strings.TrimSuffix(jpath, ".db") + ".results.csv"
	}
	if r.res, err = CreateResults(rpath); err != nil {
		return closeAll, i18n.Errorf("results file: %w", err)
	}
	closers = append(closers, r.res.Close)
	r.sum.Results = rpath
	return closeAll, nil
}

// openLedger opens the ledger (the shared one, or the file at lpath; none when both
// are unset) and learns the highest customer id it knows. close is nil when there is
// nothing to close.
func (r *runner) openLedger(ctx context.Context, lpath string) (close func() error, err error) {
	switch {
	case r.cfg.SharedLedger != nil:
		r.led = r.cfg.SharedLedger
		if fl, ok := r.led.(FactsLedger); ok {
			r.maxID, err = fl.MaxID(ctx)
		}
		return nil, err
	case lpath != "":
		l, err := OpenLedger(ctx, lpath)
		if err != nil {
			return nil, err
		}
		r.led = l
		r.maxID, err = l.MaxID(ctx)
		return l.Close, err
	}
	return nil, nil
}

// countToSend counts the rows pass 2 is to send, from the journal; pass 2 counts the
// invalid rows and the duplicates again as it goes.
func (r *runner) countToSend(ctx context.Context, valid int) error {
	counts, err := r.j.Counts(ctx)
	if err != nil {
		return err
	}
	r.sum.ToCreate = valid - r.sum.Duplicates - counts[StateCreated]
	if !r.cfg.RetryFailed {
		r.sum.ToCreate -= counts[StateFailed]
	}
	if !r.cfg.RetryUnknown {
		r.sum.ToCreate -= counts[StateUnknown]
	}
	r.sum.ToCreate = max(r.sum.ToCreate, 0)
	r.sum.Invalid = 0 // counted again as the rows are written out
	r.sum.Duplicates = 0
	r.sum.InvalidRows = r.sum.InvalidRows[:0]
	return nil
}

// secondPass reads the file again and sends its rows, then makes sure the file did not
// change in between.
func (r *runner) secondPass(ctx context.Context, src string, p *firstPass) error {
	rd, err := Open(src, r.cfg.Read)
	if err != nil {
		return err
	}
	defer rd.Close()
	r.cfg.Progress.Start(r.sum.ToCreate)
	err = r.send(ctx, rd, p.lastRow)
	r.cfg.Progress.Finish(r.sum)
	r.refusedRest()
	if err != nil {
		return err
	}
	if st, serr := os.Stat(src); serr == nil && (st.Size() != p.stat.Size() || !st.ModTime().Equal(p.stat.ModTime())) {
		return i18n.Errorf("%s changed during the import: check the results file %s", r.cfg.Path, r.sum.Results)
	}
	if got := hex.EncodeToString(rd.Sum()); got != p.sum {
		return i18n.Errorf("%s changed during the import: check the results file %s", r.cfg.Path, r.sum.Results)
	}
	return nil
}

// send is pass 2: each row is sent, or settled without a request; the rows left after
// an interruption or a stop are counted as pending.
func (r *runner) send(ctx context.Context, rd Reader, lastRow int) error {
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
		if r.notToSend(v, lastRow) {
			continue
		}
		if r.sum.Interrupted {
			r.sum.Pending++
			continue
		}
		if err := r.sendRow(ctx, rd, lastRow, v); err != nil {
			return err
		}
	}
}

// notToSend settles a row that is not to be sent, whatever the journal says: a
// trailing empty row (ignored), an invalid row, a repeat of an earlier row.
func (r *runner) notToSend(v *Verdict, lastRow int) bool {
	switch {
	case v.Empty && v.Row > lastRow:
		return true
	case !v.Valid():
		r.invalid(v, false)
		return true
	case v.DuplicateOf != 0:
		r.sum.Duplicates++
		r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, Message: i18n.M("duplicate of row %d", v.DuplicateOf).String()})
		return true
	}
	return false
}

// sendRow sends one valid row, unless the journal, the ledger or the CRM settle it
// first. A nil error goes on to the next row; any other stops the run (the rows left
// are counted).
func (r *runner) sendRow(ctx context.Context, rd Reader, lastRow int, v *Verdict) error {
	e, err := r.j.Get(context.WithoutCancel(ctx), v.Row) // an interruption must not fail it
	if err != nil {
		return err
	}
	if r.led != nil {
		r.key = ledgerKey(v, r.cfg.AllowDuplicates)
	}
	if r.settledEarlier(v, e) {
		return nil
	}
	settled, facts, err := r.prepare(ctx, v, e)
	if err != nil {
		return r.halt(ctx, rd, lastRow, err)
	}
	if settled {
		return nil
	}
	if r.cfg.IfExists != "" {
		exists, err := r.exists(ctx, v)
		if err != nil {
			return r.halt(ctx, rd, lastRow, r.release(context.WithoutCancel(ctx), err))
		}
		if exists {
			return nil
		}
	}
	return r.sendCreate(ctx, rd, lastRow, v, facts)
}

// settledEarlier settles a row an earlier run created, or one the API refused then
// (unless --retry-failed).
func (r *runner) settledEarlier(v *Verdict, e Entry) bool {
	switch {
	case e.State == StateCreated:
		r.sum.AlreadyCreated++
		r.write(Result{Row: v.Row, Status: StatusSkipped, Name: v.Name, CustomerID: e.CustomerID, Message: i18n.M("created by an earlier run").String()})
		return true
	case e.State == StateFailed && !r.cfg.RetryFailed:
		r.sum.Failed++
		r.write(Result{Row: v.Row, Status: StatusFailed, Name: v.Name, APICode: e.Code, Message: i18n.M("%s (an earlier run; --retry-failed tries it again)", e.Message).String()})
		return true
	}
	return false
}

// prepare learns what is known, before the row is sent, of the customers there already:
// the answer of a check just made, or the highest id known (none yet: a matching_name
// is asked, after the claim, as late as can be). A row an earlier run sent without an
// answer is reconciled first; the row is claimed in the ledger. settled is true when
// that settles the row without a request.
func (r *runner) prepare(ctx context.Context, v *Verdict, e Entry) (settled bool, facts SendFacts, err error) {
	if e.State == StateSent || e.State == StateUnknown {
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
	return settled, facts, err
}

// sendCreate sends the row's create. After an interruption the run goes on counting
// the rows (nil); a hook's crash ends it at once; any other error ends it, once the rows
// left are counted.
func (r *runner) sendCreate(ctx context.Context, rd Reader, lastRow int, v *Verdict, facts SendFacts) error {
	err := r.create(ctx, v, facts)
	if err == nil {
		return nil
	}
	if errors.Is(err, ErrInterrupted) {
		r.sum.Interrupted = true
		r.sum.Pending++
		return nil // count what is left; send nothing more
	}
	var ce *crashError
	if errors.As(err, &ce) {
		return err
	}
	r.sum.Pending++
	r.drain(ctx, rd, lastRow)
	return err
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
