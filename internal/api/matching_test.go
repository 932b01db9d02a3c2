package api

import (
	"strings"
	"testing"
	"time"
)

func TestCreatedByPicksTheCreatesCustomer(t *testing.T) {
	sent := time.Date(2026, 11, 27, 7, 0, 0, 0, crmZone)
	list := &CustomerList{Customers: []Customer{
		{ID: "90", Name: "甲", CommonID: "45", CreatedAt: "2026-11-27 06:00"},      // there an hour before: not the create's
		{ID: "120", Name: "甲 ", CommonID: "48942", CreatedAt: "2026-11-27 07:00"}, // another pool
		{ID: "101", Name: "甲", CommonID: "45", CreatedAt: "2026-11-27 06:55"},     // within the slack
		{ID: "99", Name: "甲", CommonID: "45", CreatedAt: "2026-11-27 07:00"},
		{ID: "200", Name: "甲乙", CommonID: "45", CreatedAt: "2026-11-27 07:00"}, // another name
	}}
	if c := list.CreatedBy(" 甲", "45", sent); c == nil || c.ID != "101" {
		t.Fatalf("CreatedBy in pool 45 = %+v, want 101 (in the pool, newest)", c)
	}
	if c := list.CreatedBy("甲", "50117", sent); c == nil || c.ID != "120" {
		t.Fatalf("CreatedBy in another pool = %+v, want the newest, 120", c)
	}
	if c := list.CreatedBy("甲", "45", time.Time{}); c == nil || c.ID != "101" {
		t.Fatalf("CreatedBy without a send time = %+v, want 101", c)
	}
	old := &CustomerList{Customers: []Customer{{ID: "90", Name: "甲", CreatedAt: "2026-11-27 06:00"}}}
	if c := old.CreatedBy("甲", "45", sent); c != nil {
		t.Fatalf("a customer older than the slack was taken: %+v", c)
	}
	if c := old.CreatedBy("甲", "45", time.Time{}); c == nil {
		t.Fatal("without a send time nobody is ruled out")
	}
	odd := &CustomerList{Customers: []Customer{{ID: "7", Name: "甲", CreatedAt: "yesterday"}}}
	if c := odd.CreatedBy("甲", "45", sent); c == nil {
		t.Fatal("an unreadable created_at rules nobody out")
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
