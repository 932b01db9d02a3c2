package faulttest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// Env is the variable that runs the fault-injection test (it takes minutes).
const Env = "CRMCTL_FAULT_TEST"

// faults counts what the faulty server did.
type faults struct {
	lostAfter, droppedBefore, badGateway, truncated, delayed atomic.Int64
}

// faultyCRM is the sandbox behind a hostile network: it acts and loses the answer,
// drops requests before acting, answers 502 pages (before or after acting) and
// truncated JSON, delays answers after acting; its clock is 25 minutes off.
type faultyCRM struct {
	sb  *sandbox.Server
	rnd *rand.Rand
	mu  sync.Mutex
	f   faults
}

func (c *faultyCRM) roll() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rnd.Float64()
}

func hangUp(w http.ResponseWriter) {
	if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
		conn.Close()
	}
}

func badGateway(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/html")
	w.WriteHeader(http.StatusBadGateway)
	_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
}

func (c *faultyCRM) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	isCreate := r.Method == http.MethodPost && r.URL.Path == "/api/v2/common_customers"
	isCheck := r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v2/")
	p := c.roll()
	if isCreate || isCheck {
		switch {
		case p < 0.08:
			c.f.droppedBefore.Add(1)
			hangUp(w) // never reaches the CRM
			return
		case p < 0.12:
			c.f.badGateway.Add(1)
			badGateway(w) // the proxy gave up before the CRM saw it
			return
		}
	}
	if !isCreate {
		c.sb.Handler().ServeHTTP(w, r)
		return
	}
	rec := httptest.NewRecorder()
	c.sb.Handler().ServeHTTP(rec, r) // the CRM acts
	switch {
	case p < 0.22:
		c.f.lostAfter.Add(1)
		hangUp(w)
	case p < 0.27:
		c.f.badGateway.Add(1)
		badGateway(w)
	case p < 0.32:
		c.f.truncated.Add(1)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		b := rec.Body.Bytes()
		_, _ = w.Write(b[:len(b)/2])
	default:
		if p < 0.45 {
			c.f.delayed.Add(1)
			time.Sleep(time.Duration(c.roll() * float64(1500*time.Millisecond))) // past --timeout 1s at times
		}
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	}
}

type row struct{ name, mobile string }

