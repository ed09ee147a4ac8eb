#!/usr/bin/env bash
# `plasticore stdp` end to end on a tiny EqSpike config over synthetic data (no MNIST): (a) stdp.csv and
# stdp_protocol.csv have the header dt_steps,mean_dw,count and sane rows, stdp.json agrees with them and
# stdp.png is a real PNG; (b) the protocol window has the sign pattern of the rule (docs/stdp.md);
# (c) same seed, same window; (d) configs without the two-factor rule, a missing config and missing
# data are one-line errors (exit 2 / 1) that leave no output directory.
# Usage (from the project root): bash tests/cli/test_stdp.sh PATH_TO_plasticore
. "$(dirname "$0")/common.sh" stdp "$@"

mkdir -p "$t/data" && "$SYSPY" tests/cli/synthetic_idx.py "$t/data" 120 10 || die data "could not write the synthetic data"
data=(--set "data.train_images=$t/data/train-images-idx3-ubyte" --set "data.train_labels=$t/data/train-labels-idx1-ubyte"
      --set "data.test_images=$t/data/t10k-images-idx3-ubyte" --set "data.test_labels=$t/data/t10k-labels-idx1-ubyte")
tiny=(configs/eqspike_mnist.toml "${data[@]}" --set "network.hidden=[16]" --samples 60 --synapses 300 --seed 3 --threads 1)

# ---- (a) files
"$BIN" stdp "${tiny[@]}" --out "$t/w1" >"$t/w1.out" 2>"$t/w1.err" || die run "stdp failed: $(tail -n 1 "$t/w1.err")"
if d=$("$SYSPY" - "$t/w1" <<'PY'
import csv, json, struct, sys
out = sys.argv[1]
problems = []
def window(name):
    lines = open(f"{out}/{name}").read().splitlines()
    if lines[0] != "dt_steps,mean_dw,count":
        problems.append(f"{name} header is {lines[0]!r}")
    rows = [(int(r["dt_steps"]), float(r["mean_dw"]), int(r["count"])) for r in csv.DictReader(lines)]
    if [r[0] for r in rows] != sorted({r[0] for r in rows}):
        problems.append(f"{name}: dt_steps not increasing and unique")
    if any(c < 1 for _, _, c in rows):
        problems.append(f"{name}: a row with count < 1")
    return rows
training, protocol = window("stdp.csv"), window("stdp_protocol.csv")
info = json.load(open(f"{out}/stdp.json"))
if len(training) < 5:
    problems.append(f"stdp.csv has only {len(training)} rows")
if sum(c for _, _, c in training) != info["training"]["pairings"]:
    problems.append("stdp.csv counts do not add up to stdp.json training.pairings")
if info["training"]["samples"] != 60:
    problems.append(f"stdp.json training.samples = {info['training']['samples']}")
rows = info["training"]["window"]
if [(r[0], r[3]) for r in rows] != [(dt, c) for dt, _, c in training] or \
        any(abs(r[1] - m) > 1e-6 * abs(m) + 1e-12 for r, (_, m, _) in zip(rows, training)):
    problems.append("stdp.json training.window disagrees with stdp.csv")
if [r[0] for r in protocol] != list(range(-20, 21)) or any(c != 1 for _, _, c in protocol):
    problems.append("stdp_protocol.csv is not one pairing for each dt in -20..20")
png = open(f"{out}/stdp.png", "rb").read()
if png[:8] != b"\x89PNG\r\n\x1a\n" or len(png) < 10000:
    problems.append(f"stdp.png is not a PNG of some size ({len(png)} bytes)")
else:
    w, h = struct.unpack(">II", png[16:24])
    if w < 400 or h < 300: problems.append(f"stdp.png is only {w}x{h}")
if problems: print("; ".join(problems)); sys.exit(1)
PY
); then echo "ok   (a) stdp.csv, stdp_protocol.csv (header dt_steps,mean_dw,count), stdp.json and stdp.png"; else fail files "$d"; fi

# ---- (b) sign pattern of the protocol: potentiation when the post spike follows the pre spike within the
# rise of its drive, depression when the post spike came first, nothing when pre precedes the drive.
if d=$("$SYSPY" - "$t/w1" <<'PY'
import csv, json, sys
out = sys.argv[1]
k = json.load(open(f"{out}/stdp.json"))["protocol"]["latency_steps"]
w = {int(r["dt_steps"]): float(r["mean_dw"]) for r in csv.DictReader(open(f"{out}/stdp_protocol.csv"))}
bad = [dt for dt, dw in w.items() if (1 <= dt <= k and not dw > 0) or (dt < 0 and not dw < 0) or (dt > k and dw != 0)]
if not 1 <= k <= 20 or bad: print(f"latency {k}, wrong sign at dt {bad}: {w}"); sys.exit(1)
PY
); then echo "ok   (b) protocol: dW > 0 for 1 <= dt <= latency, < 0 for dt < 0, 0 beyond the drive"; else fail signs "$d"; fi

# ---- (c) reproducible
"$BIN" stdp "${tiny[@]}" --out "$t/w2" >/dev/null 2>"$t/w2.err" || die run "second stdp failed: $(tail -n 1 "$t/w2.err")"
cmp -s "$t/w1/stdp.csv" "$t/w2/stdp.csv" && cmp -s "$t/w1/stdp_protocol.csv" "$t/w2/stdp_protocol.csv" \
  && echo "ok   (c) the same seed gives the same windows" || fail reproducible "stdp.csv differs between identical runs"

# ---- (d) bad input
expect_error() {  # CODE WORDS... -- ARGS: exit CODE, one line naming WORDS, no output directory
  local code=$1 words=$2; shift 2
  "$BIN" stdp "$@" --out "$t/bad" >/dev/null 2>"$t/bad.err"; local rc=$?
  { [ $rc -eq "$code" ] && grep -q "$words" "$t/bad.err" && [ "$(wc -l <"$t/bad.err")" -eq 1 ]; } \
    || fail bad "stdp $*: exit $rc (expected $code), $(cat "$t/bad.err")"
  [ -e "$t/bad" ] && { fail bad "stdp $* left an output directory"; rm -rf "$t/bad"; }
}
expect_error 2 "stdp needs an EqSpike config" configs/ep_mnist.toml "${data[@]}"
expect_error 2 "ep.rule = \"end_of_phase\"" configs/eqspike_eop_mnist.toml "${data[@]}"
expect_error 2 "stdp needs an EqSpike config" configs/eprop_sine.toml
expect_error 2 "no-such.toml" configs/no-such.toml
expect_error 1 "missing-images" configs/eqspike_mnist.toml --set "data.train_images=$t/missing-images" \
  --set "data.train_labels=$t/data/train-labels-idx1-ubyte"
[ $fails -eq 0 ] && echo "ok   (d) non-EqSpike configs exit 2, missing data exits 1, one line each, nothing written"

if [ $fails -ne 0 ]; then echo "$fails failure(s)"; exit 1; fi
echo "stdp: all checks passed"
