# shellcheck shell=bash
# Helpers shared by the lab tests: TAP-like output, the lab's environment, bringing the lab up
# for a test and down again whatever happens.
#
#   . "$(dirname "$0")/lib.sh"
#   lab_test_up            # lab up (LAB_NO_SEKISHOD=1 when build/sekishod is absent) + env
#   check "description" command args...
#   lab_test_finish        # summary; exit 1 if anything failed (the EXIT trap brings it down)

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_REPO=$(git -C "$LAB_SRC" rev-parse --show-toplevel 2>/dev/null || (cd "$LAB_SRC/../.." && pwd))
LAB=$LAB_SRC/lab
LAB_TESTS_RUN=0
LAB_TESTS_FAILED=0

ok() {
    LAB_TESTS_RUN=$((LAB_TESTS_RUN + 1))
    printf 'ok - %s\n' "$*"
}

not_ok() {
    LAB_TESTS_RUN=$((LAB_TESTS_RUN + 1))
    LAB_TESTS_FAILED=$((LAB_TESTS_FAILED + 1))
    printf 'not ok - %s\n' "$*"
}

# check DESCRIPTION COMMAND...: ok when COMMAND succeeds; its output is shown on failure.
check() {
    local what=$1 out
    shift
    if out=$("$@" 2>&1); then
        ok "$what"
    else
        not_ok "$what"
        [ -z "$out" ] || printf '%s\n' "$out" | head -n 20 | sed 's/^/#   /'
    fi
}

# expect DESCRIPTION ACTUAL EXPECTED: string equality.
expect() {
    if [ "$2" = "$3" ]; then
        ok "$1"
    else
        not_ok "$1"
        printf '#   got:      %s\n#   expected: %s\n' "$2" "$3"
    fi
}

# grep_q PATTERN TEXT: TEXT contains the extended regex PATTERN (shows TEXT when not).
grep_q() {
    if grep -Eq -- "$1" <<<"$2"; then
        return 0
    fi
    printf 'no match for /%s/ in:\n%s\n' "$1" "$2"
    return 1
}

lab_load_env() {
    eval "$("$LAB" env)"
}

wire() { ip netns exec "$LAB_CLIENT_NS" "$@"; }
app() { ip netns exec "$LAB_APP_NS" "$@"; }

# dig from the client namespace with bounded waits.
wdig() { wire dig +time=2 +tries=1 "$@"; }

sekishod_built() { [ -x "${LAB_SEKISHOD:-$LAB_REPO/build/sekishod}" ]; }

# A test through the control channel: skipped (77) without sekishod or sekishoctl; sets
# CTL (the client), exports it for the lab, and defines ctl (CTL with the lab's socket and
# key, once the lab is up).
lab_require_sekishoctl() {
    CTL=${LAB_SEKISHOCTL:-$(dirname "${LAB_SEKISHOD:-$LAB_REPO/build/sekishod}")/sekishoctl}
    if ! sekishod_built || [ ! -x "$CTL" ]; then
        echo "# sekishod or $CTL not built: skipping"
        exit 77
    fi
    unset LAB_NO_SEKISHOD
    export LAB_SEKISHOCTL=$CTL
}
ctl() { "$CTL" -s "$LAB_CONTROL_SOCKET" -k "$LAB_CONTROL_KEY" "$@"; }

# A test of sekishod itself: skipped (77) when it is not built; the lab runs it.
lab_require_sekishod() {
    if ! sekishod_built; then
        echo "# ${LAB_SEKISHOD:-$LAB_REPO/build/sekishod} not built: skipping"
        exit 77
    fi
    unset LAB_NO_SEKISHOD
}

lab_test_down() {
    "$LAB" down >/dev/null 2>&1 || true
}

lab_test_up() {
    [ "$(id -u)" -eq 0 ] || { echo "# needs root"; exit 77; }
    trap lab_test_down EXIT
    if ! sekishod_built; then
        export LAB_NO_SEKISHOD=1
    fi
    local out
    if ! out=$("$LAB" up 2>&1); then
        printf '%s\n' "$out" | sed 's/^/#   /'
        not_ok "lab up"
        exit 1
    fi
    ok "lab up${LAB_NO_SEKISHOD:+ (LAB_NO_SEKISHOD=1)}"
    lab_load_env
}

lab_test_finish() {
    printf '# %d checks, %d failed\n' "$LAB_TESTS_RUN" "$LAB_TESTS_FAILED"
    [ "$LAB_TESTS_FAILED" -eq 0 ] || exit 1
    exit 0
}
