package build

import (
	"runtime/debug"
	"testing"
)

func fakeBuildInfo(version string, settings ...string) func() (*debug.BuildInfo, bool) {
	return func() (*debug.BuildInfo, bool) {
		bi := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Path: "github.com/crmctl/crmctl", Version: version}}
		for i := 0; i+1 < len(settings); i += 2 {
			bi.Settings = append(bi.Settings, debug.BuildSetting{Key: settings[i], Value: settings[i+1]})
		}
		return bi, true
	}
}

func noBuildInfo() (*debug.BuildInfo, bool) { return nil, false }

func TestResolve(t *testing.T) {
	vcs := []string{"vcs", "git", "vcs.revision", "0123abcd", "vcs.time", "2026-11-01T10:00:00Z", "vcs.modified", "false"}
	tests := []struct {
		name                  string
		version, commit, date string
		read                  func() (*debug.BuildInfo, bool)
		want                  Info
	}{
		{
			name:    "ldflags win over build info",
			version: "1.2.3", commit: "abc", date: "2026-01-01",
			read: fakeBuildInfo("v0.9.0", vcs...),
			want: Info{Version: "1.2.3", Commit: "abc", Date: "2026-01-01", Go: "go1.26.8"},
		},
		{
			name: "go install: module version and vcs settings",
			read: fakeBuildInfo("v0.9.0", vcs...),
			want: Info{Version: "v0.9.0", Commit: "0123abcd", Date: "2026-11-01T10:00:00Z", Go: "go1.26.8"},
		},
		{
			name: "a checkout build: (devel) is no version",
			read: fakeBuildInfo("(devel)", vcs...),
			want: Info{Version: "dev", Commit: "0123abcd", Date: "2026-11-01T10:00:00Z", Go: "go1.26.8"},
		},
		{
			name: "pseudo-version without vcs settings",
			read: fakeBuildInfo("v0.0.0-20261101100000-0123abcd4567"),
			want: Info{Version: "v0.0.0-20261101100000-0123abcd4567", Commit: "none", Date: "unknown", Go: "go1.26.8"},
		},
		{
			name:    "only the version from ldflags",
			version: "2.0.0",
			read:    fakeBuildInfo("(devel)", vcs...),
			want:    Info{Version: "2.0.0", Commit: "0123abcd", Date: "2026-11-01T10:00:00Z", Go: "go1.26.8"},
		},
		{
			name: "no build info at all",
			read: noBuildInfo,
			want: Info{Version: "dev", Commit: "none", Date: "unknown"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := resolve(tt.version, tt.commit, tt.date, tt.read); got != tt.want {
				t.Errorf("resolve = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestUserAgent(t *testing.T) {
	if ua := UserAgent(); len(ua) <= len("crmctl/") || ua[:len("crmctl/")] != "crmctl/" {
		t.Errorf("UserAgent() = %q", ua)
	}
}
