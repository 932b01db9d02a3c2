package cmd

import (
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/iostreams"
)

// runInterrupted runs crmctl and cancels its context (a Ctrl-C) when a request reaches
// the route that blocks until then.
func (e *env) runInterrupted(api *fakeAPI, route string, args ...string) result {
	e.t.Helper()
	arrived := make(chan struct{}, 1)
	api.route(route, func(_ http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-arrived
		cancel()
	}()
	ios, _, out, errOut := iostreams.Test()
	code := Run(ctx, ios, args, e.lookup)
	return result{stdout: out.String(), stderr: errOut.String(), code: code}
}

func wantStderr(t *testing.T, r result, code int, parts ...string) {
	t.Helper()
	if r.code != code || r.stdout != "" {
		t.Fatalf("want exit %d:\n%s", code, r)
	}
	for _, p := range parts {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr lacks %q:\n%s", p, r.stderr)
		}
	}
}

// Ctrl-C once the create was written: the customer may exist, and the error says so,
// with how to check; nothing more is sent.
func TestCreateInterruptedAfterTheRequestLeft(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.runInterrupted(api, "POST /api/v2/common_customers", "customers", "create", "--pool", "45", "--name", "中断")
	wantStderr(t, r, 130,
		`crmctl: interrupted after the request was sent: customer "中断" may have been created`,
		"hint: check before running the command again, or the customer may be created twice: "+
			"`crmctl customers find --name 中断` lists the customers named \"中断\"")
	if strings.Contains(r.stderr, "context canceled") {
		t.Errorf("the raw context error:\n%s", r.stderr)
	}
	if got := callNames(api.Calls()); got != "GET /api/v2/common_customers/common_settings, GET /api/v2/custom_fields/customer/by_group, POST /api/v2/common_customers" {
		t.Errorf("calls: %s", got)
	}
}

// Ctrl-C before the create left (during a look-up, or while a throttled create waits
// for its retry): nothing was created, and the error says so.
func TestCreateInterruptedBeforeTheRequestLeft(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	r := e.runInterrupted(api, "GET /api/v2/common_customers/common_settings", "customers", "create", "--pool", "45", "--name", "x")
	wantStderr(t, r, 130, "crmctl: interrupted before the customer was sent: nothing was created")

	api = newFakeAPI(t)
	e = newEnv(t, api)
	e.run("", "pools", "list")
	throttled := make(chan struct{}, 1)
	api.route("POST /api/v2/common_customers", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte("Retry later"))
		throttled <- struct{}{}
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-throttled
		time.Sleep(300 * time.Millisecond) // the answer is read: the client waits to retry
		cancel()
	}()
	ios, _, out, errOut := iostreams.Test()
	code := Run(ctx, ios, []string{"customers", "create", "--pool", "45", "--name", "x"}, e.lookup)
	wantStderr(t, result{stdout: out.String(), stderr: errOut.String(), code: code}, 130,
		"crmctl: interrupted before the customer was sent: nothing was created")
}

