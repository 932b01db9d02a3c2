package customers

import (
	"context"
	"slices"
	"strings"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/pace"
)

// relogin logs in again after code 100401 when CRMCTL_LOGIN (or the profile's login)
// and CRMCTL_PASSWORD are set; nil otherwise.
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
		lc, err := opts.LoginClient()
		if err != nil {
			return nil, err
		}
		if lc, err = pacer.Client(lc); err != nil {
			return nil, err
		}
		res, err := lc.Login(ctx, api.LoginParams{Login: login, Password: password, CorpID: corp})
		if err != nil {
			return nil, err
		}
		if !s.Sandbox.V {
			// The token is the account's, shared by its profiles: they all get the new one.
			key := config.KeyOf(s.BaseURL.V, login, corp)
			shared, err := config.StoreToken(s.ConfigFile, s.Profile.V, key, res.UserToken, func(p *config.Profile) {
				if p.Login == "" {
					p.Login, p.CorpID = login, corp
					if s.BaseURL.Source != config.SourceDefault {
						p.BaseURL = s.BaseURL.V
					}
				}
			})
			switch tr := opts.IO.T(); {
			case err != nil:
				tr.Fprintf(opts.IO.ErrOut, "crmctl: warning: the new token could not be stored: %v\n", err)
			case !slices.Contains(shared, s.Profile.V):
				tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is not stored: profile %q is another account's\n", login, s.Profile.V)
			case len(shared) > 1:
				tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is stored for profiles %s, which share the account\n", login, strings.Join(shared, ", "))
			default:
				tr.Fprintf(opts.IO.ErrOut, "crmctl: logged in again as %s; the new token is stored in profile %q\n", login, s.Profile.V)
			}
		}
		base, err := opts.Client()
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
