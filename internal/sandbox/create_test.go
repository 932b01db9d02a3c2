package sandbox

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func formOf(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(pairs[i]) + "=" + url.QueryEscape(pairs[i+1]))
	}
	return b.String()
}

var timeRE = regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`)

func checkFullCustomer(t *testing.T, d map[string]any) {
	t.Helper()
	want := map[string]string{
		"name": "贸易公司甲", "note": "主营外贸", "common_id": "45",
		"status": "7", "status_mapped": "初访",
		"category": "15131", "category_mapped": "B(普通客户)",
		"source": "203", "source_mapped": "老客户介绍",
		"industry": "306", "industry_mapped": "零售/贸易",
		"staff_size": "402", "staff_size_mapped": "11-50人",
		"text_asset_9320d8d7": "自定义文本", "is_own": "true",
	}
	for k, v := range want {
		if got := str(d[k]); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if _, isString := d["status"].(string); !isString {
		t.Errorf("status must be a string, got %T", d["status"])
	}
	for _, k := range []string{"created_at", "updated_at"} {
		if !timeRE.MatchString(str(d[k])) {
			t.Errorf("%s = %q, want 2006-01-02 15:04", k, d[k])
		}
	}
	a, _ := d["address"].(map[string]any)
	for k, v := range map[string]string{
		"tel": "010-64881989", "phone": "13900000000", "email": "a@b.cn", "qq": "12345", "wechat": "wx1",
		"wangwang": "ww1", "zip": "100008", "fax": "010-1", "url": "https://x.example.com",
		"detail_address": "朝阳门外大街18号", "country_id": "4", "province_id": "11", "city_id": "110100", "district_id": "110105",
		"region_info": "中国 北京市 朝阳区",
	} {
		if got := str(a[k]); got != v {
			t.Errorf("address.%s = %q, want %q", k, got, v)
		}
	}
	if c, _ := a["country"].(map[string]any); str(c["name"]) != "中国" {
		t.Errorf("address.country = %v", a["country"])
	}
	if _, ok := a["id"].(json.Number); !ok {
		t.Errorf("address.id = %v", a["id"])
	}
	if u, _ := d["user"].(map[string]any); str(u["id"]) != "2" {
		t.Errorf("user = %v", d["user"])
	}
	if od, _ := d["owned_department"].(map[string]any); str(od["id"]) != "5" || od["name"] != "销售一组" {
		t.Errorf("owned_department = %v", d["owned_department"])
	}
	cs, _ := d["contacts"].([]any)
	if len(cs) != 1 || cs[0].(map[string]any)["name"] != "张三" {
		t.Errorf("contacts = %v", d["contacts"])
	}
}

var fullPairs = []string{
	"common_id", "45",
	"customer[name]", "贸易公司甲", "customer[note]", "主营外贸",
	"customer[status]", "7", "customer[category]", "15131", "customer[source]", "203",
	"customer[industry]", "306", "customer[staff_size]", "402", "customer[want_department_id]", "5",
	"customer[address_attributes][tel]", "010-64881989", "customer[address_attributes][phone]", "13900000000",
	"customer[address_attributes][email]", "a@b.cn", "customer[address_attributes][qq]", "12345",
	"customer[address_attributes][wechat]", "wx1", "customer[address_attributes][wangwang]", "ww1",
	"customer[address_attributes][zip]", "100008", "customer[address_attributes][fax]", "010-1",
	"customer[address_attributes][url]", "https://x.example.com",
	"customer[address_attributes][detail_address]", "朝阳门外大街18号",
	"customer[address_attributes][country_id]", "4", "customer[address_attributes][province_id]", "11",
	"customer[address_attributes][city_id]", "110100", "customer[address_attributes][district_id]", "110105",
	"customer[text_asset_9320d8d7]", "自定义文本",
}

func TestCreateFormIndexed(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	pairs := append(append([]string{}, fullPairs...),
		"customer[contacts_attributes][0][name]", "张三",
		"customer[opportunities_attributes][0][title]", "首单")
	d := postForm(t, s, tok, formOf(pairs...)).data(t)
	checkFullCustomer(t, d)
	// The same customer comes back from GET.
	id := idOf(t, d)
	checkFullCustomer(t, get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", id)).data(t))
	// Its contacts.
	c := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d/contacts", id)).data(t)
	list, _ := c["contacts"].([]any)
	if len(list) != 1 || str(c["total_count"]) != "1" || str(c["per_page"]) != "15" || str(c["page"]) != "1" {
		t.Errorf("contacts: %v", c)
	}
	if m := list[0].(map[string]any); m["name"] != "张三" || str(m["customer_id"]) != fmt.Sprint(id) {
		t.Errorf("contact: %v", m)
	}
	// And a duplicate check by exact name finds it, and only it.
	dup := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("贸易公司甲")).data(t)
	found, _ := dup["customers"].([]any)
	if len(found) != 1 || str(found[0].(map[string]any)["id"]) != fmt.Sprint(id) || str(found[0].(map[string]any)["user_id"]) != "2" {
		t.Errorf("matching_name: %v", dup)
	}
	none := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("贸易公司")).data(t)
	if found, _ := none["customers"].([]any); len(found) != 1 { // the seeded one only, not 贸易公司甲
		t.Errorf("matching_name is not exact: %v", none)
	}
	if r := get(t, s, tok, "/api/v2/duplicates/matching_name"); r.code(t) == 0 {
		t.Errorf("matching_name without name: %s", r.body)
	}
	if r := get(t, s, tok, "/api/v2/duplicates/matching_name?name=%20"); r.code(t) == 0 {
		t.Errorf("matching_name with a blank name: %s", r.body)
	}
}

func TestCreateFormIndexless(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	pairs := append(append([]string{}, fullPairs...),
		"customer[contacts_attributes][name]", "张三",
		"customer[opportunities_attributes][title]", "首单")
	checkFullCustomer(t, postForm(t, s, tok, formOf(pairs...)).data(t))
}

func TestCreateJSON(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	body := `{"common_id":45,"customer":{"name":"贸易公司甲","note":"主营外贸","status":7,"category":"15131",
	 "source":"203","industry":306,"staff_size":"402","want_department_id":5,
	 "address_attributes":{"tel":"010-64881989","phone":"13900000000","email":"a@b.cn","qq":12345,"wechat":"wx1",
	  "wangwang":"ww1","zip":"100008","fax":"010-1","url":"https://x.example.com","detail_address":"朝阳门外大街18号",
	  "country_id":4,"province_id":"11","city_id":110100,"district_id":110105},
	 "contacts_attributes":[{"name":"张三"}],"opportunities_attributes":{"0":{"title":"首单"}},
	 "text_asset_9320d8d7":"自定义文本","numeric_asset_e2955b70":123}}`
	d := postJSON(t, s, tok, body).data(t)
	checkFullCustomer(t, d)
	if n, ok := d["numeric_asset_e2955b70"].(json.Number); !ok || n.String() != "123" {
		t.Errorf("numeric custom field = %#v", d["numeric_asset_e2955b70"])
	}
}

func TestCreateMinimalAndIDs(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	var last int64
	for i := 0; i < 5; i++ {
		d := postForm(t, s, tok, "common_id=48942").data(t)
		id := idOf(t, d)
		if id <= last {
			t.Fatalf("id %d after %d", id, last)
		}
		last = id
		for _, k := range []string{"status", "status_mapped", "category", "category_mapped", "source_mapped"} {
			if d[k] != "" {
				t.Errorf("%s = %v on a customer without it", k, d[k])
			}
		}
		if str(d["staff_size"]) != "0" {
			t.Errorf("staff_size = %v", d["staff_size"])
		}
		if od, _ := d["owned_department"].(map[string]any); od["name"] != "销售部" {
			t.Errorf("default department: %v", d["owned_department"])
		}
	}
}

func TestCreateValidation(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	before := idOf(t, postForm(t, s, tok, "common_id=45").data(t))
	cases := []struct {
		name, body, ct string
		code           int64
		mention        []string
	}{
		{"no common_id", formOf("customer[name]", "x"), "form", CodeInvalidParams, []string{"common_id"}},
		{"blank common_id", formOf("common_id", "", "customer[name]", "x"), "form", CodeInvalidParams, []string{"common_id"}},
		{"unknown pool", formOf("common_id", "46"), "form", CodeInvalidParams, []string{"common_id", "46"}},
		{"pool name", formOf("common_id", "公司公海"), "form", CodeInvalidParams, []string{"common_id"}},
		{"label instead of id", formOf("common_id", "45", "customer[status]", "初访"), "form", CodeInvalidParams, []string{"customer[status]", "初访"}},
		{"disabled status", formOf("common_id", "45", "customer[status]", "3463"), "form", CodeInvalidParams, []string{"customer[status]", "3463", "停用"}},
		{"disabled source", formOf("common_id", "45", "customer[source]", "207"), "form", CodeInvalidParams, []string{"customer[source]"}},
		{"option of another field", formOf("common_id", "45", "customer[category]", "7"), "form", CodeInvalidParams, []string{"customer[category]"}},
		{"channel is not writable", formOf("common_id", "45", "customer[channel]", "501"), "form", CodeInvalidParams, []string{"channel"}},
		{"unknown key", formOf("common_id", "45", "customer[nmae]", "x"), "form", CodeInvalidParams, []string{"nmae"}}, //nolint:misspell // a mistyped key, on purpose
		{"unknown address key", formOf("common_id", "45", "customer[address_attributes][street]", "x"), "form", CodeInvalidParams, []string{"street"}},
		{"unknown contact key", formOf("common_id", "45", "customer[contacts_attributes][0][nick]", "x"), "form", CodeInvalidParams, []string{"nick"}},
		{"department not integer", formOf("common_id", "45", "customer[want_department_id]", "销售部"), "form", CodeInvalidParams, []string{"want_department_id"}},
		{"department unknown", formOf("common_id", "45", "customer[want_department_id]", "999"), "form", CodeInvalidParams, []string{"want_department_id"}},
		{"region not integer", formOf("common_id", "45", "customer[address_attributes][province_id]", "北京"), "form", CodeInvalidParams, []string{"province_id"}},
		{"parent unknown", formOf("common_id", "45", "customer[parent_id]", "1"), "form", CodeInvalidParams, []string{"parent_id"}},
		{"name is an object (form)", formOf("common_id", "45", "customer[name][x]", "y"), "form", CodeInvalidParams, []string{"customer[name]"}},
		{"mixed contacts", formOf("common_id", "45", "customer[contacts_attributes][0][name]", "a", "customer[contacts_attributes][name]", "b"), "form", CodeInvalidParams, []string{"contacts_attributes"}},
		{"name is an object", `{"common_id":45,"customer":{"name":{"a":1}}}`, "json", CodeInvalidParams, []string{"customer[name]", "object"}},
		{"name is a list", `{"common_id":45,"customer":{"name":["a"]}}`, "json", CodeInvalidParams, []string{"customer[name]"}},
		{"status is a bool", `{"common_id":45,"customer":{"status":true}}`, "json", CodeInvalidParams, []string{"customer[status]"}},
		{"status is a float", `{"common_id":45,"customer":{"status":7.5}}`, "json", CodeInvalidParams, []string{"customer[status]"}},
		{"address is a string", `{"common_id":45,"customer":{"address_attributes":"北京"}}`, "json", CodeInvalidParams, []string{"address_attributes"}},
		{"tel is an object", `{"common_id":45,"customer":{"address_attributes":{"tel":{"n":1}}}}`, "json", CodeInvalidParams, []string{"tel"}},
		{"customer is a string", `{"common_id":45,"customer":"x"}`, "json", CodeInvalidParams, []string{"customer"}},
		{"custom field object", `{"common_id":45,"customer":{"text_asset_9320d8d7":{"a":1}}}`, "json", CodeInvalidParams, []string{"text_asset_9320d8d7", "object"}},
		{"custom field list", `{"common_id":45,"customer":{"text_asset_4b74a32b":["sel_6010"]}}`, "json", CodeInvalidParams, []string{"text_asset_4b74a32b", "list"}},
		{"undescribed custom field", formOf("common_id", "45", "customer[text_asset_ab12]", "x"), "form", CodeInvalidParams, []string{"text_asset_ab12", "by_group"}},
		{"custom select label", formOf("common_id", "45", "customer[text_asset_4b74a32b]", "高"), "form", CodeInvalidParams, []string{"text_asset_4b74a32b", "高", "sel_6010"}},
		{"custom select unknown code", formOf("common_id", "45", "customer[text_asset_4b74a32b]", "sel_ffff"), "form", CodeInvalidParams, []string{"text_asset_4b74a32b", "sel_ffff"}},
		{"custom numeric", formOf("common_id", "45", "customer[numeric_asset_e2955b70]", "很多"), "form", CodeInvalidParams, []string{"numeric_asset_e2955b70", "很多"}},
		{"custom numeric NaN", formOf("common_id", "45", "customer[numeric_asset_e2955b70]", "NaN"), "form", CodeInvalidParams, []string{"numeric_asset_e2955b70"}},
		{"custom datetime", formOf("common_id", "45", "customer[datetime_asset_4bc23245]", "昨天"), "form", CodeInvalidParams, []string{"datetime_asset_4bc23245"}},
		{"common_id object", `{"common_id":{"id":45}}`, "json", CodeInvalidParams, []string{"common_id"}},
		{"disabled custom field", formOf("common_id", "45", "customer[text_asset_0dd001]", "A-1"), "form", CodeInvalidParams, []string{"text_asset_0dd001", "停用"}},
		{"field of a disabled group", formOf("common_id", "45", "customer[text_asset_dead01]", "x"), "form", CodeInvalidParams, []string{"text_asset_dead01", "停用"}},
		{"template field without the template", formOf("common_id", "45", "customer[text_asset_c0a1b2]", "sel_c001"), "form", CodeInvalidParams, []string{"text_asset_c0a1b2", "custom_field_template_id"}},
		{"template's required field missing", formOf("common_id", "45", "customer[custom_field_template_id]", "12"), "form", CodeInvalidParams, []string{"text_asset_c0a1b2", "渠道等级", "必填"}},
		{"template's required field blank", formOf("common_id", "45", "customer[custom_field_template_id]", "12", "customer[text_asset_c0a1b2]", " "), "form", CodeInvalidParams, []string{"text_asset_c0a1b2", "必填"}},
		{"template's select label", formOf("common_id", "45", "customer[custom_field_template_id]", "12", "customer[text_asset_c0a1b2]", "一级渠道"), "form", CodeInvalidParams, []string{"text_asset_c0a1b2", "sel_c001"}},
		{"unknown template", formOf("common_id", "45", "customer[custom_field_template_id]", "99"), "form", CodeInvalidParams, []string{"custom_field_template_id", "99"}},
		{"date field with a time", formOf("common_id", "45", "customer[datetime_asset_7e3a01]", "2024-03-01 10:00"), "form", CodeInvalidParams, []string{"datetime_asset_7e3a01", "YYYY-MM-DD"}},
		{"multi_select label", formOf("common_id", "45", "customer[text_asset_6c2d90][]", "服装"), "form", CodeInvalidParams, []string{"text_asset_6c2d90", "服装"}},
		{"email field", formOf("common_id", "45", "customer[text_asset_a1b2c3]", "nobody"), "form", CodeInvalidParams, []string{"text_asset_a1b2c3"}},
		{"malformed json", `{"common_id":45,`, "json", CodeInvalidParams, nil},
		{"json array", `[1,2]`, "json", CodeInvalidParams, nil},
		{"json trailing data", `{"common_id":45} {}`, "json", CodeInvalidParams, nil},
		{"malformed form escape", "common_id=45&customer[name]=%zz", "form", CodeInvalidParams, nil},
		{"malformed form key", "common_id=45&customer[name=x", "form", CodeInvalidParams, nil},
		{"unsupported content type", "common_id=45", "text/csv", CodeInvalidParams, nil},
		{"oversized form", "common_id=45&customer[note]=" + strings.Repeat("x", MaxBodyBytes), "form", CodeBodyTooLarge, nil},
		{"oversized json", `{"common_id":45,"customer":{"note":"` + strings.Repeat("x", MaxBodyBytes) + `"}}`, "json", CodeBodyTooLarge, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ct := map[string]string{"form": "application/x-www-form-urlencoded", "json": "application/json"}[c.ct]
			if ct == "" {
				ct = c.ct
			}
			r := do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(c.body),
				map[string]string{"Authorization": tokenHeader(tok), "Content-Type": ct})
			m := r.json(t)
			if got := r.code(t); got != c.code {
				t.Fatalf("code %d, want %d: %s", got, c.code, r.body)
			}
			msg := str(m["message"])
			if !regexp.MustCompile(`\p{Han}`).MatchString(msg) || m["data"] != nil {
				t.Errorf("message %q (want Chinese), data %v", msg, m["data"])
			}
			for _, w := range c.mention {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not name %q", msg, w)
				}
			}
		})
	}
	// Nothing was created: the next id is the one after `before`.
	after := idOf(t, postForm(t, s, tok, "common_id=45").data(t))
	if after != before+1 {
		t.Errorf("failed creates used ids: %d after %d", after, before)
	}
}

func TestCreateMultipart(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	body := "--XX\r\nContent-Disposition: form-data; name=\"common_id\"\r\n\r\n45\r\n" +
		"--XX\r\nContent-Disposition: form-data; name=\"customer[name]\"\r\n\r\n多部分公司\r\n--XX--\r\n"
	r := do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(body),
		map[string]string{"Authorization": tokenHeader(tok), "Content-Type": "multipart/form-data; boundary=XX"})
	if d := r.data(t); d["name"] != "多部分公司" {
		t.Errorf("multipart: %s", r.body)
	}
}

func TestParentAndTemplate(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	parent := idOf(t, postForm(t, s, tok, "common_id=45&customer[name]=p").data(t))
	d := postForm(t, s, tok, fmt.Sprintf("common_id=45&customer[parent_id]=%d&customer[custom_field_template_id]=12&customer[text_asset_c0a1b2]=sel_c001", parent)).data(t)
	if str(d["parent_id"]) != fmt.Sprint(parent) || str(d["custom_field_template_id"]) != "12" {
		t.Errorf("parent/template: %v %v", d["parent_id"], d["custom_field_template_id"])
	}
}

func TestContactsPaging(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	pairs := []string{"common_id", "45"}
	for i := 0; i < 20; i++ {
		pairs = append(pairs, fmt.Sprintf("customer[contacts_attributes][%d][name]", i), fmt.Sprintf("联系人%02d", i))
	}
	id := idOf(t, postForm(t, s, tok, formOf(pairs...)).data(t))
	p2 := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d/contacts?page=2", id)).data(t)
	list, _ := p2["contacts"].([]any)
	if len(list) != 5 || str(p2["total_count"]) != "20" || str(p2["page"]) != "2" {
		t.Fatalf("page 2: %v", p2)
	}
	if list[0].(map[string]any)["name"] != "联系人15" {
		t.Errorf("order: %v", list[0])
	}
}

func TestCreateCustomFields(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for _, c := range []struct{ name, body, ct string }{
		{"form", formOf("common_id", "45", "customer[text_asset_9320d8d7]", "VIP a=b", "customer[numeric_asset_e2955b70]", "-12.5",
			"customer[text_asset_4b74a32b]", "sel_0082", "customer[datetime_asset_4bc23245]", "2024-03-01 10:00"), "application/x-www-form-urlencoded"},
		{"json", `{"common_id":45,"customer":{"text_asset_9320d8d7":"VIP a=b","numeric_asset_e2955b70":-12.5,
		  "text_asset_4b74a32b":"sel_0082","datetime_asset_4bc23245":"2024-03-01 10:00"}}`, "application/json"},
	} {
		r := do(t, s.Handler(), "POST", "/api/v2/common_customers", strings.NewReader(c.body),
			map[string]string{"Authorization": tokenHeader(tok), "Content-Type": c.ct})
		d := r.data(t)
		for k, want := range map[string]string{
			"text_asset_9320d8d7": "VIP a=b", "numeric_asset_e2955b70": "-12.5",
			"text_asset_4b74a32b": "sel_0082", "datetime_asset_4bc23245": "2024-03-01 10:00",
		} {
			if got := str(d[k]); got != want {
				t.Errorf("%s: %s = %q, want %q", c.name, k, got, want)
			}
		}
	}
	// Blank values are no values, whatever the field's type.
	blank := formOf("common_id", "45", "customer[numeric_asset_e2955b70]", "", "customer[text_asset_4b74a32b]", " ",
		"customer[datetime_asset_4bc23245]", "")
	postForm(t, s, tok, blank).data(t)
	// Every date layout.
	for _, v := range []string{"2024-03-01", "2024-03-01 10:00", "2024-03-01 10:00:59"} {
		postForm(t, s, tok, formOf("common_id", "45", "customer[datetime_asset_4bc23245]", v)).data(t)
	}
}

// A customer shows every custom field, empty or not, and a numeric one as a number, as in
// ikcrm-api.md §6's example ("text_asset_9320d8d7":"","numeric_asset_e2955b70":123).
func TestCustomFieldsInViews(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	check := func(what string, d map[string]any, want map[string]any) {
		t.Helper()
		for k, w := range want {
			got, has := d[k]
			if !has {
				t.Errorf("%s: no %s", what, k)
				continue
			}
			if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", w, w) {
				t.Errorf("%s: %s = %v (%T), want %v (%T)", what, k, got, got, w, w)
			}
		}
	}
	empty := map[string]any{"text_asset_9320d8d7": "", "text_asset_4b74a32b": "", "datetime_asset_4bc23245": "", "numeric_asset_e2955b70": nil}
	d := postForm(t, s, tok, "common_id=45").data(t)
	check("create answer", d, empty)
	check("detail", get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", idOf(t, d))).data(t), empty)

	d = postForm(t, s, tok, formOf("common_id", "45", "customer[numeric_asset_e2955b70]", "123", "customer[text_asset_4b74a32b]", "sel_6010")).data(t)
	set := map[string]any{"text_asset_9320d8d7": "", "text_asset_4b74a32b": "sel_6010", "numeric_asset_e2955b70": json.Number("123")}
	check("create answer", d, set)
	check("detail", get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", idOf(t, d))).data(t), set)

	found, _ := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("贸易公司")).data(t)["customers"].([]any)
	if len(found) != 1 {
		t.Fatalf("seeded 贸易公司: %v", found)
	}
	seeded := get(t, s, tok, "/api/v2/common_customers/"+str(found[0].(map[string]any)["id"])).data(t)
	check("seeded 贸易公司", seeded, map[string]any{"text_asset_9320d8d7": "", "numeric_asset_e2955b70": json.Number("123")})
}

// The seed's customers use only the custom fields that by_group describes, with option
// codes for selects, and every described field is used by one of them.
func TestSeedCustomFieldsConsistent(t *testing.T) {
	seed, err := loadSeed()
	if err != nil {
		t.Fatal(err)
	}
	if len(seed.customerCustom) == 0 {
		t.Fatal("the seed describes no custom field of customer")
	}
	used := map[string]bool{}
	for i, c := range seed.Customers {
		var p struct {
			Customer map[string]any `json:"customer"`
		}
		if err := json.Unmarshal(mustJSON(t, c), &p); err != nil {
			t.Fatal(err)
		}
		for k, v := range p.Customer {
			if !customKeyRE.MatchString(k) {
				continue
			}
			f, described := seed.customerCustom[k]
			if !described {
				t.Errorf("seed customer %d: %s is not described by custom_fields/customer/by_group", i, k)
				continue
			}
			if s, _ := v.(string); s != "" {
				used[k] = true
			}
			if isSelectType(f.FieldType) {
				found := false
				for _, o := range f.InputFieldOptions.CollectionOptions {
					found = found || o.Value == v
				}
				if !found {
					t.Errorf("seed customer %d: %s = %v is not one of its option codes", i, k, v)
				}
			}
		}
	}
	for _, k := range []string{"text_asset_9320d8d7", "numeric_asset_e2955b70", "text_asset_4b74a32b", "datetime_asset_4bc23245"} {
		if !used[k] {
			t.Errorf("no seed customer has a value for the custom field %s", k)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSeededCustomers(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	found, _ := get(t, s, tok, "/api/v2/duplicates/matching_name?name="+url.QueryEscape("贸易公司")).data(t)["customers"].([]any)
	if len(found) != 1 {
		t.Fatalf("seeded 贸易公司: %v", found)
	}
	id := str(found[0].(map[string]any)["id"])
	d := get(t, s, tok, "/api/v2/common_customers/"+id).data(t)
	if d["status_mapped"] != "初访" || d["address"].(map[string]any)["tel"] != "010-64881989" {
		t.Errorf("seeded customer: %v", d)
	}
}

// staff_size drifts between views (ikcrm-api.md §6): a number in the create answer (0 when
// unset, the API's example), a string in the detail ("" when unset).
func TestStaffSizeTypeDrift(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	for _, c := range []struct{ form, number, text string }{
		{"common_id=45", "0", ""},
		{"common_id=45&customer[staff_size]=402", "402", "402"},
	} {
		created := postForm(t, s, tok, c.form).data(t)
		if n, ok := created["staff_size"].(json.Number); !ok || n.String() != c.number {
			t.Errorf("%s: create answer staff_size = %v (%T), want the number %s", c.form, created["staff_size"], created["staff_size"], c.number)
		}
		got := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", idOf(t, created))).data(t)
		if v, ok := got["staff_size"].(string); !ok || v != c.text {
			t.Errorf("%s: detail staff_size = %v (%T), want the string %q", c.form, got["staff_size"], got["staff_size"], c.text)
		}
		if got["staff_size_mapped"] != created["staff_size_mapped"] {
			t.Errorf("%s: staff_size_mapped %v in the detail, %v in the create answer", c.form, got["staff_size_mapped"], created["staff_size_mapped"])
		}
	}
}
