package config

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// loadToken is the token profile name resolves to, and where it came from.
func loadToken(t *testing.T, file, name string, env map[string]string) Value[string] {
	t.Helper()
	vars := map[string]string{"HOME": t.TempDir(), EnvConfig: file}
	for k, v := range env {
		vars[k] = v
	}
	s, err := Load(Flags{Profile: &name}, envMap(vars))
	if err != nil {
		t.Fatal(err)
	}
	return s.Token
}

// Two profiles of one account (host, login, corp id) share its token: a login with one
// refreshes the other instead of leaving it with the token the login ended.
func TestProfilesOfOneAccountShareItsToken(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, `profiles:
  a: {login: "13800000000", token: old-a}
  b: {}
  other-corp: {login: "13800000000", corp_id: c2, token: t-corp}
  other-host: {base_url: "https://dingtalk.e.ikcrm.com", login: "13800000000", token: t-host}
  nologin: {token: t-nologin}
`)
	// Before any write, the per-profile tokens of older versions are read as they are.
	if got := loadToken(t, file, "a", nil); got.V != "old-a" || got.From != "profile a (token)" {
		t.Fatalf("a's token before the login = %+v", got)
	}

	k := KeyOf("", "13800000000", "")
	shared, err := StoreToken(file, "b", k, "new-token", func(p *Profile) { p.Login = "13800000000" })
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(shared, []string{"a", "b"}) {
		t.Errorf("StoreToken's profiles = %q, want a and b", shared)
	}
	for _, name := range []string{"a", "b"} {
		if got := loadToken(t, file, name, nil); got.V != "new-token" || !strings.Contains(got.From, "account 13800000000 at https://lxcrm.weiwenjia.com") {
			t.Errorf("profile %s: token %+v, want the account's new token", name, got)
		}
	}
	// Another corp id or another host is another account; a profile with no login has
	// its own token.
	for name, want := range map[string]string{"other-corp": "t-corp", "other-host": "t-host", "nologin": "t-nologin"} {
		if got := loadToken(t, file, name, nil); got.V != want {
			t.Errorf("profile %s: token %q, want %q", name, got.V, want)
		}
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), "old-a") {
		t.Errorf("the token the login ended is still stored:\n%s", data)
	}
	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The write moved the per-profile tokens of profiles with a login to their accounts.
	for _, name := range []string{"a", "b", "other-corp", "other-host"} {
		if f.Profiles[name].Token != "" {
			t.Errorf("profile %s still holds a token of its own: %+v", name, f.Profiles[name])
		}
	}
	if got := f.AccountToken(KeyOf("https://DingTalk.e.ikcrm.com:443/", "13800000000", "")); got != "t-host" {
		t.Errorf("the other host's account token = %q (keys ignore case, default port and a trailing slash)", got)
	}
	if f.Profiles["nologin"].Token != "t-nologin" {
		t.Errorf("a profile without a login lost its token: %+v", f.Profiles["nologin"])
	}

	// CRMCTL_TOKEN still wins; CRMCTL_LOGIN picks the account.
	if got := loadToken(t, file, "b", map[string]string{EnvToken: "env"}); got.V != "env" {
		t.Errorf("CRMCTL_TOKEN: %+v", got)
	}
	if got := loadToken(t, file, "b", map[string]string{EnvCorpID: "c2"}); got.V != "t-corp" {
		t.Errorf("CRMCTL_CORP_ID=c2: %+v", got)
	}
}

// Forgetting a shared token (auth logout) forgets it for every profile of the account.
func TestForgetTokenForgetsTheAccounts(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, `profiles:
  a: {login: "13800000000"}
  b: {login: "13800000000"}
  c: {login: "13900000000"}
accounts:
  - {base_url: "https://lxcrm.weiwenjia.com", login: "13800000000", token: shared}
  - {base_url: "https://lxcrm.weiwenjia.com", login: "13900000000", token: mine}
`)
	got, err := ForgetToken(file, "a", KeyOf("", "13800000000", ""))
	if err != nil || !got.Removed || !got.Account || !slices.Equal(got.Profiles, []string{"a", "b"}) {
		t.Fatalf("ForgetToken = %+v, %v", got, err)
	}
	for name, want := range map[string]string{"a": "", "b": "", "c": "mine"} {
		if tok := loadToken(t, file, name, nil); tok.V != want {
			t.Errorf("profile %s: token %q, want %q", name, tok.V, want)
		}
	}
	if got, err := ForgetToken(file, "a", KeyOf("", "13800000000", "")); err != nil || got.Removed {
		t.Errorf("a second ForgetToken = %+v, %v", got, err)
	}
}

// A malformed accounts list is reported, naming the file.
func TestBadAccountsList(t *testing.T) {
	for _, content := range []string{
		"accounts: yes\n",
		"accounts:\n  - just a string\n",
		"accounts:\n  - {token: t}\n",
		"accounts:\n  - {login: a, base_url: \"http://crm.example.com\", token: t}\n",
	} {
		file := writeConfig(t, t.TempDir(), content)
		if _, err := ReadFile(file); err == nil || !strings.Contains(err.Error(), "accounts") {
			t.Errorf("%q: err = %v", content, err)
		}
	}
}
