package importer

import (
	"context"
	"errors"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/i18n"
)

// relogin gets a new token after cause (an authentication error) with Config.Relogin,
// once: a second refusal before any request succeeded again stops the run. It returns
// cause when no login is possible.
func (r *runner) relogin(ctx context.Context, cause error) error {
	if r.cfg.Relogin == nil || !r.loginOK {
		return cause
	}
	r.cfg.T.Fprintf(r.cfg.Report, "crmctl: the token was refused (%v): logging in again\n", cause)
	c, err := r.cfg.Relogin(ctx)
	if err != nil {
		return i18n.Errorf("logging in again after %v: %w", cause, err)
	}
	r.loginOK = false
	if r.cfg.Pacer != nil {
		if c, err = r.cfg.Pacer.Client(c); err != nil {
			return err
		}
	}
	r.client = c
	r.clients = append(r.clients, c)
	return nil
}

// withLogin runs a look-up, logging in again once if the token is refused.
func (r *runner) withLogin(ctx context.Context, call func() error) error {
	err := call()
	var apiErr *api.Error
	if err == nil || !errors.As(err, &apiErr) || !apiErr.IsAuth() {
		return err
	}
	if err := r.relogin(ctx, err); err != nil {
		return err
	}
	if err = call(); err == nil {
		r.loginOK = true
	}
	return err
}
