package config

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/i18n"
)

func ptr[T any](v T) *T { return &v }

// envMap turns a map into an env func; every test passes HOME so the real one is never used.
func envMap(m map[string]string) func(string) (string, bool) {
	return func(name string) (string, bool) {
		v, ok := m[name]
		return v, ok
	}
}

func writeConfig(t *testing.T, dir, content string) string {
	t.Helper()
	file := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

const fullConfig = `current_profile: work
profiles:
  default:
    base_url: https://default.example.com
  work:
    base_url: https://profile.example.com/
    login: "13800000000"
    corp_id: corp-profile
    token: tok-profile
    cache_ttl: 5m
`

type got struct {
	v      any
	source Source
	from   string
}

func of[T any](v Value[T]) got { return got{v.V, v.Source, v.From} }

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	full := writeConfig(t, dir, fullConfig)
	empty := filepath.Join(dir, "missing.yaml")

	field := map[string]func(*Settings) got{
		"profile":  func(s *Settings) got { return of(s.Profile) },
		"base_url": func(s *Settings) got { return of(s.BaseURL) },
		"token":    func(s *Settings) got { return of(s.Token) },
		"login":    func(s *Settings) got { return of(s.Login) },
		"corp_id":  func(s *Settings) got { return of(s.CorpID) },
		"output":   func(s *Settings) got { return of(s.Output) },
		"timeout":  func(s *Settings) got { return of(s.Timeout) },
		"ttl":      func(s *Settings) got { return of(s.CacheTTL) },
		"sandbox":  func(s *Settings) got { return of(s.Sandbox) },
		"no_input": func(s *Settings) got { return of(s.NoInput) },
		"debug":    func(s *Settings) got { return of(s.Debug) },
	}

	tests := []struct {
		name  string
		field string
		file  string
		flags Flags
		env   map[string]string
		want  got
	}{
		// profile: --profile > CRMCTL_PROFILE > current_profile > default
		{"profile default", "profile", empty, Flags{}, nil, got{"default", SourceDefault, ""}},
		{"profile current_profile", "profile", full, Flags{}, nil, got{"work", SourceProfile, "current_profile"}},
		{"profile env", "profile", full, Flags{}, map[string]string{EnvProfile: "default"}, got{"default", SourceEnv, EnvProfile}},
		{"profile flag", "profile", full, Flags{Profile: ptr("Other")}, map[string]string{EnvProfile: "default"}, got{"other", SourceFlag, FlagProfile}},

		// base_url: --base-url > CRMCTL_BASE_URL > profile > default
		{"base_url default", "base_url", empty, Flags{}, nil, got{DefaultBaseURL, SourceDefault, ""}},
		{"base_url profile", "base_url", full, Flags{}, nil, got{"https://profile.example.com", SourceProfile, "profile work (base_url)"}},
		{"base_url other profile", "base_url", full, Flags{Profile: ptr("default")}, nil, got{"https://default.example.com", SourceProfile, "profile default (base_url)"}},
		{"base_url env", "base_url", full, Flags{}, map[string]string{EnvBaseURL: "https://env.example.com/"}, got{"https://env.example.com", SourceEnv, EnvBaseURL}},
		{"base_url empty env is unset", "base_url", full, Flags{}, map[string]string{EnvBaseURL: ""}, got{"https://profile.example.com", SourceProfile, "profile work (base_url)"}},
		{"base_url flag", "base_url", full, Flags{BaseURL: ptr("http://127.0.0.1:8080")}, map[string]string{EnvBaseURL: "https://env.example.com"}, got{"http://127.0.0.1:8080", SourceFlag, FlagBaseURL}},

		// token: CRMCTL_TOKEN > profile > none
		{"token none", "token", empty, Flags{}, nil, got{"", SourceDefault, ""}},
		{"token profile", "token", full, Flags{}, nil, got{"tok-profile", SourceProfile, "profile work (token)"}},
		{"token env", "token", full, Flags{}, map[string]string{EnvToken: "tok-env"}, got{"tok-env", SourceEnv, EnvToken}},
		{"token env trimmed", "token", full, Flags{}, map[string]string{EnvToken: " tok-env\n"}, got{"tok-env", SourceEnv, EnvToken}},
		{"token of a profile without one", "token", full, Flags{Profile: ptr("default")}, nil, got{"", SourceDefault, ""}},

		// login, corp_id: env > profile > none
		{"login none", "login", empty, Flags{}, nil, got{"", SourceDefault, ""}},
		{"login profile", "login", full, Flags{}, nil, got{"13800000000", SourceProfile, "profile work (login)"}},
		{"login env", "login", full, Flags{}, map[string]string{EnvLogin: "13900000000"}, got{"13900000000", SourceEnv, EnvLogin}},
		{"corp_id none", "corp_id", empty, Flags{}, nil, got{"", SourceDefault, ""}},
		{"corp_id profile", "corp_id", full, Flags{}, nil, got{"corp-profile", SourceProfile, "profile work (corp_id)"}},
		{"corp_id env", "corp_id", full, Flags{}, map[string]string{EnvCorpID: "corp-env"}, got{"corp-env", SourceEnv, EnvCorpID}},

		// output: -o > CRMCTL_OUTPUT > table
		{"output default", "output", full, Flags{}, nil, got{"table", SourceDefault, ""}},
		{"output env", "output", full, Flags{}, map[string]string{EnvOutput: "JSON"}, got{"json", SourceEnv, EnvOutput}},
		{"output flag", "output", full, Flags{Output: ptr("table")}, map[string]string{EnvOutput: "json"}, got{"table", SourceFlag, FlagOutput}},

		// timeout: --timeout > CRMCTL_TIMEOUT > 30s
		{"timeout default", "timeout", full, Flags{}, nil, got{30 * time.Second, SourceDefault, ""}},
		{"timeout env", "timeout", full, Flags{}, map[string]string{EnvTimeout: "2m"}, got{2 * time.Minute, SourceEnv, EnvTimeout}},
		{"timeout flag", "timeout", full, Flags{Timeout: ptr("1500ms")}, map[string]string{EnvTimeout: "2m"}, got{1500 * time.Millisecond, SourceFlag, FlagTimeout}},

		// cache TTL: CRMCTL_CACHE_TTL > profile cache_ttl > 10m
		{"ttl default", "ttl", empty, Flags{}, nil, got{10 * time.Minute, SourceDefault, ""}},
		{"ttl profile", "ttl", full, Flags{}, nil, got{5 * time.Minute, SourceProfile, "profile work (cache_ttl)"}},
		{"ttl env", "ttl", full, Flags{}, map[string]string{EnvCacheTTL: "1h"}, got{time.Hour, SourceEnv, EnvCacheTTL}},
		{"ttl zero disables caching", "ttl", full, Flags{}, map[string]string{EnvCacheTTL: "0"}, got{time.Duration(0), SourceEnv, EnvCacheTTL}},

		// booleans: flag > env > false
		{"sandbox default", "sandbox", full, Flags{}, nil, got{false, SourceDefault, ""}},
		{"sandbox env", "sandbox", full, Flags{}, map[string]string{EnvSandbox: "1"}, got{true, SourceEnv, EnvSandbox}},
		{"sandbox flag beats env", "sandbox", full, Flags{Sandbox: ptr(false)}, map[string]string{EnvSandbox: "yes"}, got{false, SourceFlag, FlagSandbox}},
		{"no_input default", "no_input", full, Flags{}, nil, got{false, SourceDefault, ""}},
		{"no_input env", "no_input", full, Flags{}, map[string]string{EnvNoInput: "TRUE"}, got{true, SourceEnv, EnvNoInput}},
		{"no_input env empty is false", "no_input", full, Flags{}, map[string]string{EnvNoInput: ""}, got{false, SourceEnv, EnvNoInput}},
		{"no_input flag", "no_input", full, Flags{NoInput: ptr(true)}, map[string]string{EnvNoInput: "off"}, got{true, SourceFlag, FlagNoInput}},
		{"debug default", "debug", full, Flags{}, nil, got{false, SourceDefault, ""}},
		{"debug env", "debug", full, Flags{}, map[string]string{EnvDebug: "On"}, got{true, SourceEnv, EnvDebug}},
		{"debug env false", "debug", full, Flags{}, map[string]string{EnvDebug: "no"}, got{false, SourceEnv, EnvDebug}},
		{"debug flag", "debug", full, Flags{Debug: ptr(true)}, map[string]string{EnvDebug: "0"}, got{true, SourceFlag, FlagDebug}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": dir, EnvConfig: tt.file}
			for k, v := range tt.env {
				env[k] = v
			}
			s, err := Load(tt.flags, envMap(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if g := field[tt.field](s); g != tt.want {
				t.Errorf("%s = %+v, want %+v", tt.field, g, tt.want)
			}
		})
	}
}

func TestLoadPaths(t *testing.T) {
	home := filepath.FromSlash("/home/u")
	tests := []struct {
		name                   string
		flags                  Flags
		env                    map[string]string
		config, cache, dataDir string
	}{
		{
			name:    "home",
			env:     map[string]string{"HOME": home},
			config:  filepath.Join(home, ".config", "crmctl", "config.yaml"),
			cache:   filepath.Join(home, ".cache", "crmctl"),
			dataDir: filepath.Join(home, ".local", "share", "crmctl"),
		},
		{
			name:    "USERPROFILE when HOME is unset",
			env:     map[string]string{"USERPROFILE": home},
			config:  filepath.Join(home, ".config", "crmctl", "config.yaml"),
			cache:   filepath.Join(home, ".cache", "crmctl"),
			dataDir: filepath.Join(home, ".local", "share", "crmctl"),
		},
		{
			name: "xdg",
			env: map[string]string{"HOME": home, "XDG_CONFIG_HOME": filepath.FromSlash("/x/conf"),
				"XDG_CACHE_HOME": filepath.FromSlash("/x/cache"), "XDG_DATA_HOME": filepath.FromSlash("/x/data")},
			config:  filepath.FromSlash("/x/conf/crmctl/config.yaml"),
			cache:   filepath.FromSlash("/x/cache/crmctl"),
			dataDir: filepath.FromSlash("/x/data/crmctl"),
		},
		{
			name: "relative xdg is ignored",
			env: map[string]string{"HOME": home, "XDG_CONFIG_HOME": "rel/conf",
				"XDG_CACHE_HOME": "rel/cache", "XDG_DATA_HOME": "rel/data"},
			config:  filepath.Join(home, ".config", "crmctl", "config.yaml"),
			cache:   filepath.Join(home, ".cache", "crmctl"),
			dataDir: filepath.Join(home, ".local", "share", "crmctl"),
		},
		{
			name: "crmctl overrides beat xdg",
			env: map[string]string{"HOME": home, "XDG_CONFIG_HOME": "/x/conf", "XDG_CACHE_HOME": "/x/cache", "XDG_DATA_HOME": "/x/data",
				EnvConfig: filepath.FromSlash("/o/c.yaml"), EnvCacheDir: filepath.FromSlash("/o/cache"), EnvDataDir: filepath.FromSlash("/o/data")},
			config:  filepath.FromSlash("/o/c.yaml"),
			cache:   filepath.FromSlash("/o/cache"),
			dataDir: filepath.FromSlash("/o/data"),
		},
		{
			name:    "--config beats CRMCTL_CONFIG",
			flags:   Flags{Config: ptr(filepath.FromSlash("/f/c.yaml"))},
			env:     map[string]string{"HOME": home, EnvConfig: filepath.FromSlash("/o/c.yaml")},
			config:  filepath.FromSlash("/f/c.yaml"),
			cache:   filepath.Join(home, ".cache", "crmctl"),
			dataDir: filepath.Join(home, ".local", "share", "crmctl"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.flags, envMap(tt.env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.ConfigFile != tt.config || s.CacheDir != tt.cache || s.DataDir != tt.dataDir {
				t.Errorf("paths = %q, %q, %q; want %q, %q, %q", s.ConfigFile, s.CacheDir, s.DataDir, tt.config, tt.cache, tt.dataDir)
			}
		})
	}

	t.Run("no home", func(t *testing.T) {
		_, err := Load(Flags{}, envMap(nil))
		var ie *InvalidError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), "HOME") {
			t.Fatalf("err = %v, want an InvalidError naming HOME", err)
		}
	})
}

