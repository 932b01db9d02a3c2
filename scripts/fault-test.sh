#!/bin/sh
# The import's fault-injection test: the real crmctl binary imports a file through a
# server that loses answers after acting, drops requests before acting, answers 502
# pages and truncated JSON, delays answers past --timeout and runs 25 minutes off, with
# same-name rows and a colleague's namesakes; it is killed with SIGKILL at random
# moments (60 by default), then resumed until done. It prints the counted duplicates
# and lost rows (both must be 0). Not part of the default test run: it takes minutes.
#
#   scripts/fault-test.sh                 # CRMCTL_FAULT_KILLS=100 CRMCTL_FAULT_SEED=7 to vary
set -eu
cd "$(dirname "$0")/.."
CRMCTL_FAULT_TEST=1 exec go test ./internal/faulttest -run TestFaultInjection -count=1 -v -timeout 30m
