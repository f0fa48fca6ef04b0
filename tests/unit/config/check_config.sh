#!/usr/bin/env bash
# sekishod --check-config: the shipped default config is accepted, and a bad line is
# rejected with exit status 1 and "file:line: reason" (no EAL, no ports touched).
set -u
sekishod=$1
conf=$2
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }

if out=$("$sekishod" --check-config "$conf" 2>&1); then
	ok "default config accepted: $out"
else
	bad "default config rejected: $out"
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/^    edns-buffer-size: 1232/    edns-buffer-size: 70000/' "$conf" >"$tmp/bad.conf"
line=$(grep -n 'edns-buffer-size: 70000' "$tmp/bad.conf" | cut -d: -f1)
out=$("$sekishod" --check-config "$tmp/bad.conf" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "$tmp/bad.conf:$line: .*edns-buffer-size" <<<"$out"; then
	ok "bad value rejected with file:line: $out"
else
	bad "bad value: rc=$rc, output: $out"
fi
exit $fail
