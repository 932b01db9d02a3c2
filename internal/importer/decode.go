package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/crmctl/crmctl/internal/i18n"
)

// MaxLine is the longest line, record (a quoted cell may span lines) or cell an import
// reads: 1 MiB. Anything longer is refused with its line or row named, so memory stays
// flat whatever the input (a file of one endless line, /dev/zero).
const MaxLine = 1 << 20

// LineTooLongError is a line (or a CSV record, or a cell) over MaxLine.
type LineTooLongError struct {
	Line int
	What string // "" (a line), tooLongRecord or tooLongCell
}

// What a LineTooLongError is about, when not a line.
const (
	tooLongRecord = "the record starting on line"
	tooLongCell   = "a cell of row"
)

func (e *LineTooLongError) Error() string { return e.Localize(i18n.New(i18n.English)) }

// Localize tells the error in p's language.
func (e *LineTooLongError) Localize(p *i18n.Printer) string {
	switch e.What {
	case tooLongRecord:
		return p.Sprintf("the record starting on line %d is longer than %d bytes (1 MiB), the most an import reads", e.Line, MaxLine)
	case tooLongCell:
		return p.Sprintf("a cell of row %d is longer than %d bytes (1 MiB), the most an import reads", e.Line, MaxLine)
	}
	return p.Sprintf("line %d is longer than %d bytes (1 MiB), the most an import reads", e.Line, MaxLine)
}

// textEncoding is how a text file's bytes become UTF-8, decided once for the whole file.
type textEncoding struct {
	Name string // UTF-8, GB18030, ...
	BOM  bool   // a byte order mark decided it
	// decoder makes a fresh decoder; nil when the bytes are UTF-8 as they are.
	decoder func() transform.Transformer
}

// label names the encoding for people: "UTF-16 with BOM", "GB18030".
func (e textEncoding) label() i18n.Message {
	if e.BOM {
		return i18n.M("%s with BOM", e.Name)
	}
	return i18n.M("%s", e.Name)
}

func (e textEncoding) reader(r io.Reader) io.Reader {
	if e.decoder == nil {
		return r
	}
	return transform.NewReader(r, e.decoder())
}

// forcedEncoding is --encoding.
func forcedEncoding(name string) (textEncoding, error) {
	switch strings.ToLower(strings.ReplaceAll(strings.ReplaceAll(name, "-", ""), "_", "")) {
	case "utf8":
		// An optional UTF-8 BOM is dropped.
		return textEncoding{Name: "UTF-8", decoder: func() transform.Transformer { return unicode.UTF8BOM.NewDecoder() }}, nil
	case "gbk", "cp936":
		return textEncoding{Name: "GBK", decoder: func() transform.Transformer { return simplifiedchinese.GBK.NewDecoder() }}, nil
	case "gb18030":
		return textEncoding{Name: "GB18030", decoder: func() transform.Transformer { return simplifiedchinese.GB18030.NewDecoder() }}, nil
	case "utf16", "utf16le":
		return textEncoding{Name: "UTF-16LE", decoder: func() transform.Transformer {
			return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder()
		}}, nil
	case "utf16be":
		return textEncoding{Name: "UTF-16BE", decoder: func() transform.Transformer {
			return unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewDecoder()
		}}, nil
	default:
		return textEncoding{}, i18n.Errorf("--encoding %q: expected utf-8, gbk, gb18030, utf-16le or utf-16be", name)
	}
}

// bomSeen is BOMOverride's fallback: it records that the text had no byte order mark
// and passes the bytes through.
type bomSeen struct {
	transform.NopResetter
	fallback bool
}

func (b *bomSeen) Transform(dst, src []byte, atEOF bool) (int, int, error) {
	b.fallback = true
	return transform.Nop.Transform(dst, src, atEOF)
}

// byteOrderMark names the byte order mark head starts with ("" for none), as
// golang.org/x/text's unicode.BOMOverride reads it.
func byteOrderMark(head []byte) string {
	seen := &bomSeen{}
	if _, _, err := transform.Bytes(unicode.BOMOverride(seen), head); err != nil || seen.fallback || len(head) == 0 {
		return ""
	}
	if _, _, err := transform.Bytes(unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder(), head); err == nil {
		return "UTF-16"
	}
	return "UTF-8"
}

