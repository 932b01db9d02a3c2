package importer

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
)

// templateForm is a company form in the documented by_group shape: a select, a
// multi_select, a required date, a disabled field, and a label two fields share.
func templateForm(t *testing.T) *fields.Form {
	t.Helper()
	raw := `{"custom_field_groups":[
	 {"id":9,"label":"基本信息","position":1,"status":"enable","custom_fields":[
	  {"name":"text_asset_aa01","label":"客户级别","field_type":"select","position":1,"status":"enable","required":false,
	   "input_field_options":{"collection_options":[{"value":"sel_1","label":"VIP"},{"value":"sel_2","label":"普通"}]}},
	  {"name":"text_asset_aa02","label":"经营品类","field_type":"multi_select","position":2,"status":"enable",
	   "input_field_options":{"collection_options":[{"value":"sel_3","label":"家电"},{"value":"sel_4","label":"数码"}]}},
	  {"name":"datetime_asset_aa03","label":"签约日期","field_type":"date_field","position":3,"status":"enable","required":true},
	  {"name":"text_asset_aa04","label":"旧编码","field_type":"text_field","position":4,"status":"disable"},
	  {"name":"text_asset_aa05","label":"区域","field_type":"text_field","position":5,"status":"enable"},
	  {"name":"text_asset_aa06","label":"区域","field_type":"text_field","position":6,"status":"enable"}]}]}`
	list, err := api.DecodeCustomFieldList(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	return fields.NewForm(list, "")
}

func TestTemplateCustomColumns(t *testing.T) {
	form := templateForm(t)
	dir := t.TempDir()
	xPath := filepath.Join(dir, "t.xlsx")
	deps := []api.Department{{ID: "2", Name: "销售部"}, {ID: "3", Name: "市场部"}}
	if err := WriteTemplate(xPath, TemplateContent{Form: form, Departments: deps}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenFile(xPath)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	rows, err := x.GetRows(templateSheet)
	if err != nil || len(rows) == 0 {
		t.Fatal(rows, err)
	}
	header := rows[0]
	n := len(fields.All())
	if got := strings.Join(header[n:], ","); got != "客户级别,经营品类,签约日期,text_asset_aa05,text_asset_aa06" {
		t.Errorf("custom columns (enabled, form order, a shared label as keys): %s", got)
	}
	dvs, err := x.GetDataValidations(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	lists := map[string]bool{}
	for _, dv := range dvs {
		lists[strings.SplitN(dv.Sqref, "2:", 2)[0]] = true
	}
	levelCol, _ := excelize.ColumnNumberToName(n + 1)
	deptCol := ""
	for i, h := range header {
		if h == "所属部门" {
			deptCol, _ = excelize.ColumnNumberToName(i + 1)
		}
	}
	if !lists[levelCol] || !lists[deptCol] {
		t.Errorf("drop-downs on the custom select (%s) and the department (%s): %v", levelCol, deptCol, lists)
	}
	opts, _ := x.GetCols(optionsSheet)
	var all []string
	for _, c := range opts {
		all = append(all, c...)
	}
	if joined := strings.Join(all, ","); !strings.Contains(joined, "VIP,普通") || !strings.Contains(joined, "销售部,市场部") {
		t.Errorf("lists: %s", joined)
	}
	comments, err := x.GetComments(templateSheet)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, c := range comments {
		text := c.Text
		for _, p := range c.Paragraph {
			text += p.Text
		}
		notes[rows[0][cellCol(t, c.Cell)]] = text
	}
	for col, want := range map[string]string{"业务模版": "ID", "上级客户": "ID", "签约日期": "必填", "经营品类": "逗号", "所属部门": "ID"} {
		if !strings.Contains(notes[col], want) {
			t.Errorf("the note of %s lacks %q: %q", col, want, notes[col])
		}
	}
	// The template reads back with the form: every column maps to a field.
	r, recs := readAll(t, xPath, ReadOptions{Form: form})
	if len(recs) != 0 {
		t.Fatalf("records: %v", recs)
	}
	for _, c := range r.Mapping().Columns {
		if c.Key == "" {
			t.Errorf("column %q maps to no field", c.Header)
		}
	}
	if r.Mapping().HeaderOf["text_asset_aa01"] != "客户级别" {
		t.Errorf("custom label column: %v", r.Mapping().HeaderOf)
	}
}

func TestColumnsByCustomLabel(t *testing.T) {
	form := templateForm(t)
	m, err := mapHeaderWith([]string{"客户名称", "客户级别", "text_asset_aa02", "签约 日期", "text_asset_ffff01"}, nil, false, form)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "text_asset_aa01", "text_asset_aa02", "datetime_asset_aa03", "text_asset_ffff01"}
	for i, c := range m.Columns {
		if c.Key != want[i] {
			t.Errorf("column %q -> %q, want %q", c.Header, c.Key, want[i])
		}
	}
	if _, err := mapHeaderWith([]string{"客户名称", "区域"}, nil, false, form); err == nil ||
		!strings.Contains(err.Error(), "text_asset_aa05, text_asset_aa06") {
		t.Errorf("a shared label: %v", err)
	}
	if _, err := mapHeaderWith([]string{"客户名称", "客户等级"}, nil, false, form); err == nil {
		t.Error("an unknown label was mapped")
	}
	if m, err := mapHeaderWith([]string{"级别"}, map[string]string{"级别": "客户级别"}, false, form); err != nil || m.Columns[0].Key != "text_asset_aa01" {
		t.Errorf("--map to a custom label: %v %v", m, err)
	}
}

func cellCol(t *testing.T, cell string) int {
	t.Helper()
	c, _, err := excelize.CellNameToCoordinates(cell)
	if err != nil {
		t.Fatal(err)
	}
	return c - 1
}
