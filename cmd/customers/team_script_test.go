package customers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/internal/redistest"
	"github.com/crmctl/crmctl/internal/scripttest"
)

// TestTeamScripts runs testdata/team/*.txtar: several "machines" (crmctl processes,
// each with its own HOME) importing through one real redis-server ($REDIS_URL), started
// for each script, into a `crmctl sandbox serve` that enforces a rate limit.
func TestTeamScripts(t *testing.T) {
	redistest.Require(t)
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/team",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			if err := scripttest.Setup(e); err != nil {
				return err
			}
			srv, err := redistest.Launch(e.WorkDir, "team-s3cret")
			if err != nil {
				return err
			}
			e.Defer(srv.Stop)
			e.Values["redis"] = srv
			e.Setenv("REDIS_URL", srv.URL(2))
			return nil
		},
		Cmds: teamCmds(),
	})
}

// teamCmds are importCmds plus:
//
//	machine NAME   HOME and the XDG folders in $WORK/NAME from now on ("home" is the
//	               script's first machine)
//	redis stop|start  stop the script's Redis, or start it again on its port (empty)
func teamCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := importCmds()
	cmds["machine"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 1 {
			ts.Fatalf("usage: machine NAME")
		}
		home := ts.MkAbs(args[0])
		ts.Setenv("HOME", home)
		ts.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
		ts.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
		ts.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	}
	cmds["redis"] = func(ts *testscript.TestScript, neg bool, args []string) {
		srv := ts.Value("redis").(*redistest.Server)
		switch {
		case len(args) == 1 && args[0] == "stop":
			srv.Stop()
		case len(args) == 1 && args[0] == "start":
			ts.Check(srv.Restart())
		default:
			ts.Fatalf("usage: redis stop|start")
		}
	}
	return cmds
}

// losing NAME: from now on CRMCTL_BASE_URL is a proxy in front of the script's CRM that
// forwards the create of NAME, then hangs up without its answer (the CRM created the
// customer; the machine never hears it), and then answers every request with a 502
// page without forwarding it (the network is gone) until `losing heal`.
func losing(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: losing NAME|heal")
	}
	if args[0] == "heal" {
		p, ok := proxies.Load(ts)
		if !ok {
			ts.Fatalf("losing heal: no proxy")
		}
		p.(*atomic.Int32).Store(2)
		return
	}
	upstream, err := url.Parse(ts.Getenv("CRMCTL_BASE_URL"))
	ts.Check(err)
	rp := httputil.NewSingleHostReverseProxy(upstream)
	state := new(atomic.Int32) // 0 forwarding, 1 the answer lost and the network gone, 2 healed
	proxies.Store(ts, state)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if state.Load() == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		form, _ := url.ParseQuery(string(body))
		if r.Method != http.MethodPost || form.Get("customer[name]") != args[0] || !state.CompareAndSwap(0, 1) {
			rp.ServeHTTP(w, r)
			return
		}
		rp.ServeHTTP(httptest.NewRecorder(), r)
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
		}
	}))
	ts.Defer(func() { srv.Close(); proxies.Delete(ts) })
	ts.Setenv("CRMCTL_BASE_URL", srv.URL)
}

// proxies are the scripts' losing proxies' states.
var proxies sync.Map
