// Package api is the client of the ikcrm (励销云) open API v2.
//
// One transport carries every call: the Authorization header (never the URL), the
// {"code":...,"data":...} envelope and its errors, pacing (Options.Wait), retries of
// throttled answers ("Retry later", HTTP 429) for any method, retries of server errors
// and network failures for GET only (a POST is sent again only when it certainly never
// left), redirects followed for GET only and only on the base URL's scheme, host and
// port, per-attempt timeouts and a
// --debug trace with secrets redacted. The typed calls (Login, UserInfo, Pools,
// FieldMaps, CreateCommonCustomer, CommonCustomer, MatchingName) decode records
// leniently, since the API's JSON types drift, and keep each record as sent in Raw.
//
// Errors: *Error (a non-zero code), *ResponseError (an answer that cannot be read),
// *NetworkError, *ThrottledError, *CanceledError, and ErrNoToken.
//
// The package imports nothing else of crmctl but its message catalogue (internal/i18n:
// every error renders itself in English or Chinese), and knows nothing of terminals or
// flags.
package api
