package customers

import (
	"testing"

	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/iostreams"
)

func TestImportFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	var got *ImportOptions
	cmd := NewCmdImport(f, func(o *ImportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"leads.csv", "--pool", "公司公海", "--map", "公司=name", "--map", "备用=-", "--skip-invalid",
		"--rate", "50/1s", "--encoding", "gbk", "--delimiter", ";", "--results", "out.jsonl", "--dry-run"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got.File != "leads.csv" || got.Pool != "公司公海" || len(got.Maps) != 2 || !got.SkipInvalid || got.Rate != "50/1s" ||
		got.Encoding != "gbk" || got.Delimiter != ";" || got.Results != "out.jsonl" || !got.DryRun || got.ProgressEvery != 50 {
		t.Fatalf("options: %+v", got)
	}
	// The resume command repeats the file and flags, without --dry-run.
	want := `import leads.csv --delimiter=\; --encoding=gbk --map=公司=name --map=备用=- --pool=公司公海 --rate=50/1s --results=out.jsonl --skip-invalid`
	if got.ResumeCommand != want {
		t.Errorf("resume command:\n got %s\nwant %s", got.ResumeCommand, want)
	}
}

func TestImportArgs(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cmdutil.Factory{IOStreams: ios}
	for _, args := range [][]string{{}, {"a.csv", "b.csv"}, {"a.csv", "--template", "t.xlsx"}, {"a.csv", "--progress-every", "0"}} {
		cmd := NewCmdImport(f, func(*ImportOptions) error { return nil })
		cmd.SetArgs(args)
		cmd.SilenceErrors, cmd.SilenceUsage = true, true
		err := cmd.Execute()
		if _, ok := err.(*cmdutil.UsageError); !ok {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
	cmd := NewCmdImport(f, func(o *ImportOptions) error {
		if o.Template != "t.xlsx" || o.File != "" {
			t.Errorf("template: %+v", o)
		}
		return nil
	})
	cmd.SetArgs([]string{"--template", "t.xlsx"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
}
