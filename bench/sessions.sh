#!/usr/bin/env bash
# sessions.sh runs BenchmarkSessions N times (default 8; its scenarios come
# twice, with a copied request and with "-newrequest", a request built by
# httptest.NewRequest per iteration), interleaving the
# contenders within each run so that load changes hit them alike, and prints
# the median ns/op, B/op and allocs/op of each contender with its ratio to the
# bare handler. Then, unless NOLOAD=1, it runs the wrk loopback measurement.
# Usage: bench/sessions.sh [N] [benchtime]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-8}
benchtime=${2:-1s}
. ./lib.sh
bench_runs '^BenchmarkSessions$' BenchmarkSessions/ "$n" "$benchtime"
echo "# go test -c && bench.test -test.bench '^BenchmarkSessions\$' -test.benchtime $benchtime, $n runs, medians"
awk '
function median(s,   a, m, i, j, t) {
	m = split(s, a, " ")
	for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j] + 0 < a[j-1] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
}
{
	name = $1; sub(/-[0-9]+$/, "", name)
	split(name, p, "/"); k = p[2] "/" p[3]
	for (i = 3; i < NF; i++) v[k, $(i+1)] = v[k, $(i+1)] " " $i
	if (!(k in seen)) { seen[k] = 1; order[++cnt] = k }
}
END {
	printf "%-44s %10s %7s %12s %7s %8s %9s\n", "scenario/contender", "ns/op", "x bare", "cpu-ns/op", "x bare", "B/op", "allocs/op"
	for (i = 1; i <= cnt; i++) {
		k = order[i]; split(k, p, "/")
		ns = median(v[k, "ns/op"]); cpu = median(v[k, "cpu-ns/op"])
		if (p[2] == "bare") { bns[p[1]] = ns; bcpu[p[1]] = cpu }
		printf "%-44s %10.0f %7.2f %12.0f %7.2f %8.0f %9.0f\n", k, ns, ns / bns[p[1]], cpu, cpu / bcpu[p[1]], median(v[k, "B/op"]), median(v[k, "allocs/op"])
	}
}' "$raw"
rm -f "$raw"
if [ "${NOLOAD:-0}" != 1 ]; then
	echo
	go run ./cmd/sessionload
fi
