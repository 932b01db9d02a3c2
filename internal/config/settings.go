// Package config resolves crmctl's settings: flag > environment > profile in the config
// file > default, for every setting, with the source of each value recorded. It also
// owns the file locations (XDG, each overridable) and writes the config file atomically
// with mode 0600 in a 0700 folder.
//
// The XDG base-directory rules apply on every platform, macOS and Windows included:
// $XDG_CONFIG_HOME, $XDG_CACHE_HOME and $XDG_DATA_HOME when set to absolute paths,
// otherwise ~/.config, ~/.cache and ~/.local/share under $HOME (%USERPROFILE% when
// $HOME is unset). Each folder has its own CRMCTL_* override.
//
// Profile names are case-insensitive and stored in lower case (the config file is read
// with viper, which folds keys to lower case).
package config

import (
	"time"

	"github.com/crmctl/crmctl/internal/i18n"
)

// Source says where a setting's value came from.
type Source string

const (
	SourceDefault Source = "default"
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"     // an environment variable (Value.From tells which)
	SourceProfile Source = "profile" // the profile in the config file
)

// Environment variables read by Load (and, for CRMCTL_PASSWORD, by auth login).
const (
	EnvConfig    = "CRMCTL_CONFIG"
	EnvCacheDir  = "CRMCTL_CACHE_DIR"
	EnvDataDir   = "CRMCTL_DATA_DIR"
	EnvProfile   = "CRMCTL_PROFILE"
	EnvBaseURL   = "CRMCTL_BASE_URL"
	EnvToken     = "CRMCTL_TOKEN"
	EnvLogin     = "CRMCTL_LOGIN"
	EnvPassword  = "CRMCTL_PASSWORD"
	EnvCorpID    = "CRMCTL_CORP_ID"
	EnvOutput    = "CRMCTL_OUTPUT"
	EnvTimeout   = "CRMCTL_TIMEOUT"
	EnvCacheTTL  = "CRMCTL_CACHE_TTL"
	EnvRate      = "CRMCTL_RATE"
	EnvRedisURL  = "CRMCTL_REDIS_URL"
	EnvTeamLease = "CRMCTL_TEAM_LEASE"
	EnvSandbox   = "CRMCTL_SANDBOX"
	EnvNoInput   = "CRMCTL_NO_INPUT"
	EnvDebug     = "CRMCTL_DEBUG"
	EnvLang      = "CRMCTL_LANG"
)

// Flag names, as recorded in Value.From.
const (
	FlagProfile = "--profile"
	FlagBaseURL = "--base-url"
	FlagOutput  = "--output"
	FlagTimeout = "--timeout"
	FlagConfig  = "--config"
	FlagSandbox = "--sandbox"
	FlagNoInput = "--no-input"
	FlagDebug   = "--debug"
)

// Output formats.
const (
	OutputTable = "table"
	OutputJSON  = "json"
)

// Defaults.
const (
	DefaultProfile = "default"
	DefaultBaseURL = "https://lxcrm.weiwenjia.com"
	DefaultOutput  = OutputTable
	DefaultTimeout = 30 * time.Second
	DefaultTTL     = 10 * time.Minute
	// DefaultTeamLease is how long a crashed import's claims in the team's ledger count
	// as being worked on (the lease is renewed every fifth of it).
	DefaultTeamLease = 15 * time.Second
)

// The bounds of CRMCTL_TEAM_LEASE: a shorter lease could lapse while a busy machine is
// still sending; a longer one keeps the other machines waiting for a crashed one.
const (
	MinTeamLease = time.Second
	MaxTeamLease = 10 * time.Minute
)

// Flags are the global flags' values; a nil pointer means the flag was not given.
type Flags struct {
	Profile *string
	BaseURL *string
	Output  *string
	Timeout *string // a Go duration, e.g. "30s"
	Config  *string
	Sandbox *bool
	NoInput *bool
	Debug   *bool
}

