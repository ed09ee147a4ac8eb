#!/usr/bin/env bash
# `plasticore energy`: on a real (tiny) e-prop run its --json output has exactly the documented shape
# and equals the run's counted operations times the shipped cost tables; on a synthetic run with a
# tiny --tables directory it equals counts x costs worked out by hand; bad input gets a one-line
# error and the right exit code. No MNIST needed.
# Usage (from the project root): bash tests/cli/test_energy.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" energy "$@"

# ---- a real run: counts in metrics.json, priced by the shipped tables
"$BIN" train configs/eprop_sine.toml --set task.steps=200 --set train.epochs=1 --set data.train_limit=2 \
  --set data.test_limit=2 --threads 1 --out "$t/run" >/dev/null 2>"$t/train.err" || { cat "$t/train.err"; echo "FAIL: training"; exit 1; }
"$BIN" energy "$t/run" --json >"$t/energy.json" 2>"$t/energy.err" || fail real "exit $?: $(cat "$t/energy.err")"
"$SYSPY" - "$t/run/metrics.json" "$t/energy.json" configs/energy <<'PY' || fail real "see above"
import json, sys, tomllib, pathlib
metrics, report, tables = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), pathlib.Path(sys.argv[3])
ok = True
def check(cond, what):
    global ok
    if not cond: print("  " + what); ok = False
counts = metrics["op_counts"]
check(set(counts["training"]["per_sample"]) == {"forward", "update"}, "training phases " + str(set(counts["training"]["per_sample"])))
check(set(counts["inference"]["per_sample"]) == {"forward"}, "inference phases")
inference = counts["inference"]["per_sample"]["forward"]
check(inference.get("synaptic_events", 0) > 0, "no inference synaptic events counted (the forward pass is event-driven)")
check(inference.get("dense_equivalent_macs", 0) > inference["synaptic_events"], "dense-equivalent MACs not above the events")
names = sorted(p.stem for p in tables.glob("*.toml"))
check(set(report) == {"technologies", "ratios"}, "top-level keys " + str(set(report)))
check(set(report["technologies"]) == set(names), "technologies " + str(set(report["technologies"])))
check(set(report["ratios"]) == {f"{k}_gpu_over_{n}" for n in names if n != "gpu" for k in ("inference", "training")}, "ratio keys")
for name in names:
    t = tomllib.load(open(tables / f"{name}.toml", "rb"))
    cost = {op: pj + t.get("bytes_per_op", {}).get(op, 0) * t.get("picojoules_per_byte", 0)
            for op, pj in t["picojoules_per_op"].items()}
    for kind in ("inference", "training"):
        expected = sum(n * cost.get(op, 0) * 1e-12 for ph in counts[kind]["per_sample"].values() for op, n in ph.items())
        got = report["technologies"][name][f"{kind}_joules"]
        check(set(report["technologies"][name]) == {"inference_joules", "training_joules"}, name + " keys")
        check(abs(got - expected) <= 1e-9 * expected, f"{name} {kind}: {got} != {expected}")
        if name != "gpu":
            r = report["ratios"][f"{kind}_gpu_over_{name}"]
            check(abs(r - report["technologies"]["gpu"][f"{kind}_joules"] / got) <= 1e-9 * r, f"ratio {kind} {name}")
sys.exit(0 if ok else 1)
PY
"$BIN" energy "$t/run" >"$t/energy.txt" 2>&1 || fail text "exit $?"
for name in gpu loihi pcm_crossbar; do grep -q "^$name " "$t/energy.txt" || fail text "no row for $name"; done

# ---- synthetic run, tiny tables: 100 events x 2 pJ + 10 updates x 50 pJ training; gpu 1000 x (1 + 2 x 0.5) pJ
mkdir -p "$t/syn" "$t/tables"
cat >"$t/syn/metrics.json" <<'JSON'
{"op_counts": {"training": {"samples": 3, "per_sample": {"nudged": {"synaptic_events": 100, "dense_equivalent_macs": 1000},
                                                         "update": {"accumulator_updates": 10}}},
               "inference": {"samples": 2, "per_sample": {"free": {"synaptic_events": 40, "dense_equivalent_macs": 500}}}}}
JSON
printf '[picojoules_per_op]\nsynaptic_events = 2\naccumulator_updates = 50\n' >"$t/tables/chip.toml"
printf 'picojoules_per_byte = 2\n[picojoules_per_op]\ndense_equivalent_macs = 1\n[bytes_per_op]\ndense_equivalent_macs = 0.5\n' >"$t/tables/gpu.toml"
"$BIN" energy "$t/syn" --json --tables "$t/tables" >"$t/syn.json" 2>"$t/syn.err" || fail synthetic "exit $?: $(cat "$t/syn.err")"
"$SYSPY" - "$t/syn.json" <<'PY' || fail synthetic "values differ from the hand computation"
import json, sys
r = json.load(open(sys.argv[1]))
expected = {"technologies": {"chip": {"inference_joules": 80e-12, "training_joules": 700e-12},
                             "gpu": {"inference_joules": 1000e-12, "training_joules": 2000e-12}},
            "ratios": {"inference_gpu_over_chip": 12.5, "training_gpu_over_chip": 2000 / 700}}
def close(a, b):
    if isinstance(b, dict): return isinstance(a, dict) and a.keys() == b.keys() and all(close(a[k], b[k]) for k in b)
    return abs(a - b) <= 1e-12 * abs(b)
if not close(r, expected): print("  got", r); sys.exit(1)
PY

# ---- bad input: exit code, one line on stderr, nothing written into the run directory
expect_error() {  # name expected_rc fragment args...
  local name=$1 rc_expected=$2 fragment=$3; shift 3
  "$BIN" energy "$@" >"$t/out" 2>"$t/err"; local rc=$?
  [ "$rc" = "$rc_expected" ] || fail "$name" "exit $rc, expected $rc_expected: $(cat "$t/err")"
  [ "$(wc -l <"$t/err")" = 1 ] || fail "$name" "stderr is not one line: $(cat "$t/err")"
  grep -q -- "$fragment" "$t/err" || fail "$name" "stderr lacks '$fragment': $(cat "$t/err")"
  [ -s "$t/out" ] && fail "$name" "printed a report: $(cat "$t/out")"
}
expect_error missing-dir 2 "no such run directory" "$t/nowhere"
mkdir -p "$t/empty"
expect_error no-metrics 2 "no metrics.json" "$t/empty"
mkdir -p "$t/old" && echo '{"test_accuracy": 0.9}' >"$t/old/metrics.json"
expect_error no-op-counts 1 "no op_counts" "$t/old"
mkdir -p "$t/badtables" && printf '[picojoules_per_op]\nsynaptic_event = 1\n' >"$t/badtables/gpu.toml"
expect_error bad-table 2 "synaptic_event: unknown operation" "$t/syn" --tables "$t/badtables"
expect_error no-tables 2 "no such directory" "$t/syn" --tables "$t/none"
[ "$(ls "$t/syn")" = "metrics.json" ] || fail bad "energy wrote into the run directory: $(ls "$t/syn")"

[ "$fails" = 0 ] && echo "PASS: plasticore energy" && exit 0
exit 1
