// Package startup measures crmctl's start-up against a minimal cobra program built
// with the same toolchain: `go test -bench . ./bench/startup/`. The ratio metric is
// crmctl's time per run divided by the baseline's (target: within 1.5).
package startup

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

func build(b *testing.B, dir, pkg, name string) string {
	b.Helper()
	out := filepath.Join(dir, name)
	if runtime.GOOS == "windows" {
		out += ".exe"
	}
	cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
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
		b.Run(args[0], func(b *testing.B) {
			var ours, theirs time.Duration
			for i := 0; i < b.N; i++ {
				ours += run(b, crmctl, home, args...)
				theirs += run(b, base, home, args...)
			}
			b.ReportMetric(float64(ours.Microseconds())/float64(b.N), "crmctl-µs/run")
			b.ReportMetric(float64(theirs.Microseconds())/float64(b.N), "cobra-µs/run")
			b.ReportMetric(float64(ours)/float64(theirs), "ratio")
		})
	}
}
