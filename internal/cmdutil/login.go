package cmdutil

import (
	"context"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/i18n"
)

// LogIn logs in through client with p and stores the token for the account (the
// settings' API host, p's login and corp id): every profile of the account gets it.
// update makes the settings' profile one of the account's, or leaves it as it is (it
// is config.StoreToken's). It returns the answer and the account's profiles, sorted.
//
// A refused login, or an answer without a token, is the client's error. With the embedded sandbox nothing is stored: its
// accounts are its own. A token that could not be stored is a *TokenNotStoredError,
// returned with the answer: the caller may go on with the token.
func LogIn(ctx context.Context, client *api.Client, s *config.Settings, p api.LoginParams, update func(*config.Profile)) (*api.LoginResult, []string, error) {
	res, err := client.Login(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	if res.UserToken == "" {
		return nil, nil, i18n.Errorf("login answered without a user_token") // the client refuses such an answer: never stored
	}
	if s.Sandbox.V {
		return res, nil, nil
	}
	key := config.KeyOf(s.BaseURL.V, p.Login, p.CorpID)
	shared, err := config.StoreToken(s.ConfigFile, s.Profile.V, key, res.UserToken, update)
	if err != nil {
		return res, nil, &TokenNotStoredError{Err: err}
	}
	return res, shared, nil
}

// TokenNotStoredError is a login's token that could not be stored in the config file.
// Its text is the cause's.
type TokenNotStoredError struct{ Err error }

func (e *TokenNotStoredError) Error() string { return e.Err.Error() }
func (e *TokenNotStoredError) Unwrap() error { return e.Err }
