# Common start of the CLI tests, sourced from the project root as
#   . "$(dirname "$0")/common.sh" NAME "$@"
# Sets BIN (the plasticore binary: the test's first argument), SYSPY (Debian's interpreter, the one with
# NumPy), t (a temporary directory, removed on exit together with a background job whose PID is in $pid),
# fails (the failure count) and the helpers `fail NAME MESSAGE` (count, go on) and `die NAME MESSAGE` (stop).
set -u
test_name=$1
BIN=${2:?usage: bash tests/cli/test_$test_name.sh PATH_TO_plasticore}
SYSPY=/usr/bin/python3
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable"; exit 1; }
[ -d configs ] && [ -d tests/cli ] || { echo "FAIL: run from the project root (configs/ not found)"; exit 1; }
t=$(mktemp -d "${TMPDIR:-/tmp}/plasticore-$test_name.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; rm -rf "$t"; }
trap cleanup EXIT
fails=0
fail() { echo "FAIL($1): $2"; fails=$((fails+1)); }
die() { echo "FAIL($1): $2"; exit 1; }
