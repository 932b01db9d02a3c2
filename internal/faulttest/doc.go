// Package faulttest holds the import's fault-injection test: the real crmctl binary,
// killed at random moments, importing through a server that loses answers, drops
// requests, answers 502 pages and truncated JSON, and runs 25 minutes off. It runs only
// with CRMCTL_FAULT_TEST=1 (it takes minutes); see scripts/fault-test.sh.
package faulttest
