// Package build holds the version, commit and date of this binary. Release builds set
// them with -ldflags "-X github.com/crmctl/crmctl/internal/build.Version=...";
// `go install` builds fall back to the module's build information.
package build

import (
	"runtime/debug"
	"sync"
)

// Set by -ldflags at release time.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// Info is what `crmctl version` prints.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit"`
	Date    string `json:"date"`
	Go      string `json:"go"`
}

var (
	once   sync.Once
	cached Info
)

// Get returns the build information, from ldflags first and the module's build
// information second.
func Get() Info {
	once.Do(func() { cached = resolve(Version, Commit, Date, debug.ReadBuildInfo) })
	return cached
}

func resolve(version, commit, date string, read func() (*debug.BuildInfo, bool)) Info {
	info := Info{Version: version, Commit: commit, Date: date}
	if bi, ok := read(); ok {
		info.Go = bi.GoVersion
		if info.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			info.Version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if info.Commit == "" {
					info.Commit = s.Value
				}
			case "vcs.time":
				if info.Date == "" {
					info.Date = s.Value
				}
			}
		}
	}
	if info.Version == "" {
		info.Version = "dev"
	}
	if info.Commit == "" {
		info.Commit = "none"
	}
	if info.Date == "" {
		info.Date = "unknown"
	}
	return info
}

// UserAgent is the User-Agent header crmctl sends.
func UserAgent() string { return "crmctl/" + Get().Version }
