package importer

import (
	"bytes"
	"errors"
	"io"
	"os"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/crmctl/crmctl/internal/i18n"
)

// StdinPath is the FILE that means standard input.
const StdinPath = "-"

// spoolStdin copies standard input to dir for the two passes of an import and decides
// its format: forced (--format), else sniffed from the first bytes (an XLSX workbook is
// a zip archive; a JSONL file starts with an object; anything else is read as CSV).
func spoolStdin(in io.Reader, dir, forced string) (path, format string, err error) {
	if in == nil {
		return "", "", i18n.Errorf("no standard input")
	}
	if forced != "" {
		if format, err = DetectFormat(StdinPath, forced); err != nil {
			return "", "", err
		}
	}
	if path, err = spoolFrom(in, dir, format != "" && format != FormatXLSX); err != nil {
		return "", "", err
	}
	if format == "" {
		if format, err = sniffFormat(path); err != nil {
			os.Remove(path)
			return "", "", err
		}
	}
	return path, format, nil
}

// sniffFormat tells an import file's format from its first bytes.
func sniffFormat(path string) (string, error) {
	fh, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer fh.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(fh, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	switch {
	case n == 0:
		return "", i18n.Errorf("nothing to read")
	case bytes.HasPrefix(head, []byte("PK\x03\x04")):
		return FormatXLSX, nil
	}
	// The text, after a byte order mark (UTF-16 with one is decoded), as the readers see it.
	text, _, err := transform.Bytes(unicode.BOMOverride(transform.Nop), head)
	if err != nil {
		text = head
	}
	if bytes.HasPrefix(bytes.TrimLeft(text, " \t\r\n"), []byte("{")) {
		return FormatJSONL, nil
	}
	return FormatCSV, nil
}
