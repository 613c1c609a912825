#!/usr/bin/env bash
# sessions.sh runs BenchmarkSessions N times (default 8), interleaving the
# contenders within each run so that load changes hit them alike, and prints
# the median ns/op, B/op and allocs/op of each contender with its ratio to the
# bare handler. Then, unless NOLOAD=1, it runs the wrk loopback measurement.
# Usage: bench/sessions.sh [N] [benchtime]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-8}
benchtime=${2:-1s}
bin=$(mktemp -d)/bench.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" .
raw=$(mktemp)
for i in $(seq "$n"); do
	"$bin" -test.run '^$' -test.bench '^BenchmarkSessions$' -test.benchtime "$benchtime" -test.count 1 |
		grep '^BenchmarkSessions/' >>"$raw"
done
echo "# go test -c && bench.test -test.bench '^BenchmarkSessions\$' -test.benchtime $benchtime, $n runs, medians"
awk '
function median(s,   a, k, m, i, j, t) {
	m = split(s, a, " ")
	for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j] + 0 < a[j-1] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
}
{
	name = $1; sub(/-[0-9]+$/, "", name)
	split(name, p, "/"); sc = p[2]; impl = p[3]
	ns[sc "/" impl] = ns[sc "/" impl] " " $3
	bytes[sc "/" impl] = bytes[sc "/" impl] " " $5
	allocs[sc "/" impl] = allocs[sc "/" impl] " " $7
	if (!(sc "/" impl in seen)) { seen[sc "/" impl] = 1; order[++cnt] = sc "/" impl }
}
END {
	printf "%-36s %12s %10s %10s %10s\n", "scenario/contender", "ns/op", "B/op", "allocs/op", "x bare"
	for (i = 1; i <= cnt; i++) {
		k = order[i]; split(k, p, "/")
		med = median(ns[k])
		if (p[2] == "bare") bare[p[1]] = med
		printf "%-36s %12.0f %10.0f %10.0f %10.2f\n", k, med, median(bytes[k]), median(allocs[k]), med / bare[p[1]]
	}
}' "$raw"
rm -f "$raw"
if [ "${NOLOAD:-0}" != 1 ]; then
	echo
	go run ./cmd/sessionload
fi
