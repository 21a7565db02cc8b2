"""The benchmark proper, run by bench/run.sh on filesystems it mounted.

For each workload and filesystem: make the source, run every tool in turn
(A B C A B C ...) for the number of runs, verify each copy, then profile the
tree copies with strace. Writes the results as Markdown and JSON and prints
the Markdown. Exit status 1 if a reflink copy failed or was wrong, or (smoke
mode) if the verifier let a planted wrong copy through.
"""
import argparse
import ctypes
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

import dedupe
import report
import tools as T
import verify
import workloads as W

RUN_TIMEOUT = 900
CLONE_FS = ("btrfs", "xfs")
# strace stops every system call (~100 µs each here): profile the tools the
# targets are about, the others only with --strace-all.
STRACED = {"btrfs": ("reflink -a", "reflink@baseline -a", "cp -a", "floor: open, clone/copy, close"),
           "xfs": ("reflink -a", "reflink@baseline -a", "cp -a"),
           "ext4": ("reflink -a", "reflink@baseline -a")}
LIBC = ctypes.CDLL(None, use_errno=True)


@dataclass
class Fs:
    name: str
    mount: str

    @property
    def clone(self):
        return self.name in CLONE_FS


@dataclass
class Workload:
    key: str
    title: str
    tree: bool
    make: object            # make(path)
    tools: object           # tools(fs) -> [Tool]
    fs: tuple = ()          # filesystems it runs on; () = all mounted
    min_runs: int = 0
    cold: bool = False      # caches dropped before every run
    strace: bool = False    # profile system calls (tree workloads)


@dataclass
class Sample:
    seconds: float          # the tool's time (in-process for Python/Node)
    wall: float
    rss_kib: int = 0
    alloc_kib: int = 0


@dataclass
class Row:
    tool: T.Tool
    samples: list = field(default_factory=list)
    failure: str = ""       # why the tool's result does not count
    caught: str = ""        # selftest: what the verifier found
    syscalls: dict = None   # name -> calls, from strace -c -f
    syscall_secs: dict = None  # name -> seconds spent in it (strace's view)
    syscall_count: int = None  # all calls of an untraced run (perf stat)
    json: dict = None       # reflink --json of the last run


T0 = time.time()


