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
# RFC 5011 state file (trust-anchor-state-file): a good one is read, a corrupt one stops
# the daemon with the state file's line (never a silent start from the config's anchors).
confdir=$(dirname "$conf")
mkdir -p "$tmp/conf"
cp "$confdir"/root.hints "$confdir"/root.ds "$tmp/conf/"
sed "s|^    trust-anchor-state-file: .*|    trust-anchor-state-file: \"$tmp/state/root.state\"|" \
	"$conf" >"$tmp/conf/sekishod.conf"
mkdir -p "$tmp/state"
cat >"$tmp/state/root.state" <<'STATE'
sekisho-rfc5011 1
point . 0 1700000000 0 0 0
ds . 4F6608026E0F2F0E1B0D7C5A5D8B0C7E44A1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1C1
end 0 1
STATE
if out=$("$sekishod" --check-config "$tmp/conf/sekishod.conf" 2>&1) &&
	grep -q "RFC 5011 state of 0 key(s), 1 initial DS" <<<"$out"; then
	ok "RFC 5011 state file read: $out"
else
	bad "RFC 5011 state file: $out"
fi
sed -i 's/^end 0 1$/end 2 1/' "$tmp/state/root.state"
out=$("$sekishod" --check-config "$tmp/conf/sekishod.conf" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "$tmp/state/root.state:4: end counts differ" <<<"$out"; then
	ok "corrupt RFC 5011 state file rejected with file:line: $out"
else
	bad "corrupt state file: rc=$rc, output: $out"
fi
# The control channel's key file is read too: a broken one is named with its line.
printf 'server:\n    control-socket: "%s/ctl"\n    control-key-file: "%s/ctl.key"\n' \
	"$tmp" "$tmp" >>"$tmp/conf/sekishod.conf"
sed -i 's/^end 2 1$/end 0 1/' "$tmp/state/root.state"
printf 'key "ctl." {\n    algorithm hmac-sha256;\n    secret "not base64!";\n};\n' >"$tmp/ctl.key"
out=$("$sekishod" --check-config "$tmp/conf/sekishod.conf" 2>&1)
rc=$?
if [ "$rc" -eq 1 ] && grep -q "control-key-file: $tmp/ctl.key:3: " <<<"$out"; then
	ok "bad control key file rejected with file:line: $out"
else
	bad "bad control key file: rc=$rc, output: $out"
fi
exit $fail
