package customers_test

import (
	"context"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/cmd"
	"github.com/crmctl/crmctl/internal/iostreams"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crmctl": func() { os.Exit(cmd.Main()) },
	})
}

// TestImportScripts runs testdata/import/*.txtar: the real crmctl binary importing into
// a `crmctl sandbox serve` started by the script, with a fast rate limit.
func TestImportScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/import",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			home := filepath.Join(e.WorkDir, "home")
			e.Setenv("HOME", home)
			e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			e.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
			e.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
			e.Setenv("NO_COLOR", "1")
			l, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				return err
			}
			e.Setenv("PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
			l.Close()
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			// waitport PORT: wait until something listens on 127.0.0.1:PORT.
			"waitport": func(ts *testscript.TestScript, neg bool, args []string) {
				deadline := time.Now().Add(20 * time.Second)
				for time.Now().Before(deadline) {
					c, err := net.Dial("tcp", "127.0.0.1:"+args[0])
					if err == nil {
						c.Close()
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
				ts.Fatalf("nothing listens on port %s", args[0])
			},
			// pause DURATION: let time pass (to leave the server's rate window).
			"pause": func(ts *testscript.TestScript, neg bool, args []string) {
				d, err := time.ParseDuration(args[0])
				if err != nil {
					ts.Fatalf("pause: %v", err)
				}
				time.Sleep(d)
			},
			// expect-exit CODE ARGS...: run crmctl in process and check its exit code.
			"expect-exit": func(ts *testscript.TestScript, neg bool, args []string) {
				want, err := strconv.Atoi(args[0])
				if err != nil {
					ts.Fatalf("expect-exit: bad code %q", args[0])
				}
				ios, _, out, errOut := iostreams.Test()
				env := func(name string) (string, bool) {
					v := ts.Getenv(name)
					return v, v != ""
				}
				got := cmd.Run(context.Background(), ios, args[1:], env)
				ts.Check(writeAll(ts.Stdout(), out.Bytes()))
				ts.Check(writeAll(ts.Stderr(), errOut.Bytes()))
				if got != want {
					ts.Fatalf("crmctl %s: exit %d, want %d\nstderr: %s", strings.Join(args[1:], " "), got, want, errOut)
				}
			},
			// rows N FILE: write a CSV of N distinct prospects.
			"rows": func(ts *testscript.TestScript, neg bool, args []string) {
				n, _ := strconv.Atoi(args[0])
				var b strings.Builder
				b.WriteString("客户名称,手机,跟进状态,联系人\n")
				for i := 1; i <= n; i++ {
					b.WriteString("批量客户" + strconv.Itoa(i) + ",1390000" + strconv.Itoa(1000+i) + ",初访,联系人" + strconv.Itoa(i) + "\n")
				}
				if err := os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o600); err != nil {
					ts.Fatalf("%v", err)
				}
			},
		},
	})
}

func writeAll(w io.Writer, b []byte) error {
	_, err := w.Write(b)
	return err
}
