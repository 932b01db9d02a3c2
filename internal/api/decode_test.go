package api

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
)

const seedCustomer = `{"id":18,"name":"贸易公司","status":"7","status_mapped":"初访",
 "note":"主营外贸销售,代理国外一线品牌","category":"","category_mapped":"",
 "source":"","source_mapped":"","industry":"","industry_mapped":"",
 "staff_size":0,"staff_size_display":"","staff_size_mapped":"",
 "created_at":"2015-07-03 17:31","updated_at":"2015-09-24 16:48","is_own":true,
 "text_asset_9320d8d7":"","numeric_asset_e2955b70":123,
 "address":{"id":1076,"country":{"id":4,"name":"中国","pinyin":null},"province":{},"city":{},"district":{},
            "tel":"010-64881989","phone":"","email":"zhaoning@web.com","qq":"18888896","fax":"",
            "detail_address":"北京市朝阳区朝阳门外大街18号丰联广场A座第9层",
            "lat":0,"lng":0,"region_info":"中国","country_id":0},
 "user":{"id":2,"name":"test","email":"wp@qq.com"},
 "owned_department":{"id":2,"name":"销售部"}}`

func TestDecodeCustomerSeed(t *testing.T) {
	c, err := DecodeCustomer([]byte(seedCustomer))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "18" || c.Name != "贸易公司" || c.Status != "7" || c.StatusMapped != "初访" || c.StaffSize != "0" {
		t.Errorf("customer = %+v", c)
	}
	if c.Address == nil || c.Address.Tel != "010-64881989" || c.Address.RegionInfo != "中国" ||
		c.Address.DetailAddress != "北京市朝阳区朝阳门外大街18号丰联广场A座第9层" {
		t.Errorf("address = %+v", c.Address)
	}
	if c.User == nil || c.User.ID != "2" || c.OwnedDepartment == nil || c.OwnedDepartment.Name != "销售部" {
		t.Errorf("user = %+v dept = %+v", c.User, c.OwnedDepartment)
	}
	if string(c.Raw) != seedCustomer {
		t.Error("Raw is not the record as sent")
	}
	var m map[string]any
	if err := json.Unmarshal(c.Raw, &m); err != nil || m["numeric_asset_e2955b70"] != float64(123) {
		t.Errorf("unknown keys lost from Raw: %v", err)
	}
}

func TestDecodeCustomerDrift(t *testing.T) {
	tests := []struct {
		json  string
		check func(c *Customer) bool
	}{
		{`{"id":"18","staff_size":""}`, func(c *Customer) bool { return c.ID == "18" && c.StaffSize == "" }},
		{`{"id":18.0,"staff_size":"3"}`, func(c *Customer) bool { return c.ID == "18.0" && c.StaffSize == "3" }},
		{`{"id":null,"status":7,"category":15131}`, func(c *Customer) bool { return c.ID == "" && c.Status == "7" && c.Category == "15131" }},
		{`{"name":123,"note":null}`, func(c *Customer) bool { return c.Name == "123" && c.Note == "" }},
		{`{"name":{"zh":"x"},"status":[1]}`, func(c *Customer) bool { return c.Name == "" && c.Status == "" }},
		{`{"address":"","user":[],"owned_department":null}`, func(c *Customer) bool {
			return c.Address == nil && c.User == nil && c.OwnedDepartment == nil
		}},
		{`{"address":{"tel":13800000000,"phone":null}}`, func(c *Customer) bool { return c.Address != nil && c.Address.Tel == "13800000000" }},
		{`{"ID":5,"Name":"case"}`, func(c *Customer) bool { return c.ID == "5" && c.Name == "case" }},
		{`{"common_id":45,"common_setting_name":"公司公海"}`, func(c *Customer) bool { return c.CommonID == "45" && c.CommonSettingName == "公司公海" }},
		{`{"common_id":null,"common_setting_name":{"id":45}}`, func(c *Customer) bool { return c.CommonID == "" && c.CommonSettingName == "" }},
		{`{}`, func(c *Customer) bool { return c.ID == "" && c.Address == nil }},
	}
	for _, tt := range tests {
		c, err := DecodeCustomer([]byte(tt.json))
		if err != nil {
			t.Errorf("DecodeCustomer(%s): %v", tt.json, err)
			continue
		}
		if !tt.check(c) {
			t.Errorf("DecodeCustomer(%s) = %+v", tt.json, c)
		}
	}
	for _, bad := range []string{``, `null`, `[]`, `"x"`, `{"id":`, `12`} {
		if _, err := DecodeCustomer([]byte(bad)); err == nil {
			t.Errorf("DecodeCustomer(%q) accepted", bad)
		}
	}
}

