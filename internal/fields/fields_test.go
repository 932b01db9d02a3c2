package fields

import (
	"encoding/json"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
)

func TestCatalogueHasTheSeedsParameters(t *testing.T) {
	all := All()
	if len(all) != 27 {
		t.Fatalf("catalogue has %d fields, the seed has 27", len(all))
	}
	flags, keys := map[string]bool{}, map[string]bool{}
	for _, f := range all {
		if f.Flag == "" || f.Key == "" || f.Name == "" || f.Label == "" || f.Help == "" {
			t.Errorf("incomplete field %+v", f)
		}
		if strings.Contains(f.Help, "`") {
			t.Errorf("--%s: back quotes in the help would make the flag's value name: %q", f.Flag, f.Help)
		}
		if flags[f.Flag] || keys[f.Key] {
			t.Errorf("duplicate flag or key: %s / %s", f.Flag, f.Key)
		}
		flags[f.Flag], keys[f.Key] = true, true
	}
	if got := len(SelectFields()); got != 5 {
		t.Errorf("%d select fields, want 5 (status, category, source, industry, staff_size)", got)
	}
}

func TestFormNames(t *testing.T) {
	cases := map[string]string{
		"common_id":                          "common_id",
		"name":                               "customer[name]",
		"address_attributes[tel]":            "customer[address_attributes][tel]",
		"contacts_attributes[0][name]":       "customer[contacts_attributes][0][name]",
		"opportunities_attributes[0][title]": "customer[opportunities_attributes][0][title]",
		"want_department_id":                 "customer[want_department_id]",
		"text_asset_9320d8d7":                "customer[text_asset_9320d8d7]",
	}
	for key, want := range cases {
		if got := FormName(key); got != want {
			t.Errorf("FormName(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestNormalizeKey(t *testing.T) {
	ok := map[string]string{
		"name":                                   "name",
		"customer[name]":                         "name",
		"customer[address_attributes][tel]":      "address_attributes[tel]",
		"contacts_attributes[name]":              "contacts_attributes[0][name]",
		"opportunities_attributes[title]":        "opportunities_attributes[0][title]",
		"contacts_attributes[0][name]":           "contacts_attributes[0][name]",
		"text_asset_9320d8d7":                    "text_asset_9320d8d7",
		" numeric_asset_e2955b70 ":               "numeric_asset_e2955b70",
		"customer[contacts_attributes][0][name]": "contacts_attributes[0][name]",
	}
	for in, want := range ok {
		got, err := NormalizeKey(in)
		if err != nil || got != want {
			t.Errorf("NormalizeKey(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "Name", "foo", "name]", "address_attributes[tel", "a b", "customer[", "text_asset_XYZ", "address_attributes[nope]"} {
		if got, err := NormalizeKey(bad); err == nil {
			t.Errorf("NormalizeKey(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseAssignment(t *testing.T) {
	k, v, err := ParseAssignment("text_asset_9320d8d7=a=b=c")
	if err != nil || k != "text_asset_9320d8d7" || v != "a=b=c" {
		t.Fatalf("got %q %q %v", k, v, err)
	}
	k, v, err = ParseAssignment("address_attributes[tel]=")
	if err != nil || k != "address_attributes[tel]" || v != "" {
		t.Fatalf("got %q %q %v", k, v, err)
	}
	// A name that is no API key is kept as given (a label, resolved with the form).
	for in, want := range map[string]string{"客户级别=VIP": "客户级别", " bad key =1": "bad key", "unknown_key=1": "unknown_key"} {
		if k, _, err := ParseAssignment(in); err != nil || k != want {
			t.Errorf("ParseAssignment(%q) = %q, %v; want %q", in, k, err, want)
		}
	}
	for _, bad := range []string{"novalue", "=x", " =x", "common_id=45", "pool=x", "公海=x", "customer[nope]=1", "a\x00b=1"} {
		if _, _, err := ParseAssignment(bad); err == nil {
			t.Errorf("ParseAssignment(%q): want an error", bad)
		}
	}
}

func TestParseDocument(t *testing.T) {
	jsonDoc := `{"name":"贸易公司","common_id":45,"address_attributes":{"tel":"010-64881989","country_id":4},
	"contacts_attributes":[{"name":"王经理"}],"opportunities_attributes":{"title":"首单"},
	"text_asset_9320d8d7":"VIP","note":null}`
	yamlDoc := "\ufeffcustomer:\n  name: 贸易公司\n  address_attributes:\n    tel: 010-64881989\n    country_id: 4\n  contacts_attributes:\n    - name: 王经理\n  opportunities_attributes:\n    title: 首单\n  text_asset_9320d8d7: VIP\npool: 45\n"
	want := Values{
		"name": "贸易公司", PoolKey: "45", "address_attributes[tel]": "010-64881989",
		"address_attributes[country_id]": "4", "contacts_attributes[0][name]": "王经理",
		"opportunities_attributes[0][title]": "首单", "text_asset_9320d8d7": "VIP",
	}
	for name, doc := range map[string]string{"json": jsonDoc, "yaml": yamlDoc} {
		got, err := ParseDocument([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Errorf("%s: %s = %q, want %q", name, k, got[k], v)
			}
		}
	}
}

func TestFlattenDocumentKeepsKeysAsWritten(t *testing.T) {
	got, err := FlattenDocument([]byte(`{"客户名称":"A","pool":"公司公海","customer":{"address_attributes":{"tel":"1"}},"contacts_attributes":[{"Name":"王"}],"x":null}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{{"contacts_attributes[0][Name]", "王"}, {"address_attributes[tel]", "1"}, {"pool", "公司公海"}, {"客户名称", "A"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if _, err := FlattenDocument([]byte(`{"pool":{"id":1}}`)); err == nil {
		t.Fatal("an object for the pool was accepted")
	}
}

func TestParseDocumentErrors(t *testing.T) {
	cases := map[string]string{
		"empty":         "  ",
		"array":         `[1,2]`,
		"scalar":        `"x"`,
		"truncated":     `{"name": "x"`,
		"bad yaml":      "name: [unclosed",
		"bad API key":   `{"customer[nickname]":"x"}`,
		"object value":  `{"name":{"first":"x"}}`,
		"list of texts": `{"contacts_attributes":["x"]}`,
		"customer list": `{"customer":[1]}`,
	}
	for name, doc := range cases {
		if v, err := ParseDocument([]byte(doc)); err == nil {
			t.Errorf("%s: want an error, got %v", name, v)
		}
	}
}

func TestValuesParamsOrderAndForm(t *testing.T) {
	v := Values{
		"text_asset_b": "2", "text_asset_a": "1", "name": "贸易公司", PoolKey: "45",
		"address_attributes[tel]": "010", "contacts_attributes[0][name]": "王", "note": "",
	}
	var names []string
	for _, p := range v.Params() {
		names = append(names, p.Name)
	}
	want := []string{"common_id", "customer[name]", "customer[address_attributes][tel]",
		"customer[contacts_attributes][0][name]", "customer[text_asset_a]", "customer[text_asset_b]"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("params order:\n got %v\nwant %v", names, want)
	}
	form := v.Form()
	back, err := url.ParseQuery(form.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if back.Get("customer[address_attributes][tel]") != "010" || back.Get("common_id") != "45" || back.Has("customer[note]") {
		t.Errorf("form: %v", back)
	}
}

func lookup(t *testing.T) Lookup {
	t.Helper()
	var pools []api.Pool
	if err := json.Unmarshal([]byte(`[{"id":45,"name":"公司公海"},{"id":"48942","name":"超级公海"},{"id":7,"name":"重名"},{"id":8,"name":"重名"}]`), &pools); err != nil {
		t.Fatal(err)
	}
	var fms []api.FieldMap
	if err := json.Unmarshal([]byte(`[
	 {"field_name":"status","field_values":[{"id":3462,"value":"待联系","position":1,"status":"enable"},{"id":7,"value":"初访","position":2,"status":"enable"},{"id":3463,"value":"停用的","position":3,"status":"disable"}]},
	 {"field_name":"category","field_values":[{"id":"15131","name":"B(普通客户)","status":"enable"}]}]`), &fms); err != nil {
		t.Fatal(err)
	}
	return Lookup{Pools: pools, FieldMaps: &api.FieldMapList{Entity: "customer", Fields: fms}}
}

func TestResolve(t *testing.T) {
	lk := lookup(t)
	got, ps := Resolve(Values{PoolKey: "公司公海", "status": " 初访 ", "category": "B(普通客户)", "name": "x"}, lk)
	if ps != nil {
		t.Fatal(ps)
	}
	if got[PoolKey] != "45" || got["status"] != "7" || got["category"] != "15131" || got["name"] != "x" {
		t.Errorf("resolved %v", got)
	}
	got, ps = Resolve(Values{PoolKey: "48942", "status": "3462"}, lk)
	if ps != nil || got[PoolKey] != "48942" || got["status"] != "3462" {
		t.Errorf("by id: %v %v", got, ps)
	}
	// A select with no field map in the answer: an id goes through, a label cannot.
	got, ps = Resolve(Values{"industry": "12"}, lk)
	if ps != nil || got["industry"] != "12" {
		t.Errorf("industry id without a field map: %v %v", got, ps)
	}
	if _, ps = Resolve(Values{"industry": "制造业"}, lk); len(ps) != 1 {
		t.Errorf("industry label without a field map: %v", ps)
	}
}

func TestResolveProblems(t *testing.T) {
	lk := lookup(t)
	_, ps := Resolve(Values{PoolKey: "公司公海x", "status": "初仿", "category": "停用的", "want_department_id": "abc",
		"address_attributes[email]": "not-an-email", "parent_id": "-3"}, lk)
	if len(ps) != 6 {
		t.Fatalf("want 6 problems, got %d: %v", len(ps), ps)
	}
	msg := ps.Error()
	for _, want := range []string{
		`pool (公海): no pool is named or numbered "公司公海x"; did you mean "公司公海"?`,
		`status (跟进状态): unknown option "初仿"; did you mean "初访"? (valid: 待联系, 初访)`,
		`category (客户类型): unknown option "停用的"`,
		`department (所属部门): the departments could not be read, so "abc" cannot be looked up: give its id`,
		`email (邮箱): "not-an-email" is not an email address`,
		`parent-id (上级客户): "-3" is not a positive integer id`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	// Disabled option: named as disabled, valid labels listed without it.
	_, ps = Resolve(Values{"status": "停用的"}, lk)
	if len(ps) != 1 || !strings.Contains(ps[0].Error(), `option "停用的" is disabled`) || strings.Contains(strings.Join(ps[0].Valid, ","), "停用的") {
		t.Errorf("disabled: %v", ps)
	}
	// A disabled option is not offered a replacement that has nothing in common with it.
	source, _ := ByKey("source")
	maps := &api.FieldMapList{Entity: "customer", Fields: []api.FieldMap{{FieldName: "source", Options: []api.FieldOption{
		{ID: "1", Value: "展会", Status: "enable"}, {ID: "2", Value: "地推", Status: "disable"}}}}}
	if _, p := ResolveOption(source, "地推", maps); p == nil || p.Error() != `source (客户来源): option "地推" is disabled (valid: 展会)` {
		t.Errorf("disabled source: %v", p)
	}
	_, ps = Resolve(Values{"status": "3463"}, lk)
	if len(ps) != 1 || !strings.Contains(ps[0].Reason.String(), "disabled") {
		t.Errorf("disabled by id: %v", ps)
	}
	_, ps = Resolve(Values{PoolKey: "重名"}, lk)
	if len(ps) != 1 || !strings.Contains(ps[0].Reason.String(), "2 pools are named") {
		t.Errorf("ambiguous pool: %v", ps)
	}
}

func TestNearest(t *testing.T) {
	labels := []string{"待联系", "初访", "意向", "报价", "成交"}
	if got := Nearest("初仿", labels); got != "初访" {
		t.Errorf("Nearest = %q", got)
	}
	if got := Nearest("completely different", labels); got != "" {
		t.Errorf("far value suggested %q", got)
	}
	if got := Nearest("b(普通客户", []string{"A(重点客户)", "B(普通客户)"}); got != "B(普通客户)" {
		t.Errorf("Nearest = %q", got)
	}
	// Nothing in common is no suggestion, however short the words.
	for _, s := range []string{"地推", "x", "网络", "电视广告"} {
		if got := Nearest(s, []string{"展会", "电话营销", "a"}); got != "" {
			t.Errorf("Nearest(%q) = %q, a suggestion with no likeness", s, got)
		}
	}
	for s, want := range map[string]string{"电话营": "电话营销", "电话营消": "电话营销", "WeChatt": "wechat", "展": "展会", "a(重点": "A(重点客户)"} {
		if got := Nearest(s, []string{"展会", "电话营销", "wechat", "A(重点客户)"}); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestCheckEmail(t *testing.T) {
	for _, ok := range []string{"a@b.cn", "zhaoning@web.com"} {
		if CheckEmail(ok) != nil {
			t.Errorf("%q refused", ok)
		}
	}
	for _, bad := range []string{"a", "a@b", "Name <a@b.cn>", "a@@b.cn", ""} {
		if CheckEmail(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
