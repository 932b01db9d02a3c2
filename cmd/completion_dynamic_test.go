package cmd

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/cache"
)

// noNetwork is an API host that fails the test on any request: completion must never
// reach the network.
func noNetwork(t *testing.T) (url string, requests *atomic.Int64) {
	t.Helper()
	requests = &atomic.Int64{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		t.Errorf("completion sent %s %s", r.Method, r.URL.Path)
		http.Error(w, "no network during completion", http.StatusInternalServerError)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, requests
}

// complete runs `crmctl __complete ARGS...` (what the shell scripts run on TAB) and
// returns the candidates, without their descriptions.
func (e *env) complete(args ...string) []string {
	e.t.Helper()
	r := e.run("", append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		e.t.Fatalf("__complete %s:\n%s", strings.Join(args, " "), r)
	}
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[len(lines)-1], ":") {
		e.t.Fatalf("__complete %s: no directive line:\n%s", strings.Join(args, " "), r)
	}
	var out []string
	for _, l := range lines[:len(lines)-1] {
		value, _, _ := strings.Cut(l, "\t")
		out = append(out, value)
	}
	return out
}

func wantCandidates(t *testing.T, what string, got []string, want, not []string) {
	t.Helper()
	for _, w := range want {
		if !slices.Contains(got, w) {
			t.Errorf("%s: %q missing from %q", what, w, got)
		}
	}
	for _, n := range not {
		if slices.Contains(got, n) {
			t.Errorf("%s: %q should not be offered: %q", what, n, got)
		}
	}
}

func TestCompletionFromWarmCache(t *testing.T) {
	api := newFakeAPI(t)
	e := newEnv(t, api)
	for _, args := range [][]string{{"pools", "list"}, {"fieldmaps", "show"}} {
		if r := e.run("", args...); r.code != 0 {
			t.Fatalf("warming the cache with %v:\n%s", args, r)
		}
	}
	api.Reset()

	wantCandidates(t, "--status", e.complete("customers", "create", "--status", ""),
		[]string{"待联系", "初访"}, []string{"停用的"})
	wantCandidates(t, "--category", e.complete("customers", "create", "--category", ""),
		[]string{"A(重点客户)", "B(普通客户)"}, nil)
	wantCandidates(t, "--source", e.complete("customers", "create", "--source", "电"),
		[]string{"电话营销"}, nil)
	wantCandidates(t, "--pool", e.complete("customers", "create", "--pool", ""),
		[]string{"45", "公司公海", "48942", "超级公海"}, nil)
	wantCandidates(t, "--pool=", e.complete("customers", "create", "--name", "x", "--pool", "公"),
		[]string{"公司公海"}, nil)
	if got := e.complete("customers", "create", "--industry", ""); len(got) != 0 {
		t.Errorf("--industry has no options, got %q", got)
	}
	if calls := api.Calls(); len(calls) != 0 {
		t.Errorf("completion sent requests: %s", callNames(calls))
	}
}