def log(msg):
    print("%5.0fs %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


def plan(cfg):
    rl, cfr = cfg.reflink, cfg.cfr
    pnpm = bool(cfg.node_peers)

    def trees(tools):
        """A tree workload's tools: cold, the cold set; warm, tools(fs);
        either way the baseline build beside them."""
        def pick(fs):
            own = T.cold_tree_tools(rl, fs.clone) if cfg.cold else tools(fs)
            return own + T.baseline_tools(cfg.baseline, fs.clone)
        return pick

    if cfg.smoke:
        cfg.strace_all = True
        return [
            Workload("file", "4 MiB random file", False,
                     lambda p: W.random_file(p, 4 * W.MiB),
                     lambda fs: T.file_tools(rl, fs.clone, cfr, fs.name, pnpm)),
            Workload("sparse", "64 MiB sparse file, 8 MiB of data", False,
                     lambda p: W.sparse_file(p, 64 * W.MiB, 8),
                     lambda fs: T.sparse_tools(rl, fs.clone)),
            Workload("tree", "small tree (300 files, links, times)", True,
                     lambda p: W.synthetic_tree(p, 300, extras=True),
                     lambda fs: T.tree_tools(rl, fs.clone, fs.name, floor=cfg.floor,
                                             pnpm=pnpm)
                     + T.selftest_tools(fs.clone),
                     strace=True),
        ]
    changes = W.Changes()
    return [
        Workload("file1g", "1 GiB random file", False,
                 lambda p: W.random_file(p, W.GiB),
                 lambda fs: T.file_tools(rl, fs.clone, cfr, fs.name, pnpm)),
        Workload("file1g-cold", "1 GiB random file, cold cache (dropped before every run)",
                 False, lambda p: W.random_file(p, W.GiB),
                 lambda fs: T.cold_copy_tools(rl, cfr), fs=("ext4",), cold=True),
        Workload("clone", "single clones, 1 GiB and 1 MiB (at least 15 runs)", False,
                 W.clone_pair, lambda fs: T.clone_tools(rl, pnpm), fs=CLONE_FS, min_runs=15),
        Workload("sparse4g", "4 GiB sparse file, 64 MiB of data in 1 MiB pieces "
                 "(at least 9 runs)", False,
                 lambda p: W.sparse_file(p, 4 * W.GiB, 64),
                 lambda fs: T.sparse_tools(rl, fs.clone), min_runs=9),
        Workload("npm", "node_modules tree (npm ci from bench/package-lock.json)", True,
                 lambda p: W.copy_tree_in(cfg.npm_tree, p),
                 trees(lambda fs: T.tree_tools(rl, fs.clone, fs.name, node_too=fs.name != "xfs",
                                               floor=cfg.floor, pnpm=pnpm)),
                 fs=("btrfs", "xfs", "ext4"), strace=True),
        Workload("resync", "re-sync of the npm tree after 1% of its files changed "
                 "(new content and mtime), 0.5% added, 0.5% removed; each tool from "
                 "the same old copy, made again before each run (untimed)", True,
                 lambda p: W.resync_source(cfg.npm_tree, p, changes),
                 lambda fs: T.resync_tools(rl, fs.clone, changes), fs=("btrfs", "ext4")),
        Workload("atomic", "npm tree: the cost of --atomic over a plain copy", True,
                 lambda p: W.copy_tree_in(cfg.npm_tree, p),
                 lambda fs: T.atomic_tools(rl, fs.clone), fs=("btrfs", "ext4")),
        Workload("tree100k", "synthetic tree, 100,000 small files", True,
                 lambda p: W.synthetic_tree(p, 100_000),
                 trees(lambda fs: T.tree_tools(rl, fs.clone, fs.name, full=False)),
                 fs=("btrfs", "ext4")),
        Workload("tree10k", "synthetic tree, 10,000 small files (linearity)", True,
                 lambda p: W.synthetic_tree(p, 10_000),
                 trees(lambda fs: T.tree_tools(rl, fs.clone, fs.name, full=False)),
                 fs=("btrfs", "xfs", "ext4")),
        Workload("mixed10k", "node_modules-like tree, 10,000 files, 82% at most 4 KiB, 159 MB",
                 True, W.mixed_tree,
                 trees(lambda fs: T.tree_tools(rl, fs.clone, fs.name, full=False)),
                 fs=("btrfs", "xfs", "ext4")),
    ]


def sh(*argv):
    subprocess.run(argv, check=True)


def settle(cfg, fs, cold):
    """The same starting state for every tool: nothing dirty (the previous
    copy written out and deleted), and the source in the page cache (read
    once before the first run; nothing evicts it on this machine) or, with
    --cold, no cache at all: each tool then reads from the device."""
    if cfg.smoke:  # inside `make check`: leave other filesystems alone
        sh("sync", "-f", fs.mount)
        return
    os.sync()
    if cold:
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")


def warm(src):
    """Read the whole source (data and metadata) into the page cache."""
    paths = [src] if os.path.isfile(src) else (
        os.path.join(d, n) for d, _, files in os.walk(src) for n in files)
    for p in paths:
        if os.path.islink(p):
            continue
        with open(p, "rb", buffering=0) as f:
            while f.read(1 << 20):
                pass


def remove(path):
    if os.path.lexists(path):
        sh("rm", "-rf", "--one-file-system", path)


def syncfs(path):
    """Write out the filesystem holding path (what a cold copy's time
    runs up to: until then its data may only be in the page cache)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        if LIBC.syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), "syncfs " + path)
    finally:
        os.close(fd)


def run_timed(row, cmd, dst, synced):
    """Run cmd (beside the load, for a load row); (process, wall seconds)."""
    busy = [subprocess.Popen(b) for b in T.busy_loops()] if row.tool.load else []
    try:
        if busy:
            time.sleep(0.2)  # every loop on its core before the copy starts
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                           timeout=RUN_TIMEOUT)
        if synced and p.returncode == 0:
            syncfs(os.path.dirname(dst))
        return p, time.perf_counter() - t0
    finally:
        for b in busy:
            b.kill()
            b.wait()


def measure(row, src, dst, nfiles, tree, synced=False):
    """One timed run of row's tool (synced: up to the syncfs of the
    destination's filesystem); returns a Sample, or None on failure."""
    cmd = row.tool.command(src, dst)
    rss_file = dst + ".time"
    if tree:
        cmd = ["/usr/bin/time", "-v", "-o", rss_file] + cmd
    try:
        p, wall = run_timed(row, cmd, dst, synced)
    except (OSError, subprocess.TimeoutExpired) as e:
        row.failure = str(e)
        return None
    if p.returncode != 0:
        row.failure = "exit %d: %s" % (p.returncode, (p.stderr.strip().splitlines() or [""])[-1][:200])
        return None
    s = Sample(_inproc(p.stdout) if row.tool.inproc else wall, wall)
    if tree:
        s.rss_kib = _max_rss(rss_file)
        os.unlink(rss_file)
    elif os.path.isfile(dst):
        s.alloc_kib = os.lstat(dst).st_blocks // 2
    src = row.tool.source(src)
    _judge(row, verify.compare(src, dst, row.tool.want) + _json_problems(row, p.stdout, nfiles))
    return s


def _inproc(stdout):
    for line in stdout.splitlines():
        if line.startswith("elapsed "):
            return float(line.split()[1])
    raise RuntimeError("peer printed no elapsed time: %r" % stdout[-200:])


def _max_rss(path):
    with open(path) as f:
        for line in f:
            if "Maximum resident set size" in line:
                return int(line.rsplit(":", 1)[1])
    return 0


def _json_problems(row, stdout, nfiles):
    """reflink --json must count the files it copied, with no errors."""
    if row.tool.family != "reflink":
        return []
    try:
        row.json = json.loads(stdout[stdout.index("{"):])
    except ValueError:
        return ["no JSON object on stdout with --json"]
    if row.json.get("errors", 0) != 0:
        return ["--json reports %s errors" % row.json["errors"]]
    if row.tool.json_want:  # a re-sync: what it had to copy and remove
        return ["--json %s %s, wanted %s" % (k, row.json.get(k), v)
                for k, v in row.tool.json_want.items() if row.json.get(k) != v]
    if row.json.get("files") != nfiles:
        return ["--json counts %s files, source has %d" % (row.json.get("files"), nfiles)]
    return []


def _judge(row, problems):
    if row.tool.family == "selftest":
        if problems:
            row.caught = problems[0]
        else:
            row.failure = "verifier did not catch this wrong copy"
    elif problems:
        row.failure = "wrong copy: " + "; ".join(problems)


def strace_profile(row, src, dst):
    """System calls of one run: calls and seconds by name (strace -c -f)."""
    out = dst + ".strace"
    cmd = ["strace", "-c", "-f", "-o", out] + row.tool.command(src, dst)
    # A sanitizer build's leak check cannot run under ptrace and would fail
    # the run; the untraced runs keep checking for leaks.
    env = dict(os.environ, ASAN_OPTIONS=os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0")
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                       timeout=RUN_TIMEOUT * 4, env=env)
    calls, secs = ({}, {}) if p.returncode != 0 else _parse_strace(out)
    os.unlink(out)
    return calls, secs


def count_syscalls(row, src, dst):
    """Every system call of one run, counted by the kernel's syscall
    tracepoint (perf stat follows children too) and stopping nothing.
    Under strace every call stops the process, so a worker of reflink's
    adaptive pool looks asleep and the pool grows, adding futex calls an
    untraced run does not make. None where perf cannot count."""
    if not shutil.which("perf"):
        return None
    out = dst + ".perf"
    cmd = ["perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "-o", out] + \
        row.tool.command(src, dst)
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                       timeout=RUN_TIMEOUT * 2)
    n = None
    if p.returncode == 0 and os.path.exists(out):
        with open(out) as f:
            for line in f:
                t = line.split(",")
                if len(t) > 2 and t[2].startswith("raw_syscalls:sys_enter") and t[0].isdigit():
                    n = int(t[0])
    if os.path.exists(out):
        os.unlink(out)
    return n


def _parse_strace(path):
    calls, secs = {}, {}
    with open(path) as f:
        for line in f:
            t = line.split()
            # "% time seconds usecs/call calls [errors] syscall"
            if len(t) >= 5 and t[0][0].isdigit() and t[-1] != "total":
                calls[t[-1]], secs[t[-1]] = int(t[3]), float(t[1])
    return calls, secs


def bench_one(cfg, w, fs):
    src, dst = os.path.join(fs.mount, "src-" + w.key), os.path.join(fs.mount, "dst")
    remove(src)
    log("[%s %s] making the source" % (fs.name, w.key))
    w.make(src)
    nfiles = verify.count_files(src) if w.tree else 1
    src_kib = 0 if w.tree else os.lstat(src).st_blocks // 2
    rows = [Row(t) for t in w.tools(fs) if not cfg.tools or re.search(cfg.tools, t.name)]
    cold = cfg.cold or w.cold
    if not cold:
        warm(src)
    runs = max(cfg.runs, w.min_runs) if not cfg.smoke else 1
    for i in range(runs):
        for row in rows:
            if row.failure or (row.caught and row.tool.family == "selftest"):
                continue
            remove(dst)
            if row.tool.prepare:  # the state this tool starts from
                sh(*row.tool.command(src, dst, row.tool.prepare))
            settle(cfg, fs, cold)
            s = measure(row, src, dst, nfiles, w.tree, synced=cold and w.tree)
            if s:
                row.samples.append(s)
            log("[%s %s] run %d/%d %-28s %s" % (
                fs.name, w.key, i + 1, runs, row.tool.name,
                row.failure or row.caught or "%.4f s ok" % s.seconds))
    if w.strace and fs.name in cfg.strace_fs:
        for row in rows:
            if row.failure or row.tool.family == "selftest" or not (
                    cfg.strace_all or row.tool.name in STRACED.get(fs.name, ())):
                continue
            remove(dst)
            row.syscalls, row.syscall_secs = strace_profile(row, src, dst)
            remove(dst)
            row.syscall_count = count_syscalls(row, src, dst)
            log("[%s %s] strace %-28s %d calls (%s untraced)" % (
                fs.name, w.key, row.tool.name, sum(row.syscalls.values()),
                row.syscall_count if row.syscall_count is not None else "?"))
    if cfg.smoke and w.tree and fs.clone:
        rows.append(_fiemap_selftest(cfg, src, dst))
    remove(dst)
    remove(src)
    remove(src + ".old")  # a re-sync's starting state
    return {"workload": w, "fs": fs, "rows": rows, "files": nfiles, "src_kib": src_kib}


def _fiemap_selftest(cfg, src, dst):
    """The verifier's FIEMAP reading must agree with tests/tools/fiemap."""
    row = Row(T.Tool("selftest: fiemap agrees", [], family="check"))
    sh("cp", "-a", "--reflink=always", src, dst)
    for d, _, files in os.walk(dst):
        for n in files:
            p = os.path.join(d, n)
            if os.path.islink(p) or os.path.getsize(p) == 0:
                continue
            t = subprocess.run([cfg.fiemap, p], capture_output=True, text=True).stdout.split()
            data, shared, _ = verify.fiemap(p)
            if len(t) != 6 or (int(t[3]), int(t[5])) != (shared, data):
                row.failure = "%s: fiemap tool says %s, verify.py %d/%d" % (p, t, shared, data)
                return row
    return row


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--reflink", required=True)
    ap.add_argument("--fiemap", required=True)
    ap.add_argument("--cfr", required=True)
    ap.add_argument("--floor", required=True)
    ap.add_argument("--fs", action="append", default=[], help="NAME=MOUNTPOINT")
    ap.add_argument("--npm-tree", help="installed node_modules to copy from")
    ap.add_argument("--node-peers", help="node_modules holding @reflink/reflink "
                    "(bench/peers/); without it, its rows are left out")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--only", help="comma-separated workload keys")
    ap.add_argument("--strace-fs", default="btrfs,ext4")
    ap.add_argument("--strace-all", action="store_true", help="profile the peers too")
    ap.add_argument("--smoke", action="store_true")
    ap.add_argument("--cold", action="store_true")
    ap.add_argument("--tools", help="only the tools whose name matches this regular expression")
    ap.add_argument("--baseline", help="another reflink build, run beside this one on the "
                    "trees as `reflink@baseline -a`")
    ap.add_argument("--out", required=True, help="results file, without extension")
    ap.add_argument("--command", default="", help="the command line, for the report")
    cfg = ap.parse_args(argv)
    cfg.fs = [Fs(*x.split("=", 1)) for x in cfg.fs]
    cfg.strace_fs = cfg.strace_fs.split(",") if cfg.strace_fs else []
    if cfg.node_peers:  # for peer_node.js's require("@reflink/reflink")
        os.environ["NODE_PATH"] = os.path.abspath(cfg.node_peers)
    return cfg


def run_dedupe(cfg, only):
    """The dedupe and --shared rows (bench/dedupe.py): with the npm tree,
    when asked for or when every workload runs; they fail the run if
    reflink's result is wrong."""
    if not cfg.npm_tree or (only and "dedupe" not in only):
        return ""
    md, res = dedupe.run(cfg, log)
    cfg.dedupe_failed = [r["fs"] for r in res if r["rows"]["reflink --dedupe"]["failure"]]
    return md


def main(argv):
    cfg = parse_args(argv)
    only = cfg.only.split(",") if cfg.only else None
    t0 = time.time()
    results = []
    for w in plan(cfg):
        if (only and w.key not in only) or (w.key == "npm" and not cfg.npm_tree):
            continue
        for fs in cfg.fs:
            if not w.fs or fs.name in w.fs:
                results.append(bench_one(cfg, w, fs))
    md = report.markdown(cfg, results, time.time() - t0) + run_dedupe(cfg, only)
    with open(cfg.out + ".md", "w") as f:
        f.write(md)
    with open(cfg.out + ".json", "w") as f:
        json.dump(report.as_json(results), f, indent=1)
    print(md)
    bad = [(r["fs"].name, r["workload"].key, row.tool.name, row.failure)
           for r in results for row in r["rows"]
           if row.failure and row.tool.family != "peer"]
    for b in bad:
        log("FAILED: [%s %s] %s: %s" % b)
    for fs in getattr(cfg, "dedupe_failed", []):
        log("FAILED: [%s dedupe] reflink --dedupe" % fs)
    return 1 if bad or getattr(cfg, "dedupe_failed", []) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
