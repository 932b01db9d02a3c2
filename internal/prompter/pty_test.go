//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package prompter_test

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
	"github.com/crmctl/crmctl/internal/prompter/ptytest"
)

const termCols, termRows = 60, 24

var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// runInPTY runs ask with a Prompter from New on a 60-column pseudo-terminal whose
// keyboard script drives, the two at once. ask runs in its own goroutine and should
// only record its results; check them once runInPTY has returned. Colour is off, and
// the test fails if any colour code reaches the terminal.
func runInPTY(t *testing.T, script func(c *ptytest.Console), ask func(p prompter.Prompter)) *ptytest.Console {
	t.Helper()
	t.Parallel()
	c := ptytest.Open(t, ptytest.Options{Cols: termCols, Rows: termRows})
	ios := iostreams.FromFiles(c.Tty(), c.Tty(), c.Tty())
	if !ios.IsStdinTTY() || !ios.IsStdoutTTY() {
		t.Fatal("the pseudo-terminal is not detected as a terminal")
	}
	ios.SetNoColor(true)
	p := prompter.New(ios)
	if !c.Run(script, func() { ask(p) }) {
		t.FailNow() // the prompt was abandoned: its results cannot be read
	}
	if codes := sgr.FindAllString(c.Output(), -1); len(codes) > 0 {
		t.Errorf("colour is off, but the prompt wrote colour codes %q", codes)
	}
	return c
}

func TestSurveyInputAsksAgainUntilValid(t *testing.T) {
	var answer string
	var err error
	c := runInPTY(t, func(c *ptytest.Console) {
		c.WaitFor("Name (客户名称)")
		c.WaitFor("[? for help]")
		c.WaitReading()
		c.Send("?\r")
		c.WaitFor("The customer's name, as on the contract.")
		c.WaitReading()
		c.Send("\r") // empty: rejected
		c.WaitFor("a value is required")
		c.WaitReading()
		c.Send("贸易公司\r")
	}, func(p prompter.Prompter) {
		answer, err = p.Input("Name (客户名称)", "The customer's name, as on the contract.", "", nonEmpty)
	})
	if err != nil || answer != "贸易公司" {
		t.Errorf("Input = %q, %v; want 贸易公司, nil", answer, err)
	}
	if !strings.Contains(c.Screen(), "贸易公司") {
		t.Errorf("the answer is not on the screen:\n%s", c.Screen())
	}
}

func TestSurveyInputDefault(t *testing.T) {
	var answer string
	var err error
	runInPTY(t, func(c *ptytest.Console) {
		c.WaitFor("Note (备注)")
		c.WaitFor("(老客户)")
		c.WaitReading()
		c.Send("\r")
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
	runInPTY(t, func(c *ptytest.Console) {
		c.WaitFor("Pool (公海)")
		c.WaitFor("华南公海 (3)")
		c.WaitReading()
		c.Send("华南")
		c.Send("\r")
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
		c := runInPTY(t, func(c *ptytest.Console) {
			c.WaitFor("Shanghai Pudong")
			c.WaitFor("...")
			c.WaitReading()
			c.Send("seven\r")
		}, func(p prompter.Prompter) {
			index, err = p.Select("Pick a pool", "", options, 0)
		})
		if err != nil || index != 3 {
			t.Errorf("Select = %d, %v; want 3, nil", index, err)
		}
		if strings.Contains(c.Output(), long) {
			t.Errorf("the long label was written whole on a %d-column terminal", termCols)
		}
	})
	t.Run("arrows", func(t *testing.T) {
		var index int
		var err error
		c := runInPTY(t, func(c *ptytest.Console) {
			c.WaitFor("Shanghai Pudong")
			c.WaitReading()
			c.Send("\x1b[B") // down, from the default
			c.Send("\x1b[B")
			c.Send("\x1b[A") // up
			c.Send("\r")
		}, func(p prompter.Prompter) {
			index, err = p.Select("Pick a pool", "", options, 1)
		})
		if err != nil || index != 2 {
			t.Errorf("Select = %d, %v; want 2, nil", index, err)
		}
		screen := c.Screen()
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
	runInPTY(t, func(c *ptytest.Console) {
		c.WaitFor("More fields")
		c.WaitFor("WeChat (微信)")
		c.WaitReading()
		c.Send(" ")      // Tel
		c.Send("\x1b[B") // down
		c.Send("\x1b[B") // down
		c.Send(" ")      // QQ
		c.Send("\r")
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
			runInPTY(t, func(c *ptytest.Console) {
				c.WaitFor("Create this customer? " + tt.hint)
				c.WaitReading()
				c.Send(tt.keys)
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
	c := runInPTY(t, func(c *ptytest.Console) {
		c.WaitFor("Password (密码)")
		c.WaitReading()
		c.Send(secret + "\r")
	}, func(p prompter.Prompter) {
		got, err = p.Password("Password (密码)", "The password of your ikcrm account.")
	})
	if err != nil || got != secret {
		t.Errorf("Password = %q, %v; want %q, nil", got, err, secret)
	}
	for _, part := range []string{secret, "s3cret", "密码\n"} {
		if strings.Contains(c.Output(), part) {
			t.Errorf("%q reached the terminal: %q", part, c.Output())
		}
	}
	screen := c.Screen()
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
				runInPTY(t, func(c *ptytest.Console) {
					c.WaitFor(k.message)
					c.WaitReading()
					c.Send("ab") // some typing first
					c.Send(key.key)
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
