package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func mode(t *testing.T, path string) os.FileMode {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.Mode().Perm()
}

// onlyFile fails when dir holds anything but the config file (and its lock file): a
// leftover temp file.
func onlyFile(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != ".config.yaml.lock" {
			names = append(names, e.Name())
		}
	}
	if !slices.Equal(names, []string{"config.yaml"}) {
		t.Errorf("folder holds %q, want only config.yaml", names)
	}
}

func TestSaveProfileCreatesPrivateFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "xdg", "crmctl")
	file := filepath.Join(dir, "config.yaml")
	err := SaveProfile(file, "Work", func(p *Profile) {
		p.BaseURL = "https://crm.example.com"
		p.Login = "13800000000"
		p.Token = "secret-token"
	})
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if m := mode(t, file); m != 0o600 {
			t.Errorf("file mode = %04o, want 0600", m)
		}
		if m := mode(t, dir); m != 0o700 {
			t.Errorf("folder mode = %04o, want 0700", m)
		}
	}
	onlyFile(t, dir)

	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := Profile{BaseURL: "https://crm.example.com", Login: "13800000000"}
	if len(f.Profiles) != 1 || f.Profiles["work"] != want {
		t.Errorf("profiles = %+v, want work: %+v", f.Profiles, want)
	}
	// The token belongs to the account, which the profile names.
	if got := f.AccountToken(want.Key()); got != "secret-token" {
		t.Errorf("account token = %q, want secret-token", got)
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), `login: "13800000000"`) {
		t.Errorf("a numeric login must stay a quoted string:\n%s", data)
	}
}

func TestSaveProfilePreservesOthers(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, `current_profile: home
profiles:
  home:
    base_url: https://home.example.com
    token: home-token
    cache_ttl: 1h
  work:
    login: "13800000000"
    corp_id: c1
`)
	err := SaveProfile(file, "work", func(p *Profile) {
		if p.Login != "13800000000" || p.CorpID != "c1" {
			t.Errorf("update got %+v, want the stored profile", *p)
		}
		p.Token = "work-token"
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := SaveProfile(file, "new", func(p *Profile) { p.Login = "n" }); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Profile{
		"home": {BaseURL: "https://home.example.com", Token: "home-token", CacheTTL: "1h"},
		"work": {Login: "13800000000", CorpID: "c1"},
		"new":  {Login: "n"},
	}
	if got := f.AccountToken(KeyOf("", "13800000000", "c1")); got != "work-token" {
		t.Errorf("work's account token = %q, want work-token", got)
	}
	if f.CurrentProfile != "home" {
		t.Errorf("current_profile = %q, want home", f.CurrentProfile)
	}
	for name, p := range want {
		if f.Profiles[name] != p {
			t.Errorf("profile %s = %+v, want %+v", name, f.Profiles[name], p)
		}
	}
	if len(f.Profiles) != len(want) {
		t.Errorf("profiles = %+v", f.Profiles)
	}
	if runtime.GOOS != "windows" && mode(t, file) != 0o600 {
		t.Errorf("file mode = %04o, want 0600", mode(t, file))
	}
	onlyFile(t, dir)
}

func TestSaveProfileTightensLooseFile(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles:\n  a: {}\n")
	if err := os.Chmod(file, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SaveProfile(file, "a", func(p *Profile) { p.Token = "t" }); err != nil {
		t.Fatal(err)
	}
	if m := mode(t, file); m != 0o600 {
		t.Errorf("file mode = %04o, want 0600", m)
	}
}

func TestWritesRefuseMalformedFile(t *testing.T) {
	bad := []string{
		"profiles: [\n",
		"profiles: 3\n",
		"current_profile: a\nprofiles:\n  a: {token: [x]}\n",
	}
	writes := map[string]func(file string) error{
		"SaveProfile":       func(f string) error { return SaveProfile(f, "a", func(p *Profile) { p.Token = "t" }) },
		"SetCurrentProfile": func(f string) error { return SetCurrentProfile(f, "a") },
		"DeleteToken":       func(f string) error { _, err := DeleteToken(f, "a"); return err },
	}
	for name, write := range writes {
		for _, content := range bad {
			t.Run(name, func(t *testing.T) {
				dir := t.TempDir()
				file := writeConfig(t, dir, content)
				err := write(file)
				var ie *InvalidError
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), file) {
					t.Errorf("%s = %v, want an *InvalidError naming the file", name, err)
				}
				data, _ := os.ReadFile(file)
				if string(data) != content {
					t.Errorf("the malformed file was changed:\n%s", data)
				}
				onlyFile(t, dir)
			})
		}
	}
}

