package config

import (
	"errors"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/crmctl/crmctl/internal/i18n"
)

// The API allows one live token per account: a login ends the account's previous
// token everywhere. So tokens are stored per account — API host, login and corp id —
// in the config file's accounts list, and every profile of that account uses the same
// one: a login with one profile refreshes them all instead of logging the others out.
//
// A profile's account is its base_url (the default host when it has none), login and
// corp_id. A profile without a login has no account: a token stored in it (the
// profile's own token key, as older crmctl versions wrote for every profile) is used
// by that profile alone. Such a per-profile token is still read, before the account's;
// when the file is next written it moves to the account's entry, unless the account
// already holds another token.

// Account is a token and the account it belongs to.
type Account struct {
	BaseURL string `yaml:"base_url" mapstructure:"base_url"`
	Login   string `yaml:"login" mapstructure:"login"`
	CorpID  string `yaml:"corp_id,omitempty" mapstructure:"corp_id"`
	Token   string `yaml:"token" mapstructure:"token"`
}

// AccountKey names an account: its API host (a base URL, normalised by KeyOf), login
// and corp id.
type AccountKey struct{ BaseURL, Login, CorpID string }

// KeyOf is the key of an account; baseURL "" means DefaultBaseURL. The base URL is
// compared without case in its scheme and host, without a default port and without a
// trailing slash.
func KeyOf(baseURL, login, corpID string) AccountKey {
	return AccountKey{BaseURL: normalURL(baseURL), Login: strings.TrimSpace(login), CorpID: strings.TrimSpace(corpID)}
}

// Valid reports whether the key names an account (it has a login).
func (k AccountKey) Valid() bool { return k.Login != "" }

// String describes the account for messages: "13800000000 at https://lxcrm.weiwenjia.com",
// with the corp id when there is one.
func (k AccountKey) String() string {
	s := k.Login + " at " + k.BaseURL
	if k.CorpID != "" {
		s += " (corp " + k.CorpID + ")"
	}
	return s
}

func (a Account) key() AccountKey { return KeyOf(a.BaseURL, a.Login, a.CorpID) }

// Key is the profile's account; not Valid when the profile has no login.
func (p Profile) Key() AccountKey { return KeyOf(p.BaseURL, p.Login, p.CorpID) }

func normalURL(raw string) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBaseURL
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return strings.TrimRight(raw, "/")
	}
	u.Scheme = strings.ToLower(u.Scheme)
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if (port == "443" && u.Scheme == "https") || (port == "80" && u.Scheme == "http") {
		port = ""
	}
	u.Host = host
	if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	}
	if port != "" {
		u.Host += ":" + port
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u.String()
}

// account returns the index of k's entry in f.Accounts, or -1.
func (f *File) account(k AccountKey) int {
	if !k.Valid() {
		return -1
	}
	return slices.IndexFunc(f.Accounts, func(a Account) bool { return a.key() == k })
}

// AccountToken is the token stored for account k, "" when none.
func (f *File) AccountToken(k AccountKey) string {
	if i := f.account(k); i >= 0 {
		return f.Accounts[i].Token
	}
	return ""
}

// ProfilesOf lists, sorted, the profiles whose account is k.
func (f *File) ProfilesOf(k AccountKey) []string {
	var names []string
	if !k.Valid() {
		return nil
	}
	for _, n := range f.names() {
		if f.Profiles[n].Key() == k {
			names = append(names, n)
		}
	}
	return names
}

// StoredToken is the token a login of account k would end: the account's, or else a
// per-profile token of one of its profiles. "" when none is stored.
func (f *File) StoredToken(k AccountKey) string {
	if t := f.AccountToken(k); t != "" {
		return t
	}
	for _, n := range f.ProfilesOf(k) {
		if t := f.Profiles[n].Token; t != "" {
			return t
		}
	}
	return ""
}

// setAccountToken stores token for k (an empty token removes the entry) and clears the
// per-profile tokens of k's profiles, which the new token replaces.
func (f *File) setAccountToken(k AccountKey, token string) {
	i := f.account(k)
	switch {
	case token == "" && i >= 0:
		f.Accounts = slices.Delete(f.Accounts, i, i+1)
	case token == "":
	case i >= 0:
		f.Accounts[i].Token = token
	default:
		f.Accounts = append(f.Accounts, Account{BaseURL: k.BaseURL, Login: k.Login, CorpID: k.CorpID, Token: token})
	}
	for _, n := range f.ProfilesOf(k) {
		p := f.Profiles[n]
		p.Token = ""
		f.Profiles[n] = p
	}
}

