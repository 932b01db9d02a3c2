//go:build unix

package importer

import (
	"errors"
	"os"
	"syscall"
	"time"
)

// unblockFIFO ends an open of the named pipe at path that waits for a writer, by
// opening the pipe for writing without waiting. Such an open fails (ENXIO) until the
// waiting reader is there, so it is tried again until it succeeds or finished (the
// reader's open returned) is closed. ok is whether the reader's open will return; release
// closes the writing end once it has.
func unblockFIFO(path string, finished <-chan struct{}) (release func(), ok bool) {
	for {
		w, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err == nil {
			return func() { w.Close() }, true
		}
		if !errors.Is(err, syscall.ENXIO) && !errors.Is(err, syscall.EINTR) {
			// Not writable by us (its permissions), gone, or not a pipe any more.
			return nil, false
		}
		select {
		case <-finished:
			return func() {}, true
		case <-time.After(5 * time.Millisecond):
		}
	}
}