func TestSaveProfileRefusesBadValues(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "config.yaml")
	tests := []struct {
		name   string
		update func(p *Profile)
		want   string
	}{
		{"plain http remote", func(p *Profile) { p.BaseURL = "http://crm.example.com" }, "https:// is required"},
		{"bad ttl", func(p *Profile) { p.CacheTTL = "forever" }, "cache_ttl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := SaveProfile(file, "a", tt.update)
			var ie *InvalidError
			if !errors.As(err, &ie) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("SaveProfile = %v, want an *InvalidError containing %q", err, tt.want)
			}
			if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused save wrote the file (stat: %v)", err)
			}
		})
	}
}

func TestSaveProfileBadName(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	for _, name := range []string{"", "my work", "a\tb", "x\n", "../etc", "a/b", `a\b`, ".hidden", "-p", "a:b"} {
		err := SaveProfile(file, name, nil)
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("SaveProfile(%q) = %v, want an *InvalidError", name, err)
		}
	}
}

func TestSaveProfileGoodNames(t *testing.T) {
	file := filepath.Join(t.TempDir(), "config.yaml")
	for _, name := range []string{"acme.prod", "user@corp", "Team_2", "销售", "a-b+c"} {
		if err := SaveProfile(file, name, func(p *Profile) { p.Login = "x" }); err != nil {
			t.Fatalf("SaveProfile(%q): %v", name, err)
		}
	}
	names, err := ProfileNames(file)
	want := []string{"a-b+c", "acme.prod", "team_2", "user@corp", "销售"}
	if err != nil || !slices.Equal(names, want) {
		t.Errorf("ProfileNames = %q, %v; want %q", names, err, want)
	}
}

func TestSaveProfileFollowsSymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges")
	}
	dir := t.TempDir()
	target := filepath.Join(dir, "dotfiles", "crmctl.yaml")
	if err := os.MkdirAll(filepath.Dir(target), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(target, []byte("profiles:\n  a: {login: x}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "config.yaml")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := SaveProfile(link, "b", func(p *Profile) { p.Login = "y" }); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the symlink was replaced (%v)", err)
	}
	names, err := ProfileNames(target)
	if err != nil || !slices.Equal(names, []string{"a", "b"}) {
		t.Errorf("target profiles = %q, %v", names, err)
	}
}

func TestSaveProfileUnwritableFolderKeepsFile(t *testing.T) {
	if runtime.GOOS == "windows" || os.Geteuid() == 0 {
		t.Skip("needs Unix permissions enforced (not root)")
	}
	dir := t.TempDir()
	content := "profiles:\n  a: {token: old}\n"
	file := writeConfig(t, dir, content)
	if err := os.Chmod(dir, 0o500); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.Chmod(dir, 0o700) })
	if err := SaveProfile(file, "a", func(p *Profile) { p.Token = "new" }); err == nil {
		t.Fatal("SaveProfile succeeded in a read-only folder")
	}
	data, _ := os.ReadFile(file)
	if string(data) != content {
		t.Errorf("file changed:\n%s", data)
	}
}

func TestSetCurrentProfile(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles:\n  a: {token: ta}\n  b: {}\n")
	if err := SetCurrentProfile(file, "B"); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if f.CurrentProfile != "b" || f.Profiles["a"].Token != "ta" {
		t.Errorf("file = %+v", f)
	}
	s, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file}))
	if err != nil || s.Profile.V != "b" || s.Profile.Source != SourceProfile {
		t.Errorf("Load profile = %+v, %v", s.Profile, err)
	}

	err = SetCurrentProfile(file, "zzz")
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), `unknown profile "zzz" (profiles: a, b)`) {
		t.Errorf("SetCurrentProfile(unknown) = %v", err)
	}
}

