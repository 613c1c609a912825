#!/usr/bin/env bash
# test.sh runs every test of every module in the repository, after installing
# what the tests need (as root, with apt-get) when the machine lacks it.
# It is the README's test command and the whole of CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")"

# Tools the tests drive for real: curl (cookie-file interop), redis-server
# (store/redisstore), chromium (e2e browser tests).
missing=()
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
if [ -f e2e/go.mod ]; then
	command -v chromium >/dev/null 2>&1 || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "test.sh: missing ${missing[*]}; run as root to install them with apt-get" >&2
		exit 1
	fi
	echo "test.sh: installing ${missing[*]}" >&2
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi


modules=(.)
for m in bench e2e; do [ -f "$m/go.mod" ] && modules+=("$m"); done

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
	echo "test.sh: gofmt -l lists:" >&2
	echo "$unformatted" >&2
	exit 1
fi

for m in "${modules[@]}"; do
	echo "== module $m" >&2
	(cd "$m" && go vet ./... && go test -race -count=1 ./...)
done
