//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package prompter_test

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
)

const (
	termCols, termRows = 60, 24
	expectTimeout      = 5 * time.Second  // for each thing the script waits for
	promptTimeout      = 10 * time.Second // for the whole question
)

// console is the keyboard and screen of a pseudo-terminal in which a Prompter runs.
// Its methods run in the script's goroutine; after a failure they do nothing, so that
// a broken prompt fails the test instead of hanging it.
type console struct {
	t    *testing.T
	c    *expect.Console
	term vt10x.Terminal
	raw  *lockedBuffer // every byte the prompt wrote

	mu     sync.Mutex
	failed bool
}

func (c *console) fail(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed {
		c.t.Errorf(format+"\nscreen:\n%s", append(args, c.screen())...)
	}
	c.failed = true
}

func (c *console) ok() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.failed
}

// waitFor waits until the prompt has written s.
func (c *console) waitFor(s string) {
	if !c.ok() {
		return
	}
	if _, err := c.c.ExpectString(s); err != nil {
		c.fail("waiting for %q: %v", s, err)
	}
}

// waitReading waits until the prompt reads the keyboard, key by key: survey switches
// the terminal out of canonical mode for that. Keys sent earlier would be echoed by
// the terminal, and a Ctrl-C turned into a signal.
func (c *console) waitReading() {
	if !c.ok() {
		return
	}
	conn, err := c.c.Tty().SyscallConn()
	if err != nil {
		c.fail("terminal: %v", err)
		return
	}
	for deadline := time.Now().Add(expectTimeout); ; time.Sleep(5 * time.Millisecond) {
		var tio *unix.Termios
		var ioErr error
		if err := conn.Control(func(fd uintptr) { tio, ioErr = unix.IoctlGetTermios(int(fd), ioctlGetTermios) }); err != nil {
			ioErr = err
		}
		if ioErr != nil {
			c.fail("reading the terminal's mode: %v", ioErr)
			return
		}
		if tio.Lflag&unix.ICANON == 0 {
			return
		}
		if time.Now().After(deadline) {
			c.fail("the prompt did not start reading keys within %v", expectTimeout)
			return
		}
	}
}

// send types s.
func (c *console) send(s string) {
	if !c.ok() {
		return
	}
	if _, err := c.c.Send(s); err != nil {
		c.fail("sending %q: %v", s, err)
	}
}

