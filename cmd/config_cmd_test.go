package cmd

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestConfigSetGetListUse(t *testing.T) {
	e := newEnv(t, nil)
	file := filepath.Join(e.home, ".config", "crmctl", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte("profiles:\n  default:\n    token: "+testToken+"\n  work: {}\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	if r := e.run("", "config", "set", "rate", "5/10s"); r.code != 0 || r.stdout != "" {
		t.Fatalf("set rate: %s", r)
	}
	if r := e.run("", "config", "get", "rate"); r.code != 0 || r.stdout != "5/10s\n" {
		t.Errorf("get rate: %s", r)
	}
	if r := e.run("", "config", "set", "output", "JSON", "--profile", "work"); r.code != 0 {
		t.Fatalf("set output --profile work: %s", r)
	}
	// the profile's output format now applies to its commands
	if r := e.run("", "config", "get", "output", "--profile", "work"); r.code != 0 || r.stdout != "json\n" {
		t.Errorf("get output --profile work: %s", r)
	}
	if r := e.run("", "config", "get", "output"); r.code != 0 || r.stdout != "table\n" {
		t.Errorf("get output (default profile): %s", r)
	}

	// The team's Redis: settable, its password never shown.
	if r := e.run("", "config", "set", "redis_url", "rediss://:s3cret@redis.example.com:6380/2"); r.code != 0 {
		t.Fatalf("set redis_url: %s", r)
	}
	if r := e.run("", "config", "get", "redis_url"); r.code != 0 || r.stdout != "rediss://:xxxxx@redis.example.com:6380/2\n" {
		t.Errorf("get redis_url: %s", r)
	}
	if data, _ := os.ReadFile(file); !strings.Contains(string(data), "redis_url: rediss://:s3cret@redis.example.com:6380/2") {
		t.Errorf("the config file: %s", data)
	}

	r := e.run("", "config", "list")
	if r.code != 0 || !strings.Contains(r.stdout, "rate\t5/10s\tprofile\n") || !strings.Contains(r.stdout, "token\t(set)\tprofile\n") ||
		!strings.Contains(r.stdout, "cache_ttl\t10m0s\tdefault\n") {
		t.Errorf("list: %s", r)
	}
	r = e.run("", "config", "list", "--profile", "work")
	var obj map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &obj); r.code != 0 || err != nil || obj["output"] != "json" || obj["token_set"] != false || obj["profile"] != "work" {
		t.Errorf("list --profile work (its output is json): %s", r)
	}

	// validated before anything is written
	for _, args := range [][]string{
		{"config", "set", "rate", "fast"},
		{"config", "set", "output", "xml"},
		{"config", "set", "cache_ttl", "soon"},
		{"config", "set", "base_url", "http://crm.example.com"},
		{"config", "set", "colour", "yes"},
		{"config", "set", "redis_url", "http://:pw@10.0.0.5:6379/0"},
	} {
		if r := e.run("", args...); r.code != ExitUsage {
			t.Errorf("%v: %s", args, r)
		}
	}
	// the token is never shown, and never set here
	for _, args := range [][]string{{"config", "get", "token"}, {"config", "set", "token", "not-a-token"}} {
		if r := e.run("", args...); r.code != ExitUsage || !strings.Contains(r.stderr, "hint: ") {
			t.Errorf("%v: %s", args, r)
		}
	}
	data, _ := os.ReadFile(file)
	if strings.Contains(string(data), "not-a-token") || !strings.Contains(string(data), testToken) || strings.Contains(string(data), "fast") {
		t.Errorf("config file:\n%s", data)
	}
	for _, r := range []result{e.run("", "config", "list"), e.runTTY(true, "", "config", "list")} {
		if strings.Contains(r.stdout+r.stderr, testToken) {
			t.Errorf("the token is shown: %s", r)
		}
	}

	// an empty value removes the setting
	if r := e.run("", "config", "set", "rate", ""); r.code != 0 {
		t.Fatal(r)
	}
	if r := e.run("", "config", "get", "rate"); r.stdout != "10/10s\n" {
		t.Errorf("rate after removal: %s", r)
	}

	// use: the current profile
	if r := e.run("", "config", "use", "nope"); r.code != ExitUsage || !strings.Contains(r.stderr, "nope") {
		t.Errorf("use nope: %s", r)
	}
	if r := e.run("", "config", "use", "work"); r.code != 0 {
		t.Fatalf("use work: %s", r)
	}
	if r := e.run("", "config", "get", "output"); r.stdout != "json\n" {
		t.Errorf("get output after `use work`: %s", r)
	}
	data, _ = os.ReadFile(file)
	if !strings.Contains(string(data), "current_profile: work") {
		t.Errorf("config file:\n%s", data)
	}
	if fi, err := os.Stat(file); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("config file mode: %v %v", fi.Mode(), err)
	}
}