// No answer within --timeout once the create was written: one matching_name request,
// and the records of the customers of that name, tell what the create did, from facts
// and never from created_at (here dated years back: a server clock off, or another
// zone, must change nothing). With no customer id known before the create, the
// customers that match cannot be proven new: the outcome is unknown, with the
// candidates (not the one in another pool, nor the one with another mobile); the exit
// code stays 4.
func TestCreateTimeoutUnknownWithoutAFloor(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	e.run("", "fields", "list") // the form too: the create then sends only itself
	api.Reset()
	api.route("POST /api/v2/common_customers", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	api.route("GET /api/v2/duplicates/matching_name", canned(namesakes))
	for id, phone := range map[string]string{"17": "13900000001", "100012": "13900000001", "100014": "13900000002"} {
		api.route("GET /api/v2/common_customers/"+id, canned(fmt.Sprintf(`{"code":0,"data":{"id":%s,"name":"超时","common_id":45,"address":{"phone":%q}}}`, id, phone)))
	}
	r := e.run("", "--timeout", "300ms", "customers", "create", "--pool", "45", "--name", "超时", "--phone", "139-0000-0001")
	wantStderr(t, r, 4,
		`crmctl: customer "超时" may have been created: the create got no usable answer: POST /api/v2/common_customers: no answer within 300ms`,
		"outcome unknown: matching_name finds customers that may be the create's, and nothing proves which: 17 (matches, but may have been there before the create",
		"100012 (matches",
		"hint: check them (`crmctl customers get 17`) before running the command again")
	if strings.Contains(r.stderr, "100013") || strings.Contains(r.stderr, "100014") {
		t.Errorf("another pool's or another mobile's customer is a candidate:\n%s", r.stderr)
	}
	calls := callNames(api.Calls())
	if !strings.HasPrefix(calls, "POST /api/v2/common_customers, GET /api/v2/duplicates/matching_name, GET /api/v2/common_customers/") {
		t.Errorf("calls: %s", calls)
	}
}

const namesakes = `{"code":0,"data":{"customers":[
	{"id":17,"name":"超时","common_id":45,"created_at":"2015-07-03 17:31"},
	{"id":100013,"name":"超时","common_id":48942,"created_at":"2015-07-03 17:31"},
	{"id":100014,"name":"超时","common_id":45,"created_at":"2015-07-03 17:31"},
	{"id":100012,"name":"超时","common_id":45,"created_at":"2015-07-03 17:31"}],"total_count":4}}`

// With the highest customer id known before the create (the profile's import ledger
// has seen 100000), the one matching customer above it is the create's, whatever its
// created_at says.
func TestCreateTimeoutFoundAboveTheFloor(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	led, err := importer.OpenLedger(context.Background(), importer.DefaultLedgerPath(filepath.Join(e.home, ".local", "share", "crmctl"),
		importer.JournalMeta{Profile: "default", BaseURL: api.URL}))
	if err != nil {
		t.Fatal(err)
	}
	if err := led.Created(context.Background(), "k", "100000", "j", "f.csv", 2, "旧"); err != nil {
		t.Fatal(err)
	}
	led.Close()
	api.Reset()
	api.route("POST /api/v2/common_customers", func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	api.route("GET /api/v2/duplicates/matching_name", canned(namesakes))
	for id, phone := range map[string]string{"100012": "13900000001", "100014": "13900000002"} {
		api.route("GET /api/v2/common_customers/"+id, canned(fmt.Sprintf(`{"code":0,"data":{"id":%s,"name":"超时","common_id":45,"address":{"phone":%q}}}`, id, phone)))
	}
	r := e.run("", "--timeout", "300ms", "customers", "create", "--pool", "45", "--name", "超时", "--phone", "13900000001")
	wantStderr(t, r, 4,
		`crmctl: customer "超时" was created, as 100012, but the answer to the create was lost: POST /api/v2/common_customers: no answer within 300ms`,
		"hint: do not run the command again, or the customer will be created twice; `crmctl customers get 100012` shows it")
}

// A 5xx page in answer to the create: the check finds no customer that the create could
// have made (only one in another pool), and the error says the customer may still have
// been created, with how to check.
func TestCreateServerErrorNotFoundByName(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	api.route("POST /api/v2/common_customers", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusInternalServerError)
		w.Write([]byte("<html><body>Internal Server Error</body></html>"))
	})
	api.route("GET /api/v2/duplicates/matching_name", canned(`{"code":0,"data":{"customers":[{"id":17,"name":"五百","common_id":48942,"created_at":"2015-07-03 17:31"}]}}`))
	r := e.run("", "customers", "create", "--pool", "45", "--name", "五百")
	wantStderr(t, r, 4,
		`crmctl: customer "五百" may have been created: the create got no usable answer: unexpected answer from POST /api/v2/common_customers (HTTP 500)`,
		"matching_name finds no customer of that name and contact details that the create could have made, but the CRM may still be processing it",
		"hint: check before running the command again, or the customer may be created twice: `crmctl customers find --name 五百`")
}

// An unreadable answer to the create, and the check fails too (one request, no
// retries): the error says the customer may exist; the exit code is the create's (1).
func TestCreateUnreadableAnswerCheckFails(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	e.run("", "pools", "list")
	e.run("", "fields", "list")
	api.Reset()
	api.route("POST /api/v2/common_customers", canned(`{"code":0,"data":{"id":10`))
	api.route("GET /api/v2/duplicates/matching_name", func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
		w.Write([]byte("<html>Bad Gateway</html>"))
	})
	r := e.run("", "customers", "create", "--pool", "45", "--name", "截断")
	wantStderr(t, r, 1,
		`crmctl: customer "截断" may have been created: the create got no usable answer: unexpected answer from POST /api/v2/common_customers (HTTP 200)`,
		"the check by name failed too: unexpected answer from GET /api/v2/duplicates/matching_name (HTTP 502)",
		"hint: check before running the command again")
	if got := callNames(api.Calls()); got != "POST /api/v2/common_customers, GET /api/v2/duplicates/matching_name" {
		t.Errorf("calls: %s", got)
	}
}
