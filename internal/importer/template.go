package importer

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/fields"
	"github.com/crmctl/crmctl/internal/i18n"
)

// TemplateHeader is the header of an import template: the Chinese label of every
// catalogue field, in catalogue order.
func TemplateHeader() []string {
	cols := templateColumns(nil, nil)
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.header
	}
	return out
}

// TemplateContent is what a template's columns and drop-down lists come from; any part may
// be nil (no lists for it, no custom columns).
type TemplateContent struct {
	Pools       []api.Pool
	FieldMaps   *api.FieldMapList
	Form        *fields.Form // the company's form: one column per enabled custom field
	Departments []api.Department
}

// templateColumn is one column of a template: its header, its drop-down list (nil: free
// text) and a note (a comment on the header cell).
type templateColumn struct {
	header string
	list   []string
	note   string
}

// templateColumns are the catalogue's columns, then one per enabled custom field of the
// form in its order (headed by its label, or by its key when another field has the
// label).
func templateColumns(c *TemplateContent, form *fields.Form) []templateColumn {
	var out []templateColumn
	for _, f := range fields.All() {
		col := templateColumn{header: f.Label}
		switch f.Kind {
		case fields.Int:
			col.note = "填写 ID (an id): " + f.Help
		case fields.Department:
			col.note = "部门名称或 ID (a department's name or id)"
		case fields.Pool:
			col.note = "公海名称或 ID (a pool's name or id)"
		}
		if c != nil {
			col.list = templateList(c, f)
		}
		out = append(out, col)
	}
	for _, cf := range form.Enabled() {
		col := templateColumn{header: cf.Label}
		if k, p := form.KeyFor(cf.Label); p != nil || k != cf.Key {
			col.header = cf.Key
		}
		switch cf.Type {
		case fields.TypeSelect:
			for _, o := range cf.EnabledOptions() {
				col.list = append(col.list, o.Label)
			}
		case fields.TypeMultiSelect:
			var labels []string
			for _, o := range cf.EnabledOptions() {
				labels = append(labels, o.Label)
			}
			col.note = "可多选，用逗号分隔 (several, separated by commas): " + strings.Join(labels, ", ")
		case fields.TypeDate:
			col.note = "YYYY-MM-DD"
		case fields.TypeDatetime:
			col.note = "YYYY-MM-DD HH:MM"
		case fields.TypeNumber:
			col.note = "数字 (a number)"
		}
		if cf.Required {
			req := "必填 (required by " + form.What().String() + ")"
			if col.note == "" {
				col.note = req
			} else {
				col.note = req + "; " + col.note
			}
		}
		out = append(out, col)
	}
	return out
}

// templateList is the drop-down list of a catalogue column: pool names, the enabled
// options of a select, department names.
func templateList(c *TemplateContent, f fields.Field) []string {
	var out []string
	switch {
	case f.Kind == fields.Pool:
		for _, p := range c.Pools {
			out = append(out, p.Name)
		}
	case f.Kind == fields.Department:
		for _, d := range c.Departments {
			out = append(out, d.Name)
		}
	case f.Kind == fields.Select && c.FieldMaps != nil:
		if fm, ok := c.FieldMaps.Field(f.Key); ok {
			for _, o := range fields.EnabledOptions(fm) {
				out = append(out, o.Label())
			}
		}
	}
	return out
}

// WriteTemplate writes an empty import template (.csv or .xlsx): a column per catalogue
// field and per enabled custom field of the form. In XLSX, the select columns, the pool
// column and the department column get drop-down lists (option labels, pool and department
// names), and a comment on a header says what a column takes where it is not plain text
// (an id, a date, several values).
func WriteTemplate(path string, c TemplateContent) error {
	cols := templateColumns(&c, c.Form)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return writeCSVTemplate(path, cols)
	case ".xlsx":
		return writeXLSXTemplate(path, cols)
	default:
		return i18n.Errorf("--template %s: the name must end in .xlsx or .csv", path)
	}
}

func writeCSVTemplate(path string, cols []templateColumn) error {
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	// A BOM, so that Excel opens the UTF-8 file with the right encoding.
	if _, err := fh.WriteString("\ufeff"); err != nil {
		fh.Close()
		return err
	}
	header := make([]string, len(cols))
	for i, c := range cols {
		header[i] = c.header
	}
	w := csv.NewWriter(fh)
	_ = w.Write(header)
	w.Flush()
	if err := w.Error(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

const (
	templateSheet = "客户"
	optionsSheet  = "选项"
	templateRows  = 5000
)

func writeXLSXTemplate(path string, cols []templateColumn) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName(x.GetSheetName(0), templateSheet); err != nil {
		return err
	}
	hdr := make([]any, len(cols))
	for i, c := range cols {
		hdr[i] = c.header
	}
	if err := x.SetSheetRow(templateSheet, "A1", &hdr); err != nil {
		return err
	}
	last, _ := excelize.ColumnNumberToName(len(cols))
	if style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		_ = x.SetCellStyle(templateSheet, "A1", last+"1", style)
	}
	_ = x.SetColWidth(templateSheet, "A", last, 14)
	_ = x.SetPanes(templateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	for i, c := range cols {
		if c.note == "" {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := x.AddComment(templateSheet, excelize.Comment{Cell: cell, Author: "crmctl", Text: c.note}); err != nil {
			return err
		}
	}

	// Lists live on a hidden sheet: an inline list is limited to 255 characters.
	hasList := false
	for _, c := range cols {
		hasList = hasList || len(c.list) > 0
	}
	if !hasList {
		return saveXLSX(x, path)
	}
	if _, err := x.NewSheet(optionsSheet); err != nil {
		return err
	}
	listCol := 0
	for i, c := range cols {
		if len(c.list) == 0 {
			continue
		}
		listCol++
		colName, _ := excelize.ColumnNumberToName(listCol)
		title := []any{c.header}
		if err := x.SetSheetRow(optionsSheet, colName+"1", &title); err != nil {
			return err
		}
		for r, it := range c.list {
			cell := fmt.Sprintf("%s%d", colName, r+2)
			if err := x.SetCellStr(optionsSheet, cell, it); err != nil {
				return err
			}
		}
		target, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", target, target, templateRows+1))
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", optionsSheet, colName, colName, len(c.list)+1))
		dv.SetError(excelize.DataValidationErrorStyleStop, c.header, "请从列表中选择 (choose a value from the list)")
		if err := x.AddDataValidation(templateSheet, dv); err != nil {
			return err
		}
	}
	_ = x.SetSheetVisible(optionsSheet, false)
	x.SetActiveSheet(0)
	return saveXLSX(x, path)
}

// saveXLSX writes the workbook to a temporary file beside path and renames it into
// place: never a half-written template, and mode 0644 (excelize's SaveAs would make
// the file executable).
func saveXLSX(x *excelize.File, path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+"-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := x.WriteTo(tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
