//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package cmd

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite" // to count the sandbox's customers

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter/ptytest"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// These tests run crmctl with the real survey prompts on a pseudo-terminal and play
// the person at the keyboard. The fake Prompter tests (interactive_test.go) cover the
// flow's logic; these cover what only a terminal shows: keys, filters, re-asks, Ctrl-C,
// colour, and the command printed at the end.

// openPTY opens a 60-column terminal. The waits are generous: the first one includes
// creating and seeding the sandbox store.
func openPTY(t *testing.T) *ptytest.Console {
	t.Helper()
	return ptytest.Open(t, ptytest.Options{Cols: 60, Rows: 24, Wait: 10 * time.Second, Limit: 30 * time.Second})
}

// runPTY runs crmctl with ios (built on c's terminal) while script plays its user, and
// returns the exit code. When standard input is the terminal, the test fails unless
// crmctl left it in canonical mode, as it found it.
func (e *env) runPTY(c *ptytest.Console, ios *iostreams.IOStreams, script func(c *ptytest.Console), args ...string) int {
	e.t.Helper()
	code := -1
	var modeErr error
	finished := c.Run(script, func() {
		f, cleanup := NewFactory(context.Background(), ios, e.lookup)
		defer cleanup()
		code = Execute(context.Background(), f, args)
		if ios.In == io.Reader(c.Tty()) {
			switch canonical, err := c.Canonical(); {
			case err != nil:
				modeErr = fmt.Errorf("the terminal mode cannot be read: %w", err)
			case !canonical:
				modeErr = fmt.Errorf("the terminal is not back in canonical mode")
			}
		}
	})
	if !finished {
		e.t.FailNow() // crmctl was abandoned: nothing it did can be checked
	}
	if modeErr != nil {
		e.t.Error(modeErr)
	}
	return code
}

// The command the walk below builds, as crmctl prints it.
const walkCommand = "  crmctl --sandbox customers create --pool 45 --name 贸易公司 --status 初访 --email a@b.cn"

// createWalk answers every question of `customers create` in the sandbox: the pool by
// the arrow keys, a typed name, a status by typing to filter, skip for the other
// selects, Email among the more fields, a bad then a good email, and yes. The name is
// the seeded customer's: the walk is told it exists, and goes on.
func createWalk(c *ptytest.Console) {
	c.WaitFor("Pool (公海)")
	c.WaitFor("华东区公海 (50117)")
	c.WaitReading()
	c.Send("\x1b[B") // down
	c.WaitScreen("> 超级公海 (48942)")
	c.Send("\x1b[B")
	c.WaitScreen("> 华东区公海 (50117)")
	c.Send("\x1b[A") // up
	c.Send("\x1b[A")
	c.WaitScreen("> 公司公海 (45)")
	c.Send("\r")

	c.WaitFor("Name (客户名称)")
	c.WaitReading()
	c.Send("贸易公司\r")

	// The sandbox's seed has a 贸易公司: it is shown at once, and the walk goes on.
	c.WaitFor("已存在 / exists: ")
	c.WaitFor("Create another customer of this name? (仍然创建)")
	c.WaitReading()
	c.Send("y\r")

	c.WaitFor("Status (跟进状态)")
	c.WaitFor("成交") // the last option: the list is drawn
	c.WaitReading()
	c.Send("初访")
	c.WaitScreen("> 初访") // chosen: the list is drawn again after erasing the old one
	if slices.Contains(c.Lines(), "  待联系") {
		c.Fail("typing 初访 did not filter the list")
	}
	c.Send("\r")

	for _, q := range []string{"Category (客户类型)", "Source (客户来源)", "Industry (所属行业)", "Staff size (人员规模)"} {
		c.WaitFor(q)
		c.WaitReading()
		c.WaitScreen("> (skip 跳过)")
		c.Send("\r")
	}

	c.WaitFor("More fields? (更多字段)")
	c.WaitFor("WeChat (微信)")
	c.WaitReading()
	c.Send("邮箱")
	c.WaitScreen("More fields? (更多字段) 邮箱")
	c.Send(" ") // choose it
	c.WaitScreen("[x]  Email (邮箱)")
	c.Send("\r")

	// "Email (邮箱)" was on the screen already, in the list: wait for the input's hint.
	c.WaitFor("[? for help]")
	c.WaitReading()
	c.WaitScreen("? Email (邮箱) [? for help]")
	c.Send("not-an-email\r")
	c.WaitFor(`Sorry, your reply was invalid: "not-an-email" is not an email address`)
	c.WaitScreen(`Sorry, your reply was invalid: "not-an-email" is not an email address`)
	c.WaitReading()
	c.Send("a@b.cn\r")

	c.WaitFor("About to create:")
	c.WaitFor("Create this customer? (创建客户)")
	c.WaitReading()
	c.Send("\r") // the default: yes
	c.WaitFor("The same, as one command:")
}

// checkWalkCommand checks that the screen ends with the equivalent command, on a line
// of its own.
func checkWalkCommand(t *testing.T, c *ptytest.Console) {
	t.Helper()
	lines := c.Lines()
	if n := len(lines); n < 2 || lines[n-2] != "The same, as one command:" || lines[n-1] != walkCommand {
		t.Errorf("the screen does not end with the command\n%s\nwant\n%s\nscreen:\n%s", "The same, as one command:", walkCommand, strings.Join(lines, "\n"))
	}
	if !strings.Contains(c.Output(), "The same, as one command:\r\n"+walkCommand+"\r\n") {
		t.Errorf("the command was not written as one line:\n%q", c.Output())
	}
}

