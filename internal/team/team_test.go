package team

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/config"
	"github.com/crmctl/crmctl/internal/redistest"
)

func TestOptions(t *testing.T) {
	o, err := Options("redis://:s3cret@10.0.0.5:6380/3", "CRMCTL_REDIS_URL")
	if err != nil || o.Addr != "10.0.0.5:6380" || o.Password != "s3cret" || o.DB != 3 || o.TLSConfig != nil {
		t.Fatalf("redis://: %+v %v", o, err)
	}
	if o.MaxRetries != 1 || o.DialerRetries != 2 {
		t.Errorf("a server that is down is retried %d time(s), each with %d dial(s); want 1 retry of 2 dials", o.MaxRetries, o.DialerRetries)
	}
	o, err = Options("rediss://ops:s3cret@redis.example.com/1", "CRMCTL_REDIS_URL")
	if err != nil || o.Username != "ops" || o.DB != 1 || o.TLSConfig == nil || o.TLSConfig.ServerName != "redis.example.com" ||
		o.TLSConfig.MinVersion < tls.VersionTLS12 || o.Addr != "redis.example.com:6379" {
		t.Fatalf("rediss://: %+v %v", o, err)
	}
	for _, bad := range []string{"http://:s3cret@host/0", "unix:///tmp/s3cret.sock", "redis://:s3cret@host/notadb", "s3cret"} {
		_, err := Options(bad, "profile work (redis_url)")
		var inv *config.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("%q: %v, want an invalid setting", bad, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") || !strings.HasPrefix(err.Error(), "profile work (redis_url): ") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if got := Redact("redis://:s3cret@host:6379/2"); got != "redis://:xxxxx@host:6379/2" {
		t.Errorf("Redact = %q", got)
	}
}

// A server that is down, or refuses the password, is an UnavailableError that names the
// server without the password.
func TestOpenFailures(t *testing.T) {
	srv := redistest.StartWithPassword(t, t.TempDir(), "s3cret")
	st, err := Open(context.Background(), srv.URL(0), "CRMCTL_REDIS_URL", testScope)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()

	wrong := strings.Replace(srv.URL(0), "s3cret", "wrong", 1)
	_, err = Open(context.Background(), wrong, "CRMCTL_REDIS_URL", testScope)
	var un *UnavailableError
	if !errors.As(err, &un) || strings.Contains(err.Error(), "wrong@") {
		t.Fatalf("a wrong password: %v", err)
	}

	srv.Stop()
	_, err = Open(context.Background(), srv.URL(0), "CRMCTL_REDIS_URL", testScope)
	if !errors.As(err, &un) || strings.Contains(err.Error(), "s3cret") || !strings.Contains(err.Error(), srv.Addr) {
		t.Fatalf("a stopped server: %v", err)
	}
}
