//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package prompter_test

import (
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/prompter"
	"github.com/crmctl/crmctl/internal/prompter/ptytest"
)

// A field's help, shown on "?", is in the chosen language: the field table's help is a
// message of the catalogue. A help that is not one is shown as it is.
func TestSurveyHelpInChinese(t *testing.T) {
	t.Parallel()
	name, ok := fields.ByFlag("phone")
	if !ok {
		t.Fatal("no phone field")
	}
	status, _ := fields.ByFlag("status")
	c := ptytest.Open(t, ptytest.Options{Cols: termCols, Rows: termRows})
	ios := iostreams.FromFiles(c.Tty(), c.Tty(), c.Tty())
	ios.SetNoColor(true)
	ios.SetLang(i18n.Chinese)
	p := prompter.New(ios)
	var answer string
	var index int
	var err1, err2 error
	ok = c.Run(func(c *ptytest.Console) {
		c.WaitFor(name.Title())
		c.WaitReading()
		c.Send("?\r")
		c.WaitFor("手机号码")
		c.WaitReading()
		c.Send("13800000000\r")
		c.WaitFor(status.Title())
		c.WaitReading()
		c.Send("?")
		c.WaitFor("跟进状态：选项名称或 id（见 crmctl fieldmaps show）")
		c.WaitReading()
		c.Send("\r")
	}, func() {
		answer, err1 = p.Input(name.Title(), name.Help, "", nil)
		index, err2 = p.Select(status.Title(), status.Help, []string{"初访", "意向"}, 0)
	})
	if !ok {
		t.FailNow()
	}
	if err1 != nil || answer != "13800000000" || err2 != nil || index != 0 {
		t.Errorf("Input = %q, %v; Select = %d, %v", answer, err1, index, err2)
	}
	if got := c.Output(); strings.Contains(got, name.Help) || strings.Contains(got, status.Help) {
		t.Errorf("the English help was shown in Chinese:\n%s", got)
	}
}
