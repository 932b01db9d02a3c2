package sandbox

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

func TestUnknownRoutesAre404(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for _, c := range []struct{ method, path string }{
		{"GET", "/"},
		{"GET", "/api/v2/nothing"},
		{"GET", "/api/v1/user/info"},
		{"DELETE", "/api/v2/common_customers/100001"},
		{"POST", "/api/v2/user/info"},
		{"GET", "/api/v2/common_customers"},
		{"GET", "/api/v2/common_customers/1/contacts/2"},
		{"POST", "/api/v2/custom_fields/customer/by_group"},
		{"POST", "/api/v2/common_customers/100001/transfer"},
		{"GET", "/api/v2/common_customers/100001/transfer"},
		{"PUT", "/api/v2/common_customers/100001"},
		{"GET", "/api/v2/custom_fields/customer"},
		{"GET", "/api/v2//user/info"},
		{"GET", "/api/v2/user/../user/info"},
		{"GET", "/api/v2/common_customers/100001%2Fx/contacts"},
		{"GET", "/api/v2/user/info//"},
	} {
		r := do(t, s.Handler(), c.method, c.path, nil, map[string]string{"Authorization": tokenHeader(tok)})
		if r.status != http.StatusNotFound || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%s %s: HTTP %d %q", c.method, c.path, r.status, r.header.Get("Content-Type"))
		}
	}
}

func TestRoutesTakeJSONSuffixAndTrailingSlash(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for _, path := range []string{"/api/v2/user/info.json", "/api/v2/user/info/", "/api/v2/field_maps/customer.json"} {
		if r := get(t, s, tok, path); r.status != http.StatusOK || r.code(t) != 0 {
			t.Errorf("%s: HTTP %d %s", path, r.status, r.body)
		}
	}
}

func TestRecordNotFound(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for _, path := range []string{
		"/api/v2/common_customers/99999999",
		"/api/v2/common_customers/abc",
		"/api/v2/common_customers/-1",
		"/api/v2/common_customers/99999999/contacts",
		"/api/v2/field_maps/nothing",
		"/api/v2/custom_fields/nothing/by_group",
	} {
		r := get(t, s, tok, path)
		m := r.json(t)
		if r.code(t) != CodeNotFound || m["error"] != "active_record/record_not_found" || str(m["message"]) == "" {
			t.Errorf("%s: %s", path, r.body)
		}
		// The second error shape of ikcrm-api.md §3: code, message, error and no data key.
		if _, has := m["data"]; has || len(m) != 3 {
			t.Errorf("%s: not {code, message, error}: %s", path, r.body)
		}
	}
}

func TestUserInfoAndDepartments(t *testing.T) {
	s := openMem(t, Options{Login: "13700001111"})
	tok := defaultToken(t, s)
	d := get(t, s, tok, "/api/v2/user/info").data(t)
	for k, want := range map[string]string{"id": "2", "phone": "13700001111", "organization_id": "49", "department_id": "2", "department_name": "销售部"} {
		if got := str(d[k]); got != want {
			t.Errorf("user/info %s = %q, want %q", k, got, want)
		}
	}
	for _, k := range []string{"name", "email"} {
		if str(d[k]) == "" {
			t.Errorf("user/info has no %s", k)
		}
	}
	deps, _ := get(t, s, tok, "/api/v2/departments").data(t)["departments"].([]any)
	names := map[string]bool{}
	for _, x := range deps {
		m := x.(map[string]any)
		if _, ok := m["parent_id"]; !ok {
			t.Errorf("department without parent_id: %v", m)
		}
		if _, ok := m["id"].(json.Number); !ok {
			t.Errorf("department id not a number: %v", m)
		}
		names[str(m["name"])] = true
	}
	if !names["销售部"] || len(deps) < 3 {
		t.Errorf("departments: %v", deps)
	}
}

func TestPools(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	list, _ := get(t, s, tok, "/api/v2/common_customers/common_settings").data(t)["common_settings"].([]any)
	byID := map[string]map[string]any{}
	for _, x := range list {
		m := x.(map[string]any)
		byID[str(m["id"])] = m
	}
	if byID["45"]["name"] != "公司公海" || byID["48942"]["name"] != "超级公海" {
		t.Fatalf("pools: %v", list)
	}
	p := byID["45"]
	if str(p["rule_type"]) != "0" || str(byID["48942"]["rule_type"]) != "2" {
		t.Errorf("rule_type: %v / %v", p["rule_type"], byID["48942"]["rule_type"])
	}
	owner := p["rule_config"].(map[string]any)["owner"].(map[string]any)
	if _, isString := owner["max_unfollow_day"].(string); !isString {
		t.Errorf("rule_config numbers must be strings: %v", owner)
	}
	if _, ok := p["limit_grab_enable"].(bool); !ok {
		t.Errorf("limit_grab_enable: %v", p["limit_grab_enable"])
	}
	if _, ok := p["member_list"].(map[string]any); !ok {
		t.Errorf("member_list: %v", p["member_list"])
	}
}