func TestDeleteToken(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, `current_profile: a
profiles:
  a: {base_url: "https://a.example.com", login: la, token: ta}
  b: {token: tb}
`)
	if removed, err := DeleteToken(file, "a"); err != nil || !removed {
		t.Fatal(removed, err)
	}
	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Profile{BaseURL: "https://a.example.com", Login: "la"}); f.Profiles["a"] != want {
		t.Errorf("profile a = %+v, want %+v", f.Profiles["a"], want)
	}
	if f.Profiles["b"].Token != "tb" || f.CurrentProfile != "a" {
		t.Errorf("other data lost: %+v", f)
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), "token: ta") {
		t.Errorf("token still in the file:\n%s", data)
	}

	t.Run("nothing to delete writes nothing", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "none", "config.yaml")
		if removed, err := DeleteToken(missing, "a"); err != nil || removed {
			t.Fatal(removed, err)
		}
		if _, err := os.Stat(filepath.Dir(missing)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("DeleteToken created the folder (stat: %v)", err)
		}
		before, _ := os.ReadFile(file)
		if removed, err := DeleteToken(file, "unknown"); err != nil || removed {
			t.Fatal(removed, err)
		}
		if removed, err := DeleteToken(file, "a"); err != nil || removed {
			t.Fatalf("a second delete: %v, %v", removed, err)
		}
		after, _ := os.ReadFile(file)
		if string(before) != string(after) {
			t.Error("DeleteToken of an unknown profile rewrote the file")
		}
	})
}

