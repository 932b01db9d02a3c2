package importer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/sandbox"

	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

// testAPI is the sandbox behind a counting, fault-injecting handler.
type testAPI struct {
	t      *testing.T
	srv    *sandbox.Server
	age    time.Duration // added to the sandbox's clock (negative: customers created in the past)
	ts     *httptest.Server
	client *api.Client

	mu     sync.Mutex
	counts map[string]int // "POST /api/v2/common_customers" -> n
	// during is called with the name of each create as it reaches the server.
	during func(name string)
	// dropAfter, when it returns true for a create's form, lets the sandbox process the
	// request and then closes the connection without an answer.
	dropAfter func(name string) bool
	// dropBefore, when it returns true for a create's form, closes the connection
	// without processing the request.
	dropBefore func(name string) bool
	// beforeMatch is called as each matching_name request reaches the server.
	beforeMatch func()
}

func newTestAPI(t *testing.T) *testAPI {
	t.Helper()
	a := &testAPI{t: t, counts: map[string]int{}}
	srv, err := sandbox.Open(sandbox.Options{Memory: true, Now: func() time.Time { return time.Now().Add(a.age) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	a.srv = srv
	a.ts = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.ts.Close)
	tok, err := srv.DefaultToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a.client = a.newClient(tok)
	return a
}

func (a *testAPI) newClient(token string) *api.Client {
	c, err := api.New(api.Options{BaseURL: a.ts.URL, Token: token, MaxRetries: 1,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

func (a *testAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.counts[r.Method+" "+r.URL.Path]++
	drop, during, match, dropBefore := a.dropAfter, a.during, a.beforeMatch, a.dropBefore
	a.mu.Unlock()
	if match != nil && r.Method == http.MethodGet && r.URL.Path == "/api/v2/duplicates/matching_name" {
		match()
	}
	if r.Method == http.MethodPost && r.URL.Path == "/api/v2/common_customers" && (drop != nil || during != nil || dropBefore != nil) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if during != nil {
			during(form.Get("customer[name]"))
		}
		if dropBefore != nil && dropBefore(form.Get("customer[name]")) {
			if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
				conn.Close()
			}
			return
		}
		if drop != nil && drop(form.Get("customer[name]")) {
			a.srv.Handler().ServeHTTP(httptest.NewRecorder(), r)
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
	}
	a.srv.Handler().ServeHTTP(w, r)
}

func (a *testAPI) count(key string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.counts[key]
}

const (
	createKey = "POST /api/v2/common_customers"
	matchKey  = "GET /api/v2/duplicates/matching_name"
)

// customers returns how many customers the CRM holds with each name.
func (a *testAPI) customers(names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		l, err := a.client.MatchingName(context.Background(), n)
		if err != nil {
			a.t.Fatal(err)
		}
		out[n] = len(l.Customers)
	}
	return out
}

func (a *testAPI) lookups() Lookups {
	return Lookups{
		Pools: func(ctx context.Context) ([]api.Pool, error) {
			l, err := a.client.Pools(ctx)
			if err != nil {
				return nil, err
			}
			return l.Pools, nil
		},
		FieldMaps: func(ctx context.Context) (*api.FieldMapList, error) { return a.client.FieldMaps(ctx, "customer") },
	}
}

// config is an import of path into pool 45, paced by a fake clock.
func (a *testAPI) config(t *testing.T, path, dir string) Config {
	t.Helper()
	clock := pacetest.NewClock()
	lim, err := pace.NewLimiter(filepath.Join(dir, "pace.json"), pace.Rate{N: 10, Window: 10 * time.Second}, pace.DefaultMargin, clock)
	if err != nil {
		t.Fatal(err)
	}
	pacer := &pace.Pacer{Limiter: lim}
	c, err := pacer.Client(a.client)
	if err != nil {
		t.Fatal(err)
	}
	return Config{
		Path: path, Pool: "公司公海", Lookups: a.lookups(),
		DataDir: dir, Meta: JournalMeta{Profile: "default", BaseURL: a.ts.URL},
		Client: c, Pacer: pacer, Clock: clock, Report: &bytes.Buffer{},
	}
}

func names(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i+1)
	}
	return out
}

func csvOf(t *testing.T, dir string, ns []string) string {
	var b strings.Builder
	b.WriteString("客户名称,电话,跟进状态\n")
	for i, n := range ns {
		fmt.Fprintf(&b, "%s,010-%04d,初访\n", n, i)
	}
	return writeAt(t, filepath.Join(dir, "rows.csv"), b.String())
}

func onceEach(t *testing.T, a *testAPI, ns []string) {
	t.Helper()
	for n, c := range a.customers(ns...) {
		if c != 1 {
			t.Errorf("%s exists %d times, want once", n, c)
		}
	}
}

func readResults(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

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

// expireAt ends the client's token (as a login elsewhere does) just before row's request.
func expireAt(a *testAPI, row int) func(int) error {
	done := false
	return func(r int) error {
		if r == row && !done {
			done = true
			lc := a.newClient("")
			if _, err := lc.Login(context.Background(), api.LoginParams{Login: sandbox.DefaultLogin, Password: sandbox.DefaultPassword}); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestTokenExpiryWithoutCredentialsStops(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("过期", 5)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterMarkSent = expireAt(a, 4)
	sum, err := Run(context.Background(), cfg)
	if !api.IsAuthError(err) {
		t.Fatalf("err = %v, want an auth error", err)
	}
	if sum.Created != 2 || sum.Pending != 3 {
		t.Fatalf("%+v", sum)
	}
	// Resume with a fresh token: rows 4..6 are created, none twice.
	tok, _ := a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)
	sum, err = Run(context.Background(), a.config(t, cfg.Path, dir))
	if err != nil || sum.Created != 3 || sum.AlreadyCreated != 2 {
		t.Fatalf("resume: %v %+v", err, sum)
	}
	onceEach(t, a, ns)
}

func TestTokenExpiryWithCredentialsLogsInOnce(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("续登", 5)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterMarkSent = expireAt(a, 4)
	logins := 0
	cfg.Relogin = func(ctx context.Context) (*api.Client, error) {
		logins++
		res, err := a.newClient("").Login(ctx, api.LoginParams{Login: sandbox.DefaultLogin, Password: sandbox.DefaultPassword})
		if err != nil {
			return nil, err
		}
		return a.newClient(res.UserToken), nil
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 5 || logins != 1 {
		t.Fatalf("%v %+v logins %d", err, sum, logins)
	}
	a.client = cfg.Client // any client with a live token will do for the check
	tok, _ := a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)
	onceEach(t, a, ns)
}

// relogin is a Config.Relogin against the sandbox that counts its logins.
func relogin(a *testAPI, logins *int) func(context.Context) (*api.Client, error) {
	return func(ctx context.Context) (*api.Client, error) {
		*logins++
		res, err := a.newClient("").Login(ctx, api.LoginParams{Login: sandbox.DefaultLogin, Password: sandbox.DefaultPassword})
		if err != nil {
			return nil, err
		}
		return a.newClient(res.UserToken), nil
	}
}

func TestTokenExpiryDuringTheMatchingNameCheckLogsIn(t *testing.T) {
	// Row 3's request is processed but gets no answer, and the token ends before
	// matching_name is asked: the check logs in, asks again, finds the customer, and
	// the import goes on without sending row 3 again.
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("核对续登", 4)
	a.dropAfter = func(name string) bool { return name == ns[1] }
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterAnswer = expireAt(a, 3)
	logins := 0
	cfg.Relogin = relogin(a, &logins)
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 4 || sum.Recovered != 1 || sum.Unknown != 0 || logins != 1 {
		t.Fatalf("%v %+v logins %d", err, sum, logins)
	}
	if a.count(createKey) != 4 || a.count(matchKey) != 3 {
		t.Fatalf("POSTs %d (want 4), matching %d (want 3: before the first send, refused, then asked again)", a.count(createKey), a.count(matchKey))
	}
	if res := readResults(t, sum.Results); !strings.Contains(res, "3,created,"+ns[1]+",") {
		t.Fatalf("results:\n%s", res)
	}
	tok, _ := a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)
	onceEach(t, a, ns)
}

func TestTokenExpiryWhileRecoveringASentRow(t *testing.T) {
	// A crash after row 3 was created leaves it "sent". The next run's matching_name
	// check meets an ended token.
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("恢复续登", 4)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	cfg.Hooks.AfterAnswer = crashAt(3)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("err = %v", err)
	}
	// expireOnce ends the token as the next matching_name request arrives.
	expireOnce := func() {
		a.mu.Lock()
		a.beforeMatch = func() {
			a.mu.Lock()
			a.beforeMatch = nil
			a.mu.Unlock()
			if err := expireAt(a, 0)(0); err != nil {
				t.Error(err)
			}
		}
		a.mu.Unlock()
	}

	// Without credentials the run stops (as for a create), and row 3 is not sent.
	expireOnce()
	sum, err := Run(context.Background(), a.config(t, cfg.Path, dir))
	if !api.IsAuthError(err) || sum.Created != 0 || a.count(createKey) != 2 {
		t.Fatalf("no credentials: %v %+v POSTs %d", err, sum, a.count(createKey))
	}
	tok, _ := a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)

	// A login that fails stops the run too; row 3 stays to be checked.
	expireOnce()
	cfg = a.config(t, cfg.Path, dir)
	errLogin := errors.New("login refused")
	cfg.Relogin = func(context.Context) (*api.Client, error) { return nil, errLogin }
	if sum, err = Run(context.Background(), cfg); !errors.Is(err, errLogin) || sum.Created != 0 || a.count(createKey) != 2 {
		t.Fatalf("failed login: %v %+v POSTs %d", err, sum, a.count(createKey))
	}
	j, _ := ReadJournal(context.Background(), sum.Journal)
	if e, _ := j.Get(context.Background(), 3); e.State != StateSent {
		t.Fatalf("row 3 is %s, want sent", e.State)
	}
	j.Close()
	tok, _ = a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)

	// With credentials: one login, the same question again, row 3 found, the rest sent.
	expireOnce()
	cfg = a.config(t, cfg.Path, dir)
	logins := 0
	cfg.Relogin = relogin(a, &logins)
	matchBefore := a.count(matchKey)
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.Recovered != 1 || sum.Created != 3 || sum.AlreadyCreated != 1 || logins != 1 {
		t.Fatalf("%v %+v logins %d", err, sum, logins)
	}
	if a.count(createKey) != 4 || a.count(matchKey)-matchBefore != 2 {
		t.Fatalf("POSTs %d (want 4), matching %d (want 2)", a.count(createKey), a.count(matchKey)-matchBefore)
	}
	tok, _ = a.srv.DefaultToken(context.Background())
	a.client = a.newClient(tok)
	onceEach(t, a, ns)
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

func TestTokenDeadAtStartWithCredentials(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("开始即过期", 3)
	cfg := a.config(t, csvOf(t, dir, ns), dir)
	if err := expireAt(a, 0)(0); err != nil { // a login elsewhere before the run
		t.Fatal(err)
	}
	logins := 0
	cfg.Relogin = func(ctx context.Context) (*api.Client, error) {
		logins++
		res, err := a.newClient("").Login(ctx, api.LoginParams{Login: sandbox.DefaultLogin, Password: sandbox.DefaultPassword})
		if err != nil {
			return nil, err
		}
		a.client = a.newClient(res.UserToken) // the look-ups' client
		return a.client, nil
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 3 || logins != 1 {
		t.Fatalf("%v %+v logins %d", err, sum, logins)
	}
	onceEach(t, a, ns)
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