// Profile is one profile of the config file.
type Profile struct {
	BaseURL string `yaml:"base_url,omitempty" mapstructure:"base_url"`
	Login   string `yaml:"login,omitempty" mapstructure:"login"`
	CorpID  string `yaml:"corp_id,omitempty" mapstructure:"corp_id"`
	Token   string `yaml:"token,omitempty" mapstructure:"token"`
	// CacheTTL is a Go duration ("10m"); empty means DefaultTTL.
	CacheTTL string `yaml:"cache_ttl,omitempty" mapstructure:"cache_ttl"`
	// Rate paces the profile's requests: N/DURATION, or "off"; empty means the API's
	// limit (checked by the commands that pace).
	Rate string `yaml:"rate,omitempty" mapstructure:"rate"`
	// Output is the profile's output format ("table" or "json"); empty means table.
	Output string `yaml:"output,omitempty" mapstructure:"output"`
	// Lang is the language crmctl speaks to people: zh or en; empty means the locale's.
	Lang string `yaml:"lang,omitempty" mapstructure:"lang"`
	// RedisURL is a Redis server shared by a team's machines (redis:// or rediss://):
	// the pacing and the import ledger go through it instead of local files.
	RedisURL string `yaml:"redis_url,omitempty" mapstructure:"redis_url"`
}

// Value is one resolved setting with its origin.
type Value[T any] struct {
	V      T
	Source Source
	// From names the flag, environment variable or config key the value came from.
	From string
}

// Settings is the resolved configuration for one command run.
type Settings struct {
	ConfigFile string // the config file path (it may not exist yet)
	CacheDir   string // $XDG_CACHE_HOME/crmctl (CRMCTL_CACHE_DIR overrides)
	DataDir    string // $XDG_DATA_HOME/crmctl (CRMCTL_DATA_DIR overrides)

	Profile  Value[string]
	BaseURL  Value[string] // validated: https, or http only for loopback
	Token    Value[string] // "" when none; never printed
	Login    Value[string]
	CorpID   Value[string]
	Output   Value[string] // "table" or "json"
	Timeout  Value[time.Duration]
	CacheTTL Value[time.Duration]
	Rate     Value[string] // "" (the API's limit), N/DURATION or "off"
	RedisURL Value[string] // "" (local files), or a redis:// or rediss:// URL; never printed whole
	// TeamLease is how long an import's claims in the team's ledger outlive it when it
	// dies without a word (CRMCTL_TEAM_LEASE, from MinTeamLease to MaxTeamLease).
	TeamLease Value[time.Duration]
	Sandbox   Value[bool]
	NoInput   Value[bool]
	Debug     Value[bool]
	Lang      Value[string] // "zh", "en", or "" (the POSIX locale decides)

	// Account is the account of the profile (its base URL, login and corp id as
	// resolved): a token stored in the config file belongs to it, and is shared by
	// AccountProfiles, the profiles of the file with the same account (sorted).
	Account         AccountKey
	AccountProfiles []string

	// ProfileExists reports whether the selected profile is in the config file.
	ProfileExists bool
	// Profiles lists the config file's profiles, sorted.
	Profiles []string
	// Warnings are messages for stderr (e.g. a config file holding a token that other
	// users can read).
	Warnings []i18n.Message
}

// File is the content of the config file.
type File struct {
	CurrentProfile string             `yaml:"current_profile,omitempty" mapstructure:"current_profile"`
	Profiles       map[string]Profile `yaml:"profiles,omitempty" mapstructure:"profiles"`
	// Accounts hold the tokens, one per account, shared by the account's profiles.
	Accounts []Account `yaml:"accounts,omitempty" mapstructure:"accounts"`

	unknown []i18n.Message // the keys crmctl does not read, described (see unknownKeys)
}

// InvalidError is a bad setting, flag value, environment variable or config file
// (the CLI maps it to exit code 2).
type InvalidError struct{ Err error }

func (e *InvalidError) Error() string { return e.Err.Error() }
func (e *InvalidError) Unwrap() error { return e.Err }

func invalidf(format string, a ...any) error {
	return &InvalidError{Err: i18n.Errorf(format, a...)}
}
