package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// verbs maps each argument a format uses (1-based) to its verb, reading explicit
// indexes (%[2]s) as fmt does. %w counts as %v.
func verbs(t *testing.T, format string) map[int]rune {
	t.Helper()
	out := map[int]rune{}
	arg := 1
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && strings.IndexByte("+-# 0", format[i]) >= 0 {
			i++
		}
		readIndex := func() {
			if i < len(format) && format[i] == '[' {
				end := strings.IndexByte(format[i:], ']')
				if end < 0 {
					t.Errorf("%q: unterminated index", format)
					return
				}
				n, err := strconv.Atoi(format[i+1 : i+end])
				if err != nil {
					t.Errorf("%q: bad index", format)
				}
				arg = n
				i += end + 1
			}
		}
		readIndex()
		for i < len(format) && (format[i] >= '0' && format[i] <= '9' || format[i] == '.' || format[i] == '*') {
			if format[i] == '*' {
				out[arg] = '*'
				arg++
			}
			i++
			readIndex()
		}
		if i >= len(format) {
			t.Errorf("%q: a %% with no verb at the end", format)
			break
		}
		v := rune(format[i])
		if v == 'w' {
			v = 'v'
		}
		if prev, ok := out[arg]; ok && prev != v {
			t.Errorf("%q: argument %d used as %%%c and %%%c", format, arg, prev, v)
		}
		out[arg] = v
		arg++
	}
	return out
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Every entry has both languages, and they agree on the arguments and their verbs.
func TestCatalogueBothLanguagesAgree(t *testing.T) {
	if len(chinese) == 0 {
		t.Fatal("the catalogue is empty")
	}
	for en, zh := range chinese {
		if strings.TrimSpace(en) == "" {
			t.Errorf("an entry with no English key (Chinese %q)", zh)
			continue
		}
		if strings.TrimSpace(zh) == "" {
			t.Errorf("%q has no Chinese text", en)
			continue
		}
		ve, vz := verbs(t, en), verbs(t, zh)
		if len(ve) == 0 && (strings.Contains(en, "%%") || strings.Contains(zh, "%%")) {
			t.Errorf("%q: a message with no arguments is printed as it is: write %% once", en)
		}
		if len(ve) != len(vz) {
			t.Errorf("%q and %q use different numbers of arguments (%d, %d)", en, zh, len(ve), len(vz))
			continue
		}
		for n, v := range ve {
			if vz[n] != v {
				t.Errorf("%q and %q disagree on argument %d: %%%c against %%%c", en, zh, n, v, vz[n])
			}
		}
		// A Chinese text with words must have Chinese in it (not a copy of the English).
		if strings.ContainsFunc(en, unicode.IsLetter) && !hasHan(zh) && !allowedUntranslated(en) {
			t.Errorf("%q: the Chinese text %q has no Chinese", en, zh)
		}
		if strings.HasSuffix(en, "\n") != strings.HasSuffix(zh, "\n") {
			t.Errorf("%q and %q disagree on the final newline", en, zh)
		}
	}
}

// allowedUntranslated reports whether a key has no words to translate: only verbs,
// `commands`, --flags, names in capitals (HTTP, ID) and crmctl.
func allowedUntranslated(en string) bool {
	rest := regexp.MustCompile("`[^`]*`|--[a-z-]+|%[-+# 0-9.\\[\\]*]*[a-zA-Z]|\\bcrmctl\\b|\\b[A-Z]{2,}\\b").ReplaceAllString(en, "")
	return !strings.ContainsFunc(rest, unicode.IsLetter)
}

