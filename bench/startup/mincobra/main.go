// Command mincobra is the baseline of the start-up benchmark: a minimal cobra program
// with a version command and help, built with the same toolchain as crmctl.
package main

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

func main() {
	root := &cobra.Command{Use: "mincobra", Short: "A minimal cobra program"}
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run:   func(*cobra.Command, []string) { fmt.Println("mincobra dev") },
	})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
