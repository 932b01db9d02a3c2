package customers

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/team"
)

func printSummary(opts *ImportOptions, s *importer.Summary) {
	w, tr := opts.IO.ErrOut, opts.IO.T()
	n := func(v int) i18n.Count { return i18n.Count(v) }
	if s.DryRun {
		tr.Fprintf(w, "dry run: %s (%s): %d row(s): %d to create, %d created by an earlier run, %d failed earlier, %d duplicate(s), %d invalid\n",
			s.File, s.Format, n(s.Rows), n(s.ToCreate), n(s.AlreadyCreated), n(s.Failed), n(s.Duplicates), n(s.Invalid))
		if s.Unknown > 0 {
			tr.Fprintf(w, "%d row(s) with an unknown outcome (see --retry-unknown)\n", n(s.Unknown))
		}
		if est := estimate(s.ToCreate*max(s.RequestsPerRow, 1), s.Rate); !est.IsZero() {
			if s.RequestsPerRow > 1 {
				tr.Fprintf(w, "sending %d row(s) at the rate limit %s takes %s (%d requests a row: --if-exists checks each one first)\n", n(s.ToCreate), s.Rate, est, s.RequestsPerRow)
			} else {
				tr.Fprintf(w, "sending %d row(s) at the rate limit %s takes %s\n", n(s.ToCreate), s.Rate, est)
			}
		}
		tr.Fprintf(w, "journal: %s\n", shortPath(s.Journal, opts.Getenv))
		return
	}
	tr.Fprintf(w, "imported %s: %d created", s.File, n(s.Created))
	if s.Recovered > 0 {
		tr.Fprintf(w, " (%d confirmed by matching_name)", n(s.Recovered))
	}
	tr.Fprintf(w, ", %d skipped (%d created earlier, %d duplicates", n(s.Skipped), n(s.AlreadyCreated), n(s.Duplicates))
	if s.Exists > 0 {
		tr.Fprintf(w, ", %d in the CRM already", n(s.Exists))
	}
	tr.Fprintf(w, "), %d refused by the API", n(s.Failed))
	if s.Unknown > 0 {
		tr.Fprintf(w, ", %d unknown (no usable answer; checked before any resend)", n(s.Unknown))
	}
	tr.Fprintf(w, ", %d invalid", n(s.Invalid))
	if s.Pending > 0 {
		tr.Fprintf(w, ", %d not sent yet", n(s.Pending))
	}
	tr.Fprintf(w, "\n%d request(s) sent, %d throttled answer(s), %s elapsed", i18n.Count(s.Requests), i18n.Count(s.Throttled), i18n.Duration(s.Elapsed().Round(time.Millisecond)))
	if s.Rate != "" {
		tr.Fprintf(w, ", rate limit %s", s.Rate)
	}
	fmt.Fprintln(w)
	if s.Results != "" {
		tr.Fprintf(w, "results: %s\n", shortPath(s.Results, opts.Getenv))
	}
	if s.Journal != "" {
		tr.Fprintf(w, "journal: %s\n", shortPath(s.Journal, opts.Getenv))
	}
}

// estimate is how long sending n requests takes at rate ("about 33 min"); "" when the rate
// is off or unknown, or there is nothing to send.
func estimate(n int, rate string) i18n.Message {
	r, err := pace.ParseRate(rate)
	if err != nil || r.IsOff() || r.N <= 0 || n <= 0 {
		return i18n.Message{}
	}
	d := time.Duration(float64(n) / float64(r.N) * float64(r.Window))
	switch {
	case d < time.Minute:
		return i18n.M("about %d s", max(int(d.Round(time.Second)/time.Second), 1))
	case d < time.Hour:
		return i18n.M("about %d min", int(d.Round(time.Minute)/time.Minute))
	default:
		d = d.Round(time.Minute)
		return i18n.M("about %d h %d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
}

// shortPath is path as a user would type it: relative to the working folder when it is
// inside it, else under ~ when it is in the home folder, else as it is.
func shortPath(path string, getenv func(string) (string, bool)) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return path
	}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return rel
		}
	}
	if getenv != nil {
		if home, ok := getenv("HOME"); ok && filepath.IsAbs(home) {
			if rel, err := filepath.Rel(home, abs); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				return filepath.Join("~", rel)
			}
		}
	}
	return path
}

func printResult(p *output.Printer, s *importer.Summary) error {
	if s == nil {
		return nil
	}
	if !p.JSON() {
		if !s.DryRun || s.Rows == 0 {
			return nil
		}
		// The plan of a dry run is data: a short table on stdout.
		return p.PrintTable(output.Table{
			Header: []string{"ROWS", "TO CREATE", "CREATED EARLIER", "FAILED EARLIER", "DUPLICATES", "INVALID"},
			Rows: [][]string{{strconv.Itoa(s.Rows), strconv.Itoa(s.ToCreate), strconv.Itoa(s.AlreadyCreated),
				strconv.Itoa(s.Failed), strconv.Itoa(s.Duplicates), strconv.Itoa(s.Invalid)}},
		})
	}
	b, err := output.Marshal(s)
	if err != nil {
		return err
	}
	return p.PrintJSON(b)
}

