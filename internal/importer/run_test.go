package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/pace"

	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

func TestRunCreatesEveryRowOnceAndResumeSkipsThem(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("导入甲", 12)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 12 || sum.Failed != 0 || a.count(createKey) != 12 {
		t.Fatalf("created %d, failed %d, POSTs %d", sum.Created, sum.Failed, a.count(createKey))
	}
	res := readResults(t, sum.Results)
	if strings.Count(res, ",created,") != 12 {
		t.Fatalf("results:\n%s", res)
	}
	for _, p := range []string{sum.Journal, sum.Results} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v %v, want 0600", p, st.Mode().Perm(), err)
		}
	}
	// The same command again: nothing is sent.
	sum, err = Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil {
		t.Fatal(err)
	}
	if sum.AlreadyCreated != 12 || sum.Created != 0 || a.count(createKey) != 12 {
		t.Fatalf("resume: %+v, POSTs %d", sum, a.count(createKey))
	}
	onceEach(t, a, ns)
}

func TestRunValidationFirstSendsNothing(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "bad.csv"), "name,status,email,parent-id\nA,初访,a@b.cn,\nB,出访,x,\n,初访,,\nD,,,abc\n")
	cfg := a.config(t, p, dir)
	report := &bytes.Buffer{}
	cfg.Report = report
	sum, err := Run(context.Background(), cfg)
	var inv *InvalidFileError
	if !errors.As(err, &inv) || inv.Count != 3 {
		t.Fatalf("err = %v, want 3 invalid rows", err)
	}
	if a.count(createKey) != 0 {
		t.Fatal("a request was sent for an invalid file")
	}
	for _, want := range []string{
		`row 3: column status: unknown option "出访"; did you mean "初访"?`,
		`row 3: column email: "x" is not an email address`,
		`row 4: column name: the customer name (客户名称) is empty`,
		`row 5: column parent-id: "abc" is not a positive integer id`,
	} {
		if !strings.Contains(report.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if len(sum.InvalidRows) != 3 {
		t.Errorf("invalid rows = %+v", sum.InvalidRows)
	}
	// --skip-invalid imports the one good row and lists the others as invalid.
	cfg = a.config(t, p, dir)
	cfg.SkipInvalid = true
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.Created != 1 || sum.Invalid != 3 {
		t.Fatalf("--skip-invalid: %v %+v", err, sum)
	}
	if res := readResults(t, sum.Results); strings.Count(res, ",invalid,") != 3 {
		t.Fatalf("results:\n%s", res)
	}
}

func TestRunNoPool(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "p.csv"), "name,公海\nA,超级公海\nB,\nC,不存在的公海\n")
	cfg := a.config(t, p, dir)
	cfg.Pool = ""
	report := &bytes.Buffer{}
	cfg.Report = report
	_, err := Run(context.Background(), cfg)
	var inv *InvalidFileError
	if !errors.As(err, &inv) || inv.Count != 2 {
		t.Fatalf("err = %v\n%s", err, report)
	}
	if !strings.Contains(report.String(), "row 3: column 公海: no pool") || !strings.Contains(report.String(), `row 4: column 公海: no pool is named or numbered "不存在的公海"`) {
		t.Fatalf("report:\n%s", report)
	}
}

func TestRunDuplicatesInFile(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "d.csv"), "name,phone\n重复公司,138 0000 0001\n重复公司,13800000001\n重复公司,13900000000\n")
	cfg := a.config(t, p, dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 2 || sum.Duplicates != 1 || a.count(createKey) != 2 {
		t.Fatalf("%v %+v", err, sum)
	}
	if !strings.Contains(readResults(t, sum.Results), "3,skipped,重复公司,,,duplicate of row 2") {
		t.Fatal(readResults(t, sum.Results))
	}
	// --allow-duplicates sends it (a new journal: another file).
	writeAt(t, p, "name,phone\n重复公司二,1\n重复公司二,1\n")
	cfg = a.config(t, p, dir)
	cfg.AllowDuplicates = true
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.Created != 2 {
		t.Fatalf("--allow-duplicates: %v %+v", err, sum)
	}
}

var errCrashed = errors.New("simulated crash")

// crashAt is a hook that simulates a crash at one row.
func crashAt(row int) func(int) error {
	return func(r int) error {
		if r == row {
			return errCrashed
		}
		return nil
	}
}

