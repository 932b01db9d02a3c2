// Package config is `crmctl config`: read and change the settings of a profile, and
// choose the current profile, without editing the config file by hand.
package config

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/crmctl/crmctl/internal/iostreams"
	"github.com/crmctl/crmctl/internal/output"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/team"
)

// key is one setting a profile holds.
type key struct {
	name  string
	help  string
	value func(s *config.Settings) config.Value[string] // the resolved value
	// check validates and normalises a new value ("" clears the key); nil: any text.
	check func(v string) (string, error)
	set   func(p *config.Profile, v string)
}

// keys are the profile settings, in the order `config list` shows them. The token is
// listed (set or not) but never shown, and never set here.
var keys = []key{
	{name: "base_url", help: "API host",
		value: func(s *config.Settings) config.Value[string] { return s.BaseURL },
		check: func(v string) (string, error) { return config.CheckBaseURL(v) },
		set:   func(p *config.Profile, v string) { p.BaseURL = v }},
	{name: "login", help: "login (phone or email) for auth login",
		value: func(s *config.Settings) config.Value[string] { return s.Login },
		set:   func(p *config.Profile, v string) { p.Login = v }},
	{name: "corp_id", help: "company id for auth login, when the login belongs to several",
		value: func(s *config.Settings) config.Value[string] { return s.CorpID },
		set:   func(p *config.Profile, v string) { p.CorpID = v }},
	{name: "output", help: "output format: table or json",
		value: func(s *config.Settings) config.Value[string] { return s.Output },
		check: func(v string) (string, error) {
			v = strings.ToLower(v)
			if v != config.OutputTable && v != config.OutputJSON {
				return "", i18n.Errorf("want table or json, not %q", v)
			}
			return v, nil
		},
		set: func(p *config.Profile, v string) { p.Output = v }},
	{name: "rate", help: "pacing of the profile's requests: N/DURATION (default 10/10s) or off",
		value: func(s *config.Settings) config.Value[string] {
			v := s.Rate
			if v.V == "" {
				v.V = pace.DefaultRate.String()
			}
			return v
		},
		check: func(v string) (string, error) {
			if strings.EqualFold(v, "off") {
				return "off", nil
			}
			if _, err := pace.ParseRate(v); err != nil {
				return "", i18n.Errorf("want N/DURATION such as 10/10s, or off, not %q", v)
			}
			return v, nil
		},
		set: func(p *config.Profile, v string) { p.Rate = v }},
	{name: "redis_url", help: "a Redis shared by a team's machines: redis:// or rediss:// (password never shown)",
		value: func(s *config.Settings) config.Value[string] {
			v := s.RedisURL
			if v.V != "" {
				v.V = team.Redact(v.V)
			}
			return v
		},
		check: func(v string) (string, error) {
			if _, err := team.Options(v, ""); err != nil {
				return "", err
			}
			return v, nil
		},
		set: func(p *config.Profile, v string) { p.RedisURL = v }},
	{name: "cache_ttl", help: "how long pools and field maps are cached, e.g. 10m (0 disables)",
		value: func(s *config.Settings) config.Value[string] {
			return config.Value[string]{V: s.CacheTTL.V.String(), Source: s.CacheTTL.Source, From: s.CacheTTL.From}
		},
		check: func(v string) (string, error) {
			d, err := time.ParseDuration(v)
			if err != nil || d < 0 {
				return "", i18n.Errorf("want a duration such as 10m or 0, not %q", v)
			}
			return v, nil
		},
		set: func(p *config.Profile, v string) { p.CacheTTL = v }},
	{name: "token", help: "the API token: never shown; set by `crmctl auth login`",
		value: func(s *config.Settings) config.Value[string] {
			v := s.Token
			v.V = tokenNone
			if s.Token.V != "" {
				v.V = tokenSet
			}
			return v
		}},
}

// What `config list` shows for the token: whether there is one, never its value.
var (
	tokenNone = i18n.M("(none)").Format
	tokenSet  = i18n.M("(set)").Format
)

func keyNames() []string {
	var names []string
	for _, k := range keys {
		names = append(names, k.name)
	}
	return names
}

