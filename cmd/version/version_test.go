package version

import (
	"errors"
	"testing"

	"github.com/crmctl/crmctl/internal/build"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

func TestNewCmdVersion(t *testing.T) {
	e := cmdtest.New(t, "")
	e.Vars["CRMCTL_OUTPUT"] = " JSON "
	runF, got := cmdtest.Capture[Options]()
	if err := e.Run(NewCmdVersion(e.Factory, runF)); err != nil {
		t.Fatal(err)
	}
	if o := *got; o == nil || o.Format != "json" || o.Info != build.Get() || o.IO != e.IO {
		t.Errorf("options: %+v", o)
	}
	var usage *cmdutil.UsageError
	if err := e.Run(NewCmdVersion(e.Factory, runF), "now"); !errors.As(err, &usage) {
		t.Errorf("an argument: %v, want a usage error", err)
	}
}

var info = build.Info{Version: "1.2.3", Commit: "abc1234", Date: "2026-12-01", Go: "go1.24"}

func TestVersionRun(t *testing.T) {
	for _, c := range []struct {
		format, jq string
		lang       i18n.Lang
		want       string
	}{
		{"", "", i18n.English, "crmctl 1.2.3 (commit abc1234, built 2026-12-01, go1.24)\n"},
		{"", "", i18n.Chinese, "crmctl 1.2.3（提交 abc1234，构建于 2026-12-01，go1.24）\n"},
		{"json", "", i18n.Chinese, "{\n  \"version\": \"1.2.3\",\n  \"commit\": \"abc1234\",\n  \"date\": \"2026-12-01\",\n  \"go\": \"go1.24\"\n}\n"},
		{"", ".commit", i18n.English, "abc1234\n"},
	} {
		e := cmdtest.New(t, "")
		e.IO.SetLang(c.lang)
		if err := versionRun(&Options{IO: e.IO, Format: c.format, JQ: c.jq, Info: info}); err != nil {
			t.Fatal(err)
		}
		if e.Out.String() != c.want {
			t.Errorf("%q %q %s: %q, want %q", c.format, c.jq, c.lang, e.Out.String(), c.want)
		}
	}
	var usage *cmdutil.UsageError
	e := cmdtest.New(t, "")
	if err := versionRun(&Options{IO: e.IO, Format: "xml", Info: info}); !errors.As(err, &usage) {
		t.Errorf("-o xml: %v, want a usage error", err)
	}
}
