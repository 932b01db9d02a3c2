package cmdutil

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"regexp"

	"github.com/crmctl/crmctl/internal/config"
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
