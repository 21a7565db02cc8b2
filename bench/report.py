"""Markdown and JSON from the harness's results: the tables, the issue 5
targets met or missed, syscall profiles and the linearity check."""
import os
import platform
import statistics
import subprocess
import time

MiB_KIB = 1024


def median(row):
    return statistics.median(s.seconds for s in row.samples) if row.samples else None


def ref_row(rows, group=""):
    """The reflink configuration the peers are compared with: the first of
    their group."""
    return next((r for r in rows if r.tool.family == "reflink" and r.tool.group == group), None)


def find(results, wkey, fsname, tool):
    for r in results:
        if r["workload"].key == wkey and r["fs"].name == fsname:
            return next((row for row in r["rows"] if row.tool.name == tool), None)
    return None


def _f(x, fmt=None):
    if x is None:
        return "—"
    return (fmt or ("%.4f" if x < 0.1 else "%.3f")) % x


# --- header -------------------------------------------------------------

def _first_line(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=10).stdout
        return out.splitlines()[0] if out else "?"
    except (OSError, subprocess.SubprocessError):
        return "absent"


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem = int(f.readline().split()[1]) // (1024 * 1024)
    return "%s, %d cores, %d GiB RAM, Linux %s" % (cpu, os.cpu_count(), mem, platform.release())


def header(cfg, elapsed):
    return [
        "# reflink benchmark results", "",
        "- date: %s" % time.strftime("%Y-%m-%d %H:%M %Z"),
        "- machine: %s" % machine(),
        "- tools: %s; %s; %s; Python %s; node %s" % (
            _first_line([cfg.reflink, "--version"]), _first_line(["cp", "--version"]),
            _first_line(["tar", "--version"]), platform.python_version(),
            _first_line(["node", "--version"])),
        "- command: `%s`" % (cfg.command or "bench/run.sh"),
        "- runs: %d per tool, tools alternating (A B C A B C ...); %s" % (
            1 if cfg.smoke else cfg.runs, _cache_note(cfg)),
        "- times are medians in seconds; reflink/peer < 1 means reflink is faster; "
        "† Python/Node time the copy call in-process (interpreter start-up left out, "
        "in the peer's favour); every copy verified (content, shared extents where a "
        "clone was asked, none where `never` was asked, modes and times for archive copies)",
        "- total time of the run: %.0f s" % elapsed, ""]


def _cache_note(cfg):
    if cfg.smoke:
        return "sync of the test filesystem before each run"
    if cfg.cold:
        return "before each run: sync, caches dropped (cold: the source is read from the device)"
    return ("before each run: sync (the previous copy written out and deleted); the source "
            "read once before the first run and kept in the page cache (warm)")


# --- result tables ------------------------------------------------------

def workload_table(res_list):
    out = ["| fs | tool | median s | min s | max s | reflink/peer | peak RSS MiB "
           "| syscalls/file | check |",
           "|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in res_list:
        for row in r["rows"]:
            out.append(_row_line(r, row, ref_row(r["rows"], row.tool.group)))
    return out


def _row_line(r, row, ref):
    secs = [s.seconds for s in row.samples]
    m, rm = median(row), median(ref) if ref else None
    ratio = "—" if row is ref or not m or not rm else "%.2f" % (rm / m)
    rss = max((s.rss_kib for s in row.samples), default=0)
    name = _cell(row.tool.name) + (" †" if row.tool.inproc else "")
    return "| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
        r["fs"].name, name, _f(m), _f(min(secs, default=None)),
        _f(max(secs, default=None)), ratio,
        "%.1f" % (rss / MiB_KIB) if rss else "",
        "%.1f" % (calls_of(row) / r["files"]) if row.syscalls else "",
        _check(row))


def calls_of(row):
    """All calls of one run: counted untraced where perf could, else
    strace's sum (which a tracer inflates: see harness.count_syscalls)."""
    return row.syscall_count if row.syscall_count is not None else sum(row.syscalls.values())


def _cell(text):
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _check(row):
    if row.failure:
        return "**FAILED**: " + _cell(row.failure)
    if row.caught:
        return "caught: " + _cell(row.caught)
    note = "ok"
    if row.tool.inproc and row.samples:
        note += ", wall %.3f s" % statistics.median(s.wall for s in row.samples)
    alloc = max((s.alloc_kib for s in row.samples), default=0)
    if alloc and row.samples and not row.samples[0].rss_kib:
        note += ", dst allocates %.1f MiB" % (alloc / MiB_KIB)
    if row.json and "methods" in row.json:
        note += ", " + ", ".join("%s %s" % kv for kv in row.json["methods"].items() if kv[1])
    return note


def syscall_profiles(results):
    out = []
    for r in results:
        for row in r["rows"]:
            if not row.syscalls:
                continue
            n = r["files"]
            top = sorted(row.syscalls.items(), key=lambda kv: -kv[1])[:10]
            untraced = "" if row.syscall_count is None else \
                " (untraced, perf stat: **%.1f**)" % (row.syscall_count / n)
            out.append("- %s, %s, `%s`: **%.1f** per file under strace%s — %s%s" % (
                r["fs"].name, r["workload"].key, row.tool.name,
                sum(row.syscalls.values()) / n, untraced,
                ", ".join("%s %.2f" % (k, v / n) for k, v in top), _time_share(row)))
    return out


