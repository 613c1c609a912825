#!/usr/bin/env bash
# client.sh runs BenchmarkClient N times (default 6) with -count 1, so that
# the contenders alternate within each run and load changes hit them alike,
# and prints each contender's median req/s and conns/op, and the median of
# the per-run throughput ratios httpstate / net-http.
# Usage: bench/client.sh [N]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-6}
. ./lib.sh
bench_runs '^BenchmarkClient$' BenchmarkClient/ "$n" 1x 1
echo "# go test -c && bench.test -test.bench '^BenchmarkClient\$' -test.benchtime 1x -test.count 1, $n runs, medians"
cat "$raw"
awk '
function median(a, k,   i, j, t) {
	for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
{
	run = $1; name = $2; sub(/-[0-9]+$/, "", name); sub(/^BenchmarkClient\//, "", name)
	for (f = 3; f < NF; f++) {
		if ($(f + 1) == "req/s") rps[name, run] = $f
		if ($(f + 1) == "conns/op") conns[name, run] = $f
	}
	names[name] = 1; runs[run] = 1
}
END {
	printf "%-16s %12s %10s\n", "contender", "req/s", "conns/op"
	for (name in names) {
		k = 0; for (r in runs) { k++; a[k] = rps[name, r] } ; mr = median(a, k)
		k = 0; for (r in runs) { k++; a[k] = conns[name, r] } ; mc = median(a, k)
		printf "%-16s %12.0f %10.1f\n", name, mr, mc
	}
	for (p in names) {
		split(p, parts, "/"); if (parts[2] != "httpstate") continue
		peer = parts[1] "/net-http"
		k = 0; for (r in runs) { k++; a[k] = rps[p, r] / rps[peer, r] }
		printf "%s: httpstate / net-http throughput, median of per-run ratios: %.2fx\n", parts[1], median(a, k)
	}
}' "$raw"
