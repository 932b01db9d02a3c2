package importer

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/pace"
	"github.com/crmctl/crmctl/internal/sandbox"
)

// BenchmarkPacing imports b.N rows against a sandbox limited to 50 requests per second,
// with one importer and with two sharing the profile's pacing state, and reports:
//   - ratio: steady-state rows created per second (after the first window) ÷ the limit
//     (the best the 3% margin allows is 0.971),
//   - throttled: "Retry later" answers (must be 0),
//   - req/row: requests per created row (look-ups excluded; must be 1).
//
// Run: go test ./internal/importer -run '^$' -bench Pacing -benchtime 600x
func BenchmarkPacing(b *testing.B) {
	for _, importers := range []int{1, 2} {
		b.Run(fmt.Sprintf("importers=%d", importers), func(b *testing.B) { benchPacing(b, importers) })
	}
}

func benchPacing(b *testing.B, importers int) {
	rate := pace.Rate{N: 50, Window: time.Second}
	srv, err := sandbox.Open(sandbox.Options{Memory: true, RateLimit: rate.N, RateWindow: rate.Window})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	var (
		mu       sync.Mutex
		arrivals []time.Time
		creates  int
	)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/api/v2/common_customers" {
			mu.Lock()
			arrivals = append(arrivals, time.Now())
			creates++
			mu.Unlock()
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer ts.Close()
	tok, err := srv.DefaultToken(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	base, err := api.New(api.Options{BaseURL: ts.URL, Token: tok})
	if err != nil {
		b.Fatal(err)
	}
	pools, err := base.Pools(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	maps, err := base.FieldMaps(context.Background(), "customer")
	if err != nil {
		b.Fatal(err)
	}
	lookups := Lookups{ // cached, as the command's look-ups are
		Pools:     func(context.Context) ([]api.Pool, error) { return pools.Pools, nil },
		FieldMaps: func(context.Context) (*api.FieldMapList, error) { return maps, nil },
	}
	time.Sleep(rate.Window + 100*time.Millisecond) // the look-ups leave the server's window

	dir := b.TempDir()
	state := filepath.Join(dir, "pace.json")
	per := max(b.N/importers, 1)
	sums := make([]*Summary, importers)
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := 0; i < importers; i++ {
		var sb strings.Builder
		sb.WriteString("客户名称,手机,跟进状态\n")
		for r := 0; r < per; r++ {
			fmt.Fprintf(&sb, "基准%d-%d,139%08d,初访\n", i, r, r)
		}
		path := filepath.Join(dir, fmt.Sprintf("rows%d.csv", i))
		if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
			b.Fatal(err)
		}
		lim, err := pace.NewLimiter(state, rate, pace.DefaultMargin, nil)
		if err != nil {
			b.Fatal(err)
		}
		pacer := &pace.Pacer{Limiter: lim}
		c, err := pacer.Client(base)
		if err != nil {
			b.Fatal(err)
		}
		cfg := Config{Path: path, Pool: "45", Lookups: lookups, DataDir: filepath.Join(dir, fmt.Sprint(i)),
			Meta: JournalMeta{Profile: "bench", BaseURL: ts.URL}, Client: c, Pacer: pacer}
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Run(context.Background(), cfg)
			if err != nil {
				b.Error(err)
			}
			sums[i] = s
		}()
	}
	wg.Wait()
	b.StopTimer()
	var created, throttled, requests int64
	for _, s := range sums {
		if s != nil {
			created += int64(s.Created)
			throttled += s.Throttled
			requests += s.Requests
		}
	}
	b.ReportMetric(float64(throttled), "throttled")
	if created > 0 {
		b.ReportMetric(float64(requests)/float64(created), "req/row")
	}
	sort.Slice(arrivals, func(i, j int) bool { return arrivals[i].Before(arrivals[j]) })
	// The tightest N+1 consecutive arrivals at the server (more than the window: never
	// throttled).
	if len(arrivals) > rate.N {
		tightest := time.Duration(1 << 62)
		for k := rate.N; k < len(arrivals); k++ {
			tightest = min(tightest, arrivals[k].Sub(arrivals[k-rate.N]))
		}
		b.ReportMetric(float64(tightest)/float64(time.Millisecond), "tightest-ms")
	}
	// Whole windows only: from send N to the last multiple of N (the limiter spaces
	// send k and send k+N at least a window and its margin apart).
	if m := (len(arrivals) - 1) / rate.N * rate.N; m > rate.N {
		steady := float64(m-rate.N) / arrivals[m].Sub(arrivals[rate.N]).Seconds()
		b.ReportMetric(steady/(float64(rate.N)/rate.Window.Seconds()), "ratio")
	}
}

// BenchmarkValidate measures pass 1 (reading, mapping, validating and the duplicate
// check) of a CSV, per row.
func BenchmarkValidate(b *testing.B) {
	dir := b.TempDir()
	path := filepath.Join(dir, "rows.csv")
	var sb strings.Builder
	sb.WriteString("客户名称,手机,跟进状态,联系人,邮箱\n")
	for r := 0; r < b.N; r++ {
		fmt.Fprintf(&sb, "基准客户%d,139%08d,初访,联系人%d,u%d@example.com\n", r, r, r, r)
	}
	if err := os.WriteFile(path, []byte(sb.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	s, err := Run(context.Background(), Config{Path: path, Pool: "45", Lookups: staticLookups(), DataDir: dir, DryRun: true})
	if err != nil {
		b.Fatal(err)
	}
	if s.Rows != b.N {
		b.Fatalf("rows %d, want %d", s.Rows, b.N)
	}
}
