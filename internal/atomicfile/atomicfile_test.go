package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// names lists the entries of dir.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestWriteFileCreatesAndReplaces(t *testing.T) {
	for _, durable := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, "state.json")
		var opts []Option
		if durable {
			opts = append(opts, Durable())
		}
		if err := WriteFile(path, []byte("one"), 0o600, opts...); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(path, []byte("two"), 0o600, opts...); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil || string(got) != "two" {
			t.Errorf("durable %v: content %q, %v; want two", durable, got, err)
		}
		if n := names(t, dir); len(n) != 1 || n[0] != "state.json" {
			t.Errorf("durable %v: the folder holds %q, want only state.json (no temporary file)", durable, n)
		}
		if runtime.GOOS != "windows" {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if m := info.Mode().Perm(); m != 0o600 {
				t.Errorf("durable %v: mode %04o, want 0600 (the replaced file's 0644 is not kept)", durable, m)
			}
		}
	}
}

func TestWriteFileUsesThePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	path := filepath.Join(t.TempDir(), "f")
	if err := WriteFile(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if m := info.Mode().Perm(); m != 0o640 {
		t.Errorf("mode %04o, want 0640", m)
	}
}

func TestWriteFileFailureLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	// A non-empty folder where the file should be: the rename fails.
	path := filepath.Join(dir, "config.yml")
	if err := os.MkdirAll(filepath.Join(path, "inside"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, []byte("x"), 0o600, Durable()); err == nil {
		t.Fatal("renaming over a non-empty folder succeeded")
	}
	if n := names(t, dir); len(n) != 1 || n[0] != "config.yml" {
		t.Errorf("the folder holds %q after a failed write, want only config.yml", n)
	}
	if n := names(t, path); len(n) != 1 || n[0] != "inside" {
		t.Errorf("the folder in the way was changed: %q", n)
	}
}

func TestWriteFileMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "f")
	err := WriteFile(path, []byte("x"), 0o600)
	var pe *fs.PathError
	if !errors.Is(err, fs.ErrNotExist) || !errors.As(err, &pe) {
		t.Errorf("err = %v, want a *fs.PathError for a missing folder", err)
	}
}

func TestWriteFileReplacesASymlink(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("symlinks need privileges on Windows")
	}
	dir := t.TempDir()
	target, link := filepath.Join(dir, "target"), filepath.Join(dir, "link")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(target); string(got) != "old" {
		t.Errorf("the link's target was written: %q", got)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink != 0 {
		t.Errorf("the link is still a link (%v): the write should replace it", err)
	}
}
