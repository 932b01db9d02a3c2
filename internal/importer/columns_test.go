package importer

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/fields"
)

func TestEveryCatalogueNameMapsToItsField(t *testing.T) {
	for _, f := range fields.All() {
		for _, name := range append([]string{f.Flag, f.Key, f.Label, strings.ToUpper(f.Flag), " " + f.Label + " "}, f.Aliases...) {
			if k, ok := FieldFor(name); !ok || k != f.Key {
				t.Errorf("%q -> %q %v, want %s", name, k, ok, f.Key)
			}
		}
	}
}

func TestMapHeaderNamings(t *testing.T) {
	header := []string{"Name", "contact-name", "Contact_Name ", "address_attributes[tel]", "customer[address_attributes][email]", "手 机", "公海", "text_asset_9320d8d7"}
	_, err := MapHeader(header, nil, false)
	if err == nil || !strings.Contains(err.Error(), "both map") {
		t.Fatalf("two columns for one field: %v", err)
	}
	header = append(header[:2], header[3:]...)
	m, err := MapHeader(header, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"name", "contacts_attributes[0][name]", "address_attributes[tel]", "address_attributes[email]", "address_attributes[phone]", "common_id", "text_asset_9320d8d7"}
	for i, c := range m.Columns {
		if c.Key != want[i] {
			t.Errorf("column %q -> %q, want %q", c.Header, c.Key, want[i])
		}
	}
}

func TestMapHeaderUnknownAndOverrides(t *testing.T) {
	header := []string{"公司", "电话", "备用", "Remark"}
	_, err := MapHeader(header, nil, false)
	var ue *UnknownColumnsError
	if !errors.As(err, &ue) || strings.Join(ue.Headers, ",") != "公司,备用,Remark" {
		t.Fatalf("unknown columns: %v", err)
	}
	m, err := MapHeader(header, map[string]string{"公司": "name", "备用": "-", "remark": "备注"}, false)
	if err != nil {
		t.Fatal(err)
	}
	got := []string{m.Columns[0].Key, m.Columns[1].Key, m.Columns[2].Key, m.Columns[3].Key}
	if strings.Join(got, "|") != "name|address_attributes[tel]||note" {
		t.Fatalf("--map: %v", got)
	}
	m, err = MapHeader(header, nil, true)
	if err != nil || m.Columns[0].Key != "" || m.Columns[1].Key != "address_attributes[tel]" {
		t.Fatalf("--ignore-unknown: %v %+v", err, m)
	}
	if _, err := MapHeader(header, map[string]string{"nope": "name"}, true); err == nil {
		t.Fatal("--map of a missing column accepted")
	}
	if _, err := MapHeader(header, map[string]string{"公司": "nosuchfield"}, true); err == nil {
		t.Fatal("--map to a missing field accepted")
	}
}

func TestTemplateHeaderMapsBack(t *testing.T) {
	m, err := MapHeader(TemplateHeader(), nil, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range fields.All() {
		if m.Columns[i].Key != f.Key {
			t.Errorf("template column %q -> %q, want %q", m.Columns[i].Header, m.Columns[i].Key, f.Key)
		}
	}
}

func TestParseMapRefusesTwoValuesForOneColumn(t *testing.T) {
	m, err := ParseMap([]string{"公司=name", " 公司 = name ", "备用=-"})
	if err != nil || len(m) != 2 || m["公司"] != "name" || m["备用"] != "-" {
		t.Fatalf("ParseMap = %v, %v", m, err)
	}
	for _, items := range [][]string{
		{"公司=name", "公司=note"},
		{"Company Name=name", "company_name=note"},
		{"公司 名称=name", "公司名称=-"},
	} {
		_, err := ParseMap(items)
		if err == nil || !strings.Contains(err.Error(), "name the same column") {
			t.Errorf("ParseMap(%q) = %v, want a same-column error", items, err)
		}
	}
	if _, err := ParseMap([]string{"公司"}); err == nil {
		t.Error("ParseMap accepted an item without =")
	}
}