func TestProfileNames(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name    string
		content *string
		want    []string
		wantErr bool
	}{
		{"missing file", nil, nil, false},
		{"empty file", ptr(""), nil, false},
		{"sorted", ptr("profiles:\n  zeta: {}\n  Alpha: {}\n  mid: {login: x}\n"), []string{"alpha", "mid", "zeta"}, false},
		{"malformed", ptr("profiles: 3\n"), nil, true},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(dir, "c"+string(rune('0'+i))+".yaml")
			if tt.content != nil {
				if err := os.WriteFile(file, []byte(*tt.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := ProfileNames(file)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Errorf("ProfileNames = %q, %v; want %q (error %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestReadFileMissing(t *testing.T) {
	f, err := ReadFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if err != nil || f == nil || f.CurrentProfile != "" || len(f.Profiles) != 0 {
		t.Errorf("ReadFile(missing) = %+v, %v; want an empty File", f, err)
	}
}

func TestSaveKeepsCommentsAndUnknownKeys(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, `# my crmctl settings
editor: vim # not crmctl's
profiles:
  # the office account
  Work:
    login: "13800000000" # my phone
    token: old-token
    colour: blue
  home: {token: h}
`)
	if err := SaveProfile(file, "work", func(p *Profile) { p.Token = "new-token"; p.CorpID = "c9" }); err != nil {
		t.Fatal(err)
	}
	if err := SetCurrentProfile(file, "work"); err != nil {
		t.Fatal(err)
	}
	if _, err := DeleteToken(file, "home"); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for _, want := range []string{
		"# my crmctl settings", "editor: vim # not crmctl's", "# the office account",
		`login: "13800000000" # my phone`, "token: new-token", "corp_id: c9", "colour: blue", "accounts:",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("file lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "old-token") || strings.Contains(text, "token: h") {
		t.Errorf("a replaced or deleted token is still in the file:\n%s", text)
	}
	if !strings.HasPrefix(text, "# my crmctl settings\ncurrent_profile: work\n") {
		t.Errorf("current_profile should come first:\n%s", text)
	}
	f, err := ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Profile{Login: "13800000000", CorpID: "c9"}); f.Profiles["work"] != want || f.CurrentProfile != "work" || f.AccountToken(want.Key()) != "new-token" {
		t.Errorf("file = %+v", f)
	}
	if len(f.Profiles) != 2 {
		t.Errorf("profiles = %+v, want work and home", f.Profiles)
	}
}

func TestProfileNamesDifferingOnlyInCase(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles:\n  Work: {token: a}\n  work: {token: b}\n")
	_, err := Load(Flags{}, envMap(map[string]string{"HOME": dir, EnvConfig: file}))
	var ie *InvalidError
	if !errors.As(err, &ie) || !strings.Contains(err.Error(), "differ only in case") {
		t.Errorf("Load = %v, want an *InvalidError about case", err)
	}
}

func TestWriteAtomicFailureLeavesNoTempFile(t *testing.T) {
	dir := t.TempDir()
	// The destination is a non-empty folder, so the final rename fails.
	dest := filepath.Join(dir, "config.yaml")
	if err := os.MkdirAll(filepath.Join(dest, "keep"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := writeAtomic(dest, []byte("profiles: {}\n")); err == nil {
		t.Fatal("writeAtomic over a folder succeeded")
	}
	onlyFile(t, dir)
	if _, err := os.Stat(filepath.Join(dest, "keep")); err != nil {
		t.Errorf("the destination was damaged: %v", err)
	}
}

func TestSaveEditsOddFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    map[string]Profile
		current string
	}{
		{"empty", "", map[string]Profile{"a": {Token: "t"}}, ""},
		{"comments only", "# nothing yet\n", map[string]Profile{"a": {Token: "t"}}, ""},
		{"null profiles", "current_profile: a\nprofiles:\n", map[string]Profile{"a": {Token: "t"}}, "a"},
		{"null profile", "profiles:\n  a:\n  b:\n", map[string]Profile{"a": {Token: "t"}, "b": {}}, ""},
		{"flow style", "profiles: {b: {login: x}}\n", map[string]Profile{"a": {Token: "t"}, "b": {Login: "x"}}, ""},
		{"anchors", "profiles:\n  b: &base {base_url: \"https://b.example.com\"}\n  a: *base\n",
			map[string]Profile{"a": {BaseURL: "https://b.example.com", Token: "t"}, "b": {BaseURL: "https://b.example.com"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeConfig(t, t.TempDir(), tt.content)
			if err := SaveProfile(file, "a", func(p *Profile) { p.Token = "t" }); err != nil {
				t.Fatal(err)
			}
			f, err := ReadFile(file)
			if err != nil {
				data, _ := os.ReadFile(file)
				t.Fatalf("ReadFile: %v\n%s", err, data)
			}
			if f.CurrentProfile != tt.current || len(f.Profiles) != len(tt.want) {
				t.Errorf("file = %+v, want current %q and %+v", f, tt.current, tt.want)
			}
			for name, p := range tt.want {
				if f.Profiles[name] != p {
					t.Errorf("profile %s = %+v, want %+v", name, f.Profiles[name], p)
				}
			}
		})
	}
}

// FuzzParseFile feeds arbitrary bytes as a config file: reading must never panic, and a
// file that reads cleanly must survive a save with its content intact.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(fullConfig))
	f.Add([]byte("profiles: 3\n"))
	f.Add([]byte("profiles:\n  a: &x {token: t}\n  b: *x\n"))
	f.Add([]byte("# c\nprofiles: {a: {login: 1380000}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := parseFile(data)
		if err != nil {
			return
		}
		out, err := encodeFile(data, got)
		if err != nil {
			t.Fatalf("encodeFile: %v", err)
		}
		again, err := parseFile(out)
		if err != nil {
			t.Fatalf("a saved file does not read back: %v\n%s", err, out)
		}
		if again.CurrentProfile != got.CurrentProfile || !maps.Equal(again.Profiles, got.Profiles) {
			t.Fatalf("round trip changed the content:\n%+v\n%+v\n%s", got, again, out)
		}
	})
}

func TestConcurrentSavesKeepEveryProfile(t *testing.T) {
	dir := t.TempDir()
	file := writeConfig(t, dir, "profiles: {}\n")
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			errs <- SaveProfile(file, fmt.Sprintf("p%02d", i), func(p *Profile) { p.Token = fmt.Sprint(i) })
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	names, err := ProfileNames(file)
	if err != nil || len(names) != n {
		t.Errorf("ProfileNames = %q, %v; want %d profiles", names, err, n)
	}
	onlyFile(t, dir)
}

// The first saves on a new machine, with no config folder yet, still wait for each
// other: every profile of parallel first logins is kept.
func TestConcurrentFirstSavesKeepEveryProfile(t *testing.T) {
	for round := range 20 {
		dir := filepath.Join(t.TempDir(), "xdg", "crmctl")
		file := filepath.Join(dir, "config.yaml")
		const n = 3
		start := make(chan struct{})
		errs := make(chan error, n)
		for i := range n {
			go func() {
				<-start
				errs <- SaveProfile(file, fmt.Sprintf("p%d", i), func(p *Profile) { p.Login = fmt.Sprint(i) })
			}()
		}
		close(start)
		for range n {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		if names, err := ProfileNames(file); err != nil || len(names) != n {
			t.Fatalf("round %d: ProfileNames = %q, %v; want %d profiles", round, names, err, n)
		}
		onlyFile(t, dir)
	}
}
