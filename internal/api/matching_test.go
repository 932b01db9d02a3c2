package api

import (
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