// screen is what the terminal shows, trailing blanks removed.
func (c *console) screen() string {
	lines := strings.Split(c.term.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \x00")
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n")
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// runInPTY runs ask with a Prompter from New on a 60-column pseudo-terminal whose
// keyboard script drives, the two at once, as survey's own tests do: a terminal
// emulator (vt10x) reads what the prompt draws and answers its cursor queries. ask
// runs in its own goroutine and should only record its results; check them once
// runInPTY has returned. Colour is off, and the test fails if any colour code reaches
// the terminal.
func runInPTY(t *testing.T, script func(c *console), ask func(p prompter.Prompter)) *console {
	t.Helper()
	t.Parallel()

	// The emulator's answers (cursor positions) go to tty and come back out of ptm,
	// which the console copies to the prompt's keyboard.
	ptm, tty, err := pty.Open()
	if errors.Is(err, pty.ErrUnsupported) || errors.Is(err, fs.ErrNotExist) {
		t.Skipf("this system has no pseudo-terminal support (%v): the terminal prompts are not tested", err)
	}
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	term := vt10x.New(vt10x.WithWriter(tty), vt10x.WithSize(termCols, termRows))
	raw := &lockedBuffer{}
	ec, err := expect.NewConsole(
		expect.WithStdin(ptm),
		expect.WithStdout(term, raw),
		expect.WithCloser(ptm, tty),
		expect.WithDefaultTimeout(expectTimeout),
	)
	if err != nil {
		ptm.Close()
		tty.Close()
		t.Fatalf("opening the console: %v", err)
	}
	defer ec.Close()
	if err := pty.Setsize(ec.Tty(), &pty.Winsize{Cols: termCols, Rows: termRows}); err != nil {
		t.Fatalf("sizing the terminal: %v", err)
	}
	c := &console{t: t, c: ec, term: term, raw: raw}

	ios := iostreams.FromFiles(ec.Tty(), ec.Tty(), ec.Tty())
	if !ios.IsStdinTTY() || !ios.IsStdoutTTY() {
		t.Fatal("the pseudo-terminal is not detected as a terminal")
	}
	ios.SetNoColor(true)
	p := prompter.New(ios)

	scriptDone := make(chan struct{})
	go func() {
		defer close(scriptDone)
		script(c)
		if !c.ok() {
			// Release a prompt that still waits for keys.
			_, _ = ec.Send("\x03")
		}
		// Keep reading what the prompt draws (and answering its cursor queries)
		// until the terminal is closed.
		_, _ = ec.Expect(expect.EOF, expect.PTSClosed, expect.WithTimeout(promptTimeout))
	}()
	askDone := make(chan struct{})
	go func() {
		defer close(askDone)
		ask(p)
	}()

	select {
	case <-askDone:
	case <-time.After(promptTimeout):
		c.fail("the prompt did not return within %v", promptTimeout)
		_, _ = ec.Send("\x03")
		select {
		case <-askDone:
		case <-time.After(expectTimeout):
			// Closing the terminal does not interrupt a read already waiting on
			// it: leave the prompt behind rather than hang the test run.
			t.Errorf("the prompt does not respond to Ctrl-C either; abandoned")
			return c
		}
	}
	ec.Tty().Close() // ends the script's last read
	<-scriptDone

	if codes := sgr.FindAllString(raw.String(), -1); len(codes) > 0 {
		t.Errorf("colour is off, but the prompt wrote colour codes %q", codes)
	}
	return c
}

func TestSurveyInputAsksAgainUntilValid(t *testing.T) {
	var answer string
	var err error
	c := runInPTY(t, func(c *console) {
		c.waitFor("Name (客户名称)")
		c.waitFor("[? for help]")
		c.waitReading()
		c.send("?\r")
		c.waitFor("The customer's name, as on the contract.")
		c.waitReading()
		c.send("\r") // empty: rejected
		c.waitFor("a value is required")
		c.waitReading()
		c.send("贸易公司\r")
	}, func(p prompter.Prompter) {
		answer, err = p.Input("Name (客户名称)", "The customer's name, as on the contract.", "", nonEmpty)
	})
	if err != nil || answer != "贸易公司" {
		t.Errorf("Input = %q, %v; want 贸易公司, nil", answer, err)
	}
	if !strings.Contains(c.screen(), "贸易公司") {
		t.Errorf("the answer is not on the screen:\n%s", c.screen())
	}
}

func TestSurveyInputDefault(t *testing.T) {
	var answer string
	var err error
	runInPTY(t, func(c *console) {
		c.waitFor("Note (备注)")
		c.waitFor("(老客户)")
		c.waitReading()
		c.send("\r")
	}, func(p prompter.Prompter) {
		answer, err = p.Input("Note (备注)", "", "老客户", nonEmpty)
	})
	if err != nil || answer != "老客户" {
		t.Errorf("Input = %q, %v; want the default 老客户, nil", answer, err)
	}
}

func TestSurveySelectTypeToFilter(t *testing.T) {
	var index int
	var err error
	runInPTY(t, func(c *console) {
		c.waitFor("Pool (公海)")
		c.waitFor("华南公海 (3)")
		c.waitReading()
		c.send("华南")
		c.send("\r")
	}, func(p prompter.Prompter) {
		index, err = p.Select("Pool (公海)", "Where the new customer goes.", pools, 0)
	})
	if err != nil || index != 2 {
		t.Errorf("Select = %d, %v; want 2, nil", index, err)
	}
}

// On a 60-column terminal a long label is shortened so that its row does not wrap,
// but typing its hidden end still finds it; arrow keys move the selection.
func TestSurveySelectNarrowTerminal(t *testing.T) {
	long := "Shanghai Pudong New Area foreign trade customers, pool number seven"
	options := []string{"Company pool (45)", "East China pool (12)", "South China pool (3)", long}

	t.Run("filter", func(t *testing.T) {
		var index int
		var err error
		c := runInPTY(t, func(c *console) {
			c.waitFor("Shanghai Pudong")
			c.waitFor("...")
			c.waitReading()
			c.send("seven\r")
		}, func(p prompter.Prompter) {
			index, err = p.Select("Pick a pool", "", options, 0)
		})
		if err != nil || index != 3 {
			t.Errorf("Select = %d, %v; want 3, nil", index, err)
		}
		if strings.Contains(c.raw.String(), long) {
			t.Errorf("the long label was written whole on a %d-column terminal", termCols)
		}
	})
	t.Run("arrows", func(t *testing.T) {
		var index int
		var err error
		c := runInPTY(t, func(c *console) {
			c.waitFor("Shanghai Pudong")
			c.waitReading()
			c.send("\x1b[B") // down, from the default
			c.send("\x1b[B")
			c.send("\x1b[A") // up
			c.send("\r")
		}, func(p prompter.Prompter) {
			index, err = p.Select("Pick a pool", "", options, 1)
		})
		if err != nil || index != 2 {
			t.Errorf("Select = %d, %v; want 2, nil", index, err)
		}
		screen := c.screen()
		if n := strings.Count(screen, "Pick a pool"); n != 1 {
			t.Errorf("the question is on the screen %d times, want once (the list is cleared after the answer):\n%s", n, screen)
		}
		if !strings.Contains(screen, "Pick a pool South China pool (3)") {
			t.Errorf("the answer is not shown after the question:\n%s", screen)
		}
	})
}

func TestSurveyMultiSelect(t *testing.T) {
	var got []int
	var err error
	runInPTY(t, func(c *console) {
		c.waitFor("More fields")
		c.waitFor("WeChat (微信)")
		c.waitReading()
		c.send(" ")      // Tel
		c.send("\x1b[B") // down
		c.send("\x1b[B") // down
		c.send(" ")      // QQ
		c.send("\r")
	}, func(p prompter.Prompter) {
		got, err = p.MultiSelect("More fields", "Space to choose, Enter when done.", []string{"Tel (电话)", "Email (邮箱)", "QQ", "WeChat (微信)"})
	})
	if err != nil || !slices.Equal(got, []int{0, 2}) {
		t.Errorf("MultiSelect = %v, %v; want [0 2], nil", got, err)
	}
}

func TestSurveyConfirm(t *testing.T) {
	tests := []struct {
		def     bool
		hint    string
		keys    string
		want    bool
		wantErr bool
	}{
		{def: false, hint: "(y/N)", keys: "y\r", want: true},
		{def: true, hint: "(Y/n)", keys: "n\r", want: false},
		{def: true, hint: "(Y/n)", keys: "\r", want: true},
		{def: false, hint: "(y/N)", keys: "\r", want: false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%t %q", tt.def, tt.keys), func(t *testing.T) {
			var got bool
			var err error
			runInPTY(t, func(c *console) {
				c.waitFor("Create this customer? " + tt.hint)
				c.waitReading()
				c.send(tt.keys)
			}, func(p prompter.Prompter) {
				got, err = p.Confirm("Create this customer?", tt.def)
			})
			if err != nil || got != tt.want {
				t.Errorf("Confirm = %v, %v; want %v, nil", got, err, tt.want)
			}
		})
	}
}

func TestSurveyPasswordIsHidden(t *testing.T) {
	const secret = "s3cret-密码"
	var got string
	var err error
	c := runInPTY(t, func(c *console) {
		c.waitFor("Password (密码)")
		c.waitReading()
		c.send(secret + "\r")
	}, func(p prompter.Prompter) {
		got, err = p.Password("Password (密码)", "The password of your ikcrm account.")
	})
	if err != nil || got != secret {
		t.Errorf("Password = %q, %v; want %q, nil", got, err, secret)
	}
	for _, part := range []string{secret, "s3cret", "密码\n"} {
		if strings.Contains(c.raw.String(), part) {
			t.Errorf("%q reached the terminal: %q", part, c.raw.String())
		}
	}
	screen := c.screen()
	if strings.Contains(screen, "s3cret") {
		t.Errorf("the password is on the screen:\n%s", screen)
	}
	if !strings.Contains(screen, "*********") {
		t.Errorf("the screen shows no mask for the typed characters:\n%s", screen)
	}
}

func TestSurveyCancel(t *testing.T) {
	kinds := []struct {
		name    string
		message string
		ask     func(p prompter.Prompter) error
	}{
		{"Input", "Name (客户名称)", func(p prompter.Prompter) error {
			_, err := p.Input("Name (客户名称)", "", "", nonEmpty)
			return err
		}},
		{"Select", "Pool (公海)", func(p prompter.Prompter) error {
			_, err := p.Select("Pool (公海)", "", pools, 0)
			return err
		}},
		{"MultiSelect", "More fields", func(p prompter.Prompter) error {
			_, err := p.MultiSelect("More fields", "", pools)
			return err
		}},
		{"Confirm", "Create this customer?", func(p prompter.Prompter) error {
			_, err := p.Confirm("Create this customer?", true)
			return err
		}},
		{"Password", "Password (密码)", func(p prompter.Prompter) error {
			_, err := p.Password("Password (密码)", "")
			return err
		}},
	}
	keys := []struct{ name, key string }{{"Ctrl-C", "\x03"}, {"Esc", "\x1b"}}
	for _, k := range kinds {
		for _, key := range keys {
			t.Run(k.name+" "+key.name, func(t *testing.T) {
				var err error
				runInPTY(t, func(c *console) {
					c.waitFor(k.message)
					c.waitReading()
					c.send("ab") // some typing first
					c.send(key.key)
				}, func(p prompter.Prompter) {
					err = k.ask(p)
				})
				if !errors.Is(err, prompter.ErrCancelled) {
					t.Errorf("err = %v, want ErrCancelled", err)
				}
			})
		}
	}
}