func TestDecodePoolListDrift(t *testing.T) {
	data := `{"common_settings":[
 {"id":45,"organization_id":49,"name":"公司公海","admin_list":{"user_ids":[]},
  "member_list":{"all":1,"department_ids":["0"],"user_ids":[]},"rule_type":0,
  "rule_config":{"owner":{"max_unfollow_day":"10","flow_into_time":"16:00","customer_categories":{"15130":"0"}}},
  "limit_grab_enable":false,"limit_grab_day":10,"created_at":"2017-02-21T21:13:26.000+08:00"},
 {"id":"48942","organization_id":"49","name":"超级公海","rule_type":"2","limit_grab_enable":"true","limit_grab_day":"","limit_grab_count":"20","rule_config":[]},
 {"name":"无编号","rule_config":"unsold"}],"total_count":3}`
	pl, err := DecodePoolList([]byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Pools) != 3 {
		t.Fatalf("pools = %+v", pl.Pools)
	}
	p0, p1, p2 := pl.Pools[0], pl.Pools[1], pl.Pools[2]
	if p0.ID != "45" || p0.OrganizationID != "49" || p0.LimitGrabDay != 10 || p0.LimitGrabEnable || p0.CreatedAt == "" || p0.RuleConfig.Owner.MaxUnfollowDay != 10 {
		t.Errorf("pool 0 = %+v", p0)
	}
	if p1.ID != "48942" || p1.RuleType != 2 || !p1.LimitGrabEnable || p1.LimitGrabDay != 0 || p1.LimitGrabCount != 20 {
		t.Errorf("pool 1 = %+v", p1)
	}
	if p2.ID != "" || p2.Name != "无编号" {
		t.Errorf("pool 2 = %+v", p2)
	}
	if !strings.HasPrefix(string(pl.Raw), "[\n {\"id\":45") || !strings.Contains(string(pl.Raw), `"rule_config"`) {
		t.Errorf("Raw = %s", pl.Raw)
	}
	// A stored Raw decodes back to the same pools.
	again, err := DecodePoolList(pl.Raw)
	if err != nil || len(again.Pools) != 3 || again.Pools[1].ID != "48942" || string(again.Raw) != string(pl.Raw) {
		t.Errorf("re-decode = %+v, %v", again, err)
	}
	for _, empty := range []string{`null`, `{}`, `{"common_settings":null}`, `{"common_settings":{}}`, `{"common_settings":[]}`, ``} {
		pl, err := DecodePoolList([]byte(empty))
		if err != nil || string(pl.Raw) != "[]" || len(pl.Pools) != 0 {
			t.Errorf("DecodePoolList(%q) = %+v, %v", empty, pl, err)
		}
	}
	for _, bad := range []string{`{"common_settings":"x"}`, `{"common_settings":[1]}`, `"x"`, `{"common_settings":[{}`} {
		if _, err := DecodePoolList([]byte(bad)); err == nil {
			t.Errorf("DecodePoolList(%q) accepted", bad)
		}
	}
}

