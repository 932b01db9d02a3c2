// Package atomicfile replaces a file's content all at once: the data goes to a
// temporary file in the same folder, which is renamed over the file, so a reader sees
// the old content or the new one, never half of either. The config file, the cache
// entries and the pacing state are all written with it.
//
// It is written here rather than taken from github.com/google/renameio/v2: renameio's
// WriteFile and PendingFile are not built on Windows, and crmctl is released for
// Windows (see .goreleaser.yaml), where os.Rename replaces the target file as well
// (MoveFileEx with MOVEFILE_REPLACE_EXISTING).
package atomicfile

import (
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
)

// Option changes how WriteFile writes.
type Option func(*options)

type options struct{ durable bool }

// Durable makes WriteFile flush the data to the disk before the rename and the folder
// after it (best effort: not every platform can sync a folder), so that the new
// content survives a crash of the machine. Without it the rename is still atomic for
// readers, but a crash may lose the write: fine for a cache, not for the config file.
func Durable() Option { return func(o *options) { o.durable = true } }

// WriteFile replaces the file at path with data, with the permissions perm (on
// Windows, where a file has no such permissions, they are ignored). The folder must
// exist. A symlink at path is replaced, not followed: resolve it first to write where
// it points. On failure the file is left as it was and no temporary file remains. The
// errors are the os package's (*fs.PathError, *os.LinkError).
func WriteFile(path string, data []byte, perm fs.FileMode, opts ...Option) (err error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(perm); err != nil && runtime.GOOS != "windows" {
		return err
	}
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if o.durable {
		if err = tmp.Sync(); err != nil {
			return err
		}
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if o.durable {
		syncDir(dir)
	}
	return nil
}

// syncDir makes a rename durable; best effort (not possible on every platform).
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
