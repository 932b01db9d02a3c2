package cmd

import (
	"bytes"
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/sandbox"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crmctl": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the end-to-end scripts in testdata/script: the real crmctl binary
// against a sandbox server started for each script ($SANDBOX_URL), with HOME and the
// XDG folders inside $WORK.
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
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			e.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
			e.Setenv("SANDBOX_URL", hs.URL)
			e.Setenv("FREEPORT", strconv.Itoa(freePort(t)))
			e.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// expect-exit N ARGS...: run crmctl (in process) and check its exact exit code;
			// its output becomes stdout and stderr for the next assertions.
			"expect-exit": func(ts *testscript.TestScript, neg bool, args []string) {
				if neg || len(args) < 1 {
					ts.Fatalf("usage: expect-exit CODE [ARGS...]")
				}
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("expect-exit: bad code %q", args[0])
				}
				ios, in, out, errOut := iostreams.Test()
				if f := ts.Getenv("STDIN_FILE"); f != "" {
					in.WriteString(ts.ReadFile(f))
				}
				env := func(name string) (string, bool) {
					v := ts.Getenv(name)
					return v, v != ""
				}
				got := Run(context.Background(), ios, args[1:], env)
				_, err = ts.Stdout().Write(out.Bytes())
				ts.Check(err)
				_, err = ts.Stderr().Write(errOut.Bytes())
				ts.Check(err)
				if got != want {
					ts.Fatalf("crmctl %s: exit %d, want %d\nstderr: %s", strings.Join(args[1:], " "), got, want, errOut)
				}
			},
			// capture VAR: set VAR to the last command's stdout, trimmed.
			"capture": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: capture VAR")
				}
				ts.Setenv(args[0], string(bytes.TrimSpace([]byte(ts.ReadFile("stdout")))))
			},
		},
	})
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