func TestDecodeFieldMapListDrift(t *testing.T) {
	data := `{"customer":[
  {"id":101,"field_name":"status","field_type":"select",
   "field_values":[{"id":3462,"value":"待联系","position":1,"status":"enable"},
                   {"id":"7","value":"初访","position":"2","status":"enable"},
                   {"id":3463,"value":"停用的","position":3,"status":"disable"},
                   "junk", null]},
  {"field_name":"category","field_values":[{"id":15131,"name":"B(普通客户)","status":"enable"}]},
  {"field_name":"source","field_values":null},
  {"field_name":"industry"}]}`
	l, err := DecodeFieldMapList("customer", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	st, ok := l.Field("status")
	if !ok || len(st.Options) != 3 || st.ID != "101" {
		t.Fatalf("status = %+v", st)
	}
	if o := st.Options[1]; o.ID != "7" || o.Label() != "初访" || o.Position != 2 || !o.Enabled() {
		t.Errorf("option = %+v", o)
	}
	if st.Options[2].Enabled() {
		t.Error("disabled option reported enabled")
	}
	cat, _ := l.Field("category")
	if len(cat.Options) != 1 || cat.Options[0].Label() != "B(普通客户)" || cat.Options[0].ID != "15131" {
		t.Errorf("category = %+v", cat)
	}
	if src, ok := l.Field("source"); !ok || len(src.Options) != 0 {
		t.Errorf("source = %+v", src)
	}
	if l.Entity != "customer" || !strings.HasPrefix(string(l.Raw), "[") {
		t.Errorf("list = %+v", l)
	}
	if l, err := DecodeFieldMapList("customer", []byte(`{"lead":[]}`)); err != nil || string(l.Raw) != "[]" {
		t.Errorf("missing key: %+v, %v", l, err)
	}
}

func TestDecodeCustomerList(t *testing.T) {
	l, err := DecodeCustomerList([]byte(`{"customers":[{"id":1,"name":"a","user_id":"2"},{"id":"3","name":"b"}],"total_count":2}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Customers) != 2 || l.Customers[0].UserID != "2" || l.Customers[1].ID != "3" || string(l.Customers[0].Raw) != `{"id":1,"name":"a","user_id":"2"}` {
		t.Errorf("list = %+v", l)
	}
	if l, err := DecodeCustomerList([]byte(`{"customers":null}`)); err != nil || string(l.Raw) != "[]" || l.Customers == nil {
		t.Errorf("null list = %+v, %v", l, err)
	}
}

// Each tolerance of the wire types, on a field that needs it: a record keeps the fields
// that fit when another does not.
func TestWireTolerances(t *testing.T) {
	tests := []struct {
		name, json string
		check      func(c Customer, p Pool, f CustomField) bool
	}{
		{"id as a number", `{"id":18}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "18" && p.ID == "18" }},
		{"id as a string", `{"id":"18"}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "18" && p.ID == "18" }},
		{"id null", `{"id":null,"name":"甲"}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "" && c.Name == "甲" }},
		{"id missing", `{"name":"甲"}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "" && c.Name == "甲" }},
		{"id an object, the rest kept", `{"id":{"x":1},"name":"甲","limit_grab_day":"3"}`, func(c Customer, p Pool, f CustomField) bool {
			return c.ID == "" && c.Name == "甲" && p.ID == "" && p.Name == "甲" && p.LimitGrabDay == 3
		}},
		{"a string field takes a boolean", `{"name":true}`, func(c Customer, p Pool, f CustomField) bool { return c.Name == "true" }},
		{"a string field refuses a list", `{"name":["甲"],"note":"n"}`, func(c Customer, p Pool, f CustomField) bool { return c.Name == "" && c.Note == "n" }},
		{"an Int as text, a word or nonsense", `{"rule_type":"2","limit_grab_day":true,"limit_grab_count":"many","position":"1e2"}`,
			func(c Customer, p Pool, f CustomField) bool {
				return p.RuleType == 2 && p.LimitGrabDay == 1 && p.LimitGrabCount == 0 && f.Position == 100
			}},
		{"a flag as a word", `{"limit_grab_enable":"yes","required":"on"}`, func(c Customer, p Pool, f CustomField) bool { return p.LimitGrabEnable && f.Required }},
		{"a flag as a number", `{"limit_grab_enable":2.5,"required":"0"}`, func(c Customer, p Pool, f CustomField) bool { return p.LimitGrabEnable && !f.Required }},
		{"a flag as nonsense", `{"limit_grab_enable":"maybe","required":{}}`, func(c Customer, p Pool, f CustomField) bool { return !p.LimitGrabEnable && !f.Required }},
		{"an empty object is a nested record", `{"address":{},"user":{"id":2}}`, func(c Customer, p Pool, f CustomField) bool {
			return c.Address != nil && *c.Address == Address{} && c.User != nil && c.User.ID == "2"
		}},
		{"a nested record that is not an object is nil", `{"address":"北京","user":[],"owned_department":null}`, func(c Customer, p Pool, f CustomField) bool {
			return c.Address == nil && c.User == nil && c.OwnedDepartment == nil
		}},
		{"a nested struct that is not an object is zero", `{"rule_config":"unsold","input_field_options":[1]}`, func(c Customer, p Pool, f CustomField) bool {
			return p.RuleConfig == RuleConfig{} && f.InputFieldOptions.CollectionOptions == nil
		}},
		{"a list keeps only objects", `{"input_field_options":{"collection_options":[{"value":7},null,"x",3,{"value":"sel_1","label":"甲"}]}}`,
			func(c Customer, p Pool, f CustomField) bool {
				o := f.InputFieldOptions.CollectionOptions
				return len(o) == 2 && o[0].Value == "7" && o[1].Label == "甲"
			}},
		{"an empty list is empty, not nil", `{"input_field_options":{"collection_options":[]}}`, func(c Customer, p Pool, f CustomField) bool {
			o := f.InputFieldOptions.CollectionOptions
			return o != nil && len(o) == 0
		}},
		{"a list that is an object is nil", `{"input_field_options":{"collection_options":{}}}`, func(c Customer, p Pool, f CustomField) bool {
			return f.InputFieldOptions.CollectionOptions == nil
		}},
		{"keys match in any case", `{"ID":5,"Name":"case","LIMIT_GRAB_ENABLE":1}`, func(c Customer, p Pool, f CustomField) bool {
			return c.ID == "5" && c.Name == "case" && p.LimitGrabEnable
		}},
		{"the exact key wins, after a variant", `{"id":1,"ID":2}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "1" && p.ID == "1" }},
		{"the exact key wins, before a variant", `{"Id":2,"id":1}`, func(c Customer, p Pool, f CustomField) bool { return c.ID == "1" }},
		{"a repeated key: the last wins, not merged", `{"address":{"tel":"1"},"address":{"phone":"2"},"rule_config":{"owner":{"max_unfollow_day":9}},"rule_config":{}}`,
			func(c Customer, p Pool, f CustomField) bool {
				return c.Address != nil && c.Address.Tel == "" && c.Address.Phone == "2" && p.RuleConfig.Owner.MaxUnfollowDay == 0
			}},
	}
	for _, tt := range tests {
		c, err := decodeRecord[customerWire]([]byte(tt.json))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		p, _ := decodeRecord[poolWire]([]byte(tt.json))
		f, _ := decodeRecord[customFieldWire]([]byte(tt.json))
		if !tt.check(c, p, f) {
			t.Errorf("%s: %s\ncustomer %+v\npool %+v\nfield %+v", tt.name, tt.json, c, p, f)
		}
	}
}

