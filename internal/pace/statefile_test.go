package pace

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestStateFileIsReplacedWholeAndPrivate: each send rewrites the state file by renaming
// a complete one over it, owner-only, leaving no temporary file beside it.
func TestStateFileIsReplacedWholeAndPrivate(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pace.json")
	if err := os.WriteFile(path, []byte(`{"v":1,"sends":[]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := NewLimiter(path, Rate{N: 5, Window: time.Second}, DefaultMargin, newFakeClock())
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if err := l.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"pace.json", "pace.json.lock"}) {
		t.Errorf("the folder holds %q, want the state file and its lock only", names)
	}
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o600 {
		t.Errorf("state file mode %04o, want 0600", m)
	}
}
