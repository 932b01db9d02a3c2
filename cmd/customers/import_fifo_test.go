//go:build unix

package customers_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// fifoImport starts the real crmctl (testscript.Main put it on PATH) importing the
// named pipe rows.csv into the in-process sandbox, with its own HOME.
func fifoImport(t *testing.T) (c *exec.Cmd, fifo, home string, stderr *bytes.Buffer) {
	t.Helper()
	bin, err := exec.LookPath("crmctl")
	if err != nil {
		t.Skipf("crmctl is not on PATH: %v", err)
	}
	dir := t.TempDir()
	home = filepath.Join(dir, "home")
	fifo = filepath.Join(dir, "rows.csv")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	c = exec.Command(bin, "--sandbox", "customers", "import", fifo, "--pool", "45")
	c.Env = append(os.Environ(), "HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"NO_COLOR=1", "CRMCTL_LANG=en")
	stderr = new(bytes.Buffer)
	c.Stderr = stderr
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	return c, fifo, home, stderr
}

// waitExit waits, at most a minute, for c to end and returns its exit code; a crmctl
// that does not end is killed and the test fails.
func waitExit(t *testing.T, c *exec.Cmd, what string) int {
	t.Helper()
	done := make(chan struct{})
	go func() {
		_ = c.Wait() // the exit code is in c.ProcessState
		close(done)
	}()
	select {
	case <-done:
		return c.ProcessState.ExitCode()
	case <-time.After(time.Minute):
		_ = c.Process.Kill()
		<-done
		t.Fatalf("crmctl did not end %s", what)
		return 0
	}
}

// waitOpening waits until crmctl waits in the open of a named pipe for a writer, where
// Linux shows it (/proc/PID/task/*/wchan); elsewhere it gives crmctl a second to get
// there. Either way, a signal sent sooner still ends the import (the context is
// already done when the open starts), so this only makes the open path the one tested.
func waitOpening(t *testing.T, pid int) {
	t.Helper()
	tasks := filepath.Join("/proc", strconv.Itoa(pid), "task")
	if _, err := os.Stat(tasks); err != nil {
		time.Sleep(time.Second)
		return
	}
	told := false // whether this kernel names what a thread waits in
	start := time.Now()
	for time.Since(start) < time.Minute {
		ws, _ := filepath.Glob(filepath.Join(tasks, "*", "wchan"))
		for _, w := range ws {
			b, _ := os.ReadFile(w)
			switch s := strings.TrimSpace(string(b)); s {
			case "wait_for_partner", "fifo_open":
				return
			case "", "0":
			default:
				told = true
			}
		}
		if !told && time.Since(start) > 2*time.Second {
			return // the kernel does not say: two seconds it is
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("crmctl never waited in the open of the named pipe")
}

// noSpool fails when an import left a copy of its input in the data folder.
func noSpool(t *testing.T, home string) {
	t.Helper()
	left, _ := filepath.Glob(filepath.Join(home, ".local", "share", "*", "imports", ".import-spool-*"))
	if len(left) != 0 {
		t.Errorf("spool files left: %v", left)
	}
}

// A named pipe no program writes to: the import waits in its open, and Ctrl-C or
// SIGTERM ends it there, exit 130, with nothing left behind.
func TestImportFIFOWithoutWriterInterrupted(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			c, _, home, stderr := fifoImport(t)
			waitOpening(t, c.Process.Pid)
			if err := c.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, c, "on "+sig.String()+" while opening the named pipe"); code != 130 {
				t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
			}
			if got := stderr.String(); got != "crmctl: interrupted\n" {
				t.Errorf("stderr = %q, want %q", got, "crmctl: interrupted\n")
			}
			noSpool(t, home)
		})
	}
}

// A writer that opens the pipe, writes part of the file and goes quiet: the copy
// waiting for more ends on the signal, exit 130, and the partial copy is removed.
func TestImportFIFOQuietWriterInterrupted(t *testing.T) {
	c, fifo, home, stderr := fifoImport(t)
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0) // returns once crmctl opened it
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	if _, err := w.WriteString("客户名称,手机\n甲公司,13900001001\n"); err != nil {
		t.Fatal(err)
	}
	if err := c.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, c, "on SIGTERM while copying the named pipe"); code != 130 {
		t.Fatalf("exit %d, want 130; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "crmctl: interrupted") {
		t.Errorf("stderr = %q", stderr)
	}
	noSpool(t, home)
}

// A named pipe with a writer is imported as a file is.
func TestImportFIFOWithWriter(t *testing.T) {
	c, fifo, home, stderr := fifoImport(t)
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = w.WriteString("客户名称,手机\n甲公司,13900001001\n乙公司,13900001002\n")
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	if code := waitExit(t, c, "importing the named pipe"); code != 0 {
		t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr.String(), "2 created") {
		t.Errorf("stderr = %q, want 2 created", stderr)
	}
	noSpool(t, home)
}
