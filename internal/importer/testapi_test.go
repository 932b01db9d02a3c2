package importer

// The fake API of the importer's tests: the sandbox behind apitest, with faults.

import (
	"bytes"
	"context"
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
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/pace/pacetest"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// testAPI is the sandbox answering every request of an apitest server (which records
// them), with faults injected before it.
type testAPI struct {
	t      *testing.T
	srv    *sandbox.Server
	age    time.Duration // added to the sandbox's clock (negative: customers created in the past)
	fake   *apitest.Server
	client *api.Client

	mu sync.Mutex
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
	a := &testAPI{t: t}
	srv, err := sandbox.Open(sandbox.Options{Memory: true, Now: func() time.Time { return time.Now().Add(a.age) }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	a.srv = srv
	a.fake = apitest.New(t)
	a.fake.Guard(a.fault)
	a.fake.Fallback(srv.Handler().ServeHTTP)
	tok, err := srv.DefaultToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	a.client = a.newClient(tok)
	return a
}

func (a *testAPI) newClient(token string) *api.Client {
	c, err := api.New(api.Options{BaseURL: a.fake.URL, Token: token, MaxRetries: 1,
		Sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		a.t.Fatal(err)
	}
	return c
}

// fault answers a request the faults are set for (nil: the sandbox answers it).
func (a *testAPI) fault(r *http.Request) apitest.Responder {
	a.mu.Lock()
	drop, during, match, dropBefore := a.dropAfter, a.during, a.beforeMatch, a.dropBefore
	a.mu.Unlock()
	if match != nil && r.Method == http.MethodGet && r.URL.Path == "/api/v2/duplicates/matching_name" {
		match()
	}
	if r.Method != http.MethodPost || r.URL.Path != "/api/v2/common_customers" || (drop == nil && during == nil && dropBefore == nil) {
		return nil
	}
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	form, _ := url.ParseQuery(string(body))
	name := form.Get("customer[name]")
	if during != nil {
		during(name)
	}
	switch {
	case dropBefore != nil && dropBefore(name):
		return apitest.HangUp()
	case drop != nil && drop(name):
		return func(w http.ResponseWriter, r *http.Request) {
			a.srv.Handler().ServeHTTP(httptest.NewRecorder(), r)
			apitest.HangUp()(w, r)
		}
	}
	return nil
}

// count counts the requests to key ("POST /api/v2/common_customers").
func (a *testAPI) count(key string) int {
	method, path, _ := strings.Cut(key, " ")
	return a.fake.Count(method, path)
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
		DataDir: dir, Meta: JournalMeta{Profile: "default", BaseURL: a.fake.URL},
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
