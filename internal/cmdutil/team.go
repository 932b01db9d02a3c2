package cmdutil

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/team"
)

// TeamScope is whose rate limit and ledger the team's Redis shares for the settings:
// the API host and the account (the enterprise id when set, else the login).
func TeamScope(s *config.Settings) team.Scope {
	return team.Scope{Host: s.BaseURL.V, CorpID: s.CorpID.V, Login: s.Login.V}
}

// OpenTeam connects to the team's Redis of the settings (CRMCTL_REDIS_URL or the
// profile's redis_url) and checks that it answers. It returns nil when none is set, and
// with --sandbox, whose API lives on this machine alone.
func OpenTeam(ctx context.Context, s *config.Settings) (*team.Store, error) {
	if s.RedisURL.V == "" || s.Sandbox.V {
		return nil, nil
	}
	return team.Open(ctx, s.RedisURL.V, s.RedisURL.From, TeamScope(s))
}

// NewLimiter is the pacing of the settings' requests at rate: shared through the team's
// Redis (store) when there is one, else through the profile's state file on this
// machine. With the rate off nothing is shared or recorded.
func NewLimiter(s *config.Settings, store *team.Store, rate pace.Rate, clock pace.Clock) (pace.RateLimiter, error) {
	if store != nil && !rate.IsOff() {
		return store.Limiter(rate, pace.DefaultMargin, clock)
	}
	return pace.NewLimiter(PaceStatePath(s), rate, pace.DefaultMargin, clock)
}

// MachineID is this machine's id for the team's ledger: random, made on first use and
// kept in the data folder, so that a journal of this machine is never taken for one of
// another machine with the same path.
func MachineID(dataDir string) (string, error) {
	path := filepath.Join(dataDir, "machine-id")
	if b, err := os.ReadFile(path); err == nil {
		if id := strings.TrimSpace(string(b)); len(id) >= 16 {
			return id, nil
		}
	}
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	id := hex.EncodeToString(b[:])
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return "", err
	}
	// Written to a temporary file and linked into place: of two first runs at once, one
	// id wins and both read it.
	tmp, err := os.CreateTemp(dataDir, ".machine-id-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.WriteString(id + "\n"); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	if err := os.Link(tmp.Name(), path); err != nil && !errors.Is(err, os.ErrExist) {
		return "", err
	}
	b2, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b2)), nil
}
