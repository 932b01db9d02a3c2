// Command gendocs writes crmctl's generated files: the shell completion scripts (as
// `crmctl completion SHELL` prints them), the Markdown command reference and the man
// pages. Never edit its output by hand; rerun it.
//
//	go run ./internal/gendocs -completions completions -markdown docs/reference -man build/man
//
// Man pages are dated by -date (RFC 3339; release builds give the commit's date), or
// SOURCE_DATE_EPOCH, or today: the same date gives the same pages.
package main

//go:generate go run . -completions ../../completions -markdown ../../docs/reference

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/crmctl/crmctl/cmd"
	"github.com/crmctl/crmctl/internal/docgen"
	"github.com/crmctl/crmctl/internal/iostreams"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("gendocs", flag.ContinueOnError)
	completions := fs.String("completions", "", "write the completion scripts into this folder")
	markdown := fs.String("markdown", "", "write the Markdown command reference into this folder")
	man := fs.String("man", "", "write the man pages (gzip) into this folder")
	dateFlag := fs.String("date", "", "date of the man pages, RFC 3339 (default: SOURCE_DATE_EPOCH, or today)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *completions == "" && *markdown == "" && *man == "" {
		return errors.New("nothing to do: give -completions, -markdown and/or -man")
	}
	if *completions != "" {
		files, err := docgen.Completions(Crmctl)
		if err != nil {
			return err
		}
		if err := docgen.Write(*completions, files); err != nil {
			return err
		}
	}
	if *markdown != "" {
		files, err := docgen.Markdown(Root())
		if err != nil {
			return err
		}
		if err := docgen.Write(*markdown, files); err != nil {
			return err
		}
	}
	if *man != "" {
		date, err := manDate(*dateFlag)
		if err != nil {
			return err
		}
		files, err := docgen.ManPages(Root(), date)
		if err != nil {
			return err
		}
		if err := docgen.Write(*man, files); err != nil {
			return err
		}
	}
	return nil
}

func manDate(flagValue string) (time.Time, error) {
	if flagValue != "" {
		t, err := time.Parse(time.RFC3339, flagValue)
		if err != nil {
			return time.Time{}, fmt.Errorf("-date: %w", err)
		}
		return t.UTC(), nil
	}
	v := os.Getenv("SOURCE_DATE_EPOCH")
	if v == "" {
		return time.Now().UTC(), nil
	}
	sec, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: %w", v, err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

// noEnv is an empty environment: generated files must not depend on who generates them.
func noEnv(string) (string, bool) { return "", false }

// Root is crmctl's command tree, built as the binary builds it.
func Root() *cobra.Command {
	ios, _, _, _ := iostreams.Test()
	f, _ := cmd.NewFactory(context.Background(), ios, noEnv)
	return cmd.NewRootCmd(f)
}

// Crmctl runs crmctl in process and returns its standard output.
func Crmctl(args ...string) ([]byte, error) {
	ios, _, out, errOut := iostreams.Test()
	if code := cmd.Run(context.Background(), ios, args, noEnv); code != 0 {
		return nil, fmt.Errorf("exit %d: %s", code, errOut.String())
	}
	return out.Bytes(), nil
}