// DecideEncoding decides, for the whole text file at path, how its bytes are read, with
// evidence rather than a guess:
//
//   - forced (--encoding) is used as given;
//   - a byte order mark (UTF-8, UTF-16LE or UTF-16BE) decides;
//   - otherwise the whole file is scanned. Valid UTF-8 throughout is UTF-8, unless it
//     is valid GB18030 too and no line is clearly UTF-8 (a character of three or more
//     bytes, as every Chinese character is in UTF-8): "实业" in GBK is valid UTF-8
//     ("ʵҵ"), so such a file is refused as ambiguous. A file with a line that is not
//     valid UTF-8 is GB18030 (a superset of GBK) if the whole file is valid GB18030 and
//     no line is clearly UTF-8: a UTF-8 file with a stray byte is refused, not read as
//     GB18030 throughout. ASCII alone is UTF-8.
//
// The whole file must be valid in the chosen encoding: otherwise it is refused with the
// first bad line named. A decoded text holding U+FFFD (the replacement character a
// decoder puts for bytes it cannot read) counts as invalid. A line over MaxLine is
// refused too. The file is read once more by the caller; the scan keeps one line in
// memory at a time.
func DecideEncoding(path, forced string) (textEncoding, error) {
	fh, err := os.Open(path)
	if err != nil {
		return textEncoding{}, err
	}
	defer fh.Close()
	br := bufio.NewReaderSize(fh, 64<<10)
	var enc textEncoding
	switch head, _ := br.Peek(4); {
	case forced != "":
		if enc, err = forcedEncoding(forced); err != nil {
			return enc, err
		}
	case byteOrderMark(head) != "":
		enc = textEncoding{Name: byteOrderMark(head), BOM: true, decoder: func() transform.Transformer {
			return unicode.BOMOverride(transform.Nop)
		}}
	default:
		return scanEncoding(br)
	}
	return enc, checkDecoded(enc, br)
}

// checkDecoded reads the whole text through enc and refuses it at the first line that
// is not valid in it.
func checkDecoded(enc textEncoding, r io.Reader) error {
	ls := newLineScanner(enc.reader(r))
	for {
		line, err := ls.next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if !utf8.Valid(line) || bytes.ContainsRune(line, utf8.RuneError) {
			return i18n.Errorf("line %d is not valid %s: fix it, or pass --encoding with the file's encoding", ls.line, enc.label())
		}
	}
}

// scanEncoding decides between UTF-8 and GB18030 from every line of r.
func scanEncoding(r io.Reader) (textEncoding, error) {
	utf8Enc := textEncoding{Name: "UTF-8"}
	gbEnc := textEncoding{Name: "GB18030", decoder: func() transform.Transformer { return simplifiedchinese.GB18030.NewDecoder() }}
	ls := newLineScanner(r)
	gb := simplifiedchinese.GB18030.NewDecoder()
	var nonASCII, badUTF8, clearUTF8, badGB int
	var out []byte
	for {
		line, err := ls.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return textEncoding{}, err
		}
		if isASCII(line) {
			continue
		}
		if nonASCII == 0 {
			nonASCII = ls.line
		}
		if utf8.Valid(line) {
			if clearUTF8 == 0 && hasWideRune(line) {
				clearUTF8 = ls.line
			}
		} else if badUTF8 == 0 {
			badUTF8 = ls.line
		}
		if badUTF8 != 0 && clearUTF8 != 0 {
			return textEncoding{}, i18n.Errorf("line %d is not valid UTF-8, but line %d is UTF-8: a stray byte or a mix of encodings; "+
				"fix line %d, or pass --encoding with the file's encoding", badUTF8, clearUTF8, badUTF8)
		}
		if badGB == 0 && clearUTF8 == 0 {
			gb.Reset()
			out, _, err = transform.Append(gb, out[:0], line)
			if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
				badGB = ls.line
			}
		}
	}
	switch {
	case badUTF8 == 0 && (clearUTF8 != 0 || badGB != 0):
		return utf8Enc, nil
	case badUTF8 == 0 && nonASCII != 0:
		// "实业" in GBK (CA B5 D2 B5) is valid UTF-8 too ("ʵҵ"): without a character
		// that only UTF-8 explains, either reading is a guess.
		return textEncoding{}, i18n.Errorf("the file reads both as UTF-8 and as GBK/GB18030 (line %d differs) and holds no Chinese "+
			"character in UTF-8: pass --encoding utf-8 or --encoding gbk", nonASCII)
	case badUTF8 == 0:
		return utf8Enc, nil
	case badGB == 0:
		return gbEnc, nil
	default:
		return textEncoding{}, i18n.Errorf("the file is neither UTF-8 (line %d is not) nor GB18030/GBK (line %d is not): "+
			"fix it, or pass --encoding with the file's encoding", badUTF8, badGB)
	}
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// hasWideRune reports whether valid UTF-8 b holds a character of three or more bytes.
func hasWideRune(b []byte) bool {
	for _, c := range b {
		if c >= 0xe0 {
			return true
		}
	}
	return false
}

// lineScanner yields the lines of a text (without their "\n"), numbered from 1, one at
// a time in a reused buffer of at most MaxLine bytes.
type lineScanner struct {
	br   *bufio.Reader
	buf  []byte
	line int
}

func newLineScanner(r io.Reader) *lineScanner {
	return &lineScanner{br: bufio.NewReaderSize(r, 64<<10)}
}

