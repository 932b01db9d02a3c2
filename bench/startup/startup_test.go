// Package startup measures crmctl's start-up against a minimal cobra program built
// with the same toolchain: `go test -bench . ./bench/startup/`. The ratio metric is
// crmctl's time per run divided by the baseline's (target: within 1.5).
//
// BenchmarkStartupBreakdown prices the libraries: the same baseline against ./stack,
// the floor that any crmctl built on the chosen stack pays, and against the floor plus
// gojq, SQLite and excelize added one at a time.
package startup

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func build(b *testing.B, dir, pkg, name string, tags ...string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	args := []string{"build", "-trimpath", "-o", out}
	if len(tags) > 0 {
		args = append(args, "-tags", strings.Join(tags, ","))
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("go build %s: %v\n%s", pkg, err, msg)
	}
	return out
}

func run(b *testing.B, bin string, home string, args ...string) time.Duration {
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH")}
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
	}
	return time.Since(start)
}

// BenchmarkStartup runs each pair side by side, alternating, so that both see the
// same machine load.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	crmctl := build(b, dir, "github.com/crmctl/crmctl", "crmctl")
	base := build(b, dir, "github.com/crmctl/crmctl/bench/startup/mincobra", "mincobra")
	home := b.TempDir()
	for _, args := range [][]string{{"version"}, {"--help"}} {
		b.Run(args[0], func(b *testing.B) { side(b, crmctl, base, home, args...) })
	}
}

// BenchmarkStartupBreakdown runs `version` of each program against the baseline.
func BenchmarkStartupBreakdown(b *testing.B) {
	dir := b.TempDir()
	base := build(b, dir, "github.com/crmctl/crmctl/bench/startup/mincobra", "mincobra")
	home := b.TempDir()
	const stack = "github.com/crmctl/crmctl/bench/startup/stack"
	programs := []struct {
		name string
		bin  string
	}{
		{"floor", build(b, dir, stack, "floor")},
		{"floor+gojq", build(b, dir, stack, "floor-gojq", "with_gojq")},
		{"floor+gojq+sqlite", build(b, dir, stack, "floor-gojq-sqlite", "with_gojq", "with_sqlite")},
		{"floor+gojq+sqlite+excelize", build(b, dir, stack, "floor-all", "with_gojq", "with_sqlite", "with_excelize")},
		{"crmctl", build(b, dir, "github.com/crmctl/crmctl", "crmctl")},
	}
	for _, p := range programs {
		b.Run(p.name, func(b *testing.B) { side(b, p.bin, base, home, "version") })
	}
}

// side runs bin and the baseline alternately, so that both see the same machine load,
// and reports both times per run and their ratio.
func side(b *testing.B, bin, base, home string, args ...string) {
	var ours, theirs time.Duration
	for i := 0; i < b.N; i++ {
		ours += run(b, bin, home, args...)
		theirs += run(b, base, home, args...)
	}
	b.ReportMetric(float64(ours.Microseconds())/float64(b.N), "prog-µs/run")
	b.ReportMetric(float64(theirs.Microseconds())/float64(b.N), "cobra-µs/run")
	b.ReportMetric(float64(ours)/float64(theirs), "ratio")
}
