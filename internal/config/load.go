package config

import (
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"strings"
	"time"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Load resolves every setting: flag > environment > profile in the config file >
// default, recording each Value's Source and From (a flag name like "--base-url", an
// environment variable like "CRMCTL_BASE_URL", or "profile work (base_url)"). env reads
// the environment (OSEnv outside tests); a variable set to "" counts as unset, except a
// boolean one, which reads as false. A missing config file is fine; a malformed one, or
// any bad value, is an *InvalidError. An unknown profile is not an error here (auth
// login creates it): see RequireProfile.
func Load(flags Flags, env func(string) (string, bool)) (*Settings, error) {
	if env == nil {
		env = noEnv
	}
	paths, err := ResolvePaths(flags.Config, env)
	if err != nil {
		return nil, err
	}
	s := &Settings{ConfigFile: paths.ConfigFile, CacheDir: paths.CacheDir, DataDir: paths.DataDir}

	file, info, err := readFile(paths.ConfigFile)
	if err != nil {
		return nil, err
	}
	s.Profiles = file.names()
	s.Warnings = fileWarnings(paths.ConfigFile, file, info)

	if s.Profile, err = resolveProfile(flags, env, file); err != nil {
		return nil, err
	}
	prof, exists := file.Profiles[s.Profile.V]
	s.ProfileExists = exists
	r := resolver{env: env, profile: s.Profile.V}

	// base_url
	s.BaseURL = r.str(flags.BaseURL, FlagBaseURL, EnvBaseURL, DefaultBaseURL, r.fromProfile("base_url", prof.BaseURL))
	if s.BaseURL.V, err = CheckBaseURL(s.BaseURL.V); err != nil {
		return nil, fromErr(s.BaseURL.From, err)
	}
	s.resolveAccount(r, file, prof)
	if err := s.resolveFormats(r, flags, prof); err != nil {
		return nil, err
	}

	// pacing rate (parsed where it is used)
	s.Rate = r.str(nil, "", EnvRate, "", r.fromProfile("rate", prof.Rate))
	s.Rate.V = strings.TrimSpace(s.Rate.V)

	// the team's Redis (checked where it is used: a URL may carry a password)
	s.RedisURL = r.str(nil, "", EnvRedisURL, "", r.fromProfile("redis_url", prof.RedisURL))
	s.RedisURL.V = strings.TrimSpace(s.RedisURL.V)
	if s.TeamLease, err = r.teamLease(); err != nil {
		return nil, err
	}

	if err := s.resolveBooleans(r, flags); err != nil {
		return nil, err
	}
	return s, nil
}

// fileWarnings are the warnings the config file deserves: keys crmctl does not read,
// and a token that other users can read.
func fileWarnings(path string, file *File, info fs.FileInfo) []i18n.Message {
	var warnings []i18n.Message
	switch {
	// A typo (tokn:) would otherwise be an unexplained "not logged in".
	case len(file.unknown) == 1:
		warnings = append(warnings, i18n.M("config file %s: ignoring unknown key %s", path, file.unknown[0]))
	case len(file.unknown) > 1:
		warnings = append(warnings, i18n.M("config file %s: ignoring unknown keys %s", path, i18n.Join(file.unknown, ", ")))
	}
	if info != nil && runtime.GOOS != "windows" && info.Mode().Perm()&0o077 != 0 && file.hasToken() {
		warnings = append(warnings, i18n.M(
			"config file %s holds a token but other users can read it (mode %04o); run `chmod 600 %s`",
			path, info.Mode().Perm(), path))
	}
	return warnings
}

// resolveProfile picks the profile: --profile > CRMCTL_PROFILE > current_profile >
// "default"; its name is checked and folded to lower case.
func resolveProfile(flags Flags, env func(string) (string, bool), file *File) (Value[string], error) {
	p := Value[string]{V: DefaultProfile, Source: SourceDefault}
	switch {
	case flags.Profile != nil:
		p = Value[string]{V: *flags.Profile, Source: SourceFlag, From: FlagProfile}
	case lookupNonEmpty(env, EnvProfile) != "":
		p = Value[string]{V: lookupNonEmpty(env, EnvProfile), Source: SourceEnv, From: EnvProfile}
	case file.CurrentProfile != "":
		p = Value[string]{V: file.CurrentProfile, Source: SourceProfile, From: "current_profile"}
	}
	name, err := checkProfileName(p.V)
	if err != nil {
		return p, fromErr(p.From, err)
	}
	p.V = name
	return p, nil
}

// resolveAccount resolves login, corp_id and the token: never flags. The token is the
// profile's own (as older versions stored it), else the one of the account: host,
// login and corp id.
func (s *Settings) resolveAccount(r resolver, file *File, prof Profile) {
	s.Login = r.str(nil, "", EnvLogin, "", r.fromProfile("login", prof.Login))
	s.CorpID = r.str(nil, "", EnvCorpID, "", r.fromProfile("corp_id", prof.CorpID))
	s.Account = KeyOf(s.BaseURL.V, s.Login.V, s.CorpID.V)
	s.AccountProfiles = file.ProfilesOf(s.Account)
	tokenLayer := r.fromProfile("token", prof.Token)
	if t := file.AccountToken(s.Account); tokenLayer == nil && t != "" {
		tokenLayer = &profileLayer{v: t, from: "account " + s.Account.String()}
	}
	s.Token = r.str(nil, "", EnvToken, "", tokenLayer)
	s.Token.V = strings.TrimSpace(s.Token.V) // a pasted token may carry spaces or a newline
}

// resolveFormats resolves and checks the settings with a format of their own: the
// output format, the timeout, the cache TTL and the language.
func (s *Settings) resolveFormats(r resolver, flags Flags, prof Profile) error {
	s.Output = r.str(flags.Output, FlagOutput, EnvOutput, DefaultOutput, r.fromProfile("output", prof.Output))
	switch o := strings.ToLower(strings.TrimSpace(s.Output.V)); o {
	case OutputTable, OutputJSON:
		s.Output.V = o
	default:
		return invalidf("%s: invalid output format %q (want table or json)", s.Output.From, s.Output.V)
	}

	t := r.str(flags.Timeout, FlagTimeout, EnvTimeout, "", nil)
	s.Timeout = Value[time.Duration]{V: DefaultTimeout, Source: t.Source, From: t.From}
	if t.Source != SourceDefault {
		d, err := time.ParseDuration(strings.TrimSpace(t.V))
		if err != nil || d <= 0 {
			return invalidf("%s: invalid timeout %q (want a positive duration such as 30s or 2m)", t.From, t.V)
		}
		s.Timeout.V = d
	}

	c := r.str(nil, "", EnvCacheTTL, "", r.fromProfile("cache_ttl", prof.CacheTTL))
	s.CacheTTL = Value[time.Duration]{V: DefaultTTL, Source: c.Source, From: c.From}
	if c.Source != SourceDefault {
		d, err := parseTTL(c.V)
		if err != nil {
			return invalidf("%s: invalid cache TTL %q: %v", c.From, c.V, err)
		}
		s.CacheTTL.V = d
	}

	s.Lang = r.str(nil, "", EnvLang, "", r.fromProfile("lang", prof.Lang))
	if s.Lang.Source != SourceDefault {
		l, ok := i18n.Parse(s.Lang.V)
		if !ok {
			return invalidf("%s: invalid language %q (want zh or en)", s.Lang.From, s.Lang.V)
		}
		s.Lang.V = string(l)
	}
	return nil
}

// resolveBooleans resolves --sandbox, --no-input and --debug.
func (s *Settings) resolveBooleans(r resolver, flags Flags) error {
	var err error
	if s.Sandbox, err = r.boolean(flags.Sandbox, FlagSandbox, EnvSandbox); err != nil {
		return err
	}
	if s.NoInput, err = r.boolean(flags.NoInput, FlagNoInput, EnvNoInput); err != nil {
		return err
	}
	if s.Debug, err = r.boolean(flags.Debug, FlagDebug, EnvDebug); err != nil {
		return err
	}
	return nil
}

// teamLease resolves CRMCTL_TEAM_LEASE (no flag, no profile key: a team agrees on it
// where it runs its imports).
func (r resolver) teamLease() (Value[time.Duration], error) {
	l := r.str(nil, "", EnvTeamLease, "", nil)
	v := Value[time.Duration]{V: DefaultTeamLease, Source: l.Source, From: l.From}
	if l.Source == SourceDefault {
		return v, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(l.V))
	if err != nil || d < MinTeamLease || d > MaxTeamLease {
		return v, invalidf("%s: invalid lease %q (want a duration from 1s to 10m, such as 15s)", l.From, l.V)
	}
	v.V = d
	return v, nil
}

// RequireProfile returns an *InvalidError when the profile was named (by --profile,
// CRMCTL_PROFILE or current_profile) but is not in the config file. The implicit
// "default" profile may be missing.
func (s *Settings) RequireProfile() error {
	if s.ProfileExists || s.Profile.Source == SourceDefault {
		return nil
	}
	return unknownProfileError(s.Profile.V, s.Profiles)
}

// parseTTL reads a cache TTL: a Go duration, zero (no caching) or more.
func parseTTL(v string) (time.Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return 0, i18n.Errorf("want a duration such as 10m, or 0 to disable caching")
	}
	if d < 0 {
		return 0, i18n.Errorf("must not be negative")
	}
	return d, nil
}

