package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/crmctl/crmctl/internal/atomicfile"
	"github.com/crmctl/crmctl/internal/i18n"
	"github.com/gofrs/flock"
	"github.com/spf13/viper"
	"go.yaml.in/yaml/v3"
)

// ReadFile reads and checks the config file. A missing file is an empty File; a
// malformed one (bad YAML, wrong types, a bad profile name) is an *InvalidError naming
// the file. Unknown keys are ignored (Load warns about them). Profile names come back
// in lower case.
func ReadFile(file string) (*File, error) {
	f, _, err := readFile(file)
	return f, err
}

// ProfileNames lists the config file's profiles, sorted. It is meant for shell
// completion: a missing file is (nil, nil).
func ProfileNames(file string) ([]string, error) {
	f, info, err := readFile(file)
	if err != nil || info == nil {
		return nil, err
	}
	return f.names(), nil
}

// SaveProfile creates or changes the profile name of the config file: it reads the
// file, calls update on the profile (a zero Profile when it is new) and writes the file
// back atomically with mode 0600, keeping the other profiles and current_profile. The
// folder is created with mode 0700. A malformed file is left untouched and reported as
// an *InvalidError, and so is a profile that update leaves with a bad base_url or
// cache_ttl.
func SaveProfile(file, name string, update func(p *Profile)) error {
	name, err := checkProfileName(name)
	if err != nil {
		return err
	}
	return updateFile(file, func(f *File) (bool, error) {
		p := f.Profiles[name]
		if update != nil {
			update(&p)
		}
		if err := checkProfile(name, p); err != nil {
			return false, err
		}
		f.Profiles[name] = p
		return true, nil
	})
}

// checkProfile refuses a profile with a bad base_url, cache_ttl or output.
func checkProfile(name string, p Profile) error {
	if p.BaseURL != "" {
		if _, err := CheckBaseURL(p.BaseURL); err != nil {
			return i18n.Errorf("profile %s: %w", name, err)
		}
	}
	if p.CacheTTL != "" {
		if _, err := parseTTL(p.CacheTTL); err != nil {
			return invalidf("profile %s: cache_ttl %q: %v", name, p.CacheTTL, err)
		}
	}
	if p.Output != "" && p.Output != OutputTable && p.Output != OutputJSON {
		return invalidf("profile %s: output %q: want table or json", name, p.Output)
	}
	return nil
}

// SetCurrentProfile makes name the profile used when neither --profile nor
// CRMCTL_PROFILE is given. The profile must exist.
func SetCurrentProfile(file, name string) error {
	name, err := checkProfileName(name)
	if err != nil {
		return err
	}
	return updateFile(file, func(f *File) (bool, error) {
		if _, ok := f.Profiles[name]; !ok {
			return false, unknownProfileError(name, f.names())
		}
		if f.CurrentProfile == name {
			return false, nil
		}
		f.CurrentProfile = name
		return true, nil
	})
}

// DeleteToken removes the token profile name uses (see ForgetToken), its account being
// the one the profile names in the file, and reports whether there was one. Nothing is
// written when there is no token to delete.
func DeleteToken(file, name string) (removed bool, err error) {
	name, err = checkProfileName(name)
	if err != nil {
		return false, err
	}
	f, err := ReadFile(file)
	if err != nil {
		return false, err
	}
	out, err := ForgetToken(file, name, f.Profiles[name].Key())
	return out.Removed, err
}

// lockWait bounds how long a write waits for another crmctl writing the same file.
const lockWait = 10 * time.Second

// updateFile is the read-modify-write of the config file: change edits the checked
// content and says whether to write it back. The comments and unknown keys of an
// existing file are kept. Writers take a lock file beside the config file, so two
// crmctl processes saving at once (two logins) do not lose each other's profile.
func updateFile(file string, change func(f *File) (bool, error)) error {
	path := file
	if target, err := filepath.EvalSymlinks(file); err == nil {
		path = target // a symlinked config file (dotfiles) is edited where it lives
	}
	dir := filepath.Dir(path)
	// The folder first, then the lock, every time: two first logins racing on a new
	// machine must still wait for each other, or one profile is lost.
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return i18n.Errorf("creating config folder: %w", err)
	}
	lock := flock.New(filepath.Join(dir, "."+filepath.Base(path)+".lock"), flock.SetPermissions(0o600))
	ctx, cancel := context.WithTimeout(context.Background(), lockWait)
	locked, err := lock.TryLockContext(ctx, 20*time.Millisecond)
	cancel()
	if err != nil {
		return i18n.Errorf("locking config file %s: %w", file, err)
	}
	if !locked {
		return i18n.Errorf("config file %s is busy: another crmctl has been writing it for %s", file, i18n.Duration(lockWait))
	}
	defer func() { _ = lock.Unlock() }()

	data, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return unreadable(file, err)
	}
	f := &File{Profiles: map[string]Profile{}}
	if exists {
		if f, err = parseFile(data); err != nil {
			return invalidf("config file %s: %v", file, err)
		}
	}
	// Per-profile tokens move to their accounts (see accounts.go): those of the file as
	// it was, before a change of a profile's login could give them to another account,
	// and those the change stored.
	f.migrateTokens()
	changed, err := change(f)
	if err != nil || !changed {
		return err
	}
	f.migrateTokens()
	f.dropUnusedAccounts()
	out, err := encodeFile(data, f)
	if err != nil {
		return err
	}
	return writeAtomic(path, out)
}

