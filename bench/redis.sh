#!/usr/bin/env bash
# redis.sh runs BenchmarkRedis and BenchmarkRedisParallel N times (default
# 6), each run covering every contender so that load changes hit them alike,
# and prints per benchmark the median ns/op, allocs/op and Redis commands
# per request, with the ratio of httpstate to each scs contender. Then,
# unless NOLOAD=1, the wrk loopback measurement (cmd/redisload).
# Usage: bench/redis.sh [N] [benchtime]
set -euo pipefail
cd "$(dirname "$0")"
n=${1:-6}
benchtime=${2:-1s}
. ./lib.sh
bench_runs '^BenchmarkRedis(Parallel)?$' BenchmarkRedis "$n" "$benchtime"
echo "# go test -c && bench.test -test.bench '^BenchmarkRedis(Parallel)?\$' -test.benchtime $benchtime, $n runs, medians"
awk '
function median(s,   a, k, m, i, j, t) {
	m = split(s, a, " ")
	for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j] + 0 < a[j-1] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
}
{
	name = $1; sub(/-[0-9]+$/, "", name)
	split(name, p, "/"); k = p[1] "/" p[2] "/" p[3]
	ns[k] = ns[k] " " $3
	for (i = 4; i < NF; i++) {
		if ($(i+1) == "allocs/op") allocs[k] = allocs[k] " " $i
		if ($(i+1) == "srvcmds/req") srv[k] = srv[k] " " $i
		if ($(i+1) == "cmds/req") cmds[k] = cmds[k] " " $i
		if ($(i+1) == "rt/req") rt[k] = rt[k] " " $i
		if ($(i+1) == "cpu-ns/req") cpu[k] = cpu[k] " " $i
		if ($(i+1) == "redis-cpu-ns/req") rcpu[k] = rcpu[k] " " $i
	}
	if (!(k in seen)) { seen[k] = 1; order[++cnt] = k }
}
END {
	printf "%-52s %9s %7s %7s %8s %7s %7s %9s %9s %8s %8s %8s %8s\n", "benchmark", "ns/op", "allocs", "rt/req", "cmds/req", "srv/req", "cpu-ns", "redis-cpu", "x scs-go", "x scs-rg", "cpu x go", "cpu x rg", "tot x go"
	for (i = 1; i <= cnt; i++) { k = order[i]; med[k] = median(ns[k]); mc[k] = median(cpu[k]); mr[k] = median(rcpu[k]) }
	for (i = 1; i <= cnt; i++) {
		k = order[i]; split(k, p, "/")
		g = p[1] "/" p[2] "/scs-goredisstore"; r = p[1] "/" p[2] "/scs-redisstore"
		printf "%-52s %9.0f %7.0f %7s %8s %7.2f %7.0f %9.0f %9.2f %9.2f %8.2f %8.2f %8.2f\n", k, med[k], median(allocs[k]),
			(k in rt) ? sprintf("%.2f", median(rt[k])) : "-", (k in cmds) ? sprintf("%.2f", median(cmds[k])) : "-",
			median(srv[k]), mc[k], mr[k], med[k] / med[g], med[k] / med[r], mc[k] / mc[g], mc[k] / mc[r],
			(mc[k] + mr[k]) / (mc[g] + mr[g])
	}
}' "$raw"
rm -f "$raw"
if [ "${NOLOAD:-0}" != 1 ]; then
	echo
	go run ./cmd/redisload -rounds 3
fi
