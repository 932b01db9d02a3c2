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

// BenchmarkCreateIfExistsSkip measures the requests of `customers create --if-exists
// skip` with a warm cache: of a customer that exists (target: 1, the check, and no POST)
// and of a new one (target: 2, the check and the create).
func BenchmarkCreateIfExistsSkip(b *testing.B) {
	for _, bc := range []struct {
		name     string
		matching string
		posts    int
	}{
		{"existing", `{"code":0,"data":{"customers":[{"id":18,"name":"贸易公司","common_id":45,"created_at":"2015-07-03 17:31"}]}}`, 0},
		{"new", `{"code":0,"data":{"customers":[]}}`, 1},
	} {
		b.Run(bc.name, func(b *testing.B) {
			api := newFakeAPI(b)
			api.route("GET /api/v2/duplicates/matching_name", canned(bc.matching))
			e := newEnv(b, api)
			if r := e.run("", "pools", "list"); r.code != 0 {
				b.Fatal(r)
			}
			if r := e.run("", "fields", "list"); r.code != 0 { // the form, which a create checks
				b.Fatal(r)
			}
			api.Reset()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				r := e.run("", "customers", "create", "--pool", "公司公海", "--name", "贸易公司", "--if-exists", "skip")
				if r.code != 0 {
					b.Fatal(r)
				}
			}
			b.StopTimer()
			if got := len(posts(api)); got != bc.posts*b.N {
				b.Fatalf("%d POSTs for %d runs", got, b.N)
			}
			b.ReportMetric(float64(len(api.Calls()))/float64(b.N), "requests/create")
			b.ReportMetric(float64(len(posts(api)))/float64(b.N), "posts/create")
		})
	}
}

// BenchmarkCreateCustomFieldsWarmCache measures the requests a `customers create` with
// custom fields by label, a select, a department by name and a business template sends
// once the pools, field maps, the template's form and the departments are cached
// (target: exactly 1, the create itself).
func BenchmarkCreateCustomFieldsWarmCache(b *testing.B) {
	api := newFakeAPI(b)
	e := newEnv(b, api)
	args := func(name string) []string {
		return []string{"customers", "create", "--pool", "公司公海", "--name", name, "--status", "初访", "--template-id", "7",
			"--field", "进口方式=平行进口", "--field", "客户级别=VIP", "--field", "经营品类=家电,数码", "--field", "签约日期=2024-03-01",
			"--department", "销售部"}
	}
	if r := e.run("", args("warm-up")...); r.code != 0 {
		b.Fatal(r)
	}
	api.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if r := e.run("", args(fmt.Sprintf("客户%d", i))...); r.code != 0 {
			b.Fatal(r)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(len(api.Calls()))/float64(b.N), "requests/customer")
}
