#!/usr/bin/env bash
# Benchmark of two machines importing through one Redis (CRMCTL_REDIS_URL): each
# "machine" a crmctl process with its own HOME, against `crmctl sandbox serve` enforcing
# the limit. Prints, for different files at once and for the same file at once: rows
# created, throttled answers (server 429s), the pacing ratio (requests/s over the run ÷
# the limit, the first window's burst included) and requests per created row.
# Needs redis-server. Usage: bench/team.sh   (env: RATE=10/1s ROWS=200)
set -euo pipefail
cd "$(dirname "$0")/.."

RATE=${RATE:-10/1s}
ROWS=${ROWS:-200}
N=${RATE%%/*}
W=${RATE#*/}

tmp=$(mktemp -d)
srv= rds=
cleanup() {
	if [ -n "$srv" ]; then kill -INT "$srv" 2>/dev/null || true; wait "$srv" 2>/dev/null || true; fi
	if [ -n "$rds" ]; then kill -TERM "$rds" 2>/dev/null || true; wait "$rds" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return; sleep 0.05; done; echo "nothing on port $1" >&2; exit 1; }

go build -o "$tmp/crmctl" .
rport=$(free_port)
redis-server --bind 127.0.0.1 --port "$rport" --dir "$tmp" --save "" --appendonly no --logfile "$tmp/redis.log" &
rds=$!
wait_port "$rport"
port=$(free_port)
"$tmp/crmctl" sandbox serve --addr "127.0.0.1:$port" --memory --rate-limit "$RATE" 2>"$tmp/server.log" &
srv=$!
wait_port "$port"

export CRMCTL_BASE_URL=http://127.0.0.1:$port CRMCTL_REDIS_URL=redis://127.0.0.1:$rport/0 CRMCTL_RATE=$RATE NO_COLOR=1
machine() { # machine NAME CMD...: run crmctl with HOME in $tmp/NAME
	local h=$tmp/$1; shift
	HOME=$h XDG_CONFIG_HOME=$h/.config XDG_CACHE_HOME=$h/.cache XDG_DATA_HOME=$h/.local/share "$tmp/crmctl" "$@"
}
CRMCTL_LOGIN=13800000000 CRMCTL_PASSWORD=sandbox machine a auth login 2>/dev/null
mkdir -p "$tmp/b/.config/crmctl" && cp "$tmp/a/.config/crmctl/config.yaml" "$tmp/b/.config/crmctl/"
for m in a b; do machine $m pools list >/dev/null; machine $m fieldmaps show >/dev/null; done

gen() { awk -v n="$2" -v p="$3" 'BEGIN{print "客户名称,手机,跟进状态"; for(i=1;i<=n;i++) printf "%s%d,139%08d,初访\n", p, i, i}' >"$1"; }
limit_per_s=$(python3 -c "import re,sys; m=re.fullmatch(r'([0-9.]*)(ms|s|m)','$W'); print($N/(float(m.group(1) or 1)*{'ms':0.001,'s':1,'m':60}[m.group(2)]))")

run_pair() { # run_pair LABEL FILE_A FILE_B
	local label=$1 fa=$2 fb=$3
	local before; before=$(grep -c ' 429 ' "$tmp/server.log" || true)
	sleep 1.5 # an empty window first
	local start end
	start=$(date +%s.%N)
	machine a customers import "$fa" --pool 45 -o json --jq '[.created,.already_created,.requests,.throttled]|@tsv' >"$tmp/a.out" 2>/dev/null &
	local pa=$!
	machine b customers import "$fb" --pool 45 -o json --jq '[.created,.already_created,.requests,.throttled]|@tsv' >"$tmp/b.out" 2>/dev/null &
	local pb=$!
	wait $pa $pb
	end=$(date +%s.%N)
	read -r ca sa ra ta <"$tmp/a.out"
	read -r cb sb rb tb <"$tmp/b.out"
	local after; after=$(grep -c ' 429 ' "$tmp/server.log" || true)
	python3 - "$label" "$ca" "$cb" "$sa" "$sb" "$ra" "$rb" "$ta" "$tb" "$start" "$end" "$limit_per_s" "$((after - before))" <<'PY'
import sys
label, ca, cb, sa, sb, ra, rb, ta, tb, start, end, lim, s429 = sys.argv[1:]
ca, cb, sa, sb, ra, rb, ta, tb = map(int, (ca, cb, sa, sb, ra, rb, ta, tb))
el = float(end) - float(start)
print(f"{label}: created {ca}+{cb}={ca+cb} (skipped {sa}+{sb}), requests {ra+rb}, throttled {ta+tb} (server 429s: {s429}), {el:.2f}s")
print(f"    pacing ratio (requests/s ÷ limit, process start included): {(ra+rb)/el/float(lim):.3f}")
print(f"    requests per created row: {(ra+rb)/max(ca+cb,1):.3f}")
PY
}

echo "== two machines, different files, $ROWS rows each, limit $RATE"
gen "$tmp/a.csv" "$ROWS" 甲机
gen "$tmp/b.csv" "$ROWS" 乙机
run_pair "different files" "$tmp/a.csv" "$tmp/b.csv"

echo "== two machines, the same file ($ROWS rows) at once"
gen "$tmp/same.csv" "$ROWS" 同文件
run_pair "same file" "$tmp/same.csv" "$tmp/same.csv"
echo "    customers created at the server: $(grep -c 'POST /api/v2/common_customers 200 ' "$tmp/server.log") (want $((3 * ROWS)) in all)"
