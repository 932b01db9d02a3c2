package importer

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/crmctl/crmctl/internal/pace/pacetest"
)

// A row the API refused is fixed in the file, as the hint says, and the import is run
// again: the rows created by the first run are not created again, although the edited
// file has a new journal. A BOM and CRLF line endings, as a spreadsheet writes on save,
// change nothing either.
func TestEditedFileDoesNotCreateItsRowsAgain(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	path := writeAt(t, filepath.Join(dir, "f.csv"), "客户名称,电话,parent-id\n编辑甲,010-1,\n编辑乙,010-2,\n编辑丙,010-3,99999999\n")
	sum, err := Run(context.Background(), a.config(t, path, dir))
	if err != nil || sum.Created != 2 || sum.Failed != 1 {
		t.Fatalf("first run: %+v %v", sum, err)
	}
	firstJournal := sum.Journal

	writeAt(t, path, "\ufeff客户名称,电话,parent-id\r\n编辑甲,010-1,\r\n编辑乙,010-2,\r\n编辑丙,010-3,\r\n")
	cfg := a.config(t, path, dir)
	cfg.DryRun = true
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.AlreadyCreated != 2 || sum.ToCreate != 1 {
		t.Fatalf("dry run of the edited file: %+v %v", sum, err)
	}

	posts := a.count(createKey)
	cfg = a.config(t, path, dir)
	cfg.RetryFailed = true
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Journal == firstJournal {
		t.Fatal("the edited file kept the first journal: this test no longer tests the ledger")
	}
	if sum.Created != 1 || sum.AlreadyCreated != 2 || a.count(createKey)-posts != 1 {
		t.Fatalf("second run: %+v, %d create(s) sent", sum, a.count(createKey)-posts)
	}
	onceEach(t, a, []string{"编辑甲", "编辑乙", "编辑丙"})
	res := readResults(t, sum.Results)
	if !strings.Contains(res, "created by "+path+" row 2") {
		t.Errorf("results do not name the earlier import:\n%s", res)
	}

	// A third run of the same edited file resumes from its own journal: nothing is sent.
	posts = a.count(createKey)
	sum, err = Run(context.Background(), a.config(t, path, dir))
	if err != nil || sum.AlreadyCreated != 3 || a.count(createKey) != posts {
		t.Fatalf("third run: %+v %v, %d create(s) sent", sum, err, a.count(createKey)-posts)
	}
}

// Another file that holds a customer an import created (same pool, name, mobile and
// telephone) skips that row; its other rows are created.
func TestAnotherFileSkipsCustomersAlreadyImported(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	first := writeAt(t, filepath.Join(dir, "a.csv"), "客户名称,电话\n旧客户,010-1\n")
	if _, err := Run(context.Background(), a.config(t, first, dir)); err != nil {
		t.Fatal(err)
	}
	second := writeAt(t, filepath.Join(dir, "b.csv"), "客户名称,电话,备注\n新客户,010-2,\n旧客户,010 - 1,another note\n旧客户,010-9,other telephone\n")
	sum, err := Run(context.Background(), a.config(t, second, dir))
	if err != nil {
		t.Fatal(err)
	}
	if sum.Created != 2 || sum.AlreadyCreated != 1 {
		t.Fatalf("%+v", sum)
	}
	if got := a.customers("旧客户", "新客户"); got["旧客户"] != 2 || got["新客户"] != 1 {
		t.Fatalf("customers: %v (the other telephone is another customer)", got)
	}

	// Another pool is another customer.
	other := writeAt(t, filepath.Join(dir, "c.csv"), "客户名称,电话,公海\n旧客户,010-1,超级公海\n")
	sum, err = Run(context.Background(), a.config(t, other, dir))
	if err != nil || sum.Created != 1 {
		t.Fatalf("another pool: %+v %v", sum, err)
	}
}

// An import crashed after its request reached the API; the file was then edited. The
// next run finds the customer with matching_name instead of sending it again.
func TestUnansweredRowOfAnEditedFileIsCheckedNotResent(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	ns := names("崩溃后编辑", 3)
	path := csvOf(t, dir, ns)
	cfg := a.config(t, path, dir)
	cfg.Hooks.AfterAnswer = crashAt(3)
	if _, err := Run(context.Background(), cfg); !errors.Is(err, errCrashed) {
		t.Fatalf("err = %v, want the simulated crash", err)
	}
	content, _ := os.ReadFile(path)
	writeAt(t, path, "\ufeff"+string(content))

	posts, matches := a.count(createKey), a.count(matchKey)
	sum, err := Run(context.Background(), a.config(t, path, dir))
	if err != nil {
		t.Fatal(err)
	}
	if a.count(createKey) != posts+1 || a.count(matchKey) != matches+1 {
		t.Fatalf("%d create(s) and %d matching_name sent, want 1 and 1 (%+v)", a.count(createKey)-posts, a.count(matchKey)-matches, sum)
	}
	onceEach(t, a, ns)
}

