package customers

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/pace"
)

func TestImportFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	var got *ImportOptions
	cmd := NewCmdImport(f, func(o *ImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"leads.csv", "--pool", "公司公海", "--map", "公司=name", "--map", "备用=-", "--skip-invalid",
		"--rate", "50/1s", "--encoding", "gbk", "--delimiter", ";", "--results", "out.jsonl", "--dry-run"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "leads.csv" || got.Pool != "公司公海" || len(got.Maps) != 2 || !got.SkipInvalid || got.Rate != "50/1s" ||
		got.Encoding != "gbk" || got.Delimiter != ";" || got.Results != "out.jsonl" || !got.DryRun || got.ProgressEvery != 50 {
		t.Fatalf("options: %+v", got)
	}
	// The resume command repeats the file and flags, without --dry-run.
	want := `import leads.csv --delimiter=\; --encoding=gbk --map=公司=name --map=备用=- --pool=公司公海 --rate=50/1s --results=out.jsonl --skip-invalid`
	if got.resume.String() != want {
		t.Errorf("resume command:\n got %s\nwant %s", got.resume.String(), want)
	}
}

// --delimiter takes any one character; the help says so.
func TestImportDelimiterHelp(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdImport(&cmdutil.Factory{IOStreams: ios}, nil)
	if u := cmd.Flag("delimiter").Usage; !strings.Contains(u, "any one character") || !strings.Contains(u, "|") {
		t.Errorf("--delimiter help: %q", u)
	}
}

func TestImportArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	for _, args := range [][]string{{}, {"a.csv", "b.csv"}, {"a.csv", "--template", "t.xlsx"}, {"a.csv", "--progress-every", "0"},
		{"a.csv", "--results", "out.txt"}, {"a.csv", "--results", "out"}} {
		cmd := NewCmdImport(f, func(*ImportOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	// The results file's extension chooses its format.
	for _, name := range []string{"out.csv", "OUT.JSONL", "out.ndjson"} {
		cmd := NewCmdImport(f, func(*ImportOptions) error { return nil })
		cmd.SetArgs([]string{"a.csv", "--results", name})
		if err := cmd.Execute(); err != nil {
			t.Errorf("--results %s: %v", name, err)
		}
	}
	cmd := NewCmdImport(f, func(o *ImportOptions) error {
		if o.Template != "t.xlsx" || o.File != "" {
			t.Errorf("template: %+v", o)
		}
		return nil
	})
	cmd.SetArgs([]string{"--template", "t.xlsx"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
}

// parseImport parses `crmctl import ARGS...` with the real global flags and returns the
// options the command would run with.
func parseImport(t *testing.T, args ...string) *ImportOptions {
	t.Helper()
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios, Globals: &cmdutil.Globals{}}
	var got *ImportOptions
	root := &cobra.Command{Use: "crmctl"}
	f.Globals.Bind(root.PersistentFlags())
	root.AddCommand(NewCmdImport(f, func(o *ImportOptions) error { got = o; return nil }))
	root.SetArgs(append([]string{"import"}, args...))
	if err := root.Execute(); err != nil {
		t.Fatal(err)
	}
	return got
}

func hintOf(t *testing.T, err error) string {
	t.Helper()
	var h *cmdutil.HintError
	if !errors.As(err, &h) {
		t.Fatalf("%v: no hint", err)
	}
	return h.Hint
}

// The resume command names each flag once, and leaves out a short --timeout that
// stopped the run.
func TestImportResumeHint(t *testing.T) {
	opts := parseImport(t, "f.csv", "--pool", "45", "--retry-failed", "--results", "r.jsonl", "--sandbox",
		"--timeout", "2s", "--allow-duplicates=false", "--pool", "45")
	short := &config.Settings{Timeout: config.Value[time.Duration]{V: 2 * time.Second, Source: config.SourceFlag, From: "--timeout"}}
	whole := "crmctl import f.csv --allow-duplicates=false --pool=45 --results=r.jsonl --retry-failed --sandbox --timeout=2s"
	if got := opts.resume.String(); got != whole {
		t.Fatalf("resume command:\n got %s\nwant %s", got, whole)
	}

	// Rows failed: run again with --retry-failed, once.
	hint := hintOf(t, mapImportError(opts, short, &importer.Summary{Failed: 1, Results: "r.jsonl"}, nil))
	if want := "crmctl import f.csv --allow-duplicates=false --pool=45 --results=r.jsonl --sandbox --timeout=2s --retry-failed"; !strings.HasSuffix(hint, ": "+want) {
		t.Errorf("failed rows:\n got %s\nwant ...: %s", hint, want)
	}

	// A request ran out of the 2s: the resume command does not repeat them.
	timedOut := fmt.Errorf("row 2: GET /api/v2/duplicates/matching_name: %w", context.DeadlineExceeded)
	hint = hintOf(t, mapImportError(opts, short, &importer.Summary{Results: "r.jsonl", Journal: "j.db"}, timedOut))
	if want := "crmctl import f.csv --allow-duplicates=false --pool=45 --results=r.jsonl --retry-failed --sandbox (without --timeout=2s"; !strings.Contains(hint, "resume with: "+want) {
		t.Errorf("timeout:\n got %s\nwant resume with: %s", hint, want)
	}

	// A timeout not shorter than the default, or another error, keeps the flag.
	long := &config.Settings{Timeout: config.Value[time.Duration]{V: time.Minute, Source: config.SourceFlag, From: "--timeout"}}
	for name, tc := range map[string]struct {
		s   *config.Settings
		err error
	}{"long timeout": {long, timedOut}, "other error": {short, errors.New("connection refused")}} {
		hint = hintOf(t, mapImportError(opts, tc.s, &importer.Summary{Results: "r.jsonl", Journal: "j.db"}, tc.err))
		if !strings.HasSuffix(hint, "resume with: "+whole) {
			t.Errorf("%s:\n got %s\nwant resume with: %s", name, hint, whole)
		}
	}
}

// Rows without a usable answer are not "fixed" with --retry-failed: the same command
// checks them before sending them again. Refused rows are.
func TestFailedRowsHintFitsTheFailure(t *testing.T) {
	opts := &ImportOptions{resume: resumeLine{words: []string{"crmctl", "customers", "import", "f.csv"}}}
	err := failedRows(opts, &importer.Summary{Unknown: 2, Results: "r.csv"})
	var h *cmdutil.HintError
	if !errors.As(err, &h) || err.Error() != "2 row(s) with no usable answer (server or network trouble) (see r.csv)" ||
		strings.Contains(h.Hint, "retry-failed") || strings.Contains(h.Hint, "fix") || !strings.Contains(h.Hint, "run the same command again later") ||
		strings.Contains(h.Hint, "--retry-unknown") {
		t.Errorf("unknown only: %v / %+v", err, h)
	}
	// Rows with candidates are sent again only when the user says so.
	err = failedRows(opts, &importer.Summary{Unknown: 1, Results: "r.csv", UnknownRows: []importer.UnknownRow{{Row: 3, Candidates: "100012 (matches)"}}})
	if !errors.As(err, &h) || !strings.Contains(h.Hint, "--retry-unknown") {
		t.Errorf("unknown with candidates: %v / %+v", err, h)
	}
	err = failedRows(opts, &importer.Summary{Failed: 1, Unknown: 1, Results: "r.csv"})
	if !errors.As(err, &h) || !strings.HasPrefix(err.Error(), "1 row(s) refused by the API, 1 row(s) with no usable answer") ||
		!strings.Contains(h.Hint, "--retry-failed") || !strings.Contains(h.Hint, "matching_name") {
		t.Errorf("both: %v / %+v", err, h)
	}
	if err := failedRows(opts, &importer.Summary{Created: 3}); err != nil {
		t.Errorf("none failed: %v", err)
	}
}

func TestEstimate(t *testing.T) {
	for _, tc := range []struct {
		n    int
		rate string
		want string
	}{
		{2000, "10/10s", "about 33 min"},
		{5, "10/10s", "about 5 s"},
		{10000, "10/10s", "about 2 h 47 min"},
		{100, "off", ""},
		{0, "10/10s", ""},
		{100, "", ""},
	} {
		if got := estimate(tc.n, tc.rate).String(); got != tc.want {
			t.Errorf("estimate(%d, %q) = %q, want %q", tc.n, tc.rate, got, tc.want)
		}
	}
}

// Each field flag names the CRM's label once.
func TestCreateFlagHelpNamesTheLabelOnce(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	cmd := NewCmdCreate(&cmdutil.Factory{IOStreams: ios}, nil)
	for _, f := range fields.All() {
		fl := cmd.Flag(f.Flag)
		if fl == nil {
			t.Fatalf("no --%s", f.Flag)
		}
		if n := strings.Count(fl.Usage, "("+f.Label+")"); n != 1 {
			t.Errorf("--%s: %q names (%s) %d times", f.Flag, fl.Usage, f.Label, n)
		}
	}
}

func TestRateWarning(t *testing.T) {
	remote := &config.Settings{BaseURL: config.Value[string]{V: "https://lxcrm.weiwenjia.com"}}
	local := &config.Settings{BaseURL: config.Value[string]{V: "http://127.0.0.1:8710"}}
	sandbox := &config.Settings{BaseURL: config.Value[string]{V: "https://lxcrm.weiwenjia.com"}, Sandbox: config.Value[bool]{V: true}}
	for _, tc := range []struct {
		rate string
		s    *config.Settings
		warn bool
	}{
		{"50/1s", remote, true},
		{"20/20s", remote, true}, // a burst of 20 in one window
		{"10/10s", remote, false},
		{"5/10s", remote, false},
		{"off", remote, false},
		{"50/1s", local, false},
		{"50/1s", sandbox, false},
	} {
		r, err := pace.ParseRate(tc.rate)
		if err != nil {
			t.Fatal(err)
		}
		if got := rateWarning(r, tc.s).String(); (got != "") != tc.warn || (tc.warn && !strings.Contains(got, "above the API's documented limit of 10 requests per 10s")) {
			t.Errorf("%s against %s (sandbox %v): %q", tc.rate, tc.s.BaseURL.V, tc.s.Sandbox.V, got)
		}
	}
}

func TestCheckMobile(t *testing.T) {
	for _, ok := range []string{"13900001111", "139 0000 1111", "139-0000-1111", "+86 139 0000 1111", "+44 7700 900123"} {
		if err := checkMobile(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"1390000111", "23900001111", "139000011112", "abc", "139O0001111", "+86 1390000", "+1 23"} {
		if err := checkMobile(bad); err == nil {
			t.Errorf("%q passes", bad)
		}
	}
	f, _ := fields.ByKey("address_attributes[phone]")
	if validator(f)("12345") == nil || validator(f)("") != nil {
		t.Error("the walk-through does not check a mobile number")
	}
}