func TestFieldMaps(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	fields, _ := get(t, s, tok, "/api/v2/field_maps/customer").data(t)["customer"].([]any)
	seen := map[string][]any{}
	disabled := 0
	for _, x := range fields {
		f := x.(map[string]any)
		vals, _ := f["field_values"].([]any)
		seen[str(f["field_name"])] = vals
		last := int64(-1)
		for _, v := range vals {
			o := v.(map[string]any)
			for _, k := range []string{"id", "value", "position", "status"} {
				if _, ok := o[k]; !ok {
					t.Errorf("%s option without %s: %v", f["field_name"], k, o)
				}
			}
			pos, _ := o["position"].(json.Number).Int64()
			if pos < last {
				t.Errorf("%s options not in position order", f["field_name"])
			}
			last = pos
			if o["status"] == "disable" {
				disabled++
			}
		}
	}
	for _, name := range []string{"status", "category", "source", "industry", "staff_size", "channel"} {
		if len(seen[name]) == 0 {
			t.Errorf("customer field map has no %s options", name)
		}
	}
	if disabled == 0 {
		t.Error("no disabled option in the customer field map")
	}
	status := seen["status"][1].(map[string]any)
	if str(status["id"]) != "7" || status["value"] != "初访" {
		t.Errorf("status option 2 = %v", status)
	}
	lead, _ := get(t, s, tok, "/api/v2/field_maps/lead").data(t)["lead"].([]any)
	if len(lead) == 0 {
		t.Error("lead field map is empty")
	}
	r := get(t, s, tok, "/api/v2/field_maps/contact")
	if !strings.Contains(string(r.body), `"contact":[]`) {
		t.Errorf("contact field map: %s", r.body)
	}
}

func TestCustomFieldsByGroup(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	groups, ok := get(t, s, tok, "/api/v2/custom_fields/customer/by_group").data(t)["custom_field_groups"].([]any)
	if !ok || len(groups) == 0 {
		t.Fatal("no custom_field_groups")
	}
	types := map[string]string{}
	for _, x := range groups {
		g := x.(map[string]any)
		if _, ok := g["id"].(json.Number); !ok || str(g["label"]) == "" || str(g["status"]) == "" {
			t.Errorf("group without id, label or status: %v", g)
		}
		fields, _ := g["custom_fields"].([]any)
		for _, y := range fields {
			f := y.(map[string]any)
			key := str(f["name"])
			if !customKeyRE.MatchString(key) || str(f["label"]) == "" {
				t.Errorf("custom field %v: want a <kind>_asset_<hex> name and a label", f)
			}
			if _, ok := f["required"].(bool); !ok || (str(f["status"]) != "enable" && str(f["status"]) != "disable") {
				t.Errorf("custom field %v: want required (a boolean) and status enable or disable", f)
			}
			types[key] = str(f["field_type"])
			opts, _ := f["input_field_options"].(map[string]any)["collection_options"].([]any)
			if isSelectType(types[key]) != (len(opts) > 0) {
				t.Errorf("%s (%s) has options %v", key, types[key], opts)
			}
			for _, o := range opts {
				o := o.(map[string]any)
				if !strings.HasPrefix(str(o["value"]), "sel_") || str(o["label"]) == "" {
					t.Errorf("%s option %v: want a sel_ code and a label", key, o)
				}
			}
		}
	}
	// The keys of ikcrm-api.md §6's example, and a select whose key does not say so.
	for key, want := range map[string]string{
		"text_asset_9320d8d7": "text_field", "numeric_asset_e2955b70": "number_field", "text_asset_4b74a32b": "select",
	} {
		if types[key] != want {
			t.Errorf("%s is %q, want %s", key, types[key], want)
		}
	}
	r := get(t, s, tok, "/api/v2/custom_fields/lead/by_group")
	if !strings.Contains(string(r.body), `"custom_field_groups":[]`) {
		t.Errorf("lead custom fields: %s", r.body)
	}
}
