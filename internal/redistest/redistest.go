// Package redistest starts real redis-server processes for tests: each on a free
// loopback port, with its files in a temporary folder, stopped when the test ends. Only
// tests import it.
//
// Without a redis-server binary the tests that need one are skipped, except in CI
// (CI set), where they fail: CI installs the Debian package (see .ci/run).
package redistest

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// TB is the part of testing.TB (and of testscript's T) the helper uses.
type TB interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
	Cleanup(func())
}

// Server is one redis-server process.
type Server struct {
	Addr     string // 127.0.0.1:PORT
	Password string // "" when none
	dir      string
	bin      string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{} // closed when cmd has exited
}

// URL is the server's redis:// URL (with its password, if any), database db.
func (s *Server) URL(db int) string {
	auth := ""
	if s.Password != "" {
		auth = ":" + s.Password + "@"
	}
	return fmt.Sprintf("redis://%s%s/%d", auth, s.Addr, db)
}

// Binary returns the path of redis-server, or why there is none.
func Binary() (string, error) {
	p, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("redis-server is not installed (apt-get install redis-server)")
	}
	return p, nil
}

// Require returns the redis-server binary, skipping the test when there is none outside
// CI and failing it in CI.
func Require(t TB) string {
	t.Helper()
	bin, err := Binary()
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err.Error() + ": CI must install it")
		}
		t.Skip(err.Error() + ": skipping the tests against a real Redis")
	}
	return bin
}

// Start starts a redis-server for the test, stopped at its end. dir holds its files.
func Start(t TB, dir string) *Server {
	t.Helper()
	return start(t, dir, "")
}

// StartWithPassword starts a redis-server that requires password.
func StartWithPassword(t TB, dir, password string) *Server {
	t.Helper()
	return start(t, dir, password)
}

func start(t TB, dir, password string) *Server {
	t.Helper()
	Require(t)
	s, err := Launch(dir, password)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// Launch starts a redis-server with its files in dir (password "" for none); the
// caller stops it. It fails when there is no redis-server: call Require first.
func Launch(dir, password string) (*Server, error) {
	bin, err := Binary()
	if err != nil {
		return nil, err
	}
	s := &Server{Password: password, dir: dir, bin: bin}
	for range 5 { // a port taken between the probe and the start: try another
		if err = s.launch(""); err == nil {
			return s, nil
		}
	}
	return nil, err
}

// freePort is a loopback port nothing listens on right now.
func freePort() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port), nil
}

// launch starts the process on port ("" = a free one) and waits until it answers.
func (s *Server) launch(port string) error {
	if port == "" {
		p, err := freePort()
		if err != nil {
			return err
		}
		port = p
	}
	args := []string{
		"--bind", "127.0.0.1", "--port", port, "--dir", s.dir,
		"--save", "", "--appendonly", "no", "--daemonize", "no",
		"--logfile", filepath.Join(s.dir, "redis-"+port+".log"),
	}
	if s.Password != "" {
		args = append(args, "--requirepass", s.Password)
	}
	cmd := exec.Command(s.bin, args...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redis-server: %w", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	addr := "127.0.0.1:" + port
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(s.dir, "redis-"+port+".log"))
			return fmt.Errorf("redis-server on %s exited at start: %s", addr, lastLines(string(log), 5))
		default:
		}
		if s.ping(addr) == nil {
			s.mu.Lock()
			s.Addr, s.cmd, s.done = addr, cmd, done
			s.mu.Unlock()
			return nil
		}
	}
	_ = cmd.Process.Kill()
	<-done
	return fmt.Errorf("redis-server on %s did not answer within 10s", addr)
}

// ping sends PING (after AUTH when there is a password) over a raw connection.
func (s *Server) ping(addr string) error {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	rd := bufio.NewReader(c)
	if s.Password != "" {
		fmt.Fprintf(c, "AUTH %s\r\n", s.Password)
		line, err := rd.ReadString('\n')
		if err != nil {
			return fmt.Errorf("AUTH: %q: %w", line, err)
		}
		if !strings.HasPrefix(line, "+OK") {
			return fmt.Errorf("AUTH: %q", line)
		}
	}
	fmt.Fprint(c, "PING\r\n")
	line, err := rd.ReadString('\n')
	if err != nil {
		return fmt.Errorf("PING: %q: %w", line, err)
	}
	if !strings.HasPrefix(line, "+PONG") {
		return fmt.Errorf("PING: %q", line)
	}
	return nil
}

// Stop stops the server (a no-op when it is stopped). Its port stays free for Restart.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = cmd.Process.Kill()
		<-done
	}
	// Wait until the port is closed, so that a client sees the server gone.
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", s.Addr, 100*time.Millisecond)
		if err != nil {
			return
		}
		c.Close()
	}
}

// Restart starts the server again on the same port (its data is gone: nothing is
// saved).
func (s *Server) Restart() error {
	s.Stop()
	_, port, _ := net.SplitHostPort(s.Addr)
	return s.launch(port)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
