package cmdutil

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/pace"
)

var unsafeName = regexp.MustCompile(`[^a-zA-Z0-9_.-]+`)

// PaceStatePath is the profile's shared pacing state in the data folder: one per
// profile and API host, shared by every crmctl process that uses them.
func PaceStatePath(s *config.Settings) string {
	scope := s.BaseURL.V
	if s.Sandbox.V {
		scope = "sandbox:" + s.DataDir
	}
	h := sha256.Sum256([]byte(scope))
	name := unsafeName.ReplaceAllString(s.Profile.V, "_") + "-" + hex.EncodeToString(h[:4]) + ".json"
	return filepath.Join(s.DataDir, "ratelimit", name)
}

// Rate is the profile's pacing rate (CRMCTL_RATE, or the profile's rate key): N/DURATION,
// or "off" (pace.Off) for a local server without a limit. Unset, it is the API's limit.
func Rate(s *config.Settings) (rate pace.Rate, off bool, err error) {
	v := strings.TrimSpace(s.Rate.V)
	switch strings.ToLower(v) {
	case "":
		return pace.DefaultRate, false, nil
	case "off":
		return pace.Off, true, nil
	}
	r, err := pace.ParseRate(v)
	if err != nil {
		return pace.Rate{}, false, UsageErrorf("%s: invalid rate %q: expected N/DURATION such as 10/10s, or off", s.Rate.From, v)
	}
	return r, false, nil
}