// ParseBool reads a boolean setting: 1/true/yes/on, 0/false/no/off or empty (false),
// any case, spaces trimmed. valid is false for anything else.
func ParseBool(v string) (b, valid bool) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "true", "yes", "on":
		return true, true
	case "0", "false", "no", "off", "":
		return false, true
	}
	return false, false
}

// fromErr prefixes an *InvalidError's message with where the value came from.
func fromErr(from string, err error) error {
	var ie *InvalidError
	if from == "" || !errors.As(err, &ie) {
		return err
	}
	return invalidf("%s: %v", from, ie.Err)
}

// profileLayer is the config-file layer of a setting; nil when the profile lacks it.
type profileLayer struct{ v, from string }

// resolver resolves the settings of one profile.
type resolver struct {
	env     func(string) (string, bool)
	profile string // the profile's name
}

// fromProfile is the profile's layer of a setting: the value of its key, or nil when
// the profile does not set it.
func (r resolver) fromProfile(key, v string) *profileLayer {
	if v == "" {
		return nil
	}
	// i18n:keep: From is a label, shown as written by `config list` and carried by its JSON
	return &profileLayer{v: v, from: fmt.Sprintf("profile %s (%s)", r.profile, key)}
}

// str resolves a string setting: flag (when flagName is not "") > environment (empty
// counts as unset) > profile > default.
func (r resolver) str(flag *string, flagName, envName, def string, prof *profileLayer) Value[string] {
	if flag != nil && flagName != "" {
		return Value[string]{V: *flag, Source: SourceFlag, From: flagName}
	}
	if v := lookupNonEmpty(r.env, envName); v != "" {
		return Value[string]{V: v, Source: SourceEnv, From: envName}
	}
	if prof != nil {
		return Value[string]{V: prof.v, Source: SourceProfile, From: prof.from}
	}
	return Value[string]{V: def, Source: SourceDefault}
}

// boolean resolves a boolean setting: flag > environment > false.
func (r resolver) boolean(flag *bool, flagName, envName string) (Value[bool], error) {
	if flag != nil {
		return Value[bool]{V: *flag, Source: SourceFlag, From: flagName}, nil
	}
	if raw, ok := r.env(envName); ok {
		b, valid := ParseBool(raw)
		if !valid {
			return Value[bool]{}, invalidf("%s: invalid boolean %q (want 1/true/yes/on or 0/false/no/off)", envName, raw)
		}
		return Value[bool]{V: b, Source: SourceEnv, From: envName}, nil
	}
	return Value[bool]{Source: SourceDefault}, nil
}
