package api

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// customers of one name as matching_name lists them (no contact details), and their
// records as GET common_customers/:id has them.
func reconcileFixture() (*CustomerList, map[string]*Customer) {
	rec := func(id, pool, phone string) *Customer {
		return &Customer{ID: ID(id), Name: "张三贸易", CommonID: ID(pool), Address: &Address{Phone: Text(phone)}}
	}
	byID := map[string]*Customer{
		"90":  rec("90", "45", "13900000001"),  // there long before
		"120": rec("120", "45", "13900000001"), // the row's (after the send)
		"121": rec("121", "45", "13900000002"), // another row's mobile
		"122": rec("122", "48", "13900000001"), // another pool
	}
	list := &CustomerList{}
	for _, id := range []string{"90", "120", "121", "122"} {
		c := *byID[id]
		c.Address = nil
		list.Customers = append(list.Customers, c)
	}
	list.Customers = append(list.Customers, Customer{ID: "130", Name: "张三贸易有限公司", CommonID: "45"}) // another name
	return list, byID
}

func fetcher(byID map[string]*Customer, calls *[]string) func(context.Context, string) (*Customer, error) {
	return func(_ context.Context, id string) (*Customer, error) {
		*calls = append(*calls, id)
		if c, ok := byID[id]; ok {
			return c, nil
		}
		return nil, &Error{Code: CodeRecordNotFound}
	}
}

func TestReconcileAdoptsOnlyTheProvenCustomer(t *testing.T) {
	ctx := context.Background()
	list, byID := reconcileFixture()
	var calls []string
	sent := Sent{Name: " 张三贸易", Pool: "45", Phone: "139-0000-0001", Floor: 100}
	r, err := Reconcile(ctx, sent, list, fetcher(byID, &calls))
	if err != nil {
		t.Fatal(err)
	}
	if r.Finding != Created || r.ID != "120" {
		t.Fatalf("%v %q %v, want created 120", r.Finding, r.ID, r.Candidates)
	}
	if r.MaxID != 130 {
		t.Errorf("MaxID %d", r.MaxID)
	}
	// 90 is under the floor and 122 in another pool per the list: never read.
	if strings.Join(calls, ",") != "120,121" {
		t.Errorf("fetched %v", calls)
	}
}

func TestReconcileNeverAdoptsAnotherRowsOrAColleaguesCustomer(t *testing.T) {
	ctx := context.Background()
	list, byID := reconcileFixture()
	var calls []string
	// The second row (another mobile) whose create was dropped: the first row's
	// customer (120) and a colleague's (121 has its mobile but another row owns it) are
	// not its.
	owned := func(_ context.Context, id string) (bool, error) { return id == "121", nil }
	r, err := Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000002", Floor: 100, Owned: owned}, list, fetcher(byID, &calls))
	if err != nil || r.Finding != NotFound {
		t.Fatalf("%v %+v, want not found", err, r)
	}
	// Owned by another row: 120 is not the first row's either when another owns it.
	owned120 := func(_ context.Context, id string) (bool, error) { return id == "120", nil }
	r, _ = Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000001", Floor: 100, Owned: owned120}, list, fetcher(byID, &calls))
	if r.Finding != NotFound {
		t.Fatalf("%+v, want not found", r)
	}
}

func TestReconcileNoClock(t *testing.T) {
	ctx := context.Background()
	list, byID := reconcileFixture()
	var calls []string
	// created_at says nothing: a server 25 minutes off, or in another zone, changes
	// nothing.
	for i := range list.Customers {
		list.Customers[i].CreatedAt = "1999-01-01 00:00"
	}
	r, _ := Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000001", Floor: 100}, list, fetcher(byID, &calls))
	if r.Finding != Created || r.ID != "120" {
		t.Fatalf("%+v", r)
	}
	// The ids a check showed before sending existed before it.
	r, _ = Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000001", Before: []string{"90", "120"}, Checked: true}, list, fetcher(byID, &calls))
	if r.Finding != NotFound {
		t.Fatalf("before-ids: %+v, want not found", r)
	}
}

func TestReconcileAmbiguousIsUnknown(t *testing.T) {
	ctx := context.Background()
	list, byID := reconcileFixture()
	var calls []string
	cases := map[string]Sent{
		// Nothing known of the ids before the send: 90 and 120 may both have been there.
		"no floor": {Name: "张三贸易", Pool: "45", Phone: "13900000001"},
		// Two customers match, both after the floor.
		"two": {Name: "张三贸易", Pool: "45", Phone: "13900000001", Floor: 50},
	}
	for name, s := range cases {
		r, err := Reconcile(ctx, s, list, fetcher(byID, &calls))
		if err != nil || r.Finding != Unknown || len(r.Candidates) != 2 {
			t.Errorf("%s: %v %+v, want unknown with 2 candidates", name, err, r)
		}
	}
	// A customer whose details cannot be read is in doubt.
	delete(byID, "120")
	r, _ := Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000001", Floor: 100}, list, fetcher(byID, &calls))
	if r.Finding != Unknown || r.Candidates[0].ID != "120" || !strings.Contains(r.CandidateList(), "cannot be read") {
		t.Fatalf("%+v", r)
	}
	// A failed read decides nothing.
	_, err := Reconcile(ctx, Sent{Name: "张三贸易", Pool: "45", Phone: "13900000001", Floor: 100}, list,
		func(context.Context, string) (*Customer, error) { return nil, errors.New("timeout") })
	if err == nil {
		t.Fatal("a failed read was not an error")
	}
}

func TestExistingNarrowsByNumbersAndPool(t *testing.T) {
	list, err := DecodeCustomerList([]byte(`{"customers":[
	 {"id":1,"name":"甲","common_id":45,"address":{"tel":"010-6488 1989","phone":""}},
	 {"id":2,"name":"甲","common_id":48942,"address":{"tel":"01064881989","phone":"13800000000"}},
	 {"id":3,"name":"甲","common_id":null,"user_id":2,"address":{"tel":"","phone":"13800000000"}},
	 {"id":4,"name":"甲 "},
	 {"id":5,"name":"甲乙","common_id":45}]}`))
	if err != nil {
		t.Fatal(err)
	}
	ids := func(cs []Customer) string {
		var s []string
		for _, c := range cs {
			s = append(s, string(c.ID))
		}
		return strings.Join(s, ",")
	}
	for _, c := range []struct {
		m    Match
		want string
	}{
		{Match{Name: "甲"}, "1,2,3,4"},
		{Match{Name: " 甲", Pool: "45"}, "1,4"},           // 2 is in another pool, 3 in none; 4 does not say
		{Match{Name: "甲", Tel: "010 64881989"}, "1,2,4"}, // by digits; 4 carries no address
		{Match{Name: "甲", Phone: "138-0000-0000"}, "2,3,4"},
		{Match{Name: "甲", Phone: "13800000000", Pool: "45"}, "4"},
		{Match{Name: "甲", Tel: "010-64881989", Phone: "139"}, "4"},
		{Match{Name: "丙"}, ""},
	} {
		if got := ids(list.Existing(c.m)); got != c.want {
			t.Errorf("Existing(%+v) = %s, want %s", c.m, got, c.want)
		}
	}
	if got := (&CustomerList{}).Existing(Match{Name: "甲"}); got == nil || len(got) != 0 {
		t.Errorf("no customers: %#v, want an empty list", got)
	}
}
