package sandbox

import (
	"bytes"
	"encoding/json"

	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func benchForm(i int) string {
	return formOf(
		"common_id", "45",
		"customer[name]", "基准客户"+strconv.Itoa(i),
		"customer[status]", "7", "customer[category]", "15131", "customer[source]", "202",
		"customer[address_attributes][tel]", "010-64881989",
		"customer[address_attributes][detail_address]", "北京市朝阳区朝阳门外大街18号",
		"customer[contacts_attributes][0][name]", "张三",
		"customer[text_asset_9320d8d7]", "自定义",
	)
}

func benchCreate(b *testing.B, h http.Handler, tok string, i int) {
	req := httptest.NewRequest("POST", "/api/v2/common_customers", strings.NewReader(benchForm(i)))
	req.Header.Set("Authorization", tokenHeader(tok))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if !bytes.HasPrefix(rec.Body.Bytes(), []byte(`{"code":0,`)) {
		b.Fatalf("create %d: %s", i, rec.Body.Bytes())
	}
}

// BenchmarkCreate measures POST /api/v2/common_customers through the handler, rate limit
// off, on a file store (WAL) and on an in-memory one.
func BenchmarkCreate(b *testing.B) {
	for _, mode := range []string{"file", "memory"} {
		b.Run(mode, func(b *testing.B) {
			opts := Options{Memory: mode == "memory"}
			if !opts.Memory {
				opts.DataDir = b.TempDir()
			}
			s, err := Open(opts)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			tok := defaultToken(b, s)
			h := s.Handler()
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				benchCreate(b, h, tok, i)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkCreateParallel is BenchmarkCreate from GOMAXPROCS goroutines on a file store.
func BenchmarkCreateParallel(b *testing.B) {
	s := openDir(b, b.TempDir())
	tok := defaultToken(b, s)
	h := s.Handler()
	var n atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			benchCreate(b, h, tok, int(n.Add(1)))
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkCustomers100k creates 100,000 customers (each with an address, a contact and a
// custom field) and reports the memory held afterwards and at peak: the Go heap, and the
// process's resident set (SQLite's page cache lives outside the Go heap). Run it alone,
// once: go test -run '^$' -bench Customers100k -benchtime 1x ./internal/sandbox/
func BenchmarkCustomers100k(b *testing.B) {
	const total = 100_000
	for _, mode := range []string{"file", "memory"} {
		b.Run(mode, func(b *testing.B) {
			for it := 0; it < b.N; it++ {
				opts := Options{Memory: mode == "memory"}
				if !opts.Memory {
					opts.DataDir = b.TempDir()
				}
				s, err := Open(opts)
				if err != nil {
					b.Fatal(err)
				}
				tok := defaultToken(b, s)
				h := s.Handler()
				start := time.Now()
				var peakHeap uint64
				var ms runtime.MemStats
				for i := 0; i < total; i++ {
					benchCreate(b, h, tok, i)
					if i%10_000 == 0 {
						runtime.ReadMemStats(&ms)
						peakHeap = max(peakHeap, ms.HeapInuse)
					}
				}
				elapsed := time.Since(start)
				// The store still answers quickly at this size.
				q := time.Now()
				r := do(b, h, "GET", "/api/v2/duplicates/matching_name?name="+strings.TrimPrefix(formOf("", "基准客户99999"), "="),
					nil, map[string]string{"Authorization": tokenHeader(tok)})
				var m struct {
					Data struct {
						Customers []json.RawMessage `json:"customers"`
					} `json:"data"`
				}
				if err := json.Unmarshal(r.body, &m); err != nil || len(m.Data.Customers) != 1 {
					b.Fatalf("matching_name after %d: %s", total, r.body)
				}
				lookup := time.Since(q)
				runtime.GC()
				runtime.ReadMemStats(&ms)
				peakHeap = max(peakHeap, ms.HeapInuse)
				rss, hwm := procMemory()
				b.ReportMetric(float64(total)/elapsed.Seconds(), "creates/s")
				b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-after-MiB")
				b.ReportMetric(float64(peakHeap)/(1<<20), "heap-peak-MiB")
				b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
				b.ReportMetric(float64(hwm)/(1<<20), "rss-peak-MiB")
				b.ReportMetric(float64(lookup.Microseconds()), "lookup-µs")
				if !opts.Memory {
					if st, err := os.Stat(s.Path()); err == nil {
						b.ReportMetric(float64(st.Size())/(1<<20), "db-MiB")
					}
				}
				s.Close()
			}
		})
	}
}

// procMemory reads VmRSS and VmHWM (peak resident set) from /proc/self/status; 0 where
// unavailable.
func procMemory() (rss, hwm uint64) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		n, _ := strconv.ParseUint(f[1], 10, 64)
		switch f[0] {
		case "VmRSS:":
			rss = n << 10
		case "VmHWM:":
			hwm = n << 10
		}
	}
	return rss, hwm
}