// Every wire struct names exactly the keys of its record type, so a key added to a
// record in types.go is decoded.
func TestWireStructsNameTheRecordsKeys(t *testing.T) {
	pairs := []struct{ record, wire any }{
		{Pool{}, poolWire{}}, {FieldOption{}, fieldOptionWire{}}, {FieldMap{}, fieldMapWire{}}, {Named{}, namedWire{}},
		{Address{}, addressWire{}}, {Customer{}, customerWire{}}, {User{}, userWire{}}, {LoginResult{}, loginResultWire{}},
		{CustomFieldOption{}, customFieldOptionWire{}}, {InputFieldOptions{}, inputFieldOptionsWire{}},
		{CustomField{}, customFieldWire{}}, {CustomFieldGroup{}, customFieldGroupWire{}}, {Department{}, departmentWire{}},
	}
	keys := func(v any) []string {
		var out []string
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			f := rt.Field(i)
			if name, _, _ := strings.Cut(f.Tag.Get("json"), ","); f.IsExported() && name != "-" {
				out = append(out, f.Name+":"+name)
			}
		}
		slices.Sort(out)
		return out
	}
	for _, p := range pairs {
		if r, w := keys(p.record), keys(p.wire); !slices.Equal(r, w) {
			t.Errorf("%T names %v, its wire %T %v", p.record, r, p.wire, w)
		}
	}
}