func TestCrashBeforeTheRequestResends(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("崩溃前", 5)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterMarkSent = crashAt(4)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("err = %v", err)
	}
	if a.count(createKey) != 2 {
		t.Fatalf("POSTs = %d, want 2 (rows 2, 3)", a.count(createKey))
	}
	j, _ := ReadJournal(context.Background(), filepath.Join(dir, "imports", "import-"+journalKeyOf(cfg)+".db"))
	if e, _ := j.Get(context.Background(), 4); e.State != StateSent {
		t.Fatalf("row 4 is %s, want sent", e.State)
	}
	j.Close()
	sum, err := Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil {
		t.Fatal(err)
	}
	// Row 4 was checked (none found) and sent; rows 5, 6 sent; 2, 3 skipped. The
	// first run asked matching_name once too, before its first send, when no customer
	// id was known yet.
	if a.count(matchKey) != 2 || a.count(createKey) != 5 || sum.AlreadyCreated != 2 || sum.Created != 3 {
		t.Fatalf("matching %d, POSTs %d, %+v", a.count(matchKey), a.count(createKey), sum)
	}
	onceEach(t, a, ns)
}

func journalKeyOf(cfg Config) string {
	r, _ := Open(cfg.Path, cfg.Read)
	for {
		if _, err := r.Next(); err != nil {
			break
		}
	}
	defer r.Close()
	return JournalKey(JournalMeta{Profile: cfg.Meta.Profile, BaseURL: cfg.Meta.BaseURL, Pool: "45", FileSum: fmt.Sprintf("%x", r.Sum())})
}

func TestCrashAfterTheAnswerDoesNotResend(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("崩溃后", 4)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterAnswer = crashAt(3)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("err = %v", err)
	}
	sum, err := Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil {
		t.Fatal(err)
	}
	// matching_name: once before the first send (no id known yet), once for row 3.
	if a.count(createKey) != 4 || a.count(matchKey) != 2 || sum.Recovered != 1 || sum.AlreadyCreated != 1 {
		t.Fatalf("POSTs %d (want 4), matching %d, %+v", a.count(createKey), a.count(matchKey), sum)
	}
	onceEach(t, a, ns)
}

func TestNoAnswerIsCheckedWithMatchingName(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("无应答", 4)
	a.dropAfter = func(name string) bool { return name == ns[1] }
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 4 || sum.Recovered != 1 || a.count(createKey) != 4 || a.count(matchKey) != 2 {
		t.Fatalf("%+v POSTs %d matching %d", sum, a.count(createKey), a.count(matchKey))
	}
	onceEach(t, a, ns)

	// Crash after the request went out, before any answer: the next run asks
	// matching_name and does not send it again.
	ns2 := names("无应答崩溃", 3)
	dir2 := t.TempDir()
	a.dropAfter = nil
	cfg = a.config(t, csvOf(t, dir2, ns2), dir2)
	cfg.Hooks.AfterAnswer = crashAt(2)
	before := a.count(createKey)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), a.config(t, cfg.Path, dir2)); err != nil {
		t.Fatal(err)
	}
	if got := a.count(createKey) - before; got != 3 {
		t.Fatalf("POSTs = %d, want 3", got)
	}
	onceEach(t, a, ns2)
}

func TestAPIRefusalIsFailedAndRetriedOnlyOnRequest(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	// The sandbox refuses a department that does not exist.
	p := writeAt(t, filepath.Join(dir, "r.csv"), "name,department-id\n好公司,\n坏公司,999999\n")
	cfg := a.config(t, p, dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 1 || sum.Failed != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	res := readResults(t, sum.Results)
	if !strings.Contains(res, "3,failed,坏公司,,") {
		t.Fatalf("results:\n%s", res)
	}
	sum, _ = Run(context.Background(), a.config(t, p, dir))
	if sum.Failed != 1 || a.count(createKey) != 2 {
		t.Fatalf("failed row resent without --retry-failed: %+v", sum)
	}
	cfg = a.config(t, p, dir)
	cfg.RetryFailed = true
	sum, _ = Run(context.Background(), cfg)
	if sum.Failed != 1 || a.count(createKey) != 3 {
		t.Fatalf("--retry-failed: %+v POSTs %d", sum, a.count(createKey))
	}
}

func TestInterruptFinishesTheRequestInFlight(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("中断", 6)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	a.during = func(name string) {
		if name == ns[1] {
			cancel() // Ctrl-C while row 3's request is on its way
		}
	}
	sum, err := Run(ctx, cfg)
	a.during = nil
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if sum.Created != 2 || sum.Pending != 4 || !sum.Interrupted || a.count(createKey) != 2 {
		t.Fatalf("%+v POSTs %d", sum, a.count(createKey))
	}
	if res := readResults(t, sum.Results); strings.Count(res, ",created,") != 2 {
		t.Fatalf("results not flushed:\n%s", res)
	}
	sum, err = Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil || sum.Created != 4 {
		t.Fatalf("resume: %v %+v", err, sum)
	}
	onceEach(t, a, ns)
}

func TestDryRunPlan(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("计划", 4)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.DryRun = true
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.ToCreate != 4 || a.count(createKey) != 0 {
		t.Fatalf("%v %+v", err, sum)
	}
	cfg.DryRun = false
	cfg.Hooks.AfterMarkSent = crashAt(4)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("the crashing run ended with %v, want the crash", err)
	}
	cfg = a.config(t, cfg.Path, dir)
	cfg.DryRun = true
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.ToCreate != 2 || sum.AlreadyCreated != 2 {
		t.Fatalf("after a partial run: %v %+v", err, sum)
	}
}