// With --allow-duplicates identical rows are distinct customers; an edit that keeps
// them in place creates none of them again.
func TestAllowDuplicatesIdentityKeepsTheRow(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	path := writeAt(t, filepath.Join(dir, "d.csv"), "客户名称\n同名\n同名\n")
	cfg := a.config(t, path, dir)
	cfg.AllowDuplicates = true
	if sum, err := Run(context.Background(), cfg); err != nil || sum.Created != 2 {
		t.Fatalf("%+v %v", sum, err)
	}
	writeAt(t, path, "客户名称\r\n同名\r\n同名\r\n")
	cfg = a.config(t, path, dir)
	cfg.AllowDuplicates = true
	posts := a.count(createKey)
	if sum, err := Run(context.Background(), cfg); err != nil || sum.AlreadyCreated != 2 || a.count(createKey) != posts {
		t.Fatalf("%+v %v", sum, err)
	}
	if got := a.customers("同名"); got["同名"] != 2 {
		t.Fatalf("同名 exists %d times, want 2", got["同名"])
	}
}

// A customer another running import has claimed is neither sent nor checked: the row is
// left for the next run.
func TestCustomerClaimedByARunningImportIsLeftAlone(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	path := writeAt(t, filepath.Join(dir, "e.csv"), "客户名称\n争用\n自由\n")
	cfg := a.config(t, path, dir)

	other := filepath.Join(dir, "imports", "import-other.db")
	led, err := OpenLedger(context.Background(), DefaultLedgerPath(dir, cfg.Meta))
	if err != nil {
		t.Fatal(err)
	}
	pools, _ := a.client.Pools(context.Background())
	v := &Verdict{Row: 2, Name: "争用"}
	v.Values = map[string]string{"name": "争用", "common_id": string(pools.Pools[0].ID)}
	if _, ok, err := led.Claim(context.Background(), ledgerKey(v, false), other, "other.csv", 2, "争用", time.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	led.Close()
	lock := flock.New(other + ".lock")
	if ok, err := lock.TryLock(); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer func() { _ = lock.Unlock() }()

	matches := a.count(matchKey)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// One matching_name: row 3's, before the first send (no customer id known yet).
	if sum.Created != 1 || sum.Unknown != 1 || a.count(matchKey) != matches+1 {
		t.Fatalf("%+v, %d matching_name", sum, a.count(matchKey)-matches)
	}
	if got := a.customers("争用", "自由"); got["争用"] != 0 || got["自由"] != 1 {
		t.Fatalf("customers: %v", got)
	}
}

// A customer another running import is sending is waited for: when that import records
// it created, the row takes its id and nothing is sent or checked.
func TestCustomerBeingSentElsewhereIsAwaited(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	path := writeAt(t, filepath.Join(dir, "e.csv"), "客户名称\n争用\n自由\n")
	cfg := a.config(t, path, dir)

	other := filepath.Join(dir, "imports", "import-other.db")
	led, err := OpenLedger(context.Background(), DefaultLedgerPath(dir, cfg.Meta))
	if err != nil {
		t.Fatal(err)
	}
	defer led.Close()
	pools, _ := a.client.Pools(context.Background())
	v := &Verdict{Row: 2, Name: "争用"}
	v.Values = map[string]string{"name": "争用", "common_id": string(pools.Pools[0].ID)}
	key := ledgerKey(v, false)
	if _, ok, err := led.Claim(context.Background(), key, other, "other.csv", 2, "争用", time.Now()); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	lock := flock.New(other + ".lock")
	if ok, err := lock.TryLock(); err != nil || !ok {
		t.Fatalf("lock: %v %v", ok, err)
	}
	defer func() { _ = lock.Unlock() }()
	// The other import's answer comes while this one waits.
	sleeps := 0
	cfg.Clock = &hookClock{Clock: cfg.Clock.(*pacetest.Clock), onSleep: func(d time.Duration) {
		if d == awaitPoll {
			if sleeps++; sleeps == 3 {
				if err := led.Created(context.Background(), key, "777", other, "other.csv", 2, "争用"); err != nil {
					t.Error(err)
				}
			}
		}
	}}

	matches := a.count(matchKey)
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// One matching_name: row 3's, before the first send (no customer id known yet).
	if sum.Created != 1 || sum.AlreadyCreated != 1 || sum.Unknown != 0 || a.count(matchKey) != matches+1 || sleeps != 3 {
		t.Fatalf("%+v, %d matching_name, %d polls", sum, a.count(matchKey)-matches, sleeps)
	}
	if got := a.customers("争用", "自由"); got["争用"] != 0 || got["自由"] != 1 {
		t.Fatalf("customers: %v", got)
	}
	if rep := cfg.Report.(*bytes.Buffer).String(); !strings.Contains(rep, "row 2: another import (other.csv row 2) is sending this customer now: waiting for its outcome") {
		t.Errorf("report: %s", rep)
	}
}

// hookClock is a fake clock that tells onSleep of every wait.
type hookClock struct {
	*pacetest.Clock
	onSleep func(time.Duration)
}

func (c *hookClock) Sleep(ctx context.Context, d time.Duration) error {
	c.onSleep(d)
	return c.Clock.Sleep(ctx, d)
}
