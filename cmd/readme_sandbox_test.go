package cmd

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// The README's sandbox block runs as written: each `sandbox serve` it starts listens on
// an address of its own, and it names the customers the seed really has.
func TestReadmeSandboxBlock(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	start := strings.Index(text, "## The sandbox")
	if start < 0 {
		t.Fatal("no sandbox section")
	}
	section := text[start:]
	if end := strings.Index(section[3:], "\n## "); end > 0 {
		section = section[:end+3]
	}
	block := regexp.MustCompile("(?s)```sh\n(.*?)```").FindStringSubmatch(section)
	if block == nil {
		t.Fatal("no sh block in the sandbox section")
	}
	addrs := map[string]bool{}
	for _, line := range strings.Split(block[1], "\n") {
		if !strings.HasPrefix(line, "crmctl sandbox serve") {
			continue
		}
		addr := "127.0.0.1:8710"
		if m := regexp.MustCompile(`--addr (\S+)`).FindStringSubmatch(line); m != nil {
			addr = m[1]
		}
		if addrs[addr] {
			t.Errorf("two servers on %s: the second fails (address in use)", addr)
		}
		addrs[addr] = true
	}
	seed, err := os.ReadFile("../internal/sandbox/seed.json")
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Customers []struct {
			Customer struct{ Name string } `json:"customer"`
		} `json:"customers"`
	}
	if err := json.Unmarshal(seed, &s); err != nil || len(s.Customers) == 0 {
		t.Fatalf("seed: %v", err)
	}
	for _, c := range s.Customers {
		if !strings.Contains(section, c.Customer.Name) {
			t.Errorf("the sandbox section does not name the seeded customer %s", c.Customer.Name)
		}
	}
}
