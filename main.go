// Command crmctl is a command-line client for the ikcrm (励销云) CRM open API.
package main

import (
	"os"

	"github.com/crmctl/crmctl/cmd"
)

func main() { os.Exit(cmd.Main()) }
