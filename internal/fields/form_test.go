package fields

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
)

// testForm reads testdata/by_group.json, a by_group answer in the documented shape with
// the awkward parts of real data: groups out of order, keys missing, an unknown field
// type, a label two fields share, a label a catalogue field has, disabled fields, a
// disabled group and a disabled option.
func testForm(t *testing.T) *Form {
	t.Helper()
	b, err := os.ReadFile("testdata/by_group.json")
	if err != nil {
		t.Fatal(err)
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatal(err)
	}
	list, err := api.DecodeCustomFieldList(env.Data)
	if err != nil {
		t.Fatal(err)
	}
	return NewForm(list, "")
}

func TestNewFormOrderTypesAndMissingKeys(t *testing.T) {
	f := testForm(t)
	var keys []string
	for _, c := range f.Fields {
		keys = append(keys, c.Key)
	}
	want := "text_asset_fbf817 text_asset_4b74a32b numeric_asset_e2955b70 text_asset_dd01 text_asset_dd02 text_asset_dd03 text_asset_dd04 " +
		"datetime_asset_aa01 datetime_asset_aa02 text_asset_aa03 text_asset_aa04 text_asset_aa05 text_asset_aa06 text_asset_aa07 text_asset_ee01"
	if strings.Join(keys, " ") != want {
		t.Errorf("order (groups by position, then fields; the field without a key left out):\n got %s\nwant %s", strings.Join(keys, " "), want)
	}
	for key, typ := range map[string]string{
		"text_asset_fbf817": TypeText, "text_asset_4b74a32b": TypeSelect, "numeric_asset_e2955b70": TypeNumber,
		"datetime_asset_aa01": TypeDate, "datetime_asset_aa02": TypeDatetime, "text_asset_aa03": TypeMultiSelect,
		"text_asset_aa04": TypeText, "text_asset_aa05": TypeEmail, "text_asset_aa06": TypeMobile, "text_asset_aa07": TypeURL,
	} {
		if c, _ := f.Field(key); c.Type != typ {
			t.Errorf("%s: type %q, want %q", key, c.Type, typ)
		}
	}
	if c, _ := f.Field("text_asset_aa04"); c.FieldType != "star_rating_field" {
		t.Errorf("the API's type is kept: %q", c.FieldType)
	}
	for key, want := range map[string]bool{"text_asset_dd01": false, "text_asset_ee01": false, "text_asset_aa06": true, "text_asset_fbf817": true} {
		if c, _ := f.Field(key); c.Enabled != want {
			t.Errorf("%s enabled = %v, want %v", key, c.Enabled, want)
		}
	}
	if c, _ := f.Field("text_asset_4b74a32b"); !c.Required || c.Group != "基本信息" || len(c.Options) != 2 {
		t.Errorf("select: %+v", c)
	}
	if c, _ := f.Field("numeric_asset_e2955b70"); c.Required {
		t.Errorf(`required "false" read as true`)
	}
	// A nil or empty answer is an empty form, not a crash.
	if f := NewForm(nil, "7"); len(f.Fields) != 0 || f.What().String() != "business template 7's form" {
		t.Errorf("nil: %+v", f)
	}
}

func TestKeyFor(t *testing.T) {
	f := testForm(t)
	for name, want := range map[string]string{
		"进口方式": "text_asset_4b74a32b", " 单位名称 ": "text_asset_fbf817", "text_asset_fbf817": "text_asset_fbf817",
		"电话": "address_attributes[tel]", "tel": "address_attributes[tel]", "Contact Name": "contacts_attributes[0][name]",
		"年采购额": "numeric_asset_e2955b70", "部门": DepartmentKey, "department-id": DepartmentKey,
	} {
		if got, p := f.KeyFor(name); p != nil || got != want {
			t.Errorf("KeyFor(%q) = %q, %v; want %q", name, got, p, want)
		}
	}
	cases := map[string][]string{
		"进口方试":              {`no field is named "进口方试"`, `did you mean "进口方式"?`, "crmctl fields list"},
		"区域":                {"区域", "2 fields", "text_asset_dd03, text_asset_dd04", "give the key"},
		"备注":                {"备注", "note, text_asset_dd02"},
		"text_asset_123456": {"the customer form has no custom field text_asset_123456"},
	}
	for name, wants := range cases {
		_, p := f.KeyFor(name)
		if p == nil {
			t.Errorf("KeyFor(%q): no problem", name)
			continue
		}
		for _, w := range wants {
			if !strings.Contains(p.Error(), w) {
				t.Errorf("KeyFor(%q): %q lacks %q", name, p.Error(), w)
			}
		}
	}
	// Without a form, a custom key goes through and a label is unknown.
	var none *Form
	if k, p := none.KeyFor("text_asset_123456"); p != nil || k != "text_asset_123456" {
		t.Errorf("nil form: %q %v", k, p)
	}
	if _, p := none.KeyFor("进口方式"); p == nil {
		t.Error("nil form resolved a custom label")
	}
}