// TestFaultInjection imports a file through faultyCRM with the real crmctl binary,
// killed with SIGKILL at random moments, resumed until it finishes, and counts each
// row's customers: every row must have exactly one.
//
//	CRMCTL_FAULT_TEST=1 go test ./internal/faulttest -run TestFaultInjection -v -timeout 30m
//
// CRMCTL_FAULT_KILLS sets the number of kills (default 60), CRMCTL_FAULT_SEED the seed.
func TestFaultInjection(t *testing.T) {
	if os.Getenv(Env) == "" {
		t.Skipf("set %s=1 to run the fault-injection test (minutes)", Env)
	}
	if runtime.GOOS == "windows" {
		t.Skip("SIGKILL")
	}
	kills := 60
	if v := os.Getenv("CRMCTL_FAULT_KILLS"); v != "" {
		if _, err := fmt.Sscan(v, &kills); err != nil {
			t.Fatalf("CRMCTL_FAULT_KILLS=%q: %v", v, err)
		}
	}
	seed := uint64(time.Now().UnixNano())
	if v := os.Getenv("CRMCTL_FAULT_SEED"); v != "" {
		if _, err := fmt.Sscan(v, &seed); err != nil {
			t.Fatalf("CRMCTL_FAULT_SEED=%q: %v", v, err)
		}
	}
	t.Logf("seed %d, %d kills", seed, kills)
	rnd := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))

	work := t.TempDir()
	bin := filepath.Join(work, "crmctl")
	build := exec.Command("go", "build", "-o", bin, "github.com/crmctl/crmctl")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	// The CRM's clock is 25 minutes behind.
	sb, err := sandbox.Open(sandbox.Options{Memory: true, Now: func() time.Time { return time.Now().Add(-25 * time.Minute) }})
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	crm := &faultyCRM{sb: sb, rnd: rand.New(rand.NewPCG(seed+1, seed))}
	srv := httptest.NewServer(crm)
	defer srv.Close()
	direct := httptest.NewServer(sb.Handler())
	defer direct.Close()
	tok, err := sb.DefaultToken(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	colleague, err := api.New(api.Options{BaseURL: direct.URL, Token: tok})
	if err != nil {
		t.Fatal(err)
	}
	colleagueCreates := func(name, mobile string) {
		if _, err := colleague.CreateCommonCustomer(context.Background(), url.Values{"common_id": {"45"},
			"customer[name]": {name}, "customer[address_attributes][phone]": {mobile}}); err != nil {
			t.Fatal(err)
		}
	}

	// A file: unique names, same-name rows with other mobiles, and names a colleague
	// also uses (with other mobiles), before and during the import. When one file is
	// done and kills are still due, the next is imported.
	var rows []row
	batch := func(b int) string {
		var these []row
		for i := 1; i <= 150; i++ {
			these = append(these, row{fmt.Sprintf("故障%d客户%03d", b, i), fmt.Sprintf("139%02d00%04d", b, i)})
		}
		for i := 1; i <= 4; i++ {
			for j := 1; j <= 3; j++ {
				these = append(these, row{fmt.Sprintf("同名贸易%d-%d", b, i), fmt.Sprintf("1391%02d%02d%02d", b, i, j)})
			}
		}
		for i := 1; i <= 6; i++ {
			these = append(these, row{fmt.Sprintf("李四商行%d-%d", b, i), fmt.Sprintf("1392%02d0%04d", b, i)})
			colleagueCreates(fmt.Sprintf("李四商行%d-%d", b, i), fmt.Sprintf("1380%02d0%04d", b, i)) // minutes before
		}
		rnd.Shuffle(len(these), func(i, j int) { these[i], these[j] = these[j], these[i] })
		var csv strings.Builder
		csv.WriteString("客户名称,手机\n")
		for _, r := range these {
			fmt.Fprintf(&csv, "%s,%s\n", r.name, r.mobile)
		}
		file := filepath.Join(work, fmt.Sprintf("rows%d.csv", b))
		if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, these...)
		return file
	}
	batches := 0
	file := batch(batches)

	env := append(os.Environ(),
		"HOME="+work, "XDG_CONFIG_HOME="+filepath.Join(work, "config"), "XDG_CACHE_HOME="+filepath.Join(work, "cache"),
		"XDG_DATA_HOME="+filepath.Join(work, "data"), "CRMCTL_BASE_URL="+srv.URL, "CRMCTL_TOKEN="+tok, "CRMCTL_NO_INPUT=1")
	run := func(killAfter time.Duration) (exit int, killed bool, stderr string) {
		var errb bytes.Buffer
		cmd := exec.Command(bin, "customers", "import", file, "--pool", "45", "--rate", "off", "--timeout", "1s")
		cmd.Env, cmd.Stderr, cmd.Stdout = env, &errb, io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		var timer <-chan time.Time
		if killAfter > 0 {
			timer = time.After(killAfter)
		}
		select {
		case err := <-done:
			return exitCode(err), false, errb.String()
		case <-timer:
			_ = cmd.Process.Signal(syscall.SIGKILL)
			err := <-done
			if exitCode(err) == -1 {
				return -1, true, errb.String()
			}
			return exitCode(err), false, errb.String()
		}
	}

	// Kill at random moments; a colleague keeps creating namesakes (other mobiles).
	killed, runs := 0, 0
	for killed < kills {
		if rnd.IntN(4) == 0 {
			i := 1 + rnd.IntN(6)
			colleagueCreates(fmt.Sprintf("李四商行%d-%d", batches, i), fmt.Sprintf("13700%03d%04d", runs%1000, i))
		}
		code, k, _ := run(time.Duration(20+rnd.IntN(400)) * time.Millisecond)
		runs++
		if k {
			killed++
		} else if code == 0 {
			batches++
			file = batch(batches) // done: the next file
		}
	}
	// Resume until done.
	var last string
	for i := 0; ; i++ {
		if i == 40 {
			t.Fatalf("not done after 40 resumes:\n%s", last)
		}
		code, _, stderr := run(0)
		runs++
		last = stderr
		if code == 0 {
			break
		}
	}

	// Count: each row's customers (name and mobile), and the colleague's kept apart.
	dups, lost := 0, 0
	byName := map[string][]api.Customer{}
	for _, r := range rows {
		if _, ok := byName[r.name]; ok {
			continue
		}
		l, err := colleague.MatchingName(context.Background(), r.name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range l.Customers {
			full, err := colleague.CommonCustomer(context.Background(), string(c.ID))
			if err != nil {
				t.Fatal(err)
			}
			byName[r.name] = append(byName[r.name], *full)
		}
	}
	for _, r := range rows {
		n := 0
		for _, c := range byName[r.name] {
			if string(c.Address.Phone) == r.mobile {
				n++
			}
		}
		switch {
		case n == 0:
			lost++
			t.Errorf("row %s %s: lost", r.name, r.mobile)
		case n > 1:
			dups += n - 1
			t.Errorf("row %s %s: %d customers", r.name, r.mobile, n)
		}
	}
	t.Logf("files %d, rows %d, runs %d, kills %d (SIGKILL); faults: %d answers lost after acting, %d requests dropped before acting, "+
		"%d 502 pages, %d truncated answers, %d delayed answers; server clock -25m",
		batches+1, len(rows), runs, killed, crm.f.lostAfter.Load(), crm.f.droppedBefore.Load(), crm.f.badGateway.Load(),
		crm.f.truncated.Load(), crm.f.delayed.Load())
	t.Logf("RESULT: %d duplicates, %d lost rows, %d rows each created exactly once", dups, lost, len(rows)-dups-lost)
	if killed < kills {
		t.Errorf("only %d kills", killed)
	}
}

func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return -1
		}
		return ee.ExitCode()
	}
	return -2
}