func findKey(name string) (key, error) {
	for _, k := range keys {
		if strings.EqualFold(k.name, name) || strings.EqualFold(strings.ReplaceAll(k.name, "_", "-"), name) {
			return k, nil
		}
	}
	return key{}, cmdutil.UsageErrorf("unknown setting %q: the settings are %s", name, strings.Join(keyNames(), ", "))
}

// Options are the inputs of the config commands.
type Options struct {
	IO       *iostreams.IOStreams
	Settings func() (*config.Settings, error)
	Printer  func() (*output.Printer, error)
	Key      string
	Value    string
	Profile  string
}

// NewCmdConfig builds `crmctl config`.
func NewCmdConfig(f *cmdutil.Factory) *cobra.Command {
	var help strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&help, "  %-10s %s\n", k.name, k.help)
	}
	cmd := &cobra.Command{
		Use:   "config <command>",
		Short: "Show and change the settings of a profile / 查看和修改配置档的设置",
		Long: `Show and change the settings of a profile of the config file (the current one, or
--profile), and choose the current profile. The file is written atomically, mode 0600.

Settings:
` + help.String() + `
A flag or an environment variable still takes precedence over the profile:
` + "`config list`" + ` shows where each value comes from.`,
		Example: `  crmctl config list
  crmctl config set rate 5/10s
  crmctl config get output
  crmctl config set output json --profile ci
  crmctl config use work`,
	}
	cmd.AddCommand(newCmdList(f, nil), newCmdGet(f, nil), newCmdSet(f, nil), newCmdUse(f, nil))
	return cmd
}

func newOptions(f *cmdutil.Factory) *Options {
	return &Options{IO: f.IOStreams, Settings: f.Settings, Printer: f.Printer}
}

func completeKeys(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, k := range keys {
		out = append(out, k.name+"\t"+k.help)
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

func newCmdList(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:     "list",
		Short:   "List the profile's settings and where each comes from / 列出配置档的设置及其来源",
		Example: "  crmctl config list\n  crmctl config list --profile ci -o json",
		Args:    cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return listRun(opts)
		},
	}
}

func listRun(opts *Options) error {
	p, err := opts.Printer()
	if err != nil {
		return err
	}
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if err := s.RequireProfile(); err != nil {
		return err
	}
	// The sources (and the token's mark) are words for people: in the chosen language at
	// a terminal, in English through a pipe (as the headers), for scripts.
	tty := opts.IO.IsStdoutTTY()
	word := func(w string) string {
		if tty {
			return opts.IO.T().Sprintf(w)
		}
		return w
	}
	t := output.Table{Header: []string{"KEY", "VALUE", i18n.M("SOURCE (来源)").Format}}
	obj := map[string]any{"profile": s.Profile.V}
	for _, k := range keys {
		v := k.value(s)
		value := v.V
		if k.name == "token" {
			value = word(value)
		}
		t.Rows = append(t.Rows, []string{k.name, value, word(source(v))})
		if k.name == "token" {
			obj["token_set"] = s.Token.V != ""
			continue
		}
		obj[k.name] = v.V
	}
	if p.JSON() {
		b, err := output.Marshal(obj)
		if err != nil {
			return err
		}
		return p.PrintJSON(b)
	}
	if tty {
		opts.IO.T().Fprintf(opts.IO.Out, "Profile %s (%s)\n", s.Profile.V, s.ConfigFile)
	}
	return p.PrintTable(t)
}

// source names where a value comes from: a flag or variable by its name, else "default"
// or "profile" (words of the catalogue).
func source(v config.Value[string]) string {
	switch {
	case v.Source == config.SourceDefault:
		return i18n.M("default").Format
	case v.Source == config.SourceProfile:
		return i18n.M("profile").Format
	case v.From != "":
		return v.From
	default:
		return string(v.Source)
	}
}

