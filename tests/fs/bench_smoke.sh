#!/usr/bin/env bash
# bench_smoke.sh - the benchmark harness in its smoke mode (one small tree,
# a small file and a small sparse file, one run, on tmpfs, ext4 and btrfs),
# so that `make bench` cannot rot. No timing is asserted: only that the
# harness runs, that every reflink copy passed its verification, that the
# verifier catches the wrong copies planted for it, and that nothing is
# left mounted.
source "$(dirname "$0")/../lib/common.sh"

N=bench/smoke
if ! is_root; then
	if in_ci; then fail "$N" "needs root (CI=true: a skip is a failure)"
	else skip "$N" "needs root for loop mounts"; fi
	exit 0
fi

res="$T/results"
B="$B" timeout 300 bash "$TOP/bench/run.sh" --smoke --results "$res" > "$T/out" 2> "$T/err"
rc=$?
if [ $rc = 0 ] && grep -q '^## small tree' "$T/out"; then
	pass "$N: runs and prints the table"
else
	fail "$N: runs and prints the table" "exit $rc: $(grep -v ' ok$' "$T/err" | tail -n 3 | tr '\n' ' ')"
fi

json=$(ls "$res"/*-smoke.json 2>/dev/null | head -n 1)
if [ -z "$json" ]; then
	fail "$N: results" "no JSON results written"
	exit 0
fi

# One report line per question, answered from the results file.
NO_PEERS=$(sed -n 's/^bench: could not install bench\/peers.*/the npm registry could not be reached/p' "$T/err") \
	/usr/bin/python3 - "$json" <<'EOF'
import json, os, sys
res = json.load(open(sys.argv[1]))
N = "bench/smoke"

def report(ok, name, why=""):
    print(("ok - %s: %s" % (N, name)) if ok else ("not ok - %s: %s: %s" % (N, name, why)))

def rows(pred):
    return [(r["fs"], r["workload"], row) for r in res for row in r["rows"] if pred(row)]

for fs in ("tmpfs", "ext4", "btrfs"):
    mine = [x for x in rows(lambda row: row["family"] == "reflink") if x[0] == fs]
    bad = ["%s %s: %s" % (w, row["tool"], row["failure"] or "no run")
           for _, w, row in mine if row["failure"] or not row["seconds"]]
    kinds = {w for _, w, _ in mine}
    report(mine and not bad and kinds == {"file", "sparse", "tree"},
           "reflink copies verified on %s (%d configurations)" % (fs, len(mine)),
           "; ".join(bad) or "workloads run: %s" % sorted(kinds))

def caught(tool, words):
    found = rows(lambda row: row["tool"] == tool)
    missed = [fs for fs, _, row in found if words not in row["caught"]]
    report(found and not missed, "the verifier catches a %s" % tool.split(": ")[1],
           "not caught (or caught for another reason) on %s" % missed if found else "not run")

caught("selftest: corrupted copy", "content differs")
caught("selftest: copy with lost times", "mtime differs")
caught("selftest: fake clone", "not a clone")

# The npm package pnpm clones with, per file and per tree, where clones work.
pnpm = [(fs, w, row) for fs, w, row in rows(lambda row: row["tool"].startswith("@reflink/reflink"))]
if os.environ.get("NO_PEERS"):
    print(("not ok - %s: @reflink/reflink rows: %s (CI=true: a skip is a failure)" if os.environ.get("CI") == "true"
           else "skip - %s: @reflink/reflink rows: %s") % (N, os.environ["NO_PEERS"]))
else:
    kinds = sorted((fs, w) for fs, w, row in pnpm if not row["failure"] and row["seconds"])
    report(kinds == [("btrfs", "file"), ("btrfs", "tree")] and len(pnpm) == 2,
           "@reflink/reflink rows (file, tree) run and verified on btrfs only",
           "; ".join("%s %s %s: %s" % (fs, w, row["tool"], row["failure"] or "ok")
                     for fs, w, row in pnpm) or "no rows")

agree = rows(lambda row: row["tool"] == "selftest: fiemap agrees")
report(agree and not agree[0][2]["failure"], "FIEMAP in verify.py agrees with tests/tools/fiemap",
       agree[0][2]["failure"] if agree else "not run")

prof = [row for fs, w, row in rows(lambda row: row["tool"] == "reflink -a") if row["syscalls"]]
report(prof and sum(prof[0]["syscalls"].values()) > 0, "strace profile of reflink -a recorded",
       "no syscall counts")
rss = [max(row["rss_kib"], default=0) for _, w, row in rows(lambda row: row["tool"] == "reflink -a")]
report(rss and min(rss) > 0, "peak RSS recorded for tree copies", "no RSS")
EOF

scratch=$(sed -n 's/^bench: scratch directory //p' "$T/err")
if [ -n "$scratch" ] && ! grep -q " $scratch" /proc/mounts && [ ! -e "$scratch" ]; then
	pass "$N: nothing left mounted, scratch directory removed"
else
	fail "$N: nothing left mounted, scratch directory removed" "${scratch:-unknown}: $(grep " ${scratch:-/nonexistent}" /proc/mounts | head -n 2)"
fi
