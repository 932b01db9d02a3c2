//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package ptytest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	expect "github.com/Netflix/go-expect"
	"github.com/creack/pty"
	"github.com/hinshun/vt10x"
	"golang.org/x/sys/unix"
)

// Options size the terminal and bound the waits; zero values take the defaults.
type Options struct {
	Cols, Rows int           // the terminal's size: 80×24
	Wait       time.Duration // how long each wait of a script may take: 5s
	Limit      time.Duration // how long the program may run: 10s
}

// Console is the keyboard and screen of a pseudo-terminal. WaitFor, WaitScreen,
// WaitReading and Send belong to the script's goroutine; after a failure they do
// nothing.
type Console struct {
	t    testing.TB
	opts Options
	ec   *expect.Console
	term vt10x.Terminal
	raw  *lockedBuffer // every byte the program wrote

	mu     sync.Mutex
	failed bool
	quiet  bool // the program was abandoned: the script's failures are no longer reported
}

// Open opens a pseudo-terminal with an emulator behind it; it is closed when the test
// ends. Where the system has no pseudo-terminals, Open skips the test.
func Open(t testing.TB, opts Options) *Console {
	t.Helper()
	if opts.Cols <= 0 || opts.Rows <= 0 {
		opts.Cols, opts.Rows = 80, 24
	}
	if opts.Wait <= 0 {
		opts.Wait = 5 * time.Second
	}
	if opts.Limit <= 0 {
		opts.Limit = 10 * time.Second
	}
	// The emulator's answers to cursor queries go to tty and come back out of ptm,
	// which the console copies to the program's keyboard.
	ptm, tty, err := pty.Open()
	if errors.Is(err, pty.ErrUnsupported) || errors.Is(err, fs.ErrNotExist) {
		t.Skipf("this system has no pseudo-terminal support (%v)", err)
	}
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	term := vt10x.New(vt10x.WithWriter(tty), vt10x.WithSize(opts.Cols, opts.Rows))
	raw := &lockedBuffer{}
	ec, err := expect.NewConsole(
		expect.WithStdin(ptm),
		expect.WithStdout(term, raw),
		expect.WithCloser(ptm, tty),
		expect.WithDefaultTimeout(opts.Wait),
	)
	if err != nil {
		ptm.Close()
		tty.Close()
		t.Fatalf("opening the console: %v", err)
	}
	t.Cleanup(func() { _ = ec.Close() })
	if err := pty.Setsize(ec.Tty(), &pty.Winsize{Cols: uint16(opts.Cols), Rows: uint16(opts.Rows)}); err != nil {
		t.Fatalf("sizing the terminal: %v", err)
	}
	return &Console{t: t, opts: opts, ec: ec, term: term, raw: raw}
}

// Tty is the program's side of the terminal: its standard input and output.
func (c *Console) Tty() *os.File { return c.ec.Tty() }

// Run runs program, which uses Tty, and script, which plays its user, at once, each in
// its own goroutine, and returns when both are done. program should only record its
// results, for the test to check once Run has returned true.
//
// If program outlives the limit, the test fails and Ctrl-C is typed; if program still
// does not return, Run abandons it and returns false: its results must not be read.
func (c *Console) Run(script func(c *Console), program func()) bool {
	c.t.Helper()
	scriptDone := make(chan struct{})
	go func() {
		defer close(scriptDone)
		script(c)
		if !c.OK() {
			_, _ = c.ec.Send("\x03") // release a program that still waits for keys
		}
		// Keep reading what the program writes (and answering its cursor queries)
		// until the terminal is closed.
		_, _ = c.ec.Expect(expect.EOF, expect.PTSClosed, expect.WithTimeout(c.opts.Limit))
	}()
	programDone := make(chan struct{})
	go func() {
		defer close(programDone)
		program()
	}()

	select {
	case <-programDone:
	case <-time.After(c.opts.Limit):
		c.Fail("the program did not return within %v", c.opts.Limit)
		_, _ = c.ec.Send("\x03")
		select {
		case <-programDone:
		case <-time.After(c.opts.Wait):
			// Closing the terminal does not interrupt a read already waiting on it
			// everywhere: leave the program behind rather than hang the test run.
			c.t.Errorf("the program does not respond to Ctrl-C either; abandoned")
			c.mu.Lock()
			c.quiet = true
			c.mu.Unlock()
			return false
		}
	}
	_ = c.ec.Tty().Close() // ends the script's reads
	select {
	case <-scriptDone:
	case <-time.After(c.opts.Wait):
		c.t.Errorf("the script did not end within %v of the program", c.opts.Wait)
	}
	return true
}

// Fail fails the test, showing the screen, and stops the script.
func (c *Console) Fail(format string, args ...any) {
	c.t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.failed && !c.quiet {
		c.t.Errorf(format+"\nscreen:\n%s", append(args, c.Screen())...)
	}
	c.failed = true
}

// OK reports whether the script has not failed.
func (c *Console) OK() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.failed
}

// WaitFor waits until the program writes s. It reads on from where the previous wait
// stopped: text written before that point does not count, but text written after it,
// even before the keys meant to cause it, does.
func (c *Console) WaitFor(s string) {
	c.t.Helper()
	if !c.OK() {
		return
	}
	if err := c.expect(expect.String(s)); err != nil {
		c.Fail("waiting for %q: %v", s, err)
	}
}

