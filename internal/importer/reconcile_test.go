package importer

import (
	"context"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
)

// customersNamed lists the customers of name: id -> mobile.
func (a *testAPI) customersNamed(name string) map[string]string {
	a.t.Helper()
	l, err := a.client.MatchingName(context.Background(), name)
	if err != nil {
		a.t.Fatal(err)
	}
	out := map[string]string{}
	for _, c := range l.Customers {
		full, err := a.client.CommonCustomer(context.Background(), string(c.ID))
		if err != nil {
			a.t.Fatal(err)
		}
		out[string(c.ID)] = string(full.Address.Phone)
	}
	return out
}

// colleague creates a customer as another user of the CRM would, unseen by the import.
func (a *testAPI) colleague(name, mobile string) string {
	a.t.Helper()
	ts := httptest.NewServer(a.srv.Handler()) // straight to the CRM, past the faults
	defer ts.Close()
	tok, _ := a.srv.DefaultToken(context.Background())
	client, err := api.New(api.Options{BaseURL: ts.URL, Token: tok})
	if err != nil {
		a.t.Fatal(err)
	}
	c, err := client.CreateCommonCustomer(context.Background(), url.Values{"common_id": {"45"}, "customer[name]": {name}, "customer[address_attributes][phone]": {mobile}})
	if err != nil {
		a.t.Fatal(err)
	}
	return string(c.ID)
}

// Two rows of one name with other mobiles; the second row's create never reaches the
// CRM. The first row's customer is not the second's (another mobile, and another row
// owns it): the second is created on the next run, and neither row is lost.
func TestSameNameRowsAreNotMerged(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "s.csv"), "客户名称,手机\n张三贸易,13900000001\n张三贸易,13900000002\n")
	dropped := false
	a.dropBefore = func(name string) bool {
		if name == "张三贸易" && a.count(createKey) == 2 && !dropped {
			dropped = true
			return true
		}
		return false
	}
	sum, err := Run(context.Background(), a.config(t, p, dir))
	if err != nil || sum.Created != 1 || sum.Unknown != 1 || sum.Recovered != 0 {
		t.Fatalf("first run: %v %+v", err, sum)
	}
	if got := a.customersNamed("张三贸易"); len(got) != 1 {
		t.Fatalf("after the first run: %v", got)
	}
	sum, err = Run(context.Background(), a.config(t, p, dir))
	if err != nil || sum.Created != 1 || sum.AlreadyCreated != 1 || sum.Unknown != 0 {
		t.Fatalf("second run: %v %+v", err, sum)
	}
	got := a.customersNamed("张三贸易")
	mobiles := map[string]bool{}
	for _, m := range got {
		mobiles[m] = true
	}
	if len(got) != 2 || !mobiles["13900000001"] || !mobiles["13900000002"] {
		t.Fatalf("customers: %v, want one per row", got)
	}
	res := readResults(t, sum.Results)
	if !strings.Contains(res, "3,created,张三贸易,") {
		t.Fatalf("results:\n%s", res)
	}
}

// A colleague creates a customer of the row's name (another mobile) just before the
// row's create, which never reaches the CRM: the colleague's customer is not taken for
// the row's.
func TestColleaguesNamesakeIsNotAdopted(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "c.csv"), "客户名称,手机\n先行,13900000009\n李四商行,13900000001\n")
	var colleagues string
	a.during = func(name string) {
		if name == "李四商行" && colleagues == "" {
			colleagues = a.colleague("李四商行", "13800000000")
		}
	}
	a.dropBefore = func(name string) bool { return name == "李四商行" }
	sum, err := Run(context.Background(), a.config(t, p, dir))
	if err != nil || sum.Recovered != 0 || sum.Unknown != 1 {
		t.Fatalf("first run: %v %+v", err, sum)
	}
	a.dropBefore = nil
	sum, err = Run(context.Background(), a.config(t, p, dir))
	if err != nil || sum.Created != 1 {
		t.Fatalf("second run: %v %+v", err, sum)
	}
	got := a.customersNamed("李四商行")
	if len(got) != 2 || got[colleagues] != "13800000000" {
		t.Fatalf("customers: %v (the colleague's is %s)", got, colleagues)
	}
}

// The CRM's clock is 25 minutes off, either way: a lost answer is still matched to the
// customer the request made, and never sent twice.
func TestServerClockOffChangesNothing(t *testing.T) {
	for _, off := range []time.Duration{-25 * time.Minute, 25 * time.Minute, 8 * time.Hour} {
		t.Run(off.String(), func(t *testing.T) {
			a := newTestAPI(t)
			a.age = off
			dir := t.TempDir()
			ns := names("时钟", 4)
			a.dropAfter = func(name string) bool { return name == ns[1] || name == ns[2] }
			sum, err := Run(context.Background(), a.config(t, csvOf(t, dir, ns), dir))
			if err != nil || sum.Created != 4 || sum.Recovered != 2 || sum.Unknown != 0 {
				t.Fatalf("%v %+v", err, sum)
			}
			onceEach(t, a, ns)
		})
	}
}

// A colleague creates a customer identical to the row's (same name and mobile) while
// the row's answer is lost: two customers could be the row's and nothing tells which.
// The outcome is unknown: reported with both candidates, never adopted, not sent again
// on the next run; --retry-unknown sends it again.
func TestAmbiguousOutcomeIsUnknownUntilTheUserSays(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "u.csv"), "客户名称,手机\n先行,13900000009\n王五公司,13900000005\n")
	var colleagues string
	a.during = func(name string) {
		if name == "王五公司" && colleagues == "" {
			colleagues = a.colleague("王五公司", "13900000005")
		}
	}
	a.dropAfter = func(name string) bool { return name == "王五公司" }
	cfg := a.config(t, p, dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Created != 1 || sum.Unknown != 1 || len(sum.UnknownRows) != 1 {
		t.Fatalf("first run: %v %+v", err, sum)
	}
	u := sum.UnknownRows[0]
	if u.Row != 3 || !strings.Contains(u.Candidates, colleagues) || strings.Count(u.Candidates, "(") != 2 {
		t.Fatalf("unknown row: %+v", u)
	}
	if res := readResults(t, sum.Results); !strings.Contains(res, "3,unknown,王五公司,,") {
		t.Fatalf("results:\n%s", res)
	}
	a.dropAfter = nil
	posts := a.count(createKey)
	sum, err = Run(context.Background(), a.config(t, p, dir))
	if err != nil || sum.Unknown != 1 || a.count(createKey) != posts {
		t.Fatalf("second run: %v %+v, %d POSTs", err, sum, a.count(createKey)-posts)
	}
	cfg = a.config(t, p, dir)
	cfg.RetryUnknown = true
	sum, err = Run(context.Background(), cfg)
	if err != nil || sum.Created != 1 || sum.Unknown != 0 || a.count(createKey) != posts+1 {
		t.Fatalf("--retry-unknown: %v %+v, %d POSTs", err, sum, a.count(createKey)-posts)
	}
	if got := a.customersNamed("王五公司"); len(got) != 3 {
		t.Fatalf("customers: %v, want 3 (the colleague's, the lost answer's, the one sent again)", got)
	}
}
