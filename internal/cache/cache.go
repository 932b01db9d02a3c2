// Package cache keeps look-ups that rarely change — the pools and the field maps — on
// disk per profile, so that a command spends its requests on real work. Entries carry the
// base URL they came from and the time they were fetched; a corrupt or foreign entry is a
// miss, never an error.
package cache

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/crmctl/crmctl/internal/atomicfile"
	"github.com/crmctl/crmctl/internal/i18n"
)

// Store is one profile's cache folder.
type Store struct {
	Dir     string        // e.g. ~/.cache/crmctl/<profile>
	BaseURL string        // entries from another host are misses
	TTL     time.Duration // 0 disables reading (every Get misses)
	Now     func() time.Time
}

// entryVersion is the format version of a cache file ("v"). A file without one was
// written before formats were versioned, in this format; any other version is a miss
// (fetched anew), never misread.
const entryVersion = 1

type entry struct {
	V         int             `json:"v"`
	BaseURL   string          `json:"base_url"`
	FetchedAt time.Time       `json:"fetched_at"`
	Data      json.RawMessage `json:"data"`
}

var safeName = regexp.MustCompile(`^[a-z0-9_-]+$`)

// ProfileDir is the cache folder of a profile under root.
func ProfileDir(root, profile string) string {
	return filepath.Join(root, sanitize(profile))
}

func sanitize(s string) string {
	out := []rune{}
	for _, r := range s {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			r = '_'
		}
		out = append(out, r)
	}
	if len(out) == 0 || string(out) == "." || string(out) == ".." {
		return "_"
	}
	return string(out)
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Store) path(name string) (string, error) {
	if !safeName.MatchString(name) {
		return "", i18n.Errorf("cache: bad entry name %q", name)
	}
	return filepath.Join(s.Dir, name+".json"), nil
}

// Get returns a fresh entry's data.
func (s *Store) Get(name string) (json.RawMessage, bool) {
	if s.TTL <= 0 {
		return nil, false
	}
	e, ok := s.read(name)
	if !ok || s.now().Sub(e.FetchedAt) > s.TTL || e.FetchedAt.After(s.now().Add(time.Minute)) {
		return nil, false
	}
	return e.Data, true
}

// GetStale returns an entry's data whatever its age (shell completion uses it: it never
// waits on the network).
func (s *Store) GetStale(name string) (json.RawMessage, bool) {
	e, ok := s.read(name)
	return e.Data, ok
}

func (s *Store) read(name string) (entry, bool) {
	p, err := s.path(name)
	if err != nil {
		return entry{}, false
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return entry{}, false
	}
	var e entry
	if json.Unmarshal(b, &e) != nil || (e.V != 0 && e.V != entryVersion) || e.BaseURL != s.BaseURL || len(e.Data) == 0 {
		return entry{}, false
	}
	return e, true
}

// Put stores data atomically (a temporary file renamed into place, mode 0600).
func (s *Store) Put(name string, data json.RawMessage) error {
	p, err := s.path(name)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return i18n.Errorf("cache: %w", err)
	}
	b, err := json.Marshal(entry{V: entryVersion, BaseURL: s.BaseURL, FetchedAt: s.now().UTC(), Data: data})
	if err != nil {
		return i18n.Errorf("cache: %w", err)
	}
	if err := atomicfile.WriteFile(p, b, 0o600); err != nil {
		return i18n.Errorf("cache: %w", err)
	}
	return nil
}

// Clear removes every entry of the store.
func (s *Store) Clear() error {
	err := os.RemoveAll(s.Dir)
	if err != nil {
		return i18n.Errorf("cache: %w", err)
	}
	return nil
}
