package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
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
