package api

import (
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"
)

var envelopeSeeds = []string{
	`{"code":0,"data":{"id":1}}`,
	`{"code":"0","data":null}`,
	`{"code":100401,"data":null,"message":"您的登录已经过期,请重新登录!"}`,
	`{"code":100100,"message":"x","error":"active_record/record_not_found"}`,
	`{"code":1e400}`,
	`{"code":-0.0}`,
	`<html><head><title>502</title></head></html>`,
	`{"code":0,"data":{"id":`,
	"Retry later",
	"",
	"\xef\xbb\xbf{}",
}

func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range envelopeSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		data, err := DecodeEnvelope(body)
		if err != nil {
			if data != nil {
				t.Fatalf("data %q with error %v", data, err)
			}
			var ae *Error
			var re *ResponseError
			if !errors.As(err, &ae) && !errors.As(err, &re) {
				t.Fatalf("error of type %T: %v", err, err)
			}
			if re != nil && (len(re.Snippet) > 4*snippetLen+8 || !utf8.ValidString(re.Snippet)) {
				t.Fatalf("bad snippet %q", re.Snippet)
			}
			_ = err.Error()
			return
		}
		if !json.Valid(data) {
			t.Fatalf("data is not valid JSON: %q", data)
		}
	})
}

func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte(seedCustomer))
	f.Add([]byte(`{"common_settings":[{"id":45,"rule_config":{"owner":{"max_unfollow_day":"10"}},"limit_grab_enable":"1"}]}`))
	f.Add([]byte(`{"customer":[{"field_name":"status","field_values":[{"id":"7","value":"初访","position":"2"}]}]}`))
	f.Add([]byte(`{"customers":[{"id":1,"address":"","user":[]}]}`))
	f.Add([]byte(`[{"id":1e999,"position":"1e999","limit_grab_day":"-9e18"}]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"custom_field_groups":[{"id":9,"label":"基本信息","custom_fields":[{"name":"text_asset_4b74a32b","field_type":"select","required":"1",
		"input_field_options":{"collection_options":[{"value":"sel_6010","label":"平行进口"},{"value":7}]}},{},null]},{"custom_fields":{}}]}`))
	f.Add([]byte(`{"departments":[{"id":"2","name":"销售部","parent_id":null},{}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		check := func(raw json.RawMessage, err error) {
			if err == nil && !json.Valid(raw) {
				t.Fatalf("Raw is not valid JSON: %q", raw)
			}
		}
		if c, err := DecodeCustomer(data); err == nil {
			check(c.Raw, nil)
		}
		if l, err := DecodePoolList(data); err == nil {
			check(l.Raw, nil)
			if l.Pools == nil && string(l.Raw) != "[]" && len(l.Pools) != 0 {
				t.Fatal("pools nil")
			}
		}
		if l, err := DecodeFieldMapList("customer", data); err == nil {
			check(l.Raw, nil)
		}
		if l, err := DecodeCustomerList(data); err == nil {
			check(l.Raw, nil)
		}
		if u, err := DecodeUser(data); err == nil {
			check(u.Raw, nil)
		}
		if l, err := DecodeCustomFieldList(data); err == nil {
			check(l.Raw, nil)
		}
		if l, err := DecodeDepartmentList(data); err == nil {
			check(l.Raw, nil)
		}
	})
}
