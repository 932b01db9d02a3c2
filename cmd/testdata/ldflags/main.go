// Command ldflags prints internal/build's information as `crmctl version -o json` does.
// TestVersionOfLdflagsBuild builds it with -ldflags -X: it links in a fraction of
// crmctl's time, and the -X names it proves are the ones a release build sets.
package main

import (
	"encoding/json"
	"os"

	"github.com/crmctl/crmctl/internal/build"
)

func main() {
	if err := json.NewEncoder(os.Stdout).Encode(build.Get()); err != nil {
		os.Exit(1)
	}
}
