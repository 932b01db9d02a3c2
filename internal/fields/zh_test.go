package fields

import (
	"testing"

	"github.com/crmctl/crmctl/internal/i18n"
)

// A fields file's errors name the value found in the chosen language.
func TestDocumentErrorsInChinese(t *testing.T) {
	zh := i18n.New(i18n.Chinese)
	tests := []struct{ doc, en, zh string }{
		{"[1, 2]", "expected an object of customer fields, got a list", "应为包含客户字段的对象，实际是 列表"},
		{`{"customer": true}`, `"customer": expected an object, got a boolean`, `"customer"：应为对象，实际是 布尔值`},
		{`{"contacts_attributes": ["x"]}`, `"contacts_attributes": expected a list of objects, got a text`, `"contacts_attributes"：应为对象列表，实际是 文本`},
	}
	for _, tt := range tests {
		_, err := FlattenDocument([]byte(tt.doc))
		if err == nil {
			t.Errorf("%s: no error", tt.doc)
			continue
		}
		if err.Error() != tt.en {
			t.Errorf("%s: in English %q, want %q", tt.doc, err.Error(), tt.en)
		}
		if got := zh.Error(err); got != tt.zh {
			t.Errorf("%s: in Chinese %q, want %q", tt.doc, got, tt.zh)
		}
	}
}

// The field table's help texts are in the catalogue, so the prompts can show them in
// Chinese.
func TestEveryFieldHelpHasAChineseText(t *testing.T) {
	for _, f := range All() {
		if zh, ok := i18n.Translation(f.Help); !ok || zh == f.Help {
			t.Errorf("--%s: help %q has no Chinese text", f.Flag, f.Help)
		}
	}
}
