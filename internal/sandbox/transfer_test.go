package sandbox

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

func TestTransfer(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	// 超级公海 (48942) lists the seeded account among its admins.
	id := idOf(t, postForm(t, s, tok, formOf("common_id", "48942", "customer[name]", "转移公司",
		"customer[contacts_attributes][0][name]", "王五")).data(t))
	d := transfer(t, s, tok, id, "user_id=3").data(t)
	if idOf(t, d) != id || d["name"] != "转移公司" || d["common_id"] != nil || d["is_own"] != false {
		t.Errorf("transfer answer: %v", d)
	}
	if u, _ := d["user"].(map[string]any); str(u["id"]) != "3" || u["name"] != "李娜" {
		t.Errorf("user = %v, want 3 李娜", d["user"])
	}
	if od, _ := d["owned_department"].(map[string]any); str(od["id"]) != "5" {
		t.Errorf("owned_department = %v, want the new owner's (5)", d["owned_department"])
	}
	// It left its pool: the pool routes no longer find it...
	for _, r := range []resp{
		get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)),
		get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d/contacts", id)),
		transfer(t, s, tok, id, "user_id=2"),
	} {
		if r.code(t) != CodeNotFound {
			t.Errorf("after the transfer: %s", r.body)
		}
	}
	// ...but the duplicate check, over every customer, does, with its new owner.
	found, _ := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("转移公司")).data(t)["customers"].([]any)
	if len(found) != 1 {
		t.Fatalf("matching_name: %v", found)
	}
	if m := found[0].(map[string]any); str(m["user_id"]) != "3" || m["common_id"] != nil {
		t.Errorf("matching_name after the transfer: %v", m)
	}

	// user_id as JSON, and to oneself, in 华东区公海 (50117), which the account also administers.
	id = idOf(t, postForm(t, s, tok, "common_id=50117").data(t))
	r := do(t, s.Handler(), "PUT", fmt.Sprintf("/api/v2/common_customers/%d/transfer", id), strings.NewReader(`{"user_id":2}`),
		map[string]string{"Authorization": tokenHeader(tok), "Content-Type": "application/json"})
	if d := r.data(t); str(d["user"].(map[string]any)["id"]) != "2" || d["is_own"] != true {
		t.Errorf("JSON transfer: %s", r.body)
	}
}

// A pool's admins are its admin_list: 公司公海 (45) has none, so the seeded account, though
// the organisation's super admin, may not transfer its customers. It gets 100100, the API's
// code for no permission, and the customer stays as it was.
func TestTransferNotPoolAdmin(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	id := idOf(t, postForm(t, s, tok, formOf("common_id", "45", "customer[name]", "公司公海客户")).data(t))
	for _, form := range []string{"user_id=3", "user_id=", "user_id=999"} {
		r := transfer(t, s, tok, id, form)
		m := r.json(t)
		if r.code(t) != CodeNotFound || m["error"] != "active_record/record_not_found" || !strings.Contains(str(m["message"]), "没有权限") {
			t.Errorf("%s by a non-admin: %s", form, r.body)
		}
		if _, has := m["data"]; has {
			t.Errorf("%s: a data key in a 100100: %s", form, r.body)
		}
	}
	d := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t)
	if str(d["common_id"]) != "45" || str(d["user"].(map[string]any)["id"]) != "2" {
		t.Errorf("the refused transfer changed the customer: %v", d)
	}
}

func TestTransferErrors(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	id := idOf(t, postForm(t, s, tok, "common_id=48942").data(t))
	for _, c := range []struct {
		name, form string
		mention    []string
	}{
		{"no user_id", "", []string{"user_id"}},
		{"blank user_id", "user_id=%20", []string{"user_id"}},
		{"user_id not an integer", formOf("user_id", "李娜"), []string{"user_id", "李娜"}},
		{"unknown user", "user_id=999", []string{"user_id", "999"}},
		{"user_id an object", "user_id[a]=1", []string{"user_id"}},
	} {
		r := transfer(t, s, tok, id, c.form)
		if r.code(t) != CodeInvalidParams {
			t.Errorf("%s: %s", c.name, r.body)
			continue
		}
		msg := str(r.json(t)["message"])
		for _, w := range c.mention {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: message %q does not name %q", c.name, msg, w)
			}
		}
	}
	if d := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t); str(d["common_id"]) != "48942" {
		t.Errorf("a failed transfer moved the customer: %v", d)
	}
	for _, target := range []string{"99999999", "abc", "0"} {
		if r := transfer(t, s, tok, target, "user_id=3"); r.code(t) != CodeNotFound {
			t.Errorf("transfer of customer %s: %s", target, r.body)
		}
	}
	// The token rules hold here too.
	r := do(t, s.Handler(), "PUT", fmt.Sprintf("/api/v2/common_customers/%d/transfer", id), strings.NewReader("user_id=3"),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
	if r.code(t) != CodeUnauthorized {
		t.Errorf("transfer without a token: %s", r.body)
	}
}
