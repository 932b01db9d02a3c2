package cmdutil

import (
	"context"

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
