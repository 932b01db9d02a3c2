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
	var out []string
	for _, f := range fields.All() {
		out = append(out, f.Label)
	}
	return out
}

// WriteTemplate writes an empty import template (.csv or .xlsx). In XLSX, the select
// columns and the pool column get drop-down lists of the enabled option labels and pool
// names (when pools / maps are given).
func WriteTemplate(path string, pools []api.Pool, maps *api.FieldMapList) error {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return writeCSVTemplate(path)
	case ".xlsx":
		return writeXLSXTemplate(path, pools, maps)
	default:
		return i18n.Errorf("--template %s: the name must end in .xlsx or .csv", path)
	}
}

func writeCSVTemplate(path string) error {
	fh, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	// A BOM, so that Excel opens the UTF-8 file with the right encoding.
	if _, err := fh.WriteString("\ufeff"); err != nil {
		fh.Close()
		return err
	}
	w := csv.NewWriter(fh)
	_ = w.Write(TemplateHeader())
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

func writeXLSXTemplate(path string, pools []api.Pool, maps *api.FieldMapList) error {
	x := excelize.NewFile()
	defer x.Close()
	if err := x.SetSheetName(x.GetSheetName(0), templateSheet); err != nil {
		return err
	}
	header := TemplateHeader()
	hdr := make([]any, len(header))
	for i, h := range header {
		hdr[i] = h
	}
	if err := x.SetSheetRow(templateSheet, "A1", &hdr); err != nil {
		return err
	}
	if style, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}}); err == nil {
		last, _ := excelize.CoordinatesToCellName(len(header), 1)
		_ = x.SetCellStyle(templateSheet, "A1", last, style)
	}
	_ = x.SetColWidth(templateSheet, "A", "AA", 14)
	_ = x.SetPanes(templateSheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})

	// Lists live on a hidden sheet: an inline list is limited to 255 characters.
	lists := map[string][]string{}
	if len(pools) > 0 {
		for _, p := range pools {
			lists[fields.PoolKey] = append(lists[fields.PoolKey], p.Name)
		}
	}
	if maps != nil {
		for _, f := range fields.SelectFields() {
			fm, ok := maps.Field(f.Key)
			if !ok {
				continue
			}
			for _, o := range fields.EnabledOptions(fm) {
				lists[f.Key] = append(lists[f.Key], o.Label())
			}
		}
	}
	if len(lists) == 0 {
		return saveXLSX(x, path)
	}
	if _, err := x.NewSheet(optionsSheet); err != nil {
		return err
	}
	listCol := 0
	for i, f := range fields.All() {
		items := lists[f.Key]
		if len(items) == 0 {
			continue
		}
		listCol++
		colName, _ := excelize.ColumnNumberToName(listCol)
		title := []any{f.Label}
		if err := x.SetSheetRow(optionsSheet, colName+"1", &title); err != nil {
			return err
		}
		for r, it := range items {
			cell := fmt.Sprintf("%s%d", colName, r+2)
			if err := x.SetCellStr(optionsSheet, cell, it); err != nil {
				return err
			}
		}
		target, _ := excelize.ColumnNumberToName(i + 1)
		dv := excelize.NewDataValidation(true)
		dv.SetSqref(fmt.Sprintf("%s2:%s%d", target, target, templateRows+1))
		dv.SetSqrefDropList(fmt.Sprintf("'%s'!$%s$2:$%s$%d", optionsSheet, colName, colName, len(items)+1))
		dv.SetError(excelize.DataValidationErrorStyleStop, f.Label, "请从列表中选择 (choose a value from the list)")
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
