//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package ptytest_test

import (
	"fmt"
	"io"
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
		defer func() {
			if e := term.Restore(fd, state); e != nil && err == nil {
				err = e
			}
		}()
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

// A wait fails once its time is up, whether the program falls silent or keeps writing
// something else, and the script stops there.
func TestWaitForFailsInTime(t *testing.T) {
	tests := []struct {
		name, want string
		program    func(w io.Writer)
	}{
		{"silent", "nothing more was written for 200ms", func(w io.Writer) {
			fmt.Fprint(w, "something else")
			time.Sleep(time.Second)
		}},
		{"chatty", "not written within 200ms", func(w io.Writer) {
			fmt.Fprint(w, "something else")
			for range 50 {
				fmt.Fprint(w, ".")
				time.Sleep(20 * time.Millisecond)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rec := &recorder{TB: t}
			c := ptytest.Open(rec, ptytest.Options{Wait: 200 * time.Millisecond})
			var waited time.Duration
			sent := false
			finished := c.Run(func(c *ptytest.Console) {
				start := time.Now()
				c.WaitFor("never written")
				waited = time.Since(start)
				c.Send("x") // skipped after a failure
				sent = c.OK()
			}, func() {
				tt.program(c.Tty())
			})
			if !finished || sent {
				t.Errorf("Run = %t, script went on = %t; want true, false", finished, sent)
			}
			if waited > 800*time.Millisecond {
				t.Errorf("the failed wait took %v", waited)
			}
			f := rec.failures()
			if !strings.Contains(f, `waiting for "never written": `+tt.want) || !strings.Contains(f, "something else") {
				t.Errorf("failures:\n%s\nwant the awaited text, %q and the screen", f, tt.want)
			}
		})
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
