package sandbox

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestConcurrentCreates(t *testing.T) {
	s := openDir(t, t.TempDir())
	tok := defaultToken(t, s)
	const workers, each = 16, 25
	var mu sync.Mutex
	ids := map[int64]string{}
	var wg sync.WaitGroup
	errs := make(chan string, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				name := fmt.Sprintf("并发客户-%d-%d", w, i)
				r := do(t, s.Handler(), "POST", "/api/v2/common_customers",
					strings.NewReader(formOf("common_id", "45", "customer[name]", name, "customer[contacts_attributes][0][name]", "c")),
					map[string]string{"Authorization": tokenHeader(tok), "Content-Type": "application/x-www-form-urlencoded"})
				if !strings.HasPrefix(string(r.body), `{"code":0,`) {
					errs <- string(r.body)
					continue
				}
				id := idOf(t, r.data(t))
				mu.Lock()
				if prev, dup := ids[id]; dup {
					errs <- fmt.Sprintf("id %d given to %s and %s", id, prev, name)
				}
				ids[id] = name
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if len(ids) != workers*each {
		t.Fatalf("%d distinct ids, want %d", len(ids), workers*each)
	}
	for id, name := range ids {
		d := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t)
		if d["name"] != name {
			t.Fatalf("customer %d is %v, want %s", id, d["name"], name)
		}
	}
}

// The helper process of TestTwoProcesses: creates SANDBOX_HELPER_N customers in the store
// at SANDBOX_HELPER_DIR and prints "id name" lines.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv("SANDBOX_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	n, _ := strconv.Atoi(os.Getenv("SANDBOX_HELPER_N"))
	tag := os.Getenv("SANDBOX_HELPER_TAG")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		fmt.Println("ERROR open:", err)
		os.Exit(1)
	}
	defer s.Close()
	tok, err := s.DefaultToken(context.Background())
	if err != nil {
		fmt.Println("ERROR token:", err)
		os.Exit(1)
	}
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += 4 {
				name := fmt.Sprintf("%s-%d", tag, i)
				r := postForm(t, s, tok, formOf("common_id", "45", "customer[name]", name))
				mu.Lock()
				if strings.HasPrefix(string(r.body), `{"code":0,`) {
					fmt.Fprintf(out, "%d %s\n", idOf(t, r.data(t)), name)
				} else {
					fmt.Fprintf(out, "ERROR %s\n", r.body)
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
}

func TestTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	dir := t.TempDir() // not opened by this process first: the helpers race to create and seed it
	const n = 150
	var wg sync.WaitGroup
	outs := make([][]byte, 2)
	errs := make([]error, 2)
	for p := 0; p < 2; p++ {
		wg.Add(1)
		go func(p int) {
			defer wg.Done()
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), "SANDBOX_HELPER_DIR="+dir, "SANDBOX_HELPER_N="+strconv.Itoa(n),
				"SANDBOX_HELPER_TAG=proc"+strconv.Itoa(p))
			outs[p], errs[p] = cmd.Output()
		}(p)
	}
	wg.Wait()
	ids := map[int64]string{}
	for p := 0; p < 2; p++ {
		if errs[p] != nil {
			t.Fatalf("helper %d: %v\n%s", p, errs[p], outs[p])
		}
		for _, line := range strings.Split(string(outs[p]), "\n") {
			if line == "" || line == "PASS" || strings.HasPrefix(line, "ok") {
				continue
			}
			if strings.HasPrefix(line, "ERROR") {
				t.Errorf("helper %d: %s", p, line)
				continue
			}
			idStr, name, found := strings.Cut(line, " ")
			id, err := strconv.ParseInt(idStr, 10, 64)
			if !found || err != nil {
				t.Errorf("helper %d: odd line %q", p, line)
				continue
			}
			if prev, dup := ids[id]; dup {
				t.Errorf("id %d given twice: %s and %s", id, prev, name)
			}
			ids[id] = name
		}
	}
	if len(ids) != 2*n {
		t.Fatalf("%d ids reported, want %d", len(ids), 2*n)
	}
	// Every record is in the file, under the id its process was told, and seeding happened once.
	s := openDir(t, dir)
	tok := defaultToken(t, s)
	for id, name := range ids {
		d := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t)
		if d["name"] != name {
			t.Fatalf("customer %d is %v, want %s", id, d["name"], name)
		}
	}
	var count int
	if err := s.db.QueryRow(`SELECT count(*) FROM customers`).Scan(&count); err != nil {
		t.Fatal(err)
	}
	if want := 2*n + len(s.seed.Customers); count != want {
		t.Errorf("%d customers in the store, want %d (seeded once plus the created ones)", count, want)
	}
	sorted := make([]int64, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Slice(sorted, func(a, b int) bool { return sorted[a] < sorted[b] })
	t.Logf("ids %d..%d", sorted[0], sorted[len(sorted)-1])
}

