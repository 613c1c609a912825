# lib.sh is sourced by the bench scripts (client.sh, redis.sh, sessions.sh).

# bench_runs PATTERN KEEP N BENCHTIME [TAG]: builds the bench test binary
# once, runs the benchmarks matching PATTERN N times with -test.count 1 (so
# that the contenders alternate within each run, and a change in the
# machine's load hits them alike) and sets raw to a temporary file holding
# the output lines that start with KEEP, each prefixed with its run number
# and a space when TAG is 1.
bench_runs() {
	local pattern=$1 keep=$2 n=$3 benchtime=$4 tag=${5:-0} dir i prefix=
	dir=$(mktemp -d)
	go test -c -o "$dir/bench.test" .
	raw=$(mktemp)
	for i in $(seq "$n"); do
		[ "$tag" = 1 ] && prefix="$i "
		"$dir/bench.test" -test.run '^$' -test.bench "$pattern" -test.benchtime "$benchtime" -test.count 1 |
			grep "^$keep" | sed "s/^/$prefix/" >>"$raw"
	done
	rm -rf "$dir"
}