func TestLoadReadsXDGConfigFile(t *testing.T) {
	home := t.TempDir()
	xdg := t.TempDir()
	if err := SaveProfile(filepath.Join(xdg, "crmctl", "config.yaml"), "default", func(p *Profile) { p.Login = "from-xdg" }); err != nil {
		t.Fatal(err)
	}
	s, err := Load(Flags{}, envMap(map[string]string{"HOME": home, "XDG_CONFIG_HOME": xdg}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Login.V != "from-xdg" || !s.ProfileExists {
		t.Errorf("login = %q, exists = %v; want the XDG file's profile", s.Login.V, s.ProfileExists)
	}
}

func TestProfileSelection(t *testing.T) {
	dir := t.TempDir()
	twoProfiles := writeConfig(t, dir, "profiles:\n  b: {}\n  a: {login: x}\n")
	badCurrent := filepath.Join(dir, "current.yaml")
	if err := os.WriteFile(badCurrent, []byte("current_profile: gone\nprofiles:\n  a: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.yaml")

	tests := []struct {
		name       string
		file       string
		flags      Flags
		env        map[string]string
		wantName   string
		wantExists bool
		wantErr    string // from RequireProfile; "" = none
	}{
		{"implicit default, no file", missing, Flags{}, nil, "default", false, ""},
		{"implicit default, file without it", twoProfiles, Flags{}, nil, "default", false, ""},
		{"flag names an existing profile", twoProfiles, Flags{Profile: ptr("a")}, nil, "a", true, ""},
		{"names are case-insensitive", twoProfiles, Flags{Profile: ptr("A")}, nil, "a", true, ""},
		{"flag names a missing profile", twoProfiles, Flags{Profile: ptr("x")}, nil, "x", false,
			"unknown profile \"x\" (profiles: a, b); run `crmctl auth login --profile x`"},
		{"env names a missing profile", twoProfiles, Flags{}, map[string]string{EnvProfile: "y"}, "y", false,
			"unknown profile \"y\" (profiles: a, b)"},
		{"explicit default without a file", missing, Flags{Profile: ptr("default")}, nil, "default", false,
			"unknown profile \"default\" (profiles: none)"},
		{"current_profile names a missing profile", badCurrent, Flags{}, nil, "gone", false,
			"unknown profile \"gone\" (profiles: a)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{"HOME": dir, EnvConfig: tt.file}
			for k, v := range tt.env {
				env[k] = v
			}
			s, err := Load(tt.flags, envMap(env))
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if s.Profile.V != tt.wantName || s.ProfileExists != tt.wantExists {
				t.Errorf("profile = %q exists=%v, want %q exists=%v", s.Profile.V, s.ProfileExists, tt.wantName, tt.wantExists)
			}
			err = s.RequireProfile()
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("RequireProfile: %v", err)
				}
				return
			}
			var ie *InvalidError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("RequireProfile = %v, want an InvalidError containing %q", err, tt.wantErr)
			}
		})
	}

	t.Run("profiles listed sorted", func(t *testing.T) {
		s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: twoProfiles}))
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(s.Profiles, []string{"a", "b"}) {
			t.Errorf("Profiles = %q", s.Profiles)
		}
	})
}

