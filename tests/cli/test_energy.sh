#!/usr/bin/env bash
# `plasticore energy`: on a real (tiny) e-prop run its --json output has exactly the documented shape
# and equals the run's counted operations times the shipped cost tables, both ways (per operation, and
# power x time with the sensitivity table); on synthetic runs with tiny --tables directories it equals
# counts x costs and power x time worked out by hand, also with --gpu-run; bad input (a [power] key
# missing or negative, a missing --gpu-run) gets a one-line error and the right exit code. No MNIST needed.
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
check(set(report) == {"technologies", "ratios", "both_ways"}, "top-level keys " + str(set(report)))
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
# Both ways: the shipped gpu and loihi tables have [power]; the run counted its time steps.
both = report["both_ways"]
check(set(both) == {"chip_run", "gpu_run", "gpu", "chips", "sensitivity", "notes"}, "both_ways keys " + str(set(both)))
steps = {k: sum(ph.get("time_steps", 0) for ph in counts[k]["per_sample"].values()) for k in ("inference", "training")}
check(steps["inference"] == 200 and steps["training"] == 200, "time steps per sequence " + str(steps))
gpu_t, loihi_t = (tomllib.load(open(tables / f"{n}.toml", "rb"))["power"] for n in ("gpu", "loihi"))
g = both["gpu"]["power_time"]
for kind in ("inference", "training"):
    macs = sum(ph.get("dense_equivalent_macs", 0) for ph in counts[kind]["per_sample"].values())
    compute = macs / (gpu_t["peak_macs_per_second"] * gpu_t["utilisation"])
    launches = steps[kind] * gpu_t["kernel_launches_per_step"] + (gpu_t["kernel_launches_per_update"] if kind == "training" else 0)
    b1 = launches * gpu_t["kernel_launch_seconds"] + compute
    check(abs(g[kind]["batch_1"]["seconds"] - b1) <= 1e-9 * b1, f"gpu {kind} batch 1 seconds")
    check(abs(g[kind]["large_batch"]["joules"] - gpu_t["board_watts"] * compute) <= 1e-9 * compute * 400, f"gpu {kind} large batch")
    c = both["chips"]["loihi"]["power_time"][kind]
    expected = loihi_t["static_watts"] * steps[kind] * loihi_t["seconds_per_step"] + report["technologies"]["loihi"][f"{kind}_joules"]
    check(abs(c["joules"] - expected) <= 1e-9 * expected, f"loihi {kind} power x time")
    r = both["chips"]["loihi"]["ratios"][f"{kind}_batch_1"]
    check(abs(r - g[kind]["batch_1"]["joules"] / c["joules"]) <= 1e-9 * r, f"loihi {kind} batch 1 ratio")
check(both["chips"]["pcm_crossbar"]["power_time"] is None, "pcm_crossbar has no [power]: no power x time")
rows = {(x["technology"], x["kind"], x["basis"]) for x in both["sensitivity"]}
check(rows == {(n, k, b) for k in ("inference", "training") for n, b in
               [("loihi", "per_operation"), ("loihi", "batch_1"), ("loihi", "large_batch"), ("pcm_crossbar", "per_operation")]},
      "sensitivity rows " + str(sorted(rows)))
check(all(x["target"] == (1000 if x["kind"] == "inference" else 100) for x in both["sensitivity"]), "targets 10^3, 10^2")
check(both["chip_run"]["algorithm"] == "eprop" and both["gpu_run"] == both["chip_run"], "runs described")
sys.exit(0 if ok else 1)
PY
"$BIN" energy "$t/run" >"$t/energy.txt" 2>&1 || fail text "exit $?"
for name in gpu loihi pcm_crossbar; do grep -q "^$name " "$t/energy.txt" || fail text "no row for $name"; done
for line in "^(a) energy per sample" "^(b) both ways" "^GPU, board power 400 W" "^sensitivity: " "^loihi  *inference  *batch_1 "; do
  grep -q "$line" "$t/energy.txt" || fail text "no line '$line'"
done

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
if not close({k: r[k] for k in expected}, expected): print("  got", r); sys.exit(1)
if r["both_ways"]["gpu"]["power_time"] is not None: print("  power x time without [power]"); sys.exit(1)
PY

# ---- power x time on tiny tables, and --gpu-run: the chip side from syn, the GPU side from another run
mkdir -p "$t/ptables" "$t/rate"
cat >"$t/syn2.json" <<'JSON'
{"algorithm": "eqspike", "test_accuracy": 0.9, "op_counts": {
  "training": {"samples": 3, "per_sample": {"nudged": {"synaptic_events": 100, "dense_equivalent_macs": 1000, "time_steps": 8},
                                            "update": {"accumulator_updates": 10}}},
  "inference": {"samples": 2, "per_sample": {"free": {"synaptic_events": 40, "dense_equivalent_macs": 500, "time_steps": 4}}}}}
