package cmd

import (
	"fmt"
	"testing"
)

// BenchmarkCreateWarmCache measures the requests a `customers create` sends once the
// pools and field maps are cached (target: exactly 1, the create itself).
func BenchmarkCreateWarmCache(b *testing.B) {
	api := newFakeAPI(b)
	e := newEnv(b, api)
	if r := e.run("", "customers", "create", "--pool", "公司公海", "--name", "warm-up", "--status", "初访"); r.code != 0 {
		b.Fatal(r)
	}
	api.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := e.run("", "customers", "create", "--pool", "公司公海", "--name", fmt.Sprintf("客户%d", i), "--status", "初访", "--category", "B(普通客户)")
		if r.code != 0 {
			b.Fatal(r)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(api.Calls()))/float64(b.N), "requests/customer")
}