func TestLoadInvalid(t *testing.T) {
	dir := t.TempDir()
	good := writeConfig(t, dir, fullConfig)
	tests := []struct {
		name    string
		config  string // file content; "" = use the good file
		flags   Flags
		env     map[string]string
		wantMsg []string
	}{
		{"bad yaml", "profiles: [\n", Flags{}, nil, []string{"bad.yaml", "not valid YAML"}},
		{"top level is a list", "- a\n- b\n", Flags{}, nil, []string{"bad.yaml", "not valid YAML"}},
		{"profiles is a number", "profiles: 3\n", Flags{}, nil, []string{"bad.yaml", "profiles: want a mapping", "number 3"}},
		{"profiles is a list", "profiles: [a, b]\n", Flags{}, nil, []string{"profiles: want a mapping", "a list"}},
		{"a profile is a string", "profiles:\n  work: hello\n", Flags{}, nil, []string{"profile work", "want a mapping"}},
		{"token is a list", "profiles:\n  work: {token: [1, 2]}\n", Flags{}, nil, []string{"profile work", "token: want a string"}},
		{"base_url is a mapping", "profiles:\n  work: {base_url: {a: 1}}\n", Flags{}, nil, []string{"base_url: want a string"}},
		{"current_profile is a mapping", "current_profile: {a: 1}\n", Flags{}, nil, []string{"current_profile: want a profile name"}},
		{"profile name with a space", "profiles:\n  \"my work\": {}\n", Flags{}, nil, []string{"invalid profile name"}},
		{"profile base_url plain http", "current_profile: w\nprofiles:\n  w: {base_url: \"http://crm.example.com\"}\n", Flags{}, nil,
			[]string{"profile w (base_url)", "https:// is required"}},
		{"profile cache_ttl bad", "current_profile: w\nprofiles:\n  w: {cache_ttl: soon}\n", Flags{}, nil, []string{"profile w (cache_ttl)", "soon"}},
		{"profile cache_ttl negative", "current_profile: w\nprofiles:\n  w: {cache_ttl: -1m}\n", Flags{}, nil, []string{"must not be negative"}},

		{"output flag", "", Flags{Output: ptr("yaml")}, nil, []string{"--output", `"yaml"`, "table or json"}},
		{"output env", "", Flags{}, map[string]string{EnvOutput: "csv"}, []string{EnvOutput, `"csv"`}},
		{"timeout flag garbage", "", Flags{Timeout: ptr("soon")}, nil, []string{"--timeout", `"soon"`, "positive duration"}},
		{"timeout flag without unit", "", Flags{Timeout: ptr("30")}, nil, []string{"--timeout", `"30"`}},
		{"timeout zero", "", Flags{}, map[string]string{EnvTimeout: "0s"}, []string{EnvTimeout, "positive"}},
		{"timeout negative", "", Flags{}, map[string]string{EnvTimeout: "-5s"}, []string{EnvTimeout}},
		{"cache ttl env", "", Flags{}, map[string]string{EnvCacheTTL: "ten"}, []string{EnvCacheTTL, `"ten"`}},
		{"team lease garbage", "", Flags{}, map[string]string{EnvTeamLease: "long"}, []string{EnvTeamLease, `"long"`, "from 1s to 10m"}},
		{"team lease too short", "", Flags{}, map[string]string{EnvTeamLease: "500ms"}, []string{EnvTeamLease, `"500ms"`}},
		{"team lease too long", "", Flags{}, map[string]string{EnvTeamLease: "1h"}, []string{EnvTeamLease, `"1h"`}},
		{"sandbox env", "", Flags{}, map[string]string{EnvSandbox: "maybe"}, []string{EnvSandbox, `"maybe"`, "boolean"}},
		{"no_input env", "", Flags{}, map[string]string{EnvNoInput: "2"}, []string{EnvNoInput, `"2"`}},
		{"debug env", "", Flags{}, map[string]string{EnvDebug: "y"}, []string{EnvDebug, `"y"`}},
		{"empty profile flag", "", Flags{Profile: ptr("")}, nil, []string{"--profile", "must not be empty"}},
		{"empty config flag", "", Flags{Config: ptr("")}, nil, []string{"--config", "must not be empty"}},
		{"base url flag plain http", "", Flags{BaseURL: ptr("http://crm.example.com")}, nil, []string{"--base-url", "https:// is required"}},
		{"base url env garbage", "", Flags{}, map[string]string{EnvBaseURL: "crm.example.com"}, []string{EnvBaseURL, "invalid base URL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := good
			if tt.config != "" {
				file = filepath.Join(t.TempDir(), "bad.yaml")
				if err := os.WriteFile(file, []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			env := map[string]string{"HOME": dir, EnvConfig: file}
			for k, v := range tt.env {
				env[k] = v
			}
			s, err := Load(tt.flags, envMap(env))
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Fatalf("Load = %+v, %v; want an *InvalidError", s, err)
			}
			for _, m := range tt.wantMsg {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not contain %q", err, m)
				}
			}
		})
	}
}

