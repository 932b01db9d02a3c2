package customers_test

import (
	"path/filepath"
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
