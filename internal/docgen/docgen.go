// Package docgen renders crmctl's generated files: the shell completion scripts, the
// Markdown command reference and the man pages. It works in memory, so that a test can
// compare what it would write with what is committed, byte for byte.
package docgen

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// Files maps a file name (no folders) to its content.
type Files map[string][]byte

// Shell is one shell's completion script and the name of its file under completions/.
type Shell struct {
	Name, File string
}

// Shells are the shells `crmctl completion` supports, in the order of its help.
var Shells = []Shell{
	{"bash", "crmctl.bash"},
	{"zsh", "crmctl.zsh"},
	{"fish", "crmctl.fish"},
	{"powershell", "crmctl.ps1"},
}

// Regenerate is how to rewrite the committed generated files.
const Regenerate = "go generate ./internal/gendocs (or: go run ./internal/gendocs -completions completions -markdown docs/reference)"

// Completions runs `crmctl completion SHELL` for each shell through run, which returns
// what the command printed on standard output.
func Completions(run func(args ...string) ([]byte, error)) (Files, error) {
	out := Files{}
	for _, sh := range Shells {
		b, err := run("completion", sh.Name)
		if err != nil {
			return nil, fmt.Errorf("crmctl completion %s: %w", sh.Name, err)
		}
		out[sh.File] = b
	}
	return out, nil
}

// commands lists root and its descendants that documentation shows (not hidden, not
// help), in a stable order.
func commands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		out = append(out, c)
		for _, sub := range c.Commands() {
			if !sub.IsAvailableCommand() || sub.IsAdditionalHelpTopicCommand() {
				continue
			}
			walk(sub)
		}
	}
	walk(root)
	return out
}

// Markdown renders one page per command, named like cobra's GenMarkdownTree names them
// (crmctl_customers_create.md), with no auto-generated date line.
func Markdown(root *cobra.Command) (Files, error) {
	root.DisableAutoGenTag = true
	out := Files{}
	for _, c := range commands(root) {
		var buf bytes.Buffer
		if err := doc.GenMarkdownCustom(c, &buf, func(s string) string { return s }); err != nil {
			return nil, fmt.Errorf("markdown for %q: %w", c.CommandPath(), err)
		}
		out[strings.ReplaceAll(c.CommandPath(), " ", "_")+".md"] = buf.Bytes()
	}
	return out, nil
}

// ManPages renders one gzip-compressed man page per command (crmctl-customers-create.1.gz),
// dated date (month and year), with no auto-generated line. The output depends only on
// the command tree and date.
func ManPages(root *cobra.Command, date time.Time) (Files, error) {
	root.DisableAutoGenTag = true
	out := Files{}
	for _, c := range commands(root) {
		header := &doc.GenManHeader{
			Section: "1",
			Date:    &date,
			Source:  "crmctl",
			Manual:  "crmctl manual",
		}
		var page bytes.Buffer
		if err := doc.GenMan(c, header, &page); err != nil {
			return nil, fmt.Errorf("man page for %q: %w", c.CommandPath(), err)
		}
		var gz bytes.Buffer
		zw, err := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		if err != nil {
			return nil, err
		}
		if _, err := zw.Write(page.Bytes()); err != nil {
			return nil, err
		}
		if err := zw.Close(); err != nil {
			return nil, err
		}
		out[strings.ReplaceAll(c.CommandPath(), " ", "-")+".1.gz"] = gz.Bytes()
	}
	return out, nil
}

// Write writes files into dir (created if missing) and removes the files of dir whose
// name ends with one of the suffixes of the generated files but that were not generated:
// a command that went away takes its page with it.
func Write(dir string, files Files) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range Stale(dir, files) {
		if _, ok := files[name]; ok {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			return err
		}
	}
	for _, name := range names(files) {
		if err := os.WriteFile(filepath.Join(dir, name), files[name], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Stale lists the names under dir that differ from files: missing, different, or
// present in dir with a generated suffix but not generated. An empty list means dir is up
// to date.
func Stale(dir string, files Files) []string {
	var stale []string
	suffixes := map[string]bool{}
	for _, name := range names(files) {
		suffixes[suffix(name)] = true
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(b, files[name]) {
			stale = append(stale, name)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if e.IsDir() || !suffixes[suffix(e.Name())] {
			continue
		}
		if _, ok := files[e.Name()]; !ok {
			stale = append(stale, e.Name())
		}
	}
	sort.Strings(stale)
	return stale
}

func suffix(name string) string {
	if strings.HasSuffix(name, ".1.gz") {
		return ".1.gz"
	}
	return filepath.Ext(name)
}

func names(files Files) []string {
	out := make([]string, 0, len(files))
	for n := range files {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
