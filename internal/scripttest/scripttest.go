// Package scripttest holds what crmctl's end-to-end scripts (testscript .txtar files)
// share: a fresh HOME and XDG folders inside $WORK, a free loopback port, and the
// commands expect-exit, capture, waitport and pause. Only tests import it.
package scripttest

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/internal/iostreams"
)

// RunFunc runs crmctl in process (cmd.Run) and returns its exit code.
type RunFunc func(ctx context.Context, ios *iostreams.IOStreams, args []string, env func(string) (string, bool)) int

// Setup gives a script HOME and the XDG folders inside $WORK, NO_COLOR, CRMCTL_LANG=en
// (so that English assertions hold whatever the machine's locale; a script about the
// language sets its own), and $PORT, a loopback port nothing listens on (for
// `crmctl sandbox serve --addr 127.0.0.1:$PORT`).
func Setup(e *testscript.Env) error {
	home := filepath.Join(e.WorkDir, "home")
	e.Setenv("HOME", home)
	e.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
	e.Setenv("XDG_CACHE_HOME", filepath.Join(home, ".cache"))
	e.Setenv("XDG_DATA_HOME", filepath.Join(home, ".local", "share"))
	e.Setenv("NO_COLOR", "1")
	e.Setenv("CRMCTL_LANG", "en")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	e.Setenv("PORT", strconv.Itoa(l.Addr().(*net.TCPAddr).Port))
	return l.Close()
}

// Cmds are the scripts' own commands:
//
//	expect-exit CODE ARGS...  run crmctl in process and check its exact exit code; its
//	                          output is then stdout and stderr (STDIN_FILE feeds stdin)
//	capture VAR               set VAR to the last command's stdout, trimmed
//	waitport PORT             wait until something listens on 127.0.0.1:PORT
//	pause DURATION            let time pass
//	waitmatch FILE REGEXP     wait until a line of FILE matches REGEXP (an event of a
//	                          background command, such as a row in its results file)
func Cmds(run RunFunc) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
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
			got := run(context.Background(), ios, args[1:], env)
			_, err = ts.Stdout().Write(out.Bytes())
			ts.Check(err)
			_, err = ts.Stderr().Write(errOut.Bytes())
			ts.Check(err)
			if got != want {
				ts.Fatalf("crmctl %s: exit %d, want %d\nstderr: %s", strings.Join(args[1:], " "), got, want, errOut)
			}
		},
		"capture": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: capture VAR")
			}
			ts.Setenv(args[0], string(bytes.TrimSpace([]byte(ts.ReadFile("stdout")))))
		},
		"waitport": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: waitport PORT")
			}
			for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
				if c, err := net.Dial("tcp", "127.0.0.1:"+args[0]); err == nil {
					ts.Check(c.Close())
					return
				}
			}
			ts.Fatalf("nothing listens on port %s", args[0])
		},
		"waitmatch": waitMatch,
		"pause": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: pause DURATION")
			}
			d, err := time.ParseDuration(args[0])
			if err != nil {
				ts.Fatalf("pause: %v", err)
			}
			time.Sleep(d)
		},
	}
}

// waitMatch waits, at most a minute, until a line of a file matches a regular expression.
func waitMatch(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitmatch FILE REGEXP")
	}
	re, err := regexp.Compile("(?m)" + args[1])
	ts.Check(err)
	path := ts.MkAbs(args[0])
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if b, err := os.ReadFile(path); err == nil && re.Match(b) {
			return
		}
	}
	ts.Fatalf("no line of %s matches %q", args[0], args[1])
}
