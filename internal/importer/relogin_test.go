package importer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/sandbox"
)

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
