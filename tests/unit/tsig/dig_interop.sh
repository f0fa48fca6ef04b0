#!/usr/bin/env bash
# Interop with BIND's dig, for each HMAC:
#  - a query signed by dig (-k KEYFILE) verifies with control/tsig; a key file with
#    another secret gives BADSIG;
#  - dig accepts our response signed chained to its query's MAC, and reports a
#    failure when one byte of our MAC is flipped.
# dig talks to a UDP listener on 127.0.0.1 (python3) that writes the query to a file
# and sends back what "test_tsig respond" made: nothing leaves the machine.
# Skipped (77) without dig or python3.
set -u
test_tsig=$1
command -v dig >/dev/null && command -v python3 >/dev/null || { echo "skip: no dig/python3"; exit 77; }
fail=0
ok() { echo "ok - $*"; }
bad() { echo "not ok - $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/capture.py" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(10)
data, _ = s.recvfrom(65535)
open(sys.argv[1], "wb").write(data)
PY

cat >"$tmp/respond.py" <<'PY'
import socket, subprocess, sys, time
tool, key, d, corrupt = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "1"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
s.settimeout(10)
data, peer = s.recvfrom(65535)
open(d + "/rq.bin", "wb").write(data)
now = str(int(time.time()))
if subprocess.call([tool, "respond", key, d + "/rq.bin", d + "/rr.bin", now]) == 0:
    r = bytearray(open(d + "/rr.bin", "rb").read())
    if corrupt:
        r[-10] ^= 1  # inside the MAC
    s.sendto(bytes(r), peer)
PY

# dig's output for a query answered by test_tsig respond ($2=1: MAC corrupted).
ask() {
	local port out
	exec 4< <(python3 "$tmp/respond.py" "$test_tsig" "$1" "$tmp" "$2")
	read -r port <&4
	out=$(dig -k "$1" @127.0.0.1 -p "$port" www.example A +tries=1 +timeout=2 2>&1)
	cat <&4 >/dev/null
	exec 4<&-
	echo "$out"
}

# Prints the file of one query to 127.0.0.1 signed by dig with key file $1.
capture() {
	local out=$tmp/query.bin port
	rm -f "$out"
	exec 3< <(python3 "$tmp/capture.py" "$out")
	read -r port <&3
	dig -k "$1" @127.0.0.1 -p "$port" www.example A +tries=1 +timeout=1 >/dev/null 2>&1
	cat <&3 >/dev/null
	exec 3<&-
	echo "$out"
}

for alg in hmac-sha256 hmac-sha384 hmac-sha512; do
	case $alg in
	hmac-sha256) n=32 ;; hmac-sha384) n=48 ;; *) n=64 ;;
	esac
	secret=$(head -c $n /dev/urandom | base64 -w0)
	other=$(head -c $n /dev/urandom | base64 -w0)
	printf 'key "ctl.sekisho." {\n\talgorithm %s;\n\tsecret "%s";\n};\n' "$alg" "$secret" >"$tmp/k.key"
	printf 'key "ctl.sekisho." { algorithm %s; secret "%s"; };\n' "$alg" "$other" >"$tmp/wrong.key"
	q=$(capture "$tmp/k.key")
	if [ ! -s "$q" ]; then
		bad "$alg: dig sent no query"
		continue
	fi
	if out=$("$test_tsig" verify "$tmp/k.key" "$q" "$(date +%s)"); then
		ok "$alg: dig's signature verifies: $out"
	else
		bad "$alg: dig's signature rejected: $out"
	fi
	out=$("$test_tsig" verify "$tmp/wrong.key" "$q" "$(date +%s)")
	case $out in
	*"does not match"*) ok "$alg: other secret gives BADSIG" ;;
	*) bad "$alg: other secret: $out" ;;
	esac
	out=$(ask "$tmp/k.key" 0)
	if grep -q 'TSIG PSEUDOSECTION' <<<"$out" && ! grep -qi "verify\|WARNING" <<<"$out"; then
		ok "$alg: dig accepts our signed response"
	else
		bad "$alg: dig on our response: $out"
	fi
	out=$(ask "$tmp/k.key" 1)
	if grep -q "Couldn't verify signature" <<<"$out"; then
		ok "$alg: dig rejects our response with a flipped MAC byte"
	else
		bad "$alg: dig on a corrupted response: $out"
	fi
done
exit $fail