// A config path that names a folder is a bad setting (exit 2), for reads and writes.
func TestConfigFileIsAFolder(t *testing.T) {
	dir := t.TempDir()
	folder := filepath.Join(dir, "cfgdir")
	if err := os.Mkdir(folder, 0o700); err != nil {
		t.Fatal(err)
	}
	_, err := Load(Flags{Config: ptr(folder)}, envMap(map[string]string{"HOME": dir}))
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "config file "+folder+" is a folder") {
		t.Errorf("Load = %v, want an *InvalidError saying the config file is a folder", err)
	}
	_, err = DeleteToken(folder, "default")
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("DeleteToken = %v, want an *InvalidError", err)
	}
}

func TestLoadIgnoresUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "editor: vim\ncurrent_profile: w\nprofiles:\n  w:\n    login: 139\n    colour: [red]\n    nested: {a: {b: 1}}\n")
	s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file}))
	if err != nil {
		t.Fatal(err)
	}
	if s.Login.V != "139" || s.Profile.V != "w" {
		t.Errorf("login = %q, profile = %q", s.Login.V, s.Profile.V)
	}
	want := "config file " + file + `: ignoring unknown keys "colour" in profile w, "editor", "nested" in profile w`
	if len(s.Warnings) != 1 || s.Warnings[0].String() != want {
		t.Errorf("warnings %q, want one: %q", s.Warnings, want)
	}
	wantZH := "配置文件 " + file + `：已忽略未知的键 配置档 w 中的 "colour", "editor", 配置档 w 中的 "nested"`
	if got := s.Warnings[0].Localize(i18n.New(i18n.Chinese)); got != wantZH {
		t.Errorf("in Chinese: %q, want %q", got, wantZH)
	}

	file = writeConfig(t, t.TempDir(), "profiles:\n  default:\n    Login: 139\n    tokn: abc\n")
	s, err = Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file}))
	if err != nil {
		t.Fatal(err)
	}
	want = "config file " + file + `: ignoring unknown key "tokn" in profile default`
	if len(s.Warnings) != 1 || s.Warnings[0].String() != want || s.Token.V != "" || s.Login.V != "139" {
		t.Errorf("warnings %q, want one: %q", s.Warnings, want)
	}

	file = writeConfig(t, t.TempDir(), fullConfig)
	if s, err = Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file})); err != nil || len(s.Warnings) != 0 {
		t.Errorf("a file of known keys: %v %q", err, s.Warnings)
	}
}