var customerIDRow = regexp.MustCompile(`^│ ID +│ (\d+) +│$`)

func TestPTYCreateWalk(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := openPTY(t)
	ios := iostreams.FromFiles(c.Tty(), c.Tty(), c.Tty())
	ios.SetNoColor(false) // colour as at a terminal, unless TERM=dumb
	code := e.runPTY(c, ios, createWalk, "--sandbox", "customers", "create")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nscreen:\n%s", code, c.Screen())
	}
	checkWalkCommand(t, c)
	if s := c.Screen(); !summaryRow(s, "Pool (公海)", "公司公海 (45)") || !summaryRow(s, "Email (邮箱)", "a@b.cn") {
		t.Errorf("the summary is not on the screen:\n%s", s)
	}

	// The customer is in the sandbox, as the table on the screen says.
	var id string
	for _, l := range c.Lines() {
		if m := customerIDRow.FindStringSubmatch(l); m != nil {
			id = m[1]
		}
	}
	if id == "" {
		t.Fatalf("no customer id on the screen:\n%s", c.Screen())
	}
	r := e.run("", "--sandbox", "customers", "get", id, "-o", "json")
	if r.code != 0 {
		t.Fatal(r)
	}
	var got struct {
		Name         string `json:"name"`
		StatusMapped string `json:"status_mapped"`
		CommonID     int    `json:"common_id"`
		Address      struct {
			Email string `json:"email"`
		} `json:"address"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("customers get %s: %v\n%s", id, err, r.stdout)
	}
	if got.Name != "贸易公司" || got.StatusMapped != "初访" || got.CommonID != 45 || got.Address.Email != "a@b.cn" {
		t.Errorf("customer %s = %+v; want 贸易公司, 初访, pool 45, a@b.cn", id, got)
	}
}

// sandboxCustomers counts the customers in the store of the env's embedded sandbox,
// creating and seeding it first if needed.
func (e *env) sandboxCustomers() int {
	e.t.Helper()
	dir := filepath.Join(e.vars["XDG_DATA_HOME"], "crmctl")
	srv, err := sandbox.Open(sandbox.Options{DataDir: dir})
	if err != nil {
		e.t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		e.t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, sandbox.DBFile))
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM customers`).Scan(&n); err != nil {
		e.t.Fatalf("counting the sandbox's customers: %v", err)
	}
	return n
}

func TestPTYCreateCtrlC(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	before := e.sandboxCustomers()

	c := openPTY(t)
	// Standard error is a pipe, to see exactly what crmctl says there.
	errR, errW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer errR.Close()
	var stderr bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(&stderr, errR)
		copied <- err
	}()
	ios := iostreams.FromFiles(c.Tty(), c.Tty(), errW)
	code := e.runPTY(c, ios, func(c *ptytest.Console) {
		c.WaitFor("Pool (公海)")
		c.WaitReading()
		c.Send("\r")
		c.WaitFor("Name (客户名称)")
		c.WaitReading()
		c.Send("贸易")
		c.Send("\x03")
	}, "--sandbox", "customers", "create")
	errW.Close()
	select {
	case err := <-copied:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("standard error was not closed")
	}

	if code != 130 {
		t.Errorf("exit %d, want 130\nscreen:\n%s", code, c.Screen())
	}
	if got, want := stderr.String(), "crmctl: cancelled; nothing was sent\n"; got != want {
		t.Errorf("stderr = %q, want %q", got, want)
	}
	if after := e.sandboxCustomers(); after != before {
		t.Errorf("the sandbox has %d customers after Ctrl-C, %d before", after, before)
	}
}

var sgrCode = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// Not parallel: it sets the environment.
func TestPTYCreateNoColor(t *testing.T) {
	t.Setenv("TERM", "dumb")
	t.Setenv("NO_COLOR", "1")
	e := newEnv(t, nil)
	c := openPTY(t)
	ios := iostreams.FromFiles(c.Tty(), c.Tty(), c.Tty())
	if ios.ColorEnabled() {
		t.Fatal("colour is on with TERM=dumb and NO_COLOR=1")
	}
	code := e.runPTY(c, ios, createWalk, "--sandbox", "customers", "create")
	if code != 0 {
		t.Fatalf("exit %d, want 0\nscreen:\n%s", code, c.Screen())
	}
	checkWalkCommand(t, c)
	if codes := sgrCode.FindAllString(c.Output(), -1); len(codes) > 0 {
		t.Errorf("colour codes reached the terminal: %q", codes)
	}
}

// With standard input a pipe, crmctl never prompts and never waits for it, even with
// standard output on a terminal: a missing --pool is a usage error at once.
func TestPTYCreatePipedStdinNeverPrompts(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	c := ptytest.Open(t, ptytest.Options{Cols: 60, Rows: 24, Wait: 5 * time.Second, Limit: 5 * time.Second})
	inR, inW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	// Kept open, so that a read would wait; closed at the end to release one.
	t.Cleanup(func() {
		inW.Close()
		inR.Close()
	})
	ios := iostreams.FromFiles(inR, c.Tty(), c.Tty())
	if ios.IsStdinTTY() || !ios.IsStdoutTTY() {
		t.Fatal("want standard input a pipe and standard output a terminal")
	}
	code := e.runPTY(c, ios, func(*ptytest.Console) {}, "--sandbox", "customers", "create", "--name", "x")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	want := []string{"crmctl: --pool is required: a pool id or exact name (see `crmctl pools list`)"}
	if got := c.Lines(); !slices.Equal(got, want) {
		t.Errorf("screen:\n%s\nwant only\n%s", strings.Join(got, "\n"), want[0])
	}
}
