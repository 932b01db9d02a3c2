package config

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

func TestNewCmds(t *testing.T) {
	for _, c := range []struct {
		build       func(*cmdutil.Factory, func(*Options) error) *cobra.Command
		args        []string
		key, value  string
		profile     string
		usageSubstr string
	}{
		{newCmdList, nil, "", "", "", ""},
		{newCmdGet, []string{"rate"}, "rate", "", "", ""},
		{newCmdSet, []string{"cache_ttl", "1h"}, "cache_ttl", "1h", "", ""},
		{newCmdSet, []string{"output", ""}, "output", "", "", ""},
		{newCmdUse, []string{"Work"}, "", "", "Work", ""},
		{newCmdList, []string{"x"}, "", "", "", `unknown command "x" for "list"`},
		{newCmdGet, nil, "", "", "", "accepts 1 arg(s), received 0"},
		{newCmdSet, []string{"rate"}, "", "", "", "accepts 2 arg(s), received 1"},
		{newCmdUse, []string{"a", "b"}, "", "", "", "accepts 1 arg(s), received 2"},
	} {
		e := cmdtest.New(t, "")
		runF, got := cmdtest.Capture[Options]()
		err := e.Run(c.build(e.Factory, runF), c.args...)
		if c.usageSubstr != "" {
			var usage *cmdutil.UsageError
			if !errors.As(err, &usage) || !strings.Contains(err.Error(), c.usageSubstr) || *got != nil {
				t.Errorf("%q: %v, want the usage error %q", c.args, err, c.usageSubstr)
			}
			continue
		}
		if err != nil || *got == nil {
			t.Fatalf("%q: %v", c.args, err)
		}
		if o := *got; o.Key != c.key || o.Value != c.value || o.Profile != c.profile || o.IO != e.IO || o.Settings == nil || o.Printer == nil {
			t.Errorf("%q: %+v", c.args, o)
		}
	}
}

// session is a config file with a token in the default profile and an empty work
// profile; each command runs in a fresh environment on it.
type session struct {
	t    *testing.T
	base *cmdtest.Env
}