func TestLoadWarnsAboutReadableToken(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	tests := []struct {
		name    string
		content string
		mode    os.FileMode
		warn    bool
	}{
		{"private file with token", fullConfig, 0o600, false},
		{"group-readable file with token", fullConfig, 0o640, true},
		{"world-readable file with token", fullConfig, 0o644, true},
		{"world-readable file without token", "profiles:\n  a: {login: x}\n", 0o644, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			file := writeConfig(t, dir, tt.content)
			if err := os.Chmod(file, tt.mode); err != nil {
				t.Fatal(err)
			}
			s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file}))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.warn {
				if len(s.Warnings) != 0 {
					t.Errorf("Warnings = %q, want none", s.Warnings)
				}
				return
			}
			if len(s.Warnings) != 1 || !strings.Contains(s.Warnings[0].String(), "chmod 600 "+file) {
				t.Errorf("Warnings = %q, want one suggesting chmod 600", s.Warnings)
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		in, want string // want "" = refused
	}{
		{"https://lxcrm.weiwenjia.com", "https://lxcrm.weiwenjia.com"},
		{"https://lxcrm.weiwenjia.com/", "https://lxcrm.weiwenjia.com"},
		{"https://crm.example.com:8443/api/", "https://crm.example.com:8443/api"},
		{"HTTPS://crm.example.com", "HTTPS://crm.example.com"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"http://127.0.0.5", "http://127.0.0.5"},
		{"http://[::1]:9000/", "http://[::1]:9000"},
		{"http://localhost:3000", "http://localhost:3000"},
		{"http://LOCALHOST", "http://LOCALHOST"},
		{"http://crm.example.com", ""},
		{"http://10.0.0.1", ""},
		{"http://128.0.0.1", ""},
		{"http://[::2]", ""},
		{"http://localhost.example.com", ""},
		{"http://localhost.", ""},
		{"http://localhost.:8080", ""},
		{"http://LOCALHOST./", ""},
		{"http://127.0.0.1.nip.io", ""},
		{"ftp://crm.example.com", ""},
		{"crm.example.com", ""},
		{"/api", ""},
		{"https://", ""},
		{"https:///path", ""},
		{"https://user:pass@crm.example.com", ""},
		{"https://crm.example.com/?x=1", ""},
		{"https://crm.example.com/#frag", ""},
		{"https://crm.example.com:port", ""},
		{"https://crm example.com", ""},
		{"", ""},
		{"::::", ""},
	}
	for _, tt := range tests {
		got, err := CheckBaseURL(tt.in)
		if tt.want == "" {
			var ie *InvalidError
			if !errors.As(err, &ie) {
				t.Errorf("CheckBaseURL(%q) = %q, %v; want an *InvalidError", tt.in, got, err)
			}
			if strings.Contains(fmtErr(err), "pass") {
				t.Errorf("CheckBaseURL(%q) error leaks the password: %v", tt.in, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("CheckBaseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestRatePrecedence(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles:\n  default:\n    rate: 5/10s\n")
	env := map[string]string{"HOME": dir}
	s, err := Load(Flags{Config: &file}, envMap(env))
	if err != nil || s.Rate.V != "5/10s" || s.Rate.Source != SourceProfile || s.Rate.From != "profile default (rate)" {
		t.Fatalf("profile layer: %+v %v", s.Rate, err)
	}
	env[EnvRate] = " off "
	if s, err = Load(Flags{Config: &file}, envMap(env)); err != nil || s.Rate.V != "off" || s.Rate.Source != SourceEnv || s.Rate.From != EnvRate {
		t.Fatalf("env layer: %+v %v", s.Rate, err)
	}
	if s, err = Load(Flags{}, envMap(map[string]string{"HOME": dir})); err != nil || s.Rate.V != "" || s.Rate.Source != SourceDefault {
		t.Fatalf("default: %+v %v", s.Rate, err)
	}
	// Saving another setting keeps the rate.
	if err := SaveProfile(file, "default", func(p *Profile) { p.Login = "1" }); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(file); err != nil || f.Profiles["default"].Rate != "5/10s" {
		t.Fatalf("after save: %+v %v", f, err)
	}
}

func TestRedisURLPrecedence(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles:\n  default:\n    redis_url: redis://:pw@10.0.0.5:6379/1\n")
	env := map[string]string{"HOME": dir}
	s, err := Load(Flags{Config: &file}, envMap(env))
	if err != nil || s.RedisURL.V != "redis://:pw@10.0.0.5:6379/1" || s.RedisURL.From != "profile default (redis_url)" || len(s.Warnings) != 0 {
		t.Fatalf("profile layer: %+v %v %q", s.RedisURL, err, s.Warnings)
	}
	env[EnvRedisURL] = " rediss://redis.example.com/0 "
	if s, err = Load(Flags{Config: &file}, envMap(env)); err != nil || s.RedisURL.V != "rediss://redis.example.com/0" || s.RedisURL.From != EnvRedisURL {
		t.Fatalf("env layer: %+v %v", s.RedisURL, err)
	}
	if s, err = Load(Flags{}, envMap(map[string]string{"HOME": dir})); err != nil || s.RedisURL.V != "" || s.RedisURL.Source != SourceDefault {
		t.Fatalf("default: %+v %v", s.RedisURL, err)
	}
	// Saving another setting keeps it.
	if err := SaveProfile(file, "default", func(p *Profile) { p.Token = "abc" }); err != nil {
		t.Fatal(err)
	}
	if f, err := ReadFile(file); err != nil || f.Profiles["default"].RedisURL != "redis://:pw@10.0.0.5:6379/1" {
		t.Fatalf("after save: %+v %v", f, err)
	}
}

func TestTeamLease(t *testing.T) {
	dir := t.TempDir()
	s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir}))
	if err != nil || s.TeamLease.V != 15*time.Second || s.TeamLease.Source != SourceDefault {
		t.Fatalf("default: %+v %v", s.TeamLease, err)
	}
	for raw, want := range map[string]time.Duration{" 2s ": 2 * time.Second, "1s": time.Second, "10m": 10 * time.Minute} {
		s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvTeamLease: raw}))
		if err != nil || s.TeamLease.V != want || s.TeamLease.Source != SourceEnv || s.TeamLease.From != EnvTeamLease {
			t.Errorf("%s=%q: %+v %v", EnvTeamLease, raw, s.TeamLease, err)
		}
	}
}
