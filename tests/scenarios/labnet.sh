#!/usr/bin/env bash
# tests/scenarios/labnet.sh: the scenario harness's use of the lab (tests/lab/lab, sourced for
# its functions): the two namespaces and sekishod on its net_tap port, without the lab's zones
# and servers (the harness plays every server itself). Called by tests/scenarios/run.
#
#   labnet.sh up               create the namespaces (state in $LAB_DIR)
#   labnet.sh sekishod-start   start sekishod with $LAB_DIR/sekishod.conf, wait for its tap
#   labnet.sh sekishod-stop    stop it (by its recorded PID) and remove its DPDK runtime files
#   labnet.sh env              the lab's addresses and namespace names (as `lab env`)
#   labnet.sh down             stop everything started here and delete the namespaces
#
# Own namespace names and DPDK file prefix (sks-*), so that a running lab is not disturbed.
set -euo pipefail
export LAB_NS_WIRE=${LAB_NS_WIRE:-sks-wire}
export LAB_NS_APP=${LAB_NS_APP:-sks-app}
export LAB_FILE_PREFIX=${LAB_FILE_PREFIX:-sks}
[ -n "${LAB_DIR:-}" ] || { echo "labnet.sh: LAB_DIR must be set" >&2; exit 2; }

# shellcheck source=tests/lab/lab
. "$(cd "$(dirname "${BASH_SOURCE[0]}")/../lab" && pwd)/lab"

case "${1:-}" in
up)
	[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces)"
	if lab_is_up; then
		cmd_down
	fi
	prepare_state_dir
	trap on_up_failure EXIT
	make_namespaces
	trap - EXIT
	;;
sekishod-start)
	start_sekishod
	;;
sekishod-stop)
	if [ -e "$LAB_DIR/pids/sekishod.pid" ]; then
		stop_daemon "$LAB_DIR/pids/sekishod.pid"
	fi
	rm -f "$LAB_DIR/sekishod.pid"
	rm -rf "/var/run/dpdk/$LAB_FILE_PREFIX" 2>/dev/null || true
	rm -f "/dev/hugepages/$LAB_FILE_PREFIX"* 2>/dev/null || true
	;;
env)
	cmd_env
	;;
down)
	cmd_down
	;;
*)
	echo "usage: $0 up|sekishod-start|sekishod-stop|env|down" >&2
	exit 2
	;;
esac