// An entry older than the TTL is still offered: completion never refreshes.
func TestCompletionFromStaleCacheEntries(t *testing.T) {
	url, requests := noNetwork(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_BASE_URL"] = url
	e.vars["CRMCTL_TOKEN"] = testToken
	store := &cache.Store{
		Dir:     filepath.Join(e.vars["XDG_CACHE_HOME"], "crmctl", "default"),
		BaseURL: url,
		TTL:     time.Hour,
		Now:     func() time.Time { return time.Now().AddDate(-1, 0, 0) },
	}
	pools := json.RawMessage(`[{"id":7,"name":"华北公海"}]`)
	fms := json.RawMessage(`[{"field_name":"status","field_values":[{"id":1,"value":"老客户","status":"enable"},{"id":2,"value":"旧的","status":"disable"}]}]`)
	if err := store.Put("pools", pools); err != nil {
		t.Fatal(err)
	}
	if err := store.Put("fieldmaps-customer", fms); err != nil {
		t.Fatal(err)
	}
	deps := json.RawMessage(`[{"id":31,"name":"华北销售部","parent_id":0},{"id":32,"name":"市场部","parent_id":0}]`)
	if err := store.Put("departments", deps); err != nil {
		t.Fatal(err)
	}
	wantCandidates(t, "--pool", e.complete("customers", "create", "--pool", ""), []string{"7", "华北公海"}, nil)
	wantCandidates(t, "--department", e.complete("customers", "create", "--department", ""),
		[]string{"华北销售部", "市场部", "31", "32"}, nil)
	wantCandidates(t, "--department 华", e.complete("customers", "create", "--name", "x", "--department", "华"),
		[]string{"华北销售部"}, nil)
	wantCandidates(t, "--status", e.complete("customers", "create", "--status", ""), []string{"老客户"}, []string{"旧的"})
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// With no cache, completion offers nothing and sends nothing, even with a token and a
// reachable host.
func TestCompletionEmptyCacheNeverTouchesNetwork(t *testing.T) {
	url, requests := noNetwork(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_BASE_URL"] = url
	e.vars["CRMCTL_TOKEN"] = testToken
	for _, args := range [][]string{
		{"customers", "create", "--status", ""},
		{"customers", "create", "--category", "A"},
		{"customers", "create", "--pool", ""},
		{"customers", "create", "--department", ""},
		{"--refresh", "customers", "create", "--pool", ""},
		{"--refresh", "customers", "create", "--department", ""},
	} {
		if got := e.complete(args...); len(got) != 0 {
			t.Errorf("%v: want nothing, got %q", args, got)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
	if _, err := os.Stat(filepath.Join(e.vars["XDG_CACHE_HOME"], "crmctl")); err == nil {
		t.Errorf("completion wrote a cache")
	}
}

func TestCompletionSandboxWarmCache(t *testing.T) {
	url, requests := noNetwork(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_BASE_URL"] = url
	for _, args := range [][]string{{"--sandbox", "fieldmaps", "show"}, {"--sandbox", "pools", "list"}} {
		if r := e.run("", args...); r.code != 0 {
			t.Fatalf("warming the cache with %v:\n%s", args, r)
		}
	}
	wantCandidates(t, "--status", e.complete("--sandbox", "customers", "create", "--status", ""), []string{"初访"}, nil)
	wantCandidates(t, "--pool", e.complete("customers", "create", "--sandbox", "--pool", ""), []string{"公司公海"}, nil)
	// The sandbox's entries are its own: the remote profile's completion has none.
	if got := e.complete("customers", "create", "--pool", ""); len(got) != 0 {
		t.Errorf("remote --pool offered the sandbox's pools: %q", got)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// With --sandbox (or CRMCTL_SANDBOX=1) and a cold cache, completion asks the embedded
// sandbox, which runs in the process: still no network.
func TestCompletionSandboxColdCache(t *testing.T) {
	url, requests := noNetwork(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_BASE_URL"] = url
	wantCandidates(t, "--pool", e.complete("--sandbox", "customers", "create", "--pool", ""), []string{"公司公海"}, nil)
	e.vars["CRMCTL_SANDBOX"] = "1"
	got := e.complete("customers", "create", "--status", "")
	wantCandidates(t, "--status", got, []string{"初访"}, nil)
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

func TestCompletionStaticValues(t *testing.T) {
	url, requests := noNetwork(t)
	e := newEnv(t, nil)
	e.vars["CRMCTL_BASE_URL"] = url
	cfg := filepath.Join(e.vars["XDG_CONFIG_HOME"], "crmctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(cfg), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cfg, []byte("current_profile: work\nprofiles:\n  work: {login: a}\n  staging: {login: b}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCandidates(t, "--profile", e.complete("pools", "list", "--profile", ""), []string{"work", "staging"}, nil)
	wantCandidates(t, "-o", e.complete("pools", "list", "-o", ""), []string{"table", "json"}, nil)
	wantCandidates(t, "fieldmaps show", e.complete("fieldmaps", "show", ""), []string{"customer", "contact", "opportunity"}, nil)
	wantCandidates(t, "completion", e.complete("completion", ""), []string{"bash", "zsh", "fish", "powershell"}, nil)
	wantCandidates(t, "commands", e.complete(""), []string{"customers", "pools", "fieldmaps", "auth", "sandbox", "version", "completion"}, nil)

	other := filepath.Join(t.TempDir(), "other.yaml")
	if err := os.WriteFile(other, []byte("profiles:\n  ci: {login: c}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	wantCandidates(t, "--profile with --config", e.complete("--config", other, "pools", "list", "--profile", ""), []string{"ci"}, []string{"work"})
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests", n)
	}
}