func TestResolveCustomFields(t *testing.T) {
	lk := lookup(t)
	lk.Form = testForm(t)
	got, ps := Resolve(Values{PoolKey: "45", "name": "x", "进口方式": "平行进口", "text_asset_fbf817": "简称",
		"主营产品": "服装， 电子,服装", "年采购额": "12.5", "签约日期": "2024-03-01", "回访时间": "2024-03-01 09:30",
		"评分": "五星", "联系邮箱": "a@b.cn", "备用手机": "13800000000", "官网": "www.example.com"}, lk)
	if ps != nil {
		t.Fatal(ps)
	}
	want := Values{PoolKey: "45", "name": "x", "text_asset_4b74a32b": "sel_6010", "text_asset_fbf817": "简称",
		MultiKey("text_asset_aa03"): "select_e2e1cfb1,select_e2e1cfb2", "numeric_asset_e2955b70": "12.5",
		"datetime_asset_aa01": "2024-03-01", "datetime_asset_aa02": "2024-03-01 09:30", "text_asset_aa04": "五星",
		"text_asset_aa05": "a@b.cn", "text_asset_aa06": "13800000000", "text_asset_aa07": "www.example.com"}
	if len(got) != len(want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	form := got.Form()
	if codes := form["customer[text_asset_aa03][]"]; strings.Join(codes, " ") != "select_e2e1cfb1 select_e2e1cfb2" {
		t.Errorf("multi_select params: %v", form)
	}
	// A code is as good as a label.
	if got, ps := Resolve(Values{"text_asset_4b74a32b": "sel_6011"}, lk); ps != nil || got["text_asset_4b74a32b"] != "sel_6011" {
		t.Errorf("code: %v %v", got, ps)
	}
}

func TestResolveCustomProblems(t *testing.T) {
	lk := lookup(t)
	lk.Form = testForm(t)
	_, ps := Resolve(Values{"进口方式": "平行进品", "年采购额": "很多", "签约日期": "2024/03/01", "回访时间": "2024-03-01",
		"联系邮箱": "nobody", "备用手机": "12345", "官网": "not a url", "旧编号": "A1", "主营产品": "服装,旧品类",
		"客户等级": "VIP", "区域": "华东"}, lk)
	msg := ps.Error()
	for _, want := range []string{
		`进口方式 (text_asset_4b74a32b): unknown option "平行进品"; did you mean "平行进口"? (valid: 平行进口, 中规)`,
		`年采购额 (numeric_asset_e2955b70): "很多" is not a number`,
		`签约日期 (datetime_asset_aa01): "2024/03/01" is not a date: write YYYY-MM-DD`,
		`回访时间 (datetime_asset_aa02): "2024-03-01" is not a date and time: write YYYY-MM-DD HH:MM`,
		`联系邮箱 (text_asset_aa05): "nobody" is not an email address`,
		`备用手机 (text_asset_aa06): "12345" is not a mobile number`,
		`官网 (text_asset_aa07): "not a url" is not a web address`,
		`旧编号 (text_asset_dd01): the field is disabled`,
		`主营产品 (text_asset_aa03): option "旧品类" is disabled`,
		`客户等级: no field is named "客户等级"`,
		`区域: "区域" is the label of 2 fields (text_asset_dd03, text_asset_dd04)`,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("problems lack %q:\n%s", want, msg)
		}
	}
	// The form's required field, missing, is named by its label; a disabled required field is not demanded.
	_, ps = Resolve(Values{PoolKey: "45", "name": "x"}, lk)
	if len(ps) != 1 || ps[0].Error() != "进口方式 (text_asset_4b74a32b): required by the customer form, and not given" {
		t.Errorf("required: %v", ps)
	}
	// One field given twice, by label and by key.
	_, ps = Resolve(Values{"进口方式": "中规", "text_asset_4b74a32b": "sel_6011"}, lk)
	if !strings.Contains(ps.Error(), "given twice") {
		t.Errorf("twice: %v", ps)
	}
}

func TestResolveDepartment(t *testing.T) {
	deps := []api.Department{{ID: "1", Name: "总部"}, {ID: "2", Name: "销售部"}, {ID: "5", Name: "销售一组"}, {ID: "6", Name: "同名"}, {ID: "7", Name: "同名"}}
	for in, want := range map[string]string{"销售部": "2", "5": "5", " 总部 ": "1"} {
		if got, p := ResolveDepartment(in, deps); p != nil || got != want {
			t.Errorf("%q: %q %v", in, got, p)
		}
	}
	for in, want := range map[string]string{"销售二组": `did you mean "销售一组"?`, "同名": "give the id (6, 7)", "99": `no department is named or numbered "99"`} {
		if _, p := ResolveDepartment(in, deps); p == nil || !strings.Contains(p.Error(), want) || !strings.HasPrefix(p.Error(), "department (所属部门)") {
			t.Errorf("%q: %v, want %q", in, p, want)
		}
	}
}