func TestJournalIsExclusive(t *testing.T) {
	dir := t.TempDir()
	m := JournalMeta{Profile: "p", FileSum: "abc"}
	j, err := OpenJournal(context.Background(), filepath.Join(dir, "j.db"), m)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := OpenJournal(context.Background(), filepath.Join(dir, "j.db"), m); !errors.Is(err, ErrJournalBusy) {
		t.Fatalf("second open: %v", err)
	}
	j.Close()
	m.FileSum = "other"
	if _, err := OpenJournal(context.Background(), filepath.Join(dir, "j.db"), m); err == nil || !strings.Contains(err.Error(), "another import") {
		t.Fatalf("a journal of another file was reused: %v", err)
	}
}

func TestInterruptWhileWaitingForASlotSendsNothing(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("等待中断", 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	// One request per hour: the matching_name before the first send takes it, row 2
	// waits for its slot, and Ctrl-C comes then.
	clock := &blockingClock{Clock: pacetest.NewClock(), onSleep: cancel}
	lim, _ := pace.NewLimiter(filepath.Join(dir, "slow.json"), pace.Rate{N: 1, Window: time.Hour}, 0, clock)
	cfg.Pacer.Limiter, cfg.Clock = lim, clock
	sum, err := Run(ctx, cfg)
	if !errors.Is(err, ErrInterrupted) || sum.Created != 0 || sum.Pending != 4 || a.count(createKey) != 0 || a.count(matchKey) != 1 {
		t.Fatalf("%v %+v POSTs %d", err, sum, a.count(createKey))
	}
	j, _ := ReadJournal(context.Background(), sum.Journal)
	defer j.Close()
	if e, _ := j.Get(context.Background(), 2); e.State != StatePending {
		t.Fatalf("row 2 is %s: a request that never left must stay pending", e.State)
	}
}

// blockingClock calls onSleep when a wait starts and then blocks until ctx ends.
type blockingClock struct {
	*pacetest.Clock
	onSleep func()
}

func (c *blockingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.onSleep()
	<-ctx.Done()
	return ctx.Err()
}

func TestAnOlderNamesakeIsNotTheRowsCustomer(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("同名老客户", 2)
	// A customer with row 2's name, created a day ago.
	a.age = -24 * time.Hour
	if _, err := a.client.CreateCommonCustomer(context.Background(), url.Values{"common_id": {"45"}, "customer[name]": {ns[0]}}); err != nil {
		t.Fatal(err)
	}
	a.age = 0
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterMarkSent = func(row int) error {
		if row == 2 {
			return errCrashed // journalled "sent", never sent
		}
		return nil
	}
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil || sum.Created != 2 || sum.Recovered != 0 {
		t.Fatalf("%v %+v: the day-old namesake was taken for the row's customer", err, sum)
	}
	if got := a.customers(ns[0])[ns[0]]; got != 2 {
		t.Fatalf("%s exists %d times, want 2 (the old one and the row's)", ns[0], got)
	}
}

func TestCrashAfterTheRequestWentOutWithNoAnswer(t *testing.T) {
	// The request reaches the CRM, the connection drops before any answer, and the
	// process dies before it can ask matching_name: the next run asks, and finds it.
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("发出后崩溃", 3)
	a.dropAfter = func(name string) bool { return name == ns[1] }
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterAnswer = crashAt(3)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("err = %v", err)
	}
	if a.count(matchKey) != 1 {
		t.Fatal("matching_name asked after the lost answer, before the crash (only the one before the first send is due)")
	}
	a.dropAfter = nil
	sum, err := Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil || sum.Recovered != 1 || sum.Created != 2 || a.count(createKey) != 3 || a.count(matchKey) != 2 {
		t.Fatalf("%v %+v POSTs %d matching %d", err, sum, a.count(createKey), a.count(matchKey))
	}
	onceEach(t, a, ns)
}

// A JSONL row's problems name the field by the key the line gave it, as a CSV row's name
// it by the column header.
func TestJSONLProblemsNameTheKeyAsWritten(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	path := writeAt(t, filepath.Join(dir, "k.jsonl"), `{"客户名称":"键名","跟进状态":"初仿"}`+"\n"+`{"name":"键名二","status":"出访"}`+"\n")
	cfg := a.config(t, path, dir)
	if _, err := Run(context.Background(), cfg); err == nil {
		t.Fatal("invalid rows accepted")
	}
	report := cfg.Report.(*bytes.Buffer).String()
	for _, want := range []string{`row 1: column 跟进状态: unknown option "初仿"`, `row 2: column status: unknown option "出访"`} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
}