def _time_share(row):
    """Where the kernel time goes, as strace measures it (it inflates every
    call alike, so only the shares mean something)."""
    secs = row.syscall_secs or {}
    total = sum(secs.values())
    if not total:
        return ""
    top = sorted(secs.items(), key=lambda kv: -kv[1])[:4]
    return "; time in calls: " + ", ".join("%s %.0f%%" % (k, 100 * v / total) for k, v in top)


def linearity(results):
    out = []
    for r in results:
        if r["workload"].key != "tree100k":
            continue
        fs = r["fs"].name
        for tool in ("reflink -a", "cp -a"):
            big, small = find(results, "tree100k", fs, tool), find(results, "tree10k", fs, tool)
            if not (big and small and median(big) and median(small)):
                continue
            a, b = median(small) / 10_000 * 1e6, median(big) / 100_000 * 1e6
            out.append("| %s | %s | %.3f | %.3f | %.1f | %.1f | %.2f |" % (
                fs, _cell(tool), median(small), median(big), a, b, b / a))
    if out:
        out = ["| fs | tool | 10k files s | 100k files s | µs/file 10k | µs/file 100k "
               "| growth per file |", "|---|---|---:|---:|---:|---:|---:|"] + out
    return out


# --- targets ------------------------------------------------------------

def _speedup(results, wkey, fs, ref, peer):
    a, b = find(results, wkey, fs, ref), find(results, wkey, fs, peer)
    if not (a and b and median(a) and median(b)) or a.failure:
        return None
    return median(b) / median(a)


def targets(results):
    """(target, fs, measured, goal, met) rows for what issue 5 asks."""
    t = []
    have = {(r["workload"].key, r["fs"].name) for r in results}

    def speed(label, wkey, fs, ref, peer, goal):
        if (wkey, fs) in have:
            s = _speedup(results, wkey, fs, ref, peer)
            t.append((label, fs, _f(s, "%.2fx faster"), "≥ %gx" % goal,
                      s is not None and s >= goal))

    for fs in ("btrfs", "xfs"):
        speed("npm tree: `reflink -a` vs `cp -a` (--reflink=auto)", "npm", fs, "reflink -a", "cp -a", 2)
        speed("npm tree: `reflink -a` vs copytree FICLONE", "npm", fs, "reflink -a",
              "shutil.copytree FICLONE", 3)
    speed("npm tree: `reflink -a` vs `cp -a`", "npm", "ext4", "reflink -a", "cp -a", 2)
    speed("npm tree: `reflink -a` vs `tar c | tar x`", "npm", "ext4", "reflink -a", "tar c | tar x", 1)
    for fs in ("btrfs", "ext4"):
        speed("npm re-sync: `reflink -a -u --delete` vs `rsync -a --delete`", "resync", fs,
              "reflink -a -u --delete", "rsync -a --delete", 3)
        speed("npm re-sync: `reflink -a -u --delete` vs `cp -a -u` (no delete)", "resync", fs,
              "reflink -a -u --delete", "cp -a -u", 2)
        _atomic_cost(t, results, fs)
    _faithful(t, results)
    _syscalls(t, results)
    _rss_and_linear(t, results)
    for fs in ("btrfs", "xfs"):
        _clone_cost(t, results, fs)
    _ext4_copy(t, results)
    _sparse(t, results)
    return t


def _atomic_cost(t, results, fs):
    """--atomic onto an absent target against a plain copy; the removal of
    an old tree (after a swap) is its own row in the table."""
    plain, staged = find(results, "atomic", fs, "reflink -a"), find(results, "atomic", fs,
                                                                    "reflink -a --atomic")
    if not (plain and staged):
        return
    ok = median(plain) and median(staged) and not staged.failure
    cost = (median(staged) / median(plain) - 1) * 100 if ok else None
    t.append(("npm tree: cost of `--atomic` over `reflink -a` (old tree's removal apart)", fs,
              _f(cost, "%+.1f%%"), "≤ 5%", cost is not None and cost <= 5))


def _faithful(t, results):
    for r in results:
        if r["workload"].key == "npm":
            row = find(results, "npm", r["fs"].name, "reflink -a")
            if row:
                t.append(("npm tree: faithful copy (content, relative links, modes, times)",
                          r["fs"].name, row.failure or "verified", "verified", not row.failure))


def _syscalls(t, results):
    for r in results:
        row = find(results, r["workload"].key, r["fs"].name, "reflink -a")
        if r["workload"].key == "npm" and r["fs"].clone and row and row.syscalls:
            per = calls_of(row) / r["files"]
            t.append(("system calls per file, `reflink -a` clone tree", r["fs"].name,
                      "%.1f" % per, "≤ 6", per <= 6))