func TestPersistence(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	s, err := Open(Options{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
		t.Errorf("data folder mode: %v %v", st.Mode(), err)
	}
	tok := login(t, s)
	id := idOf(t, postForm(t, s, tok, formOf("common_id", "48942", "customer[name]", "持久客户", "customer[status]", "3465")).data(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openDir(t, dir)
	// The token survives too (shared by processes through the store).
	d := get(t, s2, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t)
	if d["name"] != "持久客户" || d["status_mapped"] != "报价" || str(d["common_id"]) != "48942" {
		t.Errorf("after reopen: %v", d)
	}
	if got := defaultToken(t, s2); got != tok {
		t.Errorf("DefaultToken after reopen = %s, want the live %s", got, tok)
	}
	// Seeded once: one 贸易公司, not two.
	found, _ := get(t, s2, tok, "/api/v2/duplicates/matching_name?name=贸易公司").data(t)["customers"].([]any)
	if len(found) != 1 {
		t.Errorf("seed ran again: %d 贸易公司", len(found))
	}
	next := idOf(t, postForm(t, s2, tok, "common_id=45").data(t))
	if next <= id {
		t.Errorf("id %d after %d", next, id)
	}
}

// The store holds live tokens: the file and SQLite's -wal and -shm files are the
// owner's only, and a store that an older version made 0644 is tightened when opened.
func TestStoreFilesArePrivate(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permissions")
	}
	dir := t.TempDir()
	check := func(when string) {
		t.Helper()
		for _, name := range []string{DBFile, DBFile + "-wal", DBFile + "-shm"} {
			st, err := os.Stat(filepath.Join(dir, name))
			if err != nil {
				t.Errorf("%s: %v", when, err)
				continue
			}
			if st.Mode().Perm() != 0o600 {
				t.Errorf("%s: %s has mode %04o, want 0600", when, name, st.Mode().Perm())
			}
		}
	}
	s := openDir(t, dir)
	login(t, s)
	check("a new store")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.Chmod(filepath.Join(dir, DBFile), 0o644); err != nil {
		t.Fatal(err)
	}
	s = openDir(t, dir)
	login(t, s)
	check("a 0644 store opened again")
}

func TestReset(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	id := idOf(t, postForm(t, s, tok, "common_id=45&customer[name]=gone").data(t))
	if err := s.Reset(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := get(t, s, tok, "/api/v2/user/info"); r.code(t) != CodeUnauthorized {
		t.Errorf("sessions survived reset: %s", r.body)
	}
	tok = defaultToken(t, s)
	if r := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)); r.code(t) != CodeNotFound {
		t.Errorf("customer survived reset: %s", r.body)
	}
	found, _ := get(t, s, tok, "/api/v2/duplicates/matching_name?name=贸易公司").data(t)["customers"].([]any)
	if len(found) != 1 {
		t.Errorf("not re-seeded: %v", found)
	}
	if next := idOf(t, postForm(t, s, tok, "common_id=45").data(t)); next <= id {
		t.Errorf("id %d reused after reset (last was %d)", next, id)
	}
}

func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain")
	if err := os.WriteFile(file, []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(Options{DataDir: file}); err == nil || !strings.Contains(err.Error(), "folder") {
		t.Errorf("data folder is a file: %v", err)
	}
	if _, err := Open(Options{DataDir: filepath.Join(file, "sub")}); err == nil {
		t.Error("data folder under a file: no error")
	}
	corrupt := filepath.Join(dir, "corrupt")
	if err := os.MkdirAll(corrupt, 0o700); err != nil {
		t.Fatal(err)
	}
	junk := []byte(strings.Repeat("this is not sqlite ", 500))
	if err := os.WriteFile(filepath.Join(corrupt, DBFile), junk, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(Options{DataDir: corrupt})
	if err == nil || !strings.Contains(err.Error(), "not a sandbox database") {
		t.Errorf("corrupt file: %v", err)
	}
	if os.Geteuid() != 0 {
		ro := filepath.Join(dir, "ro")
		if err := os.MkdirAll(ro, 0o500); err != nil {
			t.Fatal(err)
		}
		if _, err := Open(Options{DataDir: ro}); err == nil {
			t.Error("read-only folder: no error")
		}
	}
	if _, err := Open(Options{}); err == nil {
		t.Error("neither DataDir nor Memory: no error")
	}
	for _, o := range []Options{{Memory: true, FailRate: 2}, {Memory: true, RateLimit: 3}, {Memory: true, RateLimit: -1}} {
		if _, err := Open(o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

func TestRecoverer(t *testing.T) {
	s := openMem(t, Options{})
	h := s.recoverer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }))
	r := do(t, h, "GET", "/x", nil, nil)
	if r.code(t) != CodeInternal {
		t.Errorf("panic answer: %s", r.body)
	}
}
