package sandbox

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// formKeys lists the keys of the fields of a by_group answer, by group label.
func formKeys(t *testing.T, d map[string]any) map[string][]string {
	t.Helper()
	groups, ok := d["custom_field_groups"].([]any)
	if !ok {
		t.Fatalf("no custom_field_groups: %v", d)
	}
	out := map[string][]string{}
	for _, g := range groups {
		g := g.(map[string]any)
		for _, f := range g["custom_fields"].([]any) {
			out[str(g["label"])] = append(out[str(g["label"])], str(f.(map[string]any)["name"]))
		}
	}
	return out
}

// A business template's form is the common groups plus its own; ?custom_field_template_id=
// gives it, and an unknown template is 100100.
func TestCustomFieldsOfATemplate(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	plain := formKeys(t, get(t, s, tok, "/api/v2/custom_fields/customer/by_group").data(t))
	if _, has := plain["渠道信息"]; has {
		t.Errorf("the form without a template has the template's group: %v", plain)
	}
	if len(plain["基本信息"]) == 0 || len(plain["业务信息"]) == 0 {
		t.Errorf("common groups: %v", plain)
	}
	tpl := formKeys(t, get(t, s, tok, "/api/v2/custom_fields/customer/by_group?custom_field_template_id=12").data(t))
	if strings.Join(tpl["渠道信息"], ",") != "text_asset_c0a1b2,numeric_asset_c0a1b3" || len(tpl["基本信息"]) != len(plain["基本信息"]) {
		t.Errorf("template 12's form: %v", tpl)
	}
	std := formKeys(t, get(t, s, tok, "/api/v2/custom_fields/customer/by_group?custom_field_template_id=15").data(t))
	if _, has := std["渠道信息"]; has {
		t.Errorf("template 15 has template 12's group: %v", std)
	}
	for _, q := range []string{"99", "abc"} {
		if r := get(t, s, tok, "/api/v2/custom_fields/customer/by_group?custom_field_template_id="+q); r.code(t) != CodeNotFound {
			t.Errorf("template %s: %s", q, r.body)
		}
	}
}

// The template's required field, given with its code, makes a customer of that template;
// a multi_select takes a list of codes; a disabled required field is not demanded.
func TestCreateWithTheTemplatesForm(t *testing.T) {
	s := openMem(t, Options{})
	tok := defaultToken(t, s)
	d := postForm(t, s, tok, formOf("common_id", "45", "customer[name]", "渠道商",
		"customer[custom_field_template_id]", "12", "customer[text_asset_c0a1b2]", "sel_c002",
		"customer[numeric_asset_c0a1b3]", "3.5", "customer[text_asset_6c2d90][]", "sel_8001",
		"customer[text_asset_6c2d90][]", "sel_8003", "customer[datetime_asset_7e3a01]", "2024-05-06")).data(t)
	if str(d["text_asset_c0a1b2"]) != "sel_c002" || fmt.Sprint(d["numeric_asset_c0a1b3"]) != "3.5" ||
		str(d["custom_field_template_id"]) != "12" || str(d["datetime_asset_7e3a01"]) != "2024-05-06" {
		t.Errorf("create answer: %v", d)
	}
	if got, _ := json.Marshal(d["text_asset_6c2d90"]); string(got) != `["sel_8001","sel_8003"]` {
		t.Errorf("multi_select: %s", got)
	}
	detail := get(t, s, tok, fmt.Sprintf("/api/v2/common_customers/%d", idOf(t, d))).data(t)
	if str(detail["text_asset_c0a1b2"]) != "sel_c002" {
		t.Errorf("detail: %v", detail)
	}
	if _, has := detail["text_asset_0dd001"]; has {
		t.Errorf("a disabled field is shown: %v", detail)
	}
	// The same list as JSON.
	postJSON(t, s, tok, `{"common_id":45,"customer":{"text_asset_6c2d90":["sel_8002"]}}`).data(t)
	// A customer without a template does not show the template's fields.
	plain := postForm(t, s, tok, "common_id=45").data(t)
	if _, has := plain["text_asset_c0a1b2"]; has {
		t.Errorf("a template's field on a customer without it: %v", plain)
	}
}