// readFile reads file; info is nil when it does not exist.
func readFile(file string) (*File, fs.FileInfo, error) {
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return &File{Profiles: map[string]Profile{}}, nil, nil
	}
	if err != nil {
		return nil, nil, unreadable(file, err)
	}
	info, err := os.Stat(file)
	if err != nil {
		return nil, nil, unreadable(file, err)
	}
	f, err := parseFile(data)
	if err != nil {
		return nil, nil, invalidf("config file %s: %v", file, err)
	}
	return f, info, nil
}

// unreadable is the *InvalidError of a config file that exists but cannot be read: a
// folder, or a file without read permission.
func unreadable(file string, err error) error {
	if info, serr := os.Stat(file); serr == nil && info.IsDir() {
		return invalidf("config file %s is a folder: --config and CRMCTL_CONFIG name a file", file)
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	return invalidf("config file %s cannot be read: %v", file, err)
}

// parseFile decodes the config file with a fresh viper. Keys are folded to lower case;
// the key delimiter is one no profile name contains, so "a.b" stays one profile.
//
// Viper reads the file and nothing more, on purpose. Its layering (flags, environment,
// defaults: BindPFlag, BindEnv, SetDefault) is not used because Load must record where
// each value came from (`config list`, `auth status` and the errors name the flag,
// variable or profile key), and viper's Get answers a value without its origin; the
// layer in the file is also the selected profile's, chosen by name at run time, which
// viper's flat key space does not model. Nor is viper's Unmarshal used: its decoder is
// weakly typed (`login: true` would become "1"), where a mistyped setting must be an
// error naming its key; decodeProfile and parseAccounts check each key by hand.
func parseFile(data []byte) (*File, error) {
	v := viper.NewWithOptions(viper.KeyDelimiter("\x00"))
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(data)); err != nil {
		var pe viper.ConfigParseError
		if errors.As(err, &pe) {
			err = pe.Unwrap()
		}
		return nil, i18n.Errorf("not valid YAML: %v", oneLine(err))
	}
	if err := checkCaseDuplicates(data); err != nil {
		return nil, err
	}
	f := &File{Profiles: map[string]Profile{}, unknown: unknownKeys(v.AllKeys())}
	if v.IsSet("current_profile") {
		raw := v.Get("current_profile")
		s, ok := scalarString(raw)
		if !ok {
			return nil, i18n.Errorf("current_profile: want a profile name, got %s", describe(raw))
		}
		f.CurrentProfile = strings.ToLower(s)
	}
	if v.IsSet("profiles") {
		raw := v.Get("profiles")
		profiles, ok := raw.(map[string]any)
		if !ok {
			return nil, i18n.Errorf("profiles: want a mapping of profile names to profiles, got %s", describe(raw))
		}
		for name, pv := range profiles {
			if _, err := checkProfileName(name); err != nil {
				return nil, i18n.Errorf("profiles: %w", err)
			}
			p, err := decodeProfile(pv)
			if err != nil {
				return nil, i18n.Errorf("profile %s: %w", name, err)
			}
			f.Profiles[name] = p
		}
	}
	if v.IsSet("accounts") {
		accounts, err := parseAccounts(v.Get("accounts"))
		if err != nil {
			return nil, err
		}
		f.Accounts = accounts
	}
	return f, nil
}

// profileKeys are the keys a profile may hold (decodeProfile reads them).
var profileKeys = map[string]bool{"base_url": true, "login": true, "corp_id": true, "token": true, "cache_ttl": true, "rate": true, "output": true, "lang": true, "redis_url": true}

// unknownKeys describes the keys of the file that crmctl does not read, sorted:
// `"editor"`, `"tokn" in profile work`. keys are viper's: lower case, the levels joined
// by the key delimiter.
func unknownKeys(keys []string) []i18n.Message {
	seen := map[string]i18n.Message{}
	for _, k := range keys {
		parts := strings.Split(k, "\x00")
		var d i18n.Message
		switch {
		case parts[0] == "current_profile", parts[0] == "accounts":
			continue
		case parts[0] != "profiles":
			d = i18n.M("%q", parts[0])
		case len(parts) >= 3 && !profileKeys[parts[2]]:
			d = i18n.M("%q in profile %s", parts[2], parts[1])
		default:
			continue
		}
		seen[d.String()] = d
	}
	out := make([]i18n.Message, 0, len(seen))
	for _, en := range slices.Sorted(maps.Keys(seen)) {
		out = append(out, seen[en])
	}
	return out
}

