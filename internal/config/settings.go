// Package config resolves crmctl's settings: flag > environment > profile in the config
// file > default, for every setting, with the source of each value recorded. It also
// owns the file locations (XDG, each overridable) and writes the config file atomically
// with mode 0600 in a 0700 folder.
package config

import "time"

// Source says where a setting's value came from.
type Source string

const (
	SourceDefault Source = "default"
	SourceFlag    Source = "flag"
	SourceEnv     Source = "env"     // an environment variable (Settings.EnvName tells which)
	SourceProfile Source = "profile" // the profile in the config file
)

// Defaults.
const (
	DefaultProfile = "default"
	DefaultBaseURL = "https://lxcrm.weiwenjia.com"
	DefaultOutput  = "table"
	DefaultTimeout = 30 * time.Second
	DefaultTTL     = 10 * time.Minute
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
	Sandbox  Value[bool]
	NoInput  Value[bool]
	Debug    Value[bool]
}