def _rss_and_linear(t, results):
    for r in results:
        if r["workload"].key != "tree100k":
            continue
        fs = r["fs"].name
        big, small = find(results, "tree100k", fs, "reflink -a"), find(results, "tree10k", fs, "reflink -a")
        rss = max((s.rss_kib for s in big.samples), default=0) if big else 0
        if rss:
            t.append(("100k files: peak RSS of `reflink -a`", fs, "%.1f MiB" % (rss / MiB_KIB),
                      "≤ 16 MiB", rss <= 16 * MiB_KIB))
        if big and small and median(big) and median(small):
            g = (median(big) / 100_000) / (median(small) / 10_000)
            t.append(("100k vs 10k files: time per file grows by", fs, "%.2fx" % g,
                      "≤ 1.25x (linear)", g <= 1.25))


def _clone_cost(t, results, fs):
    a, b = find(results, "clone", fs, "reflink --reflink=always, 1 GiB"), \
        find(results, "clone", fs, "cp --reflink=always, 1 GiB")
    if a and b and median(a) and median(b):
        r = median(a) / median(b)
        t.append(("1 GiB clone: reflink / `cp --reflink=always`", fs, "%.2f" % r, "≤ 1.1", r <= 1.1))
    small = find(results, "clone", fs, "reflink --reflink=always, 1 MiB")
    if a and small and median(a) and median(small):
        r = median(a) / median(small)
        t.append(("clone cost, 1 GiB / 1 MiB (must not grow with size)", fs, "%.2f" % r,
                  "≤ 2", r <= 2))


def _ext4_copy(t, results):
    a = find(results, "file1g", "ext4", "reflink --reflink=auto")
    peers = [find(results, "file1g", "ext4", n) for n in
             ("cp --reflink=auto", "shutil.copyfile", "copy_file_range loop")]
    peers = [p for p in peers if p and median(p) and not p.failure]
    if a and median(a) and peers:
        best = min(peers, key=median)
        r = median(a) / median(best)
        t.append(("1 GiB copy on ext4: reflink / fastest (%s)" % best.tool.name, "ext4",
                  "%.2f" % r, "≤ 1.0", r <= 1.0))


def _sparse(t, results):
    for r in results:
        if r["workload"].key != "sparse4g":
            continue
        fs = r["fs"].name
        ref = ref_row(r["rows"])
        s = _speedup(results, "sparse4g", fs, ref.tool.name, "cp --sparse=auto")
        if s is not None:
            t.append(("sparse 4 GiB: `%s` vs `cp --sparse=auto`" % ref.tool.name, fs,
                      "%.2fx faster" % s, "≥ 1x", s >= 1))
        for row in r["rows"]:
            if row.tool.family == "reflink":
                alloc = max((x.alloc_kib for x in row.samples), default=0)
                # verify.py compares with the source's allocation after each run
                t.append(("sparse 4 GiB: `%s` allocates ≤ the source" % row.tool.name, fs,
                          row.failure or "%d KiB at most" % alloc,
                          "≤ source (%d KiB)" % r["src_kib"], not row.failure))


def targets_table(results):
    rows = targets(results)
    if not rows:
        return []
    out = ["| target | fs | measured | goal | met |", "|---|---|---|---|---|"]
    for label, fs, measured, goal, met in rows:
        out.append("| %s | %s | %s | %s | %s |" % (_cell(label), fs, _cell(measured),
                                                   goal, "yes" if met else "**no**"))
    return out


def markdown(cfg, results, elapsed):
    out = header(cfg, elapsed)
    tt = targets_table(results)
    if tt:
        out += ["## Targets of issue 5", ""] + tt + [""]
    seen = []
    for r in results:
        if r["workload"].key not in seen:
            seen.append(r["workload"].key)
    for key in seen:
        group = [r for r in results if r["workload"].key == key]
        out += ["## %s" % group[0]["workload"].title, ""] + workload_table(group) + [""]
    lin = linearity(results)
    if lin:
        out += ["## Linearity (10k vs 100k files)", ""] + lin + [""]
    prof = syscall_profiles(results)
    if prof:
        out += ["## System calls per regular file (strace -c -f, one run; the table's figure is an untraced run's, counted by perf stat)", ""] + prof + [""]
    return "\n".join(out)


def as_json(results):
    return [{"workload": r["workload"].key, "fs": r["fs"].name, "files": r["files"],
             "rows": [{"tool": row.tool.name, "family": row.tool.family,
                       "seconds": [s.seconds for s in row.samples],
                       "wall": [s.wall for s in row.samples],
                       "rss_kib": [s.rss_kib for s in row.samples],
                       "alloc_kib": [s.alloc_kib for s in row.samples],
                       "failure": row.failure, "caught": row.caught,
                       "syscalls": row.syscalls, "syscall_secs": row.syscall_secs,
                       "syscall_count": row.syscall_count,
                       "json": row.json}
                      for row in r["rows"]]} for r in results]
