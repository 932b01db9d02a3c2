//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package ptytest_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/term"

	"github.com/crmctl/crmctl/internal/prompter/ptytest"
)

func TestLinesJoinWrappedRows(t *testing.T) {
	t.Parallel()
	c := ptytest.Open(t, ptytest.Options{Cols: 20, Rows: 5})
	long := strings.Repeat("ab", 15)
	var err error
	c.Run(func(c *ptytest.Console) {
		c.WaitFor("end")
	}, func() {
		_, err = fmt.Fprintf(c.Tty(), "%s\n%s\nend\n", long, strings.Repeat("c", 20))
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.Lines(), []string{long, strings.Repeat("c", 20), "end"}; !slices.Equal(got, want) {
		t.Errorf("Lines = %q, want %q", got, want)
	}
	if got, want := c.Screen(), long[:20]+"\n"+long[20:]+"\n"+strings.Repeat("c", 20)+"\nend"; got != want {
		t.Errorf("Screen = %q, want %q", got, want)
	}
}

func TestWaitReadingThenSend(t *testing.T) {
	t.Parallel()
	c := ptytest.Open(t, ptytest.Options{})
	var key [1]byte
	var err error
	c.Run(func(c *ptytest.Console) {
		c.WaitFor("press a key")
		c.WaitReading()
		c.Send("\x03")
	}, func() {
		fd := int(c.Tty().Fd())
		state, e := term.MakeRaw(fd)
		if e != nil {
			err = e
			return
		}
		defer term.Restore(fd, state)
		fmt.Fprint(c.Tty(), "press a key")
		_, err = c.Tty().Read(key[:])
	})
	if err != nil || key[0] != 3 {
		t.Errorf("read %q, %v; want Ctrl-C as a byte", key[0], err)
	}
	if canonical, err := c.Canonical(); err == nil {
		t.Errorf("Canonical after the terminal closed = %t, nil; want an error", canonical)
	}
}

// recorder stands in for the test to see the failures a Console reports.
type recorder struct {
	testing.TB
	mu   sync.Mutex
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}

func (r *recorder) failures() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errs, "\n")
}

func TestWaitForFailsInTime(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	c := ptytest.Open(rec, ptytest.Options{Wait: 200 * time.Millisecond})
	start := time.Now()
	sent := false
	finished := c.Run(func(c *ptytest.Console) {
		c.WaitFor("never written")
		c.Send("x") // skipped after a failure
		sent = c.OK()
	}, func() {
		fmt.Fprint(c.Tty(), "something else")
	})
	if !finished || sent {
		t.Errorf("Run = %t, script went on = %t; want true, false", finished, sent)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("the failed wait took %v", d)
	}
	if f := rec.failures(); !strings.Contains(f, `waiting for "never written"`) || !strings.Contains(f, "something else") {
		t.Errorf("failures:\n%s\nwant the awaited text and the screen", f)
	}
}

func TestRunAbandonsAStuckProgram(t *testing.T) {
	t.Parallel()
	rec := &recorder{TB: t}
	c := ptytest.Open(rec, ptytest.Options{Wait: 100 * time.Millisecond, Limit: 200 * time.Millisecond})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	start := time.Now()
	finished := c.Run(func(c *ptytest.Console) {}, func() { <-release })
	if finished {
		t.Error("Run = true for a program that never returns")
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Run took %v", d)
	}
	if f := rec.failures(); !strings.Contains(f, "did not return within 200ms") || !strings.Contains(f, "abandoned") {
		t.Errorf("failures:\n%s", f)
	}
}
