package importer

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

// firstPass is what pass 1 made of the file: pass 2 reads it again, and finds it as
// pass 1 left it.
type firstPass struct {
	lastRow  int // the last non-empty row
	valid    int // valid rows, duplicates included
	inLedger int // --dry-run: valid rows whose customer the ledger has as created
	sum      string
	stat     os.FileInfo
}

// openFirst opens the input for pass 1 and notes its format; a CSV file's encoding,
// decided now, is kept for pass 2.
func (r *runner) openFirst(src string, spooled bool) (Reader, error) {
	rd, err := Open(src, r.cfg.Read)
	if err != nil {
		if spooled {
			err = &renamedError{err: err, from: src, to: r.cfg.Path}
		}
		return nil, &InputError{err}
	}
	r.sum.Format = rd.Describe()
	if c, ok := rd.(*csvReader); ok {
		r.cfg.Read.decided = c.enc // pass 2 reads the file as pass 1 did
	}
	return rd, nil
}

// renamedError is err with a path in its text replaced: the spooled copy of standard
// input or a pipe named as the user named it.
type renamedError struct {
	err      error
	from, to string
}

func (e *renamedError) Error() string { return strings.ReplaceAll(e.err.Error(), e.from, e.to) }

// Localize tells the error in p's language.
func (e *renamedError) Localize(p *i18n.Printer) string {
	return strings.ReplaceAll(p.Error(e.err), e.from, e.to)
}

// newValidator resolves --pool and readies the row checks, whose look-ups log in again
// once when the token is refused. m is the file's columns (nil for JSONL).
func (r *runner) newValidator(ctx context.Context, m *Mapping) error {
	var headerOf map[string]string
	if m != nil {
		headerOf = m.HeaderOf
	}
	if strings.TrimSpace(r.cfg.Pool) == "" && m != nil && headerOf[fields.PoolKey] == "" {
		// Every row would be invalid for it: one line says why.
		return &InputError{i18n.Errorf("--pool is required: the file has no 公海 (pool) column")}
	}
	v, err := NewValidator(ctx, r.lookups(), r.cfg.Pool, headerOf, r.cfg.AllowDuplicates)
	if err != nil {
		return err
	}
	v.SetDefaultTemplate(r.cfg.TemplateID)
	r.val = v
	return nil
}

// lookups are Config.Lookups, each logging in again once when the token is refused.
func (r *runner) lookups() Lookups {
	in := r.cfg.Lookups
	lk := Lookups{
		Pools:     func(ctx context.Context) ([]api.Pool, error) { return loggedIn(ctx, r, in.Pools) },
		FieldMaps: func(ctx context.Context) (*api.FieldMapList, error) { return loggedIn(ctx, r, in.FieldMaps) },
	}
	if in.Form != nil {
		lk.Form = func(ctx context.Context, template string) (*fields.Form, error) {
			return loggedIn(ctx, r, func(ctx context.Context) (*fields.Form, error) { return in.Form(ctx, template) })
		}
	}
	if in.Departments != nil {
		lk.Departments = func(ctx context.Context) ([]api.Department, error) { return loggedIn(ctx, r, in.Departments) }
	}
	return lk
}

// loggedIn is get, run by r.withLogin.
func loggedIn[T any](ctx context.Context, r *runner, get func(context.Context) (T, error)) (out T, err error) {
	err = r.withLogin(ctx, func() (e error) { out, e = get(ctx); return e })
	return out, err
}

// ledgerPath is the ledger file ("" for none).
func (r *runner) ledgerPath() string {
	if r.cfg.LedgerPath == "" && r.cfg.DataDir != "" {
		return DefaultLedgerPath(r.cfg.DataDir, r.cfg.Meta)
	}
	return r.cfg.LedgerPath
}

// seenLedger is, for --dry-run, the ledger whose created customers pass 1 counts (nil:
// none, or not a dry run), and what closes it.
func (r *runner) seenLedger(ctx context.Context, lpath string) (LedgerStore, func(), error) {
	nop := func() {}
	switch {
	case !r.cfg.DryRun:
		return nil, nop, nil
	case r.cfg.SharedLedger != nil:
		return r.cfg.SharedLedger, nop, nil
	case lpath == "":
		return nil, nop, nil
	}
	l, err := ReadLedger(ctx, lpath)
	if err != nil || l == nil {
		return nil, nop, err
	}
	return l, func() { _ = l.Close() }, nil
}

// firstPass validates every row of rd, then closes it.
func (r *runner) firstPass(ctx context.Context, src string, rd Reader, seen LedgerStore) (*firstPass, error) {
	p := &firstPass{}
	var err error
	p.lastRow, p.valid, p.inLedger, err = r.validate(ctx, rd, seen)
	r.listRest()
	p.sum = hex.EncodeToString(rd.Sum())
	rd.Close()
	if err != nil {
		return nil, err
	}
	if p.stat, err = os.Stat(src); err != nil {
		return nil, err
	}
	r.val.Freeze()
	return p, nil
}

// journalFor names the journal of this file (its content's sum) and its path.
func (r *runner) journalFor(fileSum string) (JournalMeta, string) {
	meta := r.cfg.Meta
	meta.Pool, meta.FileSum, meta.File = r.val.DefaultPool(), fileSum, r.cfg.Path
	jpath := r.cfg.JournalPath
	if jpath == "" {
		jpath = DefaultJournalPath(r.cfg.DataDir, meta)
	}
	r.sum.Journal = jpath
	return meta, jpath
}

// plan counts, for --dry-run, what a run would send: the valid rows less the
// duplicates, the rows the ledger (inLedger: there is one) or else the journal has as
// created, and the rows the journal has as failed or unknown unless they are retried.
func (r *runner) plan(ctx context.Context, jpath string, inLedger bool, p *firstPass) error {
	r.sum.ToCreate = p.valid - r.sum.Duplicates
	if inLedger {
		// Every created row is in the ledger, whichever file it came from.
		r.sum.AlreadyCreated = p.inLedger
		r.sum.ToCreate -= p.inLedger
	}
	if counts := earlierCounts(ctx, jpath); counts != nil {
		if !inLedger {
			r.sum.AlreadyCreated = counts[StateCreated]
			r.sum.ToCreate -= counts[StateCreated]
		}
		if !r.cfg.RetryFailed {
			r.sum.Failed = counts[StateFailed]
			r.sum.ToCreate -= counts[StateFailed]
		}
		if !r.cfg.RetryUnknown {
			r.sum.Unknown = counts[StateUnknown]
			r.sum.ToCreate -= counts[StateUnknown]
		}
	}
	r.sum.ToCreate = max(r.sum.ToCreate, 0)
	if r.sum.Invalid > 0 && !r.cfg.SkipInvalid {
		return &InvalidFileError{Count: r.sum.Invalid, Valid: p.valid}
	}
	return nil
}

// earlierCounts counts the rows of the journal at jpath by state; nil when there is
// none, or it cannot be read (a dry run plans without it).
func earlierCounts(ctx context.Context, jpath string) map[State]int {
	j, err := ReadJournal(ctx, jpath)
	if err != nil || j == nil {
		return nil
	}
	defer j.Close()
	counts, err := j.Counts(ctx)
	if err != nil {
		return nil
	}
	return counts
}

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