JSON
mkdir -p "$t/syn2" && mv "$t/syn2.json" "$t/syn2/metrics.json"
cat >"$t/rate/metrics.json" <<'JSON'
{"algorithm": "ep", "test_accuracy": 0.91, "op_counts": {
  "training": {"samples": 1, "per_sample": {"free": {"dense_equivalent_macs": 2000, "time_steps": 5}}},
  "inference": {"samples": 1, "per_sample": {"free": {"dense_equivalent_macs": 1000, "time_steps": 4}}}}}
JSON
printf '[picojoules_per_op]\nsynaptic_events = 2\naccumulator_updates = 50\n[power]\nstatic_watts = 0.1\nseconds_per_step = 1e-6\n' >"$t/ptables/chip.toml"
printf '[picojoules_per_op]\ndense_equivalent_macs = 1\n[power]\nboard_watts = 10\npeak_macs_per_second = 1e9\nutilisation = 0.5\nkernel_launch_seconds = 1e-6\nkernel_launches_per_step = 2\nkernel_launches_per_update = 1\n' >"$t/ptables/gpu.toml"
"$BIN" energy "$t/syn2" --gpu-run "$t/rate" --json --tables "$t/ptables" >"$t/matched.json" 2>"$t/matched.err" || fail matched "exit $?: $(cat "$t/matched.err")"
"$SYSPY" - "$t/matched.json" <<'PY' || fail matched "values differ from the hand computation"
import json, sys
b = json.load(open(sys.argv[1]))["both_ways"]
ok = True
def near(a, e, what):
    global ok
    if a is None or abs(a - e) > 1e-12 * abs(e): print(f"  {what}: {a} != {e}"); ok = False
# GPU from the rate run: inference 4 steps x 2 launches x 1 us + 1000 / 5e8 s = 10 us, x 10 W = 1e-4 J;
# training (5 x 2 + 1) x 1 us + 2000 / 5e8 = 15 us.
near(b["gpu"]["power_time"]["inference"]["batch_1"]["joules"], 10 * 10e-6, "gpu inference batch 1")
near(b["gpu"]["power_time"]["training"]["batch_1"]["seconds"], 15e-6, "gpu training batch 1 s")
near(b["gpu"]["power_time"]["training"]["large_batch"]["joules"], 10 * 4e-6, "gpu training large batch")
near(b["gpu"]["per_operation"]["inference_joules"], 1000e-12, "gpu per operation (rate run)")
# Chip from syn2: inference 0.1 W x 4 us + 80 pJ; training 0.1 W x 8 us + 700 pJ.
chip = b["chips"]["chip"]
near(chip["power_time"]["inference"]["joules"], 0.1 * 4e-6 + 80e-12, "chip inference")
near(chip["power_time"]["training"]["joules"], 0.1 * 8e-6 + 700e-12, "chip training")
near(chip["ratios"]["inference_batch_1"], 1e-4 / (0.1 * 4e-6 + 80e-12), "inference batch 1 ratio")
near(chip["ratios"]["training_per_operation"], 2000e-12 / 700e-12, "training per-operation ratio")
if b["gpu_run"]["algorithm"] != "ep" or b["chip_run"]["test_accuracy"] != 0.9: print("  runs", b["gpu_run"], b["chip_run"]); ok = False
sys.exit(0 if ok else 1)
PY
"$BIN" energy "$t/syn2" --gpu-run "$t/rate" --tables "$t/ptables" >"$t/matched.txt" 2>&1 || fail matched-text "exit $?"
grep -q "GPU side  $t/rate (ep, test accuracy 91.00 %)" "$t/matched.txt" || fail matched-text "no GPU-side line: $(grep side "$t/matched.txt")"

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
mkdir -p "$t/nopower" && cp "$t/ptables/gpu.toml" "$t/nopower/" && printf '[picojoules_per_op]\nspikes = 1\n[power]\nstatic_watts = 0.1\n' >"$t/nopower/chip.toml"
expect_error missing-power-key 2 "chip.toml: \[power\] missing key 'seconds_per_step'" "$t/syn" --tables "$t/nopower"
printf '[picojoules_per_op]\nspikes = 1\n[power]\nstatic_watts = -1\nseconds_per_step = 1\n' >"$t/nopower/chip.toml"
expect_error negative-power 2 "chip.toml: power.static_watts: expected a non-negative number" "$t/syn" --tables "$t/nopower"
expect_error missing-gpu-run 2 "no such run directory" "$t/syn" --gpu-run "$t/nowhere"
[ "$(ls "$t/syn")" = "metrics.json" ] || fail bad "energy wrote into the run directory: $(ls "$t/syn")"

[ "$fails" = 0 ] && echo "PASS: plasticore energy" && exit 0
exit 1
