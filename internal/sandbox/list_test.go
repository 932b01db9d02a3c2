package sandbox

import (
	"fmt"
	"net/url"
	"testing"
)

// user/list pages the organisation's users like every list of the API: page, per_page
// (15 unless asked) and total_count beside the list.
func TestUserListPages(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	seen := map[string]bool{}
	total := ""
	for page := 1; page <= 3; page++ {
		d := get(t, s, tok, fmt.Sprintf("/api/v2/user/list?page=%d", page)).data(t)
		users, _ := d["users"].([]any)
		if str(d["page"]) != fmt.Sprint(page) || str(d["per_page"]) != "15" {
			t.Fatalf("page %d: %v", page, d)
		}
		total = str(d["total_count"])
		want := 15
		if page == 3 {
			want = 3 // 33 users: 15, 15 and 3
		}
		if len(users) != want {
			t.Fatalf("page %d has %d users, want %d", page, len(users), want)
		}
		for _, u := range users {
			m := u.(map[string]any)
			if seen[str(m["id"])] {
				t.Errorf("user %s on two pages", str(m["id"]))
			}
			seen[str(m["id"])] = true
			if str(m["name"]) == "" || str(m["department_id"]) == "" {
				t.Errorf("user without name or department: %v", m)
			}
		}
	}
	if total != "33" || len(seen) != 33 {
		t.Fatalf("total_count %s, %d distinct users; want 33", total, len(seen))
	}
	if d := get(t, s, tok, "/api/v2/user/list?page=4").data(t); len(d["users"].([]any)) != 0 || str(d["total_count"]) != "33" {
		t.Errorf("past the last page: %v", d)
	}
	d := get(t, s, tok, "/api/v2/user/list?per_page=40").data(t)
	if len(d["users"].([]any)) != 33 || str(d["per_page"]) != "40" {
		t.Errorf("per_page=40: %d users, per_page %s", len(d["users"].([]any)), str(d["per_page"]))
	}
	d = get(t, s, tok, "/api/v2/user/list?department_id=6&name="+url.QueryEscape("王")).data(t)
	if list := d["users"].([]any); len(list) != 1 || str(list[0].(map[string]any)["name"]) != "王芳" || str(d["total_count"]) != "1" {
		t.Errorf("filtered by department and name: %v", d)
	}
	// Like every call but login, it needs the token.
	if r := get(t, s, "", "/api/v2/user/list"); r.code(t) != CodeUnauthorized {
		t.Errorf("without a token: %s", r.body)
	}
}

// matching_name carries what tells namesakes apart: the pool and the numbers.
func TestMatchingNameCarriesPoolAndNumbers(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	d := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("贸易公司")).data(t)
	list, _ := d["customers"].([]any)
	if len(list) != 1 {
		t.Fatalf("matching_name: %v", d)
	}
	m := list[0].(map[string]any)
	addr, _ := m["address"].(map[string]any)
	if str(m["common_id"]) != "45" || m["common_setting_name"] != "公司公海" || addr["tel"] != "010-64881989" {
		t.Errorf("matching_name record: %v", m)
	}
}
