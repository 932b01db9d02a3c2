package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestEntryVersion: cache files carry their format version; one from before versions
// is read, any other version is a miss, never misread.
func TestEntryVersion(t *testing.T) {
	s := &Store{Dir: t.TempDir(), BaseURL: "http://x", TTL: time.Hour}
	if err := s.Put("pools", json.RawMessage(`[1]`)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir, "pools.json")
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"v":1`) {
		t.Fatalf("entry without its version: %s", b)
	}
	now := time.Now().UTC().Format(time.RFC3339)
	write := func(v string) {
		if err := os.WriteFile(path, []byte(`{`+v+`"base_url":"http://x","fetched_at":"`+now+`","data":[2]}`), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("")
	if d, ok := s.Get("pools"); !ok || string(d) != "[2]" {
		t.Fatalf("an entry from before versions: %s %v", d, ok)
	}
	write(`"v":2,`)
	if d, ok := s.Get("pools"); ok {
		t.Fatalf("a newer entry was read: %s", d)
	}
}

// TestPutReplacesTheEntryWholeAndPrivate: an entry is written by renaming a complete
// file over the old one, owner-only, with no temporary file left in the store.
func TestPutReplacesTheEntryWholeAndPrivate(t *testing.T) {
	s := &Store{Dir: filepath.Join(t.TempDir(), "cache"), BaseURL: "http://x", TTL: time.Hour}
	for _, data := range []string{`[1]`, `[1,2]`} {
		if err := s.Put("pools", json.RawMessage(data)); err != nil {
			t.Fatal(err)
		}
	}
	if d, ok := s.Get("pools"); !ok || string(d) != `[1,2]` {
		t.Fatalf("Get = %s %v, want the second entry", d, ok)
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != "pools.json" {
		t.Errorf("the store holds %v, want pools.json only", entries)
	}
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(filepath.Join(s.Dir, "pools.json"))
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o600 {
		t.Errorf("entry mode %04o, want 0600", m)
	}
}