func newCmdGet(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "get KEY",
		Short: "Print the value of one setting / 显示一个设置项的值",
		Long: `Print the value of one setting, as commands of the profile will use it (a flag or
an environment variable takes precedence over the profile). The token is never printed.`,
		Example:           "  crmctl config get rate\n  crmctl config get base_url --profile work",
		Args:              cmdutil.ExactArgs(1),
		ValidArgsFunction: completeKeys,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Key = args[0]
			if runF != nil {
				return runF(opts)
			}
			return getRun(opts)
		},
	}
}

func getRun(opts *Options) error {
	k, err := findKey(opts.Key)
	if err != nil {
		return err
	}
	if k.name == "token" {
		return cmdutil.WithHint(cmdutil.UsageErrorf("the token is never printed"),
			"`crmctl auth status` shows whether the profile has one and whether it works")
	}
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if err := s.RequireProfile(); err != nil {
		return err
	}
	_, err = fmt.Fprintln(opts.IO.Out, k.value(s).V)
	return err
}

func newCmdSet(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	return &cobra.Command{
		Use:   "set KEY VALUE",
		Short: "Change one setting of the profile / 修改配置档的一个设置项",
		Long: `Change one setting of the profile (the current one, or --profile; a new profile is
created). The value is checked first; an empty value ("") removes the setting, so that
its default applies. The token is set by ` + "`crmctl auth login`" + `, never here.`,
		Example:           "  crmctl config set rate 5/10s\n  crmctl config set cache_ttl 1h --profile work\n  crmctl config set output \"\"",
		Args:              cmdutil.ExactArgs(2),
		ValidArgsFunction: completeKeys,
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Key, opts.Value = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return setRun(opts)
		},
	}
}

func setRun(opts *Options) error {
	k, err := findKey(opts.Key)
	if err != nil {
		return err
	}
	if k.set == nil {
		return cmdutil.WithHint(cmdutil.UsageErrorf("the token is not set with `config set`: a value on the command line would stay in shell history"),
			"run `crmctl auth login`, or pipe the token to `crmctl auth login --with-token`")
	}
	v := strings.TrimSpace(opts.Value)
	if v != "" && k.check != nil {
		if v, err = k.check(v); err != nil {
			return cmdutil.UsageErrorf("%s: %v", k.name, err)
		}
	}
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if err := config.SaveProfile(s.ConfigFile, s.Profile.V, func(p *config.Profile) { k.set(p, v) }); err != nil {
		return err
	}
	if opts.IO.IsStderrTTY() {
		if v == "" {
			opts.IO.T().Fprintf(opts.IO.ErrOut, "✓ Removed %s from profile %s\n", k.name, s.Profile.V)
		} else {
			opts.IO.T().Fprintf(opts.IO.ErrOut, "✓ Set %s to %s in profile %s\n", k.name, v, s.Profile.V)
		}
	}
	return nil
}

func newCmdUse(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := newOptions(f)
	cmd := &cobra.Command{
		Use:   "use PROFILE",
		Short: "Make a profile the current one / 切换当前配置档",
		Long: `Make PROFILE the one commands use when neither --profile nor CRMCTL_PROFILE says
otherwise. The profile must exist (` + "`crmctl auth login --profile NAME`" + ` creates one).`,
		Example: "  crmctl config use work",
		Args:    cmdutil.ExactArgs(1),
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			s, err := f.Settings()
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return s.Profiles, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Profile = args[0]
			if runF != nil {
				return runF(opts)
			}
			return useRun(opts)
		},
	}
	return cmd
}

func useRun(opts *Options) error {
	s, err := opts.Settings()
	if err != nil {
		return err
	}
	if err := config.SetCurrentProfile(s.ConfigFile, opts.Profile); err != nil {
		return err
	}
	name := strings.ToLower(opts.Profile)
	if opts.IO.IsStderrTTY() {
		opts.IO.T().Fprintf(opts.IO.ErrOut, "✓ Current profile: %s\n", name)
	}
	if s.Profile.Source == config.SourceEnv && s.Profile.V != name {
		opts.IO.T().Fprintf(opts.IO.ErrOut, "crmctl: warning: %s=%s still takes precedence in this shell\n", config.EnvProfile, s.Profile.V)
	}
	return nil
}
