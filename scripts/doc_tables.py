"""What the results-table scripts (hardware_table.py, eqspike_table.py, eprop_table.py, mnist_table.py) share:
reading the runs of a results directory, and writing a generated table between the markers <!-- NAME --> and
<!-- /NAME --> of Markdown files, atomically."""
import glob
import json
import os
import re
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def runs_by_row(results):
    """{row: {seed: (metrics.json as a dict, the command that produced it without its --out)}} of the run
    directories docs/results/<results>/<row>_s<seed>/ (command.txt: written by scripts/run_queue.sh)."""
    runs = {}
    for path in glob.glob(os.path.join(ROOT, "docs/results", results, "*_s*", "metrics.json")):
        directory = os.path.dirname(path)
        match = re.fullmatch(r"(.+)_s(\d+)", os.path.basename(directory))
        if match:
            with open(path) as f:
                metrics = json.load(f)
            with open(os.path.join(directory, "command.txt")) as f:
                command = f.read().strip().split(" --out ")[0]
            runs.setdefault(match.group(1), {})[int(match.group(2))] = (metrics, command)
    return runs


def replace_block(path, marker, text):
    with open(path) as f:
        doc = f.read()
    begin, end = f"<!-- {marker} -->", f"<!-- /{marker} -->"
    if begin not in doc or end not in doc:
        sys.exit(f"{path}: no {begin} ... {end} block to replace")
    new = doc[:doc.index(begin) + len(begin)] + "\n" + text + "\n" + doc[doc.index(end):]
    with open(path + ".tmp", "w") as f:  # a reader never sees a half-written file
        f.write(new)
    os.replace(path + ".tmp", path)


def publish(text, marker, docs):
    """The table into each of docs (paths from the project root), then printed."""
    for doc in docs:
        replace_block(os.path.join(ROOT, doc), marker, text)
    print(text)


def regenerate(load, table, results, script, marker, docs):
    """publish(table(load())), or a one-line error if docs/results/<results> holds no runs yet."""
    runs = load()
    if not runs:
        sys.exit(f"no runs under docs/results/{results}: run {script} first")
    publish(table(runs), marker, docs)
