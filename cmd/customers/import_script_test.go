package customers_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/crmctl/crmctl/cmd"
	"github.com/crmctl/crmctl/internal/scripttest"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"crmctl": func() { os.Exit(cmd.Main()) },
	})
}

// TestImportScripts runs testdata/import/*.txtar: the real crmctl binary importing into
// a `crmctl sandbox serve` started by the script, with a fast rate limit.
func TestImportScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/import",
		RequireExplicitExec: true,
		Setup:               scripttest.Setup,
		Cmds:                importCmds(),
	})
}

// importCmds are the shared script commands plus rows, writeq and losing (see
// team_script_test.go).
func importCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	cmds := scripttest.Cmds(cmd.Run)
	// rows N FILE [NAME]: write a CSV of N distinct prospects, named NAME1… (default 批量客户).
	cmds["rows"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 && len(args) != 3 {
			ts.Fatalf("usage: rows N FILE [NAME]")
		}
		name := "批量客户"
		if len(args) == 3 {
			name = args[2]
		}
		n, err := strconv.Atoi(args[0])
		if err != nil {
			ts.Fatalf("rows: %v", err)
		}
		var b strings.Builder
		b.WriteString("客户名称,手机,跟进状态,联系人\n")
		for i := 1; i <= n; i++ {
			b.WriteString(name + strconv.Itoa(i) + ",1390000" + strconv.Itoa(1000+i) + ",初访,联系人" + strconv.Itoa(i) + "\n")
		}
		if err := os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o600); err != nil {
			ts.Fatalf("%v", err)
		}
	}
	// writeq FILE TEXT: write TEXT, a Go quoted string without its quotes (\x00, \x1b,
	// \xb1…), to FILE: bytes a txtar file cannot hold.
	cmds["writeq"] = func(ts *testscript.TestScript, neg bool, args []string) {
		if len(args) != 2 {
			ts.Fatalf("usage: writeq FILE TEXT")
		}
		text, err := strconv.Unquote(`"` + args[1] + `"`)
		if err != nil {
			ts.Fatalf("writeq: %v", err)
		}
		if err := os.WriteFile(ts.MkAbs(args[0]), []byte(text), 0o600); err != nil {
			ts.Fatalf("%v", err)
		}
	}
	cmds["losing"] = losing
	return cmds
}