// uses finds the messages the code gives the printer: the literal formats of
// i18n.Errorf and i18n.M, of the Sprintf and Fprintf methods (a Printer's: fmt's are
// not counted), and of the helpers that take a message (cmdutil.UsageErrorf, WithHint,
// WithHintf, config's invalidf).
func uses(t *testing.T) map[string]string {
	t.Helper()
	root := filepath.Join("..", "..")
	found := map[string]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			name := d.Name()
			if path != root && (strings.HasPrefix(name, ".") || name == "testdata" || name == "vendor" || path == filepath.Join(root, "internal", "i18n")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			idx := messageArg(call)
			if idx < 0 || idx >= len(call.Args) {
				return true
			}
			if s, ok := literal(call.Args[idx]); ok {
				found[s] = fset.Position(call.Pos()).String()
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// messageArg is the index of the message argument of a localising call, or -1.
func messageArg(call *ast.CallExpr) int {
	var recv, name string
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		name = fn.Name
	case *ast.SelectorExpr:
		name = fn.Sel.Name
		if id, ok := fn.X.(*ast.Ident); ok {
			recv = id.Name
		} else {
			recv = "?"
		}
	default:
		return -1
	}
	switch name {
	case "Errorf", "M":
		if recv == "i18n" {
			return 0
		}
	case "UsageErrorf", "invalidf", "usagef", "authErrorf":
		if recv == "" || recv == "cmdutil" || recv == "config" {
			return 0
		}
	case "WithHint", "WithHintf":
		if recv == "" || recv == "cmdutil" {
			return 1
		}
	case "Sprintf":
		if recv != "" && recv != "fmt" {
			return 0
		}
	case "Fprintf":
		if recv != "" && recv != "fmt" {
			return 1
		}
	}
	return -1
}

func literal(e ast.Expr) (string, bool) {
	switch v := e.(type) {
	case *ast.BasicLit:
		if v.Kind != token.STRING {
			return "", false
		}
		s, err := strconv.Unquote(v.Value)
		return s, err == nil
	case *ast.BinaryExpr:
		if v.Op != token.ADD {
			return "", false
		}
		a, ok1 := literal(v.X)
		b, ok2 := literal(v.Y)
		return a + b, ok1 && ok2
	case *ast.ParenExpr:
		return literal(v.X)
	}
	return "", false
}

// Every message the code localises is in the catalogue, in Chinese.
func TestEveryMessageInCodeIsInTheCatalogue(t *testing.T) {
	used := uses(t)
	if len(used) < 20 {
		t.Fatalf("found only %d localised messages in the code: is the scan broken?", len(used))
	}
	var missing []string
	for en, where := range used {
		if _, ok := chinese[en]; !ok && !allowedUntranslated(en) {
			missing = append(missing, where+": "+strconv.Quote(en))
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("not in the catalogue: %s", m)
	}
}

// The catalogue holds no message the code no longer uses.
func TestCatalogueHasNoStaleEntries(t *testing.T) {
	used := uses(t)
	var stale []string
	for en := range chinese {
		if _, ok := used[en]; !ok {
			stale = append(stale, strconv.Quote(en))
		}
	}
	slices.Sort(stale)
	for _, s := range stale {
		t.Errorf("in the catalogue but used nowhere: %s", s)
	}
}

// No key is in two parts of the catalogue.
func TestCataloguePartsDoNotOverlap(t *testing.T) {
	for _, en := range duplicateKeys {
		t.Errorf("in two parts of the catalogue: %q", en)
	}
}

// englishScanSkips are the folders whose texts are not crmctl's words to people: the
// sandbox speaks as the API does, the test-support packages and the documentation
// generator speak to developers.
var englishScanSkips = []string{
	"internal/i18n", "internal/sandbox", "internal/gendocs", "internal/docgen",
	"internal/faulttest", "internal/redistest", "internal/scripttest", "internal/apitest",
	"internal/importer/ledgertest", "internal/pace/pacetest", "internal/prompter/ptytest",
	"bench",
}

// englishCalls finds the texts written to people without the catalogue: the literal
// formats of fmt.Errorf, errors.New, fmt.Sprintf and fmt's printing functions that have words in
// them. A call whose line (or the line above) carries the comment "i18n:keep" is left
// out: say there why the text stays as it is (a CSV header, a debug trace).
func englishCalls(t *testing.T) map[string][]string {
	t.Helper()
	root := filepath.Join("..", "..")
	found := map[string][]string{}
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || slices.Contains(englishScanSkips, rel)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
		if err != nil {
			return err
		}
		kept := map[int]bool{}
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if strings.Contains(c.Text, "i18n:keep") {
					line := fset.Position(c.Pos()).Line
					kept[line], kept[line+1] = true, true
				}
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := sel.X.(*ast.Ident)
			if !ok {
				return true
			}
			idx := -1
			switch pkg.Name + "." + sel.Sel.Name {
			case "fmt.Errorf", "errors.New", "fmt.Sprintf", "fmt.Printf", "fmt.Println", "fmt.Print":
				idx = 0
			case "fmt.Fprintf", "fmt.Fprintln", "fmt.Fprint":
				idx = 1
			}
			if idx < 0 || idx >= len(call.Args) {
				return true
			}
			s, ok := literal(call.Args[idx])
			if !ok || allowedUntranslated(s) {
				return true
			}
			pos := fset.Position(call.Pos())
			if kept[pos.Line] {
				return true
			}
			dir := filepath.ToSlash(filepath.Dir(rel))
			found[dir] = append(found[dir], fmt.Sprintf("%s:%d: %q", rel, pos.Line, s))
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// Every text crmctl writes to people goes through the catalogue: an English error or
// line written with fmt would stay English in Chinese.
func TestNoTextBypassesTheCatalogue(t *testing.T) {
	found := englishCalls(t)
	dirs := make([]string, 0, len(found))
	for dir := range found {
		dirs = append(dirs, dir)
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		if englishPending[dir] {
			t.Logf("%s: %d texts not yet in the catalogue", dir, len(found[dir]))
			continue
		}
		for _, m := range found[dir] {
			t.Errorf("not through the catalogue: %s", m)
		}
	}
}