func mapImportError(opts *ImportOptions, settings *config.Settings, s *importer.Summary, err error) error {
	resume := i18n.M("resume with: %s", opts.resume.String())
	// A --timeout shorter than the default that a request ran out of is what stopped
	// the run: the same command would stop there again, so the resume command leaves it
	// out and the default applies. A longer one stays: it was chosen on purpose, and
	// the default would time out sooner.
	if errors.Is(err, context.DeadlineExceeded) && settings.Timeout.Source == config.SourceFlag && settings.Timeout.V < config.DefaultTimeout {
		resume = i18n.M("resume with: %s (without --timeout=%s: a request took longer)", opts.resume.with(nil, "timeout"), settings.Timeout.V)
	}
	var (
		invalid *importer.InvalidFileError
		input   *importer.InputError
		unknown *importer.UnknownColumnsError
	)
	switch {
	case err == nil:
		return failedRows(opts, s)
	case errors.As(err, &invalid), errors.As(err, &unknown), errors.As(err, &input):
		return &cmdutil.UsageError{Err: err}
	case errors.Is(err, importer.ErrInterrupted):
		opts.IO.T().Fprintf(opts.IO.ErrOut, "the journal is saved; %s\n", resume)
		return &interruptedError{pending: s.Pending}
	case errors.As(err, new(*team.UnavailableError)):
		if s.Results == "" {
			return cmdutil.WithHint(err, "nothing was sent: check that the team's Redis runs and that CRMCTL_REDIS_URL (or the profile's redis_url) names it")
		}
		return cmdutil.WithHintf(err, "sending stopped; the journal is saved. Once the team's Redis answers again, %s", resume)
	case errors.Is(err, importer.ErrJournalBusy):
		return cmdutil.WithHint(err, "wait for the other import to finish, or pass another --journal")
	case api.IsAuthError(err):
		if s.Journal == "" || s.DryRun || s.Results == "" {
			return err
		}
		return cmdutil.WithHintf(err, "log in (`crmctl auth login`, or set CRMCTL_LOGIN and CRMCTL_PASSWORD), then %s", resume)
	default:
		if s.Results == "" {
			return err
		}
		return cmdutil.WithHintf(err, "the journal is saved; %s", resume)
	}
}

// failedRows is the error of a run that finished with rows the API refused (fix them,
// then --retry-failed) or rows without a usable answer (the same command checks them
// with matching_name before sending them again); nil when there are none.
func failedRows(opts *ImportOptions, s *importer.Summary) error {
	if s.Failed+s.Unknown == 0 {
		return nil
	}
	var what, hints []i18n.Message
	if s.Failed > 0 {
		what = append(what, i18n.M("%d row(s) refused by the API", i18n.Count(s.Failed)))
		hints = append(hints, i18n.M("fix the refused rows in the file, then run again with --retry-failed: %s", opts.resume.with([]string{"retry-failed"})))
	}
	if s.Unknown > 0 {
		what = append(what, i18n.M("%d row(s) with no usable answer (server or network trouble)", i18n.Count(s.Unknown)))
		hints = append(hints, i18n.M("run the same command again later: it checks the unanswered rows with matching_name before sending them again: %s", opts.resume.String()))
		if slices.ContainsFunc(s.UnknownRows, func(u importer.UnknownRow) bool { return u.Candidates != "" }) {
			hints = append(hints, i18n.M("%s", "rows with candidates are never sent again on their own: check the candidates (`crmctl customers get ID`); if none is the row's, run again with --retry-unknown"))
		}
	}
	err := i18n.Errorf("%s (see %s)", i18n.Join(what, ", "), shortPath(s.Results, opts.Getenv))
	hint := hints[0]
	if len(hints) > 1 {
		hint = i18n.M("%s\nhint: %s", hints[0], hints[1])
	}
	return cmdutil.WithHintf(&cmdutil.PartialError{Err: err}, "%s", hint)
}

// interruptedError is an import stopped by Ctrl-C or SIGTERM (exit 130).
type interruptedError struct{ pending int }

func (e *interruptedError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize tells the error in p's language.
func (e *interruptedError) Localize(p *i18n.Printer) string {
	return p.Sprintf("interrupted: %d row(s) not sent yet", i18n.Count(e.pending))
}

func (e *interruptedError) Unwrap() error { return cmdutil.ErrCancel }
