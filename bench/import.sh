#!/usr/bin/env bash
# Benchmarks of `crmctl customers import` against `crmctl sandbox serve`:
#   (a) pacing: rows created per second / configured limit, with zero throttled answers,
#       one importer alone and two importers at once (same profile);
#   (b) --dry-run validation of a large CSV: rows/s and peak RSS;
#   (c) requests per created row (look-ups cached).
# Usage: bench/import.sh   (env: RATE=50/1s ROWS=600 BIG=1000000)
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-50/1s}
ROWS=${ROWS:-600}
BIG=${BIG:-1000000}
N=${RATE%%/*}
W=${RATE#*/}

tmp=$(mktemp -d)
srv=
cleanup() {
	if [ -n "$srv" ]; then kill -INT "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/crmctl" .
crmctl() { "$tmp/crmctl" "$@"; }
export XDG_CONFIG_HOME=$tmp/config XDG_CACHE_HOME=$tmp/cache XDG_DATA_HOME=$tmp/data NO_COLOR=1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$tmp/crmctl" sandbox serve --addr "127.0.0.1:$port" --memory --rate-limit "$RATE" 2>"$tmp/server.log" &
srv=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
export CRMCTL_BASE_URL=http://127.0.0.1:$port
CRMCTL_LOGIN=13800000000 CRMCTL_PASSWORD=sandbox crmctl auth login 2>/dev/null
crmctl pools list >/dev/null
crmctl fieldmaps show >/dev/null
sleep 1.5 # let the unpaced requests above leave the server's window

gen() { # gen FILE N PREFIX
	awk -v n="$2" -v p="$3" 'BEGIN{print "客户名称,手机,跟进状态,联系人"; for(i=1;i<=n;i++) printf "%s%d,139%08d,初访,联系人%d\n", p, i, i, i}' >"$1"
}
ratio() { python3 -c "import sys; n,w=sys.argv[1],sys.argv[2]; import re
def dur(s):
    m=re.fullmatch(r'([0-9.]*)(ms|s|m)',s); v=float(m.group(1) or 1); return v*{'ms':0.001,'s':1,'m':60}[m.group(2)]
print(f'{float(sys.argv[3])/float(sys.argv[4])/(int(n)/dur(w)):.3f}')" "$N" "$W" "$1" "$2"; }

echo "== (a) pacing at $RATE, $ROWS rows"
# Whole runs (the first window's N go at once). The steady-state ratio, from the arrival
# times at the server over whole windows, is measured by
#   go test ./internal/importer -run '^$' -bench Pacing -benchtime 600x
gen "$tmp/a.csv" "$ROWS" 单独
crmctl customers import "$tmp/a.csv" --pool 45 --rate "$RATE" -o json --jq '[.created,.throttled,.requests,.elapsed_seconds]|@tsv' 2>/dev/null >"$tmp/a.out"
read -r created throttled requests elapsed <"$tmp/a.out"
echo "alone:      created $created in ${elapsed}s, throttled $throttled, requests $requests"
echo "            rows/s ÷ limit = $(ratio "$created" "$elapsed") (whole run, first window included)"
sleep 1.5

half=$((ROWS / 2))
gen "$tmp/b1.csv" "$half" 并行甲
gen "$tmp/b2.csv" "$half" 并行乙
start=$(date +%s.%N)
crmctl customers import "$tmp/b1.csv" --pool 45 --rate "$RATE" -o json --jq '[.created,.throttled,.requests]|@tsv' 2>/dev/null >"$tmp/b1.out" &
p1=$!
crmctl customers import "$tmp/b2.csv" --pool 45 --rate "$RATE" -o json --jq '[.created,.throttled,.requests]|@tsv' 2>/dev/null >"$tmp/b2.out" &
p2=$!
wait $p1 $p2
end=$(date +%s.%N)
read -r c1 t1 r1 <"$tmp/b1.out"
read -r c2 t2 r2 <"$tmp/b2.out"
el=$(python3 -c "print(round($end - $start, 3))")
echo "two at once: created $((c1 + c2)) in ${el}s (process start included), throttled $((t1 + t2)), requests $((r1 + r2))"
echo "            rows/s ÷ limit = $(ratio "$((c1 + c2))" "$el")"
echo "            server 429 answers: $(grep -c ' 429 ' "$tmp/server.log" || true)"

echo "== (c) requests per created row"
python3 -c "print(f'alone: {$requests/$created:.3f}   two at once: {($r1+$r2)/($c1+$c2):.3f}')"

echo "== (b) --dry-run of a $BIG-row CSV"
gen "$tmp/big.csv" "$BIG" 大表
ls -l "$tmp/big.csv" | awk '{printf "file: %.1f MB\n", $5/1e6}'
/usr/bin/time -v "$tmp/crmctl" customers import "$tmp/big.csv" --pool 45 --dry-run -o json --jq .rows >"$tmp/big.out" 2>"$tmp/big.err"
rows=$(cat "$tmp/big.out")
secs=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/big.err")
rss=$(awk -F': ' '/Maximum resident set size/{print $2}' "$tmp/big.err")
echo "rows $rows in ${secs}s = $(python3 -c "print(int($rows/$secs))") rows/s, peak RSS $((rss / 1024)) MB"