// migrateTokens moves per-profile tokens to their account's entry: a profile with a
// login and a token, whose account has no token yet (or the same one), keeps it there
// instead. A profile whose account holds another token keeps its own: which of the two
// is live cannot be told here.
func (f *File) migrateTokens() {
	for _, n := range f.names() {
		p := f.Profiles[n]
		k := p.Key()
		if p.Token == "" || !k.Valid() {
			continue
		}
		switch cur := f.AccountToken(k); cur {
		case "":
			f.Accounts = append(f.Accounts, Account{BaseURL: k.BaseURL, Login: k.Login, CorpID: k.CorpID, Token: p.Token})
		case p.Token:
		default:
			continue
		}
		p.Token = ""
		f.Profiles[n] = p
	}
}

// dropUnusedAccounts removes the tokens of accounts no profile names any more (a
// profile's login or host changed): a token nothing uses is not kept.
func (f *File) dropUnusedAccounts() {
	f.Accounts = slices.DeleteFunc(f.Accounts, func(a Account) bool { return len(f.ProfilesOf(a.key())) == 0 })
}

// StoreToken saves a login's token for account k, shared by every profile of the
// account, and updates profile name with update (it sets the profile's login, corp id
// and base URL, so that the profile is one of the account's). The per-profile tokens of
// the account's profiles go: the login ended them. A key that is not Valid (a token
// from `auth login --with-token` for a profile without a login) stores the token in
// the profile alone. It returns the account's profiles, sorted.
func StoreToken(file, name string, k AccountKey, token string, update func(p *Profile)) (profiles []string, err error) {
	name, err = checkProfileName(name)
	if err != nil {
		return nil, err
	}
	err = updateFile(file, func(f *File) (bool, error) {
		p := f.Profiles[name]
		if update != nil {
			update(&p)
		}
		if err := checkProfile(name, p); err != nil {
			return false, err
		}
		if !k.Valid() {
			p.Token = token
			f.Profiles[name] = p
			return true, nil
		}
		p.Token = ""
		f.Profiles[name] = p
		f.setAccountToken(k, token)
		profiles = f.ProfilesOf(k)
		return true, nil
	})
	return profiles, err
}

// Forgotten is what ForgetToken removed.
type Forgotten struct {
	Removed  bool     // a token was removed
	Account  bool     // it was the account's, shared by Profiles
	Profiles []string // the account's profiles, sorted, which all lose the token
}

// ForgetToken removes the token profile name uses (auth logout): its per-profile token,
// and the token of account k (the profile's account as the settings resolved it), which
// every profile of the account shares. Nothing is written, and no folder is made, when
// there is nothing to remove.
func ForgetToken(file, name string, k AccountKey) (Forgotten, error) {
	var out Forgotten
	name, err := checkProfileName(name)
	if err != nil {
		return out, err
	}
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	err = updateFile(file, func(f *File) (bool, error) {
		out = Forgotten{}
		if p, ok := f.Profiles[name]; ok && p.Token != "" {
			p.Token = ""
			f.Profiles[name] = p
			out.Removed = true
		}
		if f.AccountToken(k) != "" {
			f.setAccountToken(k, "")
			out.Removed, out.Account = true, true
			out.Profiles = f.ProfilesOf(k)
		}
		return out.Removed, nil
	})
	if err != nil {
		return Forgotten{}, err
	}
	return out, nil
}

// parseAccounts reads the accounts list of the config file.
func parseAccounts(raw any) ([]Account, error) {
	if raw == nil {
		return nil, nil
	}
	list, ok := raw.([]any)
	if !ok {
		return nil, i18n.Errorf("accounts: want a list of accounts, got %s", describe(raw))
	}
	var out []Account
	for i, item := range list {
		m, ok := item.(map[string]any)
		if !ok {
			return nil, i18n.Errorf("accounts[%d]: want a mapping, got %s", i, describe(item))
		}
		var a Account
		for key, dst := range map[string]*string{"base_url": &a.BaseURL, "login": &a.Login, "corp_id": &a.CorpID, "token": &a.Token} {
			val, present := m[key]
			if !present || val == nil {
				continue
			}
			s, ok := scalarString(val)
			if !ok {
				return nil, i18n.Errorf("accounts[%d]: %s: want a string, got %s", i, key, describe(val))
			}
			*dst = strings.TrimSpace(s)
		}
		if a.Login == "" {
			return nil, i18n.Errorf("accounts[%d]: no login", i)
		}
		if a.BaseURL != "" {
			if _, err := CheckBaseURL(a.BaseURL); err != nil {
				return nil, i18n.Errorf("accounts[%d]: %w", i, err)
			}
		}
		out = append(out, a)
	}
	return out, nil
}
