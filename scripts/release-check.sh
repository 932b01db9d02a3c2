#!/usr/bin/env bash
# Checks the release: validates .goreleaser.yaml, then builds every target (archives,
# checksums, deb and rpm) as a snapshot into dist/, publishing nothing. Installs
# goreleaser from the Go module proxy when it is missing (a build from source: minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

GORELEASER_VERSION="${GORELEASER_VERSION:-v2.15.1}"
gobin="$(go env GOBIN)"
[ -n "$gobin" ] || gobin="$(go env GOPATH)/bin"
goreleaser="$gobin/goreleaser"

have="$("$goreleaser" --version 2>/dev/null || true)"
if ! grep -q "^GitVersion:[[:space:]]*v\?${GORELEASER_VERSION#v}\$" <<<"$have"; then
  echo "== installing goreleaser $GORELEASER_VERSION"
  go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION"
fi

echo "== goreleaser check"
"$goreleaser" check </dev/null

echo "== goreleaser release --snapshot"
"$goreleaser" release --snapshot --clean --skip=publish </dev/null

echo "== artifacts"
ls -l dist/*.tar.gz dist/*.zip dist/*.deb dist/*.rpm dist/checksums.txt