// WaitScreen waits until a line of the screen (as in Lines) contains s.
func (c *Console) WaitScreen(s string) {
	c.t.Helper()
	if !c.OK() || c.screenHas(s) {
		return
	}
	m := &screenMatcher{c: c, s: s}
	opt := func(o *expect.ExpectOpts) error {
		o.Matchers = append(o.Matchers, m)
		return nil
	}
	if err := c.expect(opt); err != nil {
		c.Fail("waiting for %q on the screen: %v", s, err)
	}
}

// WaitReading waits until the program reads the keyboard key by key, out of canonical
// mode, as every prompt does. Keys sent earlier would be echoed by the terminal, and a
// Ctrl-C turned into a signal.
func (c *Console) WaitReading() {
	c.t.Helper()
	if !c.OK() {
		return
	}
	for deadline := time.Now().Add(c.opts.Wait); ; time.Sleep(5 * time.Millisecond) {
		canonical, err := c.Canonical()
		if err != nil {
			c.Fail("reading the terminal's mode: %v", err)
			return
		}
		if !canonical {
			return
		}
		if time.Now().After(deadline) {
			c.Fail("the program did not start reading keys within %v", c.opts.Wait)
			return
		}
	}
}

// Canonical reports whether the terminal is in canonical (line by line) mode, as it is
// when no prompt reads it.
func (c *Console) Canonical() (bool, error) {
	conn, err := c.ec.Tty().SyscallConn()
	if err != nil {
		return false, err
	}
	var tio *unix.Termios
	var ioErr error
	if err := conn.Control(func(fd uintptr) { tio, ioErr = unix.IoctlGetTermios(int(fd), ioctlGetTermios) }); err != nil {
		return false, err
	}
	if ioErr != nil {
		return false, ioErr
	}
	return tio.Lflag&unix.ICANON != 0, nil
}

// Send types s.
func (c *Console) Send(s string) {
	c.t.Helper()
	if !c.OK() {
		return
	}
	if _, err := c.ec.Send(s); err != nil {
		c.Fail("sending %q: %v", s, err)
	}
}

// Screen is what the terminal shows, row by row, trailing blanks removed.
func (c *Console) Screen() string {
	rows := strings.Split(c.term.String(), "\n")
	for i, r := range rows {
		rows[i] = strings.TrimRight(r, " \x00")
	}
	return strings.TrimRight(strings.Join(rows, "\n"), "\n")
}

// vtWrapped marks, in vt10x, the last cell of a row that the text continued past
// (its unexported attrWrap); the package's tests check it still does.
const vtWrapped = 1 << 6

// Lines is what the terminal shows, line by line as the program wrote them: a row the
// text ran past the right edge of is joined with the next. Trailing blanks and empty
// lines at the end are removed. The emulator gives every character one cell, wide
// (CJK) ones too, so rows break where a real terminal's would not; lines do not.
func (c *Console) Lines() []string {
	c.term.Lock()
	defer c.term.Unlock()
	cols, rows := c.term.Size()
	var lines []string
	var line []rune
	for y := 0; y < rows; y++ {
		for x := 0; x < cols; x++ {
			line = append(line, c.term.Cell(x, y).Char)
		}
		if c.term.Cell(cols-1, y).Mode&vtWrapped != 0 {
			continue
		}
		lines = append(lines, strings.TrimRight(string(line), " \x00"))
		line = line[:0]
	}
	if len(line) > 0 {
		lines = append(lines, strings.TrimRight(string(line), " \x00"))
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// Output is every byte the program wrote, escape sequences included.
func (c *Console) Output() string { return c.raw.String() }

// expect reads until opt matches, for at most about the wait limit in all (each read
// may take it, and a steady stream of output would otherwise never end the wait).
func (c *Console) expect(opt expect.ExpectOpt) error {
	late := &deadlineMatcher{at: time.Now().Add(c.opts.Wait)}
	_, err := c.ec.Expect(opt, func(o *expect.ExpectOpts) error {
		o.Matchers = append(o.Matchers, late)
		return nil
	}, expect.WithTimeout(c.opts.Wait))
	switch {
	case late.passed:
		return fmt.Errorf("not written within %v", c.opts.Wait)
	case errors.Is(err, os.ErrDeadlineExceeded):
		return fmt.Errorf("nothing more was written for %v", c.opts.Wait)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.EIO):
		return errors.New("the terminal was closed: the program had ended")
	}
	return err
}

func (c *Console) screenHas(s string) bool {
	return strings.Contains(strings.Join(c.Lines(), "\n"), s)
}

// screenMatcher matches once the screen shows its text. go-expect has drawn every
// byte it read before it asks.
type screenMatcher struct {
	c *Console
	s string
}

func (m *screenMatcher) Match(v any) bool {
	_, read := v.(*bytes.Buffer)
	return read && m.c.screenHas(m.s)
}

func (m *screenMatcher) Criteria() any { return m.s }

// deadlineMatcher ends a wait, after a read, once its time is up.
type deadlineMatcher struct {
	at     time.Time
	passed bool
}

func (m *deadlineMatcher) Match(v any) bool {
	if _, read := v.(*bytes.Buffer); read && time.Now().After(m.at) {
		m.passed = true
	}
	return m.passed
}

func (m *deadlineMatcher) Criteria() any { return m.at }

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
