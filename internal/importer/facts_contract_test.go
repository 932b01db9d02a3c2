package importer_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/crmctl/crmctl/internal/importer"
	"github.com/crmctl/crmctl/internal/importer/ledgertest"
)

// The SQLite ledger keeps the facts contract: two imports of one machine share it.
func TestLedgerFactsContract(t *testing.T) {
	ledgertest.Facts(t, func(t *testing.T) (a, b ledgertest.Store) {
		path := filepath.Join(t.TempDir(), "ledger.db")
		open := func() ledgertest.Store {
			l, err := importer.OpenLedger(context.Background(), path)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Close() })
			return l
		}
		return open(), open()
	})
}
