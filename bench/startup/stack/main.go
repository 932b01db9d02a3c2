// Command stack is the floor of the start-up benchmark: the minimal cobra program of
// ../mincobra plus the libraries every crmctl command links and that are not crmctl's
// to drop — viper, survey and tablewriter (the chosen stack), net/http and
// encoding/json — imported for their package initialisation only. Build tags add the
// other heavy libraries one at a time, so that the benchmark can price each:
// with_gojq, with_sqlite, with_excelize.
package main

import (
	_ "encoding/json"
	"fmt"
	_ "net/http"
	"os"

	_ "github.com/AlecAivazis/survey/v2"
	_ "github.com/olekukonko/tablewriter"
	"github.com/spf13/cobra"
	_ "github.com/spf13/viper"
)

func main() {
	root := &cobra.Command{Use: "stack", Short: "The start-up floor of crmctl's libraries"}
	root.AddCommand(&cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Run:   func(*cobra.Command, []string) { fmt.Println("stack dev") },
	})
	if err := root.Execute(); err != nil {
		os.Exit(1)
	}
}
