package cmd

import (
	"net/http/httptest"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/internal/sandbox"
	"github.com/crmctl/crmctl/internal/scripttest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crmctl": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: the real crmctl binary
// against a sandbox server started for each script ($SANDBOX_URL), with HOME and the
// XDG folders inside $WORK (see internal/scripttest for the scripts' own commands).
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			srv, err := sandbox.Open(sandbox.Options{Memory: true})
			if err != nil {
				return err
			}
			hs := httptest.NewServer(srv.Handler())
			e.Defer(func() {
				hs.Close()
				srv.Close()
			})
			e.Setenv("SANDBOX_URL", hs.URL)
			return scripttest.Setup(e)
		},
		Cmds: scripttest.Cmds(Run),
	})
}