func newSession(t *testing.T) *session {
	e := cmdtest.New(t, "")
	if err := os.MkdirAll(filepath.Dir(e.ConfigFile()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.ConfigFile(), []byte("profiles:\n  default:\n    token: "+apitest.Token+"\n  work: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return &session{t: t, base: e}
}

// env is the next command's environment, with --profile when profile is not "".
func (s *session) env(profile string) (*cmdtest.Env, *Options) {
	e := s.base.Again()
	if profile != "" {
		e.Flags.Profile = &profile
	}
	return e, &Options{IO: e.IO, Settings: e.Factory.Settings, Printer: e.Factory.Printer}
}

func (s *session) get(profile, key string) string {
	s.t.Helper()
	e, o := s.env(profile)
	o.Key = key
	if err := getRun(o); err != nil {
		s.t.Fatalf("get %s: %v", key, err)
	}
	return e.Out.String()
}

func (s *session) set(profile, key, value string) error {
	e, o := s.env(profile)
	o.Key, o.Value = key, value
	err := setRun(o)
	if err == nil && e.Out.String()+e.ErrOut.String() != "" {
		s.t.Errorf("set %s through a pipe wrote %q", key, e.Out.String()+e.ErrOut.String())
	}
	return err
}

func (s *session) file() string {
	data, _ := os.ReadFile(s.base.ConfigFile())
	return string(data)
}

func TestSetAndGetRun(t *testing.T) {
	s := newSession(t)
	if err := s.set("", "rate", "5/10s"); err != nil {
		t.Fatal(err)
	}
	if got := s.get("", "rate"); got != "5/10s\n" {
		t.Errorf("get rate: %q", got)
	}
	if err := s.set("work", "output", "JSON"); err != nil {
		t.Fatal(err)
	}
	if got := s.get("work", "output"); got != "json\n" {
		t.Errorf("get output --profile work: %q", got)
	}
	if got := s.get("", "output"); got != "table\n" {
		t.Errorf("get output (default profile): %q", got)
	}
	// The team's Redis: settable, its password never shown.
	if err := s.set("", "redis-url", "rediss://:s3cret@redis.example.com:6380/2"); err != nil {
		t.Fatal(err)
	}
	if got := s.get("", "redis_url"); got != "rediss://:xxxxx@redis.example.com:6380/2\n" {
		t.Errorf("get redis_url: %q", got)
	}
	if !strings.Contains(s.file(), "redis_url: rediss://:s3cret@redis.example.com:6380/2") {
		t.Errorf("the config file: %s", s.file())
	}
	// an empty value removes the setting
	if err := s.set("", "rate", " "); err != nil {
		t.Fatal(err)
	}
	if got := s.get("", "rate"); got != "10/10s\n" {
		t.Errorf("rate after removal: %q", got)
	}
	if fi, err := os.Stat(s.base.ConfigFile()); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode: %v %v", fi.Mode(), err)
	}
}

// Values are checked before anything is written; the token is never shown, and never
// set here.
func TestSetRunRefuses(t *testing.T) {
	s := newSession(t)
	before := s.file()
	for _, c := range []struct{ key, value, msg string }{
		{"rate", "fast", `rate: want N/DURATION such as 10/10s, or off, not "fast"`},
		{"output", "xml", `output: want table or json, not "xml"`},
		{"cache_ttl", "soon", `cache_ttl: want a duration such as 10m or 0, not "soon"`},
		{"base_url", "http://crm.example.com", "base_url: refusing plain-http base URL"},
		{"colour", "yes", `unknown setting "colour": the settings are base_url, login, corp_id, output, rate, redis_url, cache_ttl, token`},
		{"redis_url", "http://:pw@10.0.0.5:6379/0", "redis_url: "},
		{"token", "not-a-token", "the token is not set with `config set`"},
	} {
		err := s.set("", c.key, c.value)
		var usage *cmdutil.UsageError
		if !errors.As(err, &usage) || !strings.HasPrefix(err.Error(), c.msg) {
			t.Errorf("set %s %q: %v, want a usage error %q", c.key, c.value, err, c.msg)
		}
	}
	e, o := s.env("")
	o.Key = "token"
	var hint *cmdutil.HintError
	if err := getRun(o); !errors.As(err, &hint) || e.Out.String() != "" {
		t.Errorf("get token: %v %q", err, e.Out.String())
	}
	if s.file() != before {
		t.Errorf("the config file changed:\n%s", s.file())
	}
}

// A refused value is explained in the chosen language.
func TestSetRunRefusesInChinese(t *testing.T) {
	s := newSession(t)
	e, o := s.env("")
	e.IO.SetLang(i18n.Chinese)
	o.Key, o.Value = "output", "xml"
	if got := e.IO.T().Error(setRun(o)); got != `output：应为 table 或 json，而不是 "xml"` {
		t.Errorf("got %q", got)
	}
	o.Key, o.Value = "cache_ttl", "soon"
	if got := e.IO.T().Error(setRun(o)); got != `cache_ttl：应为时长（如 10m 或 0），而不是 "soon"` {
		t.Errorf("got %q", got)
	}
}

func TestListRun(t *testing.T) {
	s := newSession(t)
	if err := s.set("", "rate", "5/10s"); err != nil {
		t.Fatal(err)
	}
	e, o := s.env("")
	if err := listRun(o); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"rate\t5/10s\tprofile\n", "token\t(set)\tprofile\n", "cache_ttl\t10m0s\tdefault\n"} {
		if !strings.Contains(e.Out.String(), line) {
			t.Errorf("list lacks %q:\n%s", line, e.Out.String())
		}
	}
	e, o = s.env("work")
	e.Vars["CRMCTL_OUTPUT"] = "json"
	if err := listRun(o); err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(e.Out.Bytes(), &obj); err != nil || obj["output"] != "json" || obj["token_set"] != false || obj["profile"] != "work" {
		t.Errorf("list --profile work -o json: %v %s", err, e.Out.String())
	}
	e, o = s.env("")
	e.TTY(true)
	e.IO.SetLang(i18n.Chinese)
	if err := listRun(o); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"配置档 default（" + s.base.ConfigFile() + "）\n", "设置项", "来源", "默认值", "（已设置）"} {
		if !strings.Contains(e.Out.String(), want) {
			t.Errorf("the table at a terminal lacks %q:\n%s", want, e.Out.String())
		}
	}
	if strings.Contains(e.Out.String()+e.ErrOut.String(), apitest.Token) {
		t.Errorf("the token is shown:\n%s", e.Out.String())
	}
}

func TestUseRun(t *testing.T) {
	s := newSession(t)
	if err := s.set("work", "output", "json"); err != nil {
		t.Fatal(err)
	}
	_, o := s.env("")
	o.Profile = "nope"
	if err := useRun(o); err == nil || !strings.Contains(err.Error(), "nope") {
		t.Errorf("use nope: %v", err)
	}
	e, o := s.env("")
	e.TTY(true)
	o.Profile = "Work"
	if err := useRun(o); err != nil || e.ErrOut.String() != "✓ Current profile: work\n" {
		t.Fatalf("use work: %v %q", err, e.ErrOut.String())
	}
	if got := s.get("", "output"); got != "json\n" {
		t.Errorf("get output after `use work`: %q", got)
	}
	if !strings.Contains(s.file(), "current_profile: work") {
		t.Errorf("config file:\n%s", s.file())
	}
	e, o = s.env("")
	e.Vars["CRMCTL_PROFILE"] = "default"
	o.Profile = "work"
	if err := useRun(o); err != nil || e.ErrOut.String() != "crmctl: warning: CRMCTL_PROFILE=default still takes precedence in this shell\n" {
		t.Errorf("use under CRMCTL_PROFILE: %v %q", err, e.ErrOut.String())
	}
}