func (s *lineScanner) next() ([]byte, error) {
	s.buf = s.buf[:0]
	for {
		chunk, err := s.br.ReadSlice('\n')
		if len(s.buf)+len(chunk) > MaxLine+1 {
			return nil, &LineTooLongError{Line: s.line + 1}
		}
		s.buf = append(s.buf, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if len(s.buf) == 0 && err != nil {
			return nil, io.EOF
		}
		s.line++
		return bytes.TrimSuffix(s.buf, []byte("\n")), nil
	}
}

// capReader fails once more than max bytes were read since the last reset: it bounds
// what encoding/csv buffers for one record (an unterminated quote would otherwise take
// in the rest of the file).
type capReader struct {
	r      io.Reader
	n, max int
}

var errRecordTooLong = i18n.Errorf("record too long")

func (c *capReader) Read(p []byte) (int, error) {
	if c.n > c.max {
		return 0, errRecordTooLong
	}
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func (c *capReader) reset() { c.n = 0 }

// Spool copies a file that cannot be read twice (a pipe, standard input, a device) to a
// new file in dir, owner-only, for the two passes of an import; regular files are used as
// they are (spooled is false). For a text file (lines true) a line over MaxLine stops the
// copy: /dev/zero fails at 1 MiB. The caller removes the copy.
//
// Both the open and the copy end with ctx: a named pipe no program writes to yet (whose
// open waits for a writer) or one whose writer goes quiet is left with ctx's error and
// no copy behind.
func Spool(ctx context.Context, path, dir string, lines bool) (out string, spooled bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", false, err
	}
	if st.Mode().IsRegular() {
		return path, false, nil
	}
	if st.IsDir() {
		return "", false, i18n.Errorf("%s is a folder", path)
	}
	in, err := openInput(ctx, path, st.Mode()&os.ModeNamedPipe != 0)
	if err != nil {
		return "", false, err
	}
	defer in.Close()
	// A read waiting on a pipe ends at once when ctx does (a device that cannot
	// take a deadline is read to its end or its cap).
	stop := context.AfterFunc(ctx, func() { _ = in.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()
	out, err = spoolFrom(in, dir, lines)
	if err != nil && ctx.Err() != nil {
		return "", false, ctx.Err()
	}
	return out, err == nil, err
}

// openInput opens path for reading. The open of a named pipe waits for a writer: it
// runs aside, and when ctx ends first the wait is ended (see unblockFIFO), the pipe
// closed and ctx's error returned.
func openInput(ctx context.Context, path string, fifo bool) (*os.File, error) {
	if !fifo {
		return os.Open(path)
	}
	var (
		fh       *os.File
		err      error
		finished = make(chan struct{})
	)
	go func() {
		defer close(finished)
		fh, err = os.Open(path)
	}()
	select {
	case <-finished:
		return fh, err
	case <-ctx.Done():
	}
	if release, ok := unblockFIFO(path, finished); ok {
		<-finished
		release()
	}
	// Whenever the open returns (at once, or never if the pipe could not be opened
	// for writing), what it opened is closed: the import stops here.
	go func() {
		<-finished
		if fh != nil {
			fh.Close()
		}
	}()
	return nil, ctx.Err()
}

// spoolFrom copies in to a new owner-only file in dir (see Spool).
func spoolFrom(in io.Reader, dir string, lines bool) (string, error) {
	if dir == "" {
		dir = os.TempDir()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	fh, err := os.CreateTemp(dir, ".import-spool-*")
	if err != nil {
		return "", err
	}
	fail := func(err error) (string, error) {
		fh.Close()
		os.Remove(fh.Name())
		return "", err
	}
	w := bufio.NewWriterSize(fh, 64<<10)
	br := bufio.NewReaderSize(in, 64<<10)
	lineLen, line := 0, 1
	for {
		chunk, err := br.ReadSlice('\n')
		lineLen += len(chunk)
		if lines && lineLen > MaxLine+1 {
			return fail(&LineTooLongError{Line: line})
		}
		if _, werr := w.Write(chunk); werr != nil {
			return fail(werr)
		}
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			lineLen = 0
			line++
		}
		if errors.Is(err, bufio.ErrBufferFull) || err == nil {
			continue
		}
		if errors.Is(err, io.EOF) {
			break
		}
		return fail(err)
	}
	if err := w.Flush(); err != nil {
		return fail(err)
	}
	if err := fh.Close(); err != nil {
		os.Remove(fh.Name())
		return "", err
	}
	return fh.Name(), nil
}

// shorten cuts s to at most n runes for a message in tr's language, marking the cut.
func shorten(tr *i18n.Printer, s string, n int) string {
	if len(s) <= n {
		return s
	}
	i, count := 0, 0
	for i < len(s) && count < n {
		_, size := utf8.DecodeRuneInString(s[i:])
		i += size
		count++
	}
	if i >= len(s) {
		return s
	}
	return s[:i] + tr.Sprintf("…(%d bytes)", i18n.Count(len(s)))
}

// maxQuoted is how many characters of a value an error message quotes.
const maxQuoted = 64
