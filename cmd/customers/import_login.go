package customers

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/pace"
)

// relogin logs in again after code 100401 when CRMCTL_LOGIN (or the profile's login)
// and CRMCTL_PASSWORD are set; nil otherwise. The login is paced by pacer; the client
// it returns is not (the importer paces it), and use gets it for the look-ups.
func relogin(opts *ImportOptions, s *config.Settings, pacer *pace.Pacer, use func(*api.Client)) func(context.Context) (*api.Client, error) {
	password, _ := opts.Getenv(config.EnvPassword)
	login, _ := opts.Getenv(config.EnvLogin)
	if login == "" {
		login = s.Login.V
	}
	if password == "" || login == "" {
		return nil
	}
	corp, _ := opts.Getenv(config.EnvCorpID)
	if corp == "" {
		corp = s.CorpID.V
	}
	return func(ctx context.Context) (*api.Client, error) {
		lc, err := opts.PacedLoginClient(pacer)
		if err != nil {
			return nil, err
		}
		// The token is the account's, shared by its profiles: they all get the new one.
		// A profile of another account is left as it is.
		res, shared, err := cmdutil.LogIn(ctx, lc, s, api.LoginParams{Login: login, Password: password, CorpID: corp}, func(p *config.Profile) {
			if p.Login == "" {
				p.Login, p.CorpID = login, corp
				if s.BaseURL.Source != config.SourceDefault {
					p.BaseURL = s.BaseURL.V
				}
			}
		})
		var notStored *cmdutil.TokenNotStoredError
		if err != nil && !errors.As(err, &notStored) {
			return nil, err
		}
		if !s.Sandbox.V {
			reportRelogin(opts, s, login, shared, err)
		}
		base, err := opts.PacedClient(nil)
		if err != nil {
			return nil, err
		}
		c, err := base.WithToken(res.UserToken)
		if err != nil {
			return nil, err
		}
		use(c)
		return c, nil
	}
}

// reportRelogin says where the new token of a login again went: stored for the
// profiles of the account, or not (storeErr, or a profile of another account).
func reportRelogin(opts *ImportOptions, s *config.Settings, login string, shared []string, storeErr error) {
	switch tr := opts.IO.T(); {
	case storeErr != nil:
		tr.Fprintf(opts.IO.ErrOut, "crmctl: warning: the new token could not be stored: %v\n", storeErr)
	case !slices.Contains(shared, s.Profile.V):
		tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is not stored: profile %q is another account's\n", login, s.Profile.V)
	case len(shared) > 1:
		tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is stored for profiles %s, which share the account\n", login, strings.Join(shared, ", "))
	default:
		tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is stored in profile %q\n", login, s.Profile.V)
	}
}
