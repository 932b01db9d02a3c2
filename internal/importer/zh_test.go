package importer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

var zh = i18n.New(i18n.Chinese)

// chinese is an import whose report is in Chinese.
func chinese(t *testing.T, a *testAPI, path, dir string) (Config, *bytes.Buffer) {
	t.Helper()
	cfg := a.config(t, path, dir)
	report := &bytes.Buffer{}
	cfg.Report, cfg.T = report, zh
	return cfg, report
}

func wantIn(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// An unknown outcome is reported in Chinese; the results file and the summary's JSON,
// data for scripts, keep it in English.
func TestChineseUnknownOutcome(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	p := writeAt(t, filepath.Join(dir, "u.csv"), "客户名称,手机\n先行,13900000009\n王五公司,13900000005\n")
	colleague := false
	a.during = func(name string) {
		if name == "王五公司" && !colleague {
			colleague = true
			a.colleague("王五公司", "13900000005")
		}
	}
	a.dropAfter = func(name string) bool { return name == "王五公司" }
	cfg, report := chinese(t, a, p, dir)
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Unknown != 1 {
		t.Fatalf("%v %+v", err, sum)
	}
	wantIn(t, "the report", report.String(), "第 3 行：没有收到可用的响应（", "：正在用 matching_name 核对",
		"第 3 行：结果未知：候选客户 ", "；这些客户可能是这一行的，但无法确认是哪一个")
	wantIn(t, "the results file", readResults(t, sum.Results), "3,unknown,王五公司,,,\"candidates ", "; these customers may be its own")
	if r := sum.UnknownRows[0].Reason; !strings.HasPrefix(r, "no usable answer (") {
		t.Errorf("the summary's reason = %q, want it in English", r)
	}

	// The next run checks again, and says so in Chinese.
	a.dropAfter = nil
	cfg, report = chinese(t, a, p, dir)
	if sum, err = Run(context.Background(), cfg); err != nil || sum.Unknown != 1 {
		t.Fatalf("second run: %v %+v", err, sum)
	}
	wantIn(t, "the second report", report.String(), "第 3 行：结果未知：候选客户 ", "之前的请求没有收到可用的响应；")
	cfg, report = chinese(t, a, p, dir)
	cfg.RetryUnknown = true
	if _, err = Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	wantIn(t, "the --retry-unknown report", report.String(), "第 3 行：结果未知（候选客户 ", "）：按 --retry-unknown 的要求重新发送")
}

// A row whose customer the CRM holds (--if-exists fail) is reported in Chinese, and
// kept in English in the results file.
func TestChineseIfExists(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	id := a.colleague("已有公司", "13900000001")
	p := writeAt(t, filepath.Join(dir, "e.csv"), "客户名称,手机\n已有公司,13900000001\n")
	cfg, report := chinese(t, a, p, dir)
	cfg.IfExists = IfExistsFail
	sum, err := Run(context.Background(), cfg)
	if err != nil || sum.Failed != 1 || a.count(createKey) != 0 {
		t.Fatalf("%v %+v, %d POSTs", err, sum, a.count(createKey))
	}
	wantIn(t, "the report", report.String(), "第 2 行（已有公司）：未发送：CRM 中已存在，客户 ID 为 "+id+"（--if-exists fail）")
	wantIn(t, "the results file", readResults(t, sum.Results), "2,failed,已有公司,"+id+",,exists in the CRM as customer "+id+" (--if-exists fail)")
}

// Validation messages and the file's description are in Chinese; -o json keeps the
// description in English.
func TestChineseValidationAndFormat(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	long := strings.Repeat("长", 100)
	p := writeAt(t, filepath.Join(dir, "v.csv"), "name;status;email\nA;出访;a@b.cn\n;初访;\nB;初访;"+long+"\n")
	cfg, report := chinese(t, a, p, dir)
	sum, err := Run(context.Background(), cfg)
	var inv *InvalidFileError
	if !errors.As(err, &inv) {
		t.Fatalf("err = %v", err)
	}
	wantIn(t, "the report", report.String(),
		`第 2 行：“status”列：没有选项 "出访"；你是想填 "初访" 吗？`,
		"第 3 行：“name”列：客户名称为空",
		"…（共 300 字节）")
	if got := zh.Sprintf("%s", sum.Format); got != "CSV，UTF-8，分隔符 ';'" {
		t.Errorf("the format in Chinese = %q", got)
	}
	b, err := json.Marshal(sum)
	if err != nil || !strings.Contains(string(b), `"format":"CSV, UTF-8, delimiter ';'"`) {
		t.Errorf("JSON = %s, %v", b, err)
	}
	if got := zh.Sprintf("%s", Description{i18n.M("%s", "JSONL")}); got != "JSONL" {
		t.Errorf("JSONL = %q", got)
	}
}

// The importer's errors are in Chinese when printed, and English in Error().
func TestChineseErrors(t *testing.T) {
	a := newTestAPI(t)
	dir := t.TempDir()
	cfg, _ := chinese(t, a, writeAt(t, filepath.Join(dir, "n.csv"), "name\nA\n"), dir)
	cfg.Pool = ""
	_, err := Run(context.Background(), cfg)
	if got := zh.Error(err); got != "缺少 --pool：文件中没有“公海”列" {
		t.Errorf("no pool: %q (%v)", got, err)
	}
	for _, c := range []struct {
		err    error
		en, zh string
	}{
		{&LineTooLongError{Line: 3}, "line 3 is longer than 1048576 bytes (1 MiB), the most an import reads", "第 3 行超过 1048576 字节（1 MiB），超出了导入能读取的上限"},
		{&LineTooLongError{Line: 4, What: tooLongRecord}, "the record starting on line 4 is longer", "从第 4 行开始的记录超过"},
		{&LineTooLongError{Line: 5, What: tooLongCell}, "a cell of row 5 is longer", "第 5 行有一个单元格超过"},
		{&UnknownColumnsError{Headers: []string{"备用"}}, `unknown column(s) "备用": map them with --map`, `无法识别的列 "备用"：请用 --map 列名=字段`},
		{&renamedError{err: i18n.Errorf("%s: %w", "/data/imports/stdin-1", errors.New("x")), from: "/data/imports/stdin-1", to: "-"}, "-: x", "-：x"},
		{i18n.Errorf("journal %s: an older format, opened read-only", "j.db"), "journal j.db: an older format", "导入日志 j.db：旧格式"},
	} {
		if !strings.HasPrefix(c.err.Error(), c.en) {
			t.Errorf("English %q, want %q", c.err, c.en)
		}
		if got := zh.Error(c.err); !strings.HasPrefix(got, c.zh) {
			t.Errorf("Chinese %q, want %q", got, c.zh)
		}
	}
	// A header that is the label of two custom fields.
	form := &fields.Form{Fields: []fields.Custom{{Key: "text_asset_dd03", Label: "区域"}, {Key: "text_asset_dd04", Label: "区域"}}}
	_, err = mapHeaderWith([]string{"name", "区域"}, nil, false, form)
	if got := zh.Error(err); err == nil || !strings.HasPrefix(err.Error(), `column "区域": "区域" is the label of 2 fields`) ||
		!strings.HasPrefix(got, `列 "区域"："区域" 是 2 个字段的名称（text_asset_dd03, text_asset_dd04）：请改用字段键（或用 --map "区域"=字段键 指定）`) {
		t.Errorf("a label of two fields: %v / %s", err, got)
	}
}
