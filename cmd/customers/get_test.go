package customers

import (
	"errors"
	"strings"
	"testing"

	"github.com/crmctl/crmctl/internal/api"
	"github.com/crmctl/crmctl/internal/apitest"
	"github.com/crmctl/crmctl/internal/cmdutil"
	"github.com/crmctl/crmctl/internal/cmdutil/cmdtest"
	"github.com/crmctl/crmctl/internal/i18n"
)

const customer18 = `{"id":18,"name":"贸易公司","status":"7","status_mapped":"初访","category":"","category_mapped":"","staff_size":0,"common_id":45,"created_at":"2015-07-03 17:31","text_asset_9320d8d7":"","address":{"tel":"010-64881989"}}`

func TestNewCmdGet(t *testing.T) {
	e := cmdtest.New(t, "")
	runF, got := cmdtest.Capture[GetOptions]()
	if err := e.Run(NewCmdGet(e.Factory, runF), "18"); err != nil || *got == nil || (*got).ID != "18" || (*got).Client == nil || (*got).Printer == nil {
		t.Fatalf("%v %+v", err, *got)
	}
	for _, args := range [][]string{{"abc"}, {}, {"18", "19"}} {
		*got = nil
		var usage *cmdutil.UsageError
		if err := e.Run(NewCmdGet(e.Factory, runF), args...); !errors.As(err, &usage) || *got != nil {
			t.Errorf("%q: %v, want a usage error", args, err)
		}
	}
}

func getOpts(e *cmdtest.Env, id string, pools []api.Pool) *GetOptions {
	return &GetOptions{Printer: e.Factory.Printer, Client: e.Factory.Client, CachedPools: func() []api.Pool { return pools }, ID: id}
}

func TestGetRun(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/18", apitest.Data(customer18)).Times(2)
	e := cmdtest.New(t, srv.URL)
	if err := getRun(t.Context(), getOpts(e, "18", nil)); err != nil {
		t.Fatal(err)
	}
	if want := "18\t贸易公司\t45\t初访\t\t\t\t\t2015-07-03 17:31\n"; e.Out.String() != want {
		t.Errorf("stdout %q, want %q", e.Out.String(), want)
	}
	// With the pools cached, the pool is named.
	e = e.Again()
	if err := getRun(t.Context(), getOpts(e, "18", []api.Pool{{ID: "45", Name: "公司公海"}})); err != nil {
		t.Fatal(err)
	}
	if want := "18\t贸易公司\t公司公海\t初访\t\t\t\t\t2015-07-03 17:31\n"; e.Out.String() != want {
		t.Errorf("stdout %q, want %q", e.Out.String(), want)
	}
}

// A customer the API does not find is said so, the API's error kept.
func TestGetRunNotFound(t *testing.T) {
	srv := apitest.New(t)
	srv.Register("GET", "/api/v2/common_customers/404", apitest.APIError(100100, "记录不存在", "active_record/record_not_found"))
	e := cmdtest.New(t, srv.URL)
	err := getRun(t.Context(), getOpts(e, "404", nil))
	var ae *api.Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "customer 404: not found in the public pools") || !strings.Contains(err.Error(), "记录不存在") {
		t.Errorf("%v", err)
	}
	if got := i18n.New(i18n.Chinese).Error(err); strings.Contains(got, "not found") {
		t.Errorf("in Chinese: %q", got)
	}
}
