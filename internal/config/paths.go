package config

import (
	"os"
	"path/filepath"
)

// OSEnv reads the process environment; pass it to Load outside tests.
func OSEnv(name string) (string, bool) { return os.LookupEnv(name) }

// Paths are the files and folders crmctl uses.
type Paths struct {
	ConfigFile string
	CacheDir   string
	DataDir    string
}

// ResolvePaths finds the config file (--config > CRMCTL_CONFIG >
// $XDG_CONFIG_HOME/crmctl/config.yaml > ~/.config/crmctl/config.yaml), the cache folder
// (CRMCTL_CACHE_DIR > $XDG_CACHE_HOME/crmctl > ~/.cache/crmctl) and the data folder
// (CRMCTL_DATA_DIR > $XDG_DATA_HOME/crmctl > ~/.local/share/crmctl). configFlag is the
// --config value, nil when not given.
func ResolvePaths(configFlag *string, env func(string) (string, bool)) (Paths, error) {
	if env == nil {
		env = noEnv
	}
	var p Paths
	var err error
	switch {
	case configFlag != nil:
		if *configFlag == "" {
			return Paths{}, invalidf("%s: the config file path must not be empty", FlagConfig)
		}
		p.ConfigFile = filepath.Clean(*configFlag)
	case lookupNonEmpty(env, EnvConfig) != "":
		p.ConfigFile = filepath.Clean(lookupNonEmpty(env, EnvConfig))
	default:
		dir, err := xdgDir(env, "XDG_CONFIG_HOME", ".config")
		if err != nil {
			return Paths{}, err
		}
		p.ConfigFile = filepath.Join(dir, "crmctl", "config.yaml")
	}
	if p.CacheDir, err = appDir(env, EnvCacheDir, "XDG_CACHE_HOME", ".cache"); err != nil {
		return Paths{}, err
	}
	if p.DataDir, err = appDir(env, EnvDataDir, "XDG_DATA_HOME", filepath.Join(".local", "share")); err != nil {
		return Paths{}, err
	}
	return p, nil
}

func appDir(env func(string) (string, bool), override, xdgVar, homeRel string) (string, error) {
	if v := lookupNonEmpty(env, override); v != "" {
		return filepath.Clean(v), nil
	}
	dir, err := xdgDir(env, xdgVar, homeRel)
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, "crmctl"), nil
}

// xdgDir returns $xdgVar when it is an absolute path (the XDG spec says to ignore a
// relative one), else homeRel under the home folder.
func xdgDir(env func(string) (string, bool), xdgVar, homeRel string) (string, error) {
	if v := lookupNonEmpty(env, xdgVar); v != "" && filepath.IsAbs(v) {
		return filepath.Clean(v), nil
	}
	home := lookupNonEmpty(env, "HOME")
	if home == "" {
		home = lookupNonEmpty(env, "USERPROFILE")
	}
	if home == "" {
		return "", invalidf("cannot locate the home folder: set HOME or %s", xdgVar)
	}
	return filepath.Join(home, homeRel), nil
}

func lookupNonEmpty(env func(string) (string, bool), name string) string {
	v, ok := env(name)
	if !ok {
		return ""
	}
	return v
}

func noEnv(string) (string, bool) { return "", false }