// checkCaseDuplicates refuses profiles whose names differ only in case: the reader
// folds names to lower case and could not tell which one is meant.
func checkCaseDuplicates(data []byte) error {
	var doc struct {
		Profiles yaml.Node `yaml:"profiles"`
	}
	if yaml.Unmarshal(data, &doc) != nil || doc.Profiles.Kind != yaml.MappingNode {
		return nil // the checks that follow report what is wrong
	}
	seen := map[string]string{}
	for i := 0; i+1 < len(doc.Profiles.Content); i += 2 {
		name := doc.Profiles.Content[i].Value
		if prev, ok := seen[strings.ToLower(name)]; ok {
			return i18n.Errorf("profiles %q and %q differ only in case (profile names are case-insensitive)", prev, name)
		}
		seen[strings.ToLower(name)] = name
	}
	return nil
}

// decodeProfile checks each field by hand: a wrong type gets an error naming the key,
// a number (an unquoted phone login) is taken as its text, unknown keys are ignored
// (parseFile lists them).
func decodeProfile(raw any) (Profile, error) {
	var p Profile
	if raw == nil {
		return p, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return p, i18n.Errorf("want a mapping of settings, got %s", describe(raw))
	}
	for key, dst := range map[string]*string{
		"base_url": &p.BaseURL, "login": &p.Login, "corp_id": &p.CorpID,
		"token": &p.Token, "cache_ttl": &p.CacheTTL, "rate": &p.Rate, "output": &p.Output, "lang": &p.Lang, "redis_url": &p.RedisURL,
	} {
		val, present := m[key]
		if !present || val == nil {
			continue
		}
		s, ok := scalarString(val)
		if !ok {
			return p, i18n.Errorf("%s: want a string, got %s", key, describe(val))
		}
		*dst = s
	}
	return p, nil
}

func scalarString(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", true
	case string:
		return x, true
	case int, int64, uint64, float64:
		return fmt.Sprint(x), true
	case bool, time.Time:
		// yaml reads `yes`-like words and dates as these; a profile name or token never is.
		return "", false
	}
	return "", false
}

// describe names a value of the file in an error: "a list", "the text \"x\"".
func describe(v any) i18n.Message {
	switch x := v.(type) {
	case nil:
		return i18n.M("nothing")
	case map[string]any, map[any]any:
		return i18n.M("a mapping")
	case []any:
		return i18n.M("a list")
	case string:
		return i18n.M("the text %q", x)
	case bool:
		return i18n.M("the boolean %v", x)
	case int, int64, uint64, float64:
		return i18n.M("the number %v", x)
	case time.Time:
		return i18n.M("the date %s", x.Format(time.DateOnly))
	}
	return i18n.M("%v", v)
}

func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func (f *File) names() []string {
	if len(f.Profiles) == 0 {
		return nil
	}
	names := make([]string, 0, len(f.Profiles))
	for n := range f.Profiles {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

func (f *File) hasToken() bool {
	for _, p := range f.Profiles {
		if p.Token != "" {
			return true
		}
	}
	return slices.ContainsFunc(f.Accounts, func(a Account) bool { return a.Token != "" })
}

// checkProfileName normalizes a profile name (lower case) and rejects names that would
// be awkward on a command line or as a file name: only letters, digits and - _ . @ +,
// not starting with . or -.
func checkProfileName(name string) (string, error) {
	if name == "" {
		return "", invalidf("a profile name must not be empty")
	}
	for i, r := range name {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune("-_.@+", r)
		if !ok || (i == 0 && (r == '.' || r == '-')) {
			return "", invalidf("invalid profile name %q: use letters, digits and - _ . @ +, not starting with . or -", name)
		}
	}
	return strings.ToLower(name), nil
}

func unknownProfileError(name string, names []string) error {
	if len(names) == 0 {
		return invalidf("unknown profile %q (profiles: none); run `crmctl auth login --profile %s`", name, name)
	}
	return invalidf("unknown profile %q (profiles: %s); run `crmctl auth login --profile %s`", name, strings.Join(names, ", "), name)
}

// writeAtomic replaces path with data: a temporary file in the same folder, synced,
// made 0600 and renamed over path, so a reader sees the old file or the new one, never
// half of one. A symlinked path is followed, so the link survives.
func writeAtomic(path string, data []byte) error {
	if target, err := filepath.EvalSymlinks(path); err == nil {
		path = target
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return i18n.Errorf("creating config folder: %w", err)
	}
	if err := atomicfile.WriteFile(path, data, 0o600, atomicfile.Durable()); err != nil {
		return i18n.Errorf("writing config file: %w", err)
	}
	return nil
}
