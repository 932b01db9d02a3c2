package cmdutil

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/config"
)

// loginServer answers a login with token, or refuses it with code 100001.
func loginServer(t *testing.T, token string) *api.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/api/v2/auth/login" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		if token == "" {
			_, _ = w.Write([]byte(`{"code":100001,"message":"密码错误"}`))
			return
		}
		_, _ = w.Write([]byte(`{"code":0,"data":{"user_token":"` + token + `","user_id":7}}`))
	}))
	t.Cleanup(srv.Close)
	c, err := api.New(api.Options{BaseURL: srv.URL, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func loginSettings(t *testing.T, file string) *config.Settings {
	t.Helper()
	return &config.Settings{
		ConfigFile: file,
		Profile:    config.Value[string]{V: "work"},
		BaseURL:    config.Value[string]{V: "https://lxcrm.weiwenjia.com"},
	}
}

// The token goes to the account, shared by its profiles; update fills the profile in.
func TestLogInStoresTheTokenForTheAccount(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	err := config.SaveProfile(file, "other", func(p *config.Profile) { p.Login, p.Token = "13800000000", "old-token" })
	if err != nil {
		t.Fatal(err)
	}
	s := loginSettings(t, file)
	p := api.LoginParams{Login: "13800000000", Password: "pw"}
	res, shared, err := LogIn(context.Background(), loginServer(t, "new-token"), s, p, func(pr *config.Profile) { pr.Login = p.Login })
	if err != nil {
		t.Fatal(err)
	}
	if res.UserToken != "new-token" || !slices.Equal(shared, []string{"other", "work"}) {
		t.Fatalf("token %q, shared by %v", res.UserToken, shared)
	}
	f, err := config.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.StoredToken(config.KeyOf(s.BaseURL.V, p.Login, "")); got != "new-token" {
		t.Errorf("stored token %q", got)
	}
}

// A refused login stores nothing; the sandbox's token is never stored; a token that
// cannot be stored comes back with the answer.
func TestLogInFailures(t *testing.T) {
	dir := t.TempDir()
	p := api.LoginParams{Login: "13800000000", Password: "pw"}
	file := filepath.Join(dir, "config.yaml")
	_, _, err := LogIn(context.Background(), loginServer(t, ""), loginSettings(t, file), p, nil)
	var ae *api.Error
	if !errors.As(err, &ae) {
		t.Fatalf("refused login: %v", err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused login wrote the config file (%v)", err)
	}

	sb := loginSettings(t, file)
	sb.Sandbox.V = true
	res, shared, err := LogIn(context.Background(), loginServer(t, "sandbox-token"), sb, p, nil)
	if err != nil || res.UserToken != "sandbox-token" || shared != nil {
		t.Fatalf("sandbox: %v %v %v", res, shared, err)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the sandbox's login wrote the config file (%v)", err)
	}

	blocked := filepath.Join(dir, "not-a-folder")
	if err := os.WriteFile(blocked, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	res, _, err = LogIn(context.Background(), loginServer(t, "new-token"), loginSettings(t, filepath.Join(blocked, "config.yaml")), p, nil)
	var notStored *TokenNotStoredError
	if !errors.As(err, &notStored) || res == nil || res.UserToken != "new-token" {
		t.Fatalf("unwritable config: %v, %v", res, err)
	}
}
