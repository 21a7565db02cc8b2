"""The dedupe workload (`--only dedupe`): two byte copies of the npm tree,
1% of the second copy's files changed by one byte, on btrfs and XFS.
`reflink --dedupe` against `duperemove -dr` and `jdupes -rB`, each run from
the same fresh state (both copies made again, sharing nothing), each result
verified: every unchanged duplicate fully shared with its original
(FIEMAP), every file's content, size, mode and mtime unchanged, and the
bytes given back measured (statvfs free space, after sync). Then
`reflink --shared` against `btrfs filesystem du -s` on the same tree,
their figures compared. Medians; reflink/peer is reflink's median over
the peer's (< 1: reflink is faster), as in the other tables."""
import hashlib
import os
import shutil
import statistics
import subprocess
import time

import verify

BLOCK = 4096
RUN_TIMEOUT = 1800


def _files(root):
    for d, _, names in os.walk(root):
        for n in sorted(names):
            p = os.path.join(d, n)
            if not os.path.islink(p):
                yield os.path.relpath(p, root)


def make_state(npm, root):
    """root/a and root/b, byte copies of npm; every 100th file of b (of
    those of at least two blocks) gets its middle byte changed. Returns the
    relative paths of b's files that must end shared, and of those changed."""
    if os.path.lexists(root):
        subprocess.run(["rm", "-rf", "--one-file-system", root], check=True)
    os.mkdir(root)
    for side in ("a", "b"):
        subprocess.run(["cp", "-a", "--reflink=never", npm, os.path.join(root, side)], check=True)
    big = [r for r in _files(os.path.join(root, "b"))
           if os.path.getsize(os.path.join(root, "b", r)) >= 2 * BLOCK]
    changed = big[::100]
    for r in changed:
        p = os.path.join(root, "b", r)
        st = os.stat(p)
        with open(p, "r+b") as f:
            f.seek(st.st_size // 2)
            c = f.read(1)
            f.seek(st.st_size // 2)
            f.write(bytes([c[0] ^ 0xFF]))
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns))
    gone = set(changed)
    return [r for r in big if r not in gone], changed


def digest(root):
    """Content, size, mode and mtime of every regular file."""
    h = hashlib.md5()
    for r in sorted(_files(root)):
        p = os.path.join(root, r)
        st = os.lstat(p)
        h.update(("%s %d %o %d\n" % (r, st.st_size, st.st_mode, st.st_mtime_ns)).encode())
        with open(p, "rb") as f:
            while True:
                b = f.read(1 << 20)
                if not b:
                    break
                h.update(b)
    return h.hexdigest()


def free_bytes(mount):
    os.sync()
    s = os.statvfs(mount)
    return s.f_bavail * s.f_frsize


def problems(root, want_shared, before):
    """What is wrong with the state after a dedupe."""
    bad = []
    unshared = []
    for r in want_shared:
        data, shared, _ = verify.fiemap(os.path.join(root, "b", r))
        if shared < data or data == 0:
            unshared.append(r)
    if unshared:
        bad.append("%d of %d duplicates not fully shared (e.g. %s)"
                   % (len(unshared), len(want_shared), unshared[0]))
    if digest(root) != before:
        bad.append("contents, sizes, modes or mtimes changed")
    return bad


def tools(rl):
    t = [("reflink --dedupe", lambda root: [rl, "--dedupe", "--json", root])]
    if shutil.which("duperemove"):
        t.append(("duperemove -dr", lambda root: ["duperemove", "-dr", "-q",
                                                  "--hashfile=" + root + ".hash", root]))
    if shutil.which("jdupes"):
        t.append(("jdupes -rB", lambda root: ["jdupes", "-rBq", root]))
    return t


def bench_fs(cfg, fs, log):
    root = os.path.join(fs.mount, "dedupe")
    rows = {name: {"secs": [], "freed": [], "failure": ""} for name, _ in tools(cfg.reflink)}
    copy_bytes = 0
    for i in range(cfg.runs):
        for name, cmd in tools(cfg.reflink):
            row = rows[name]
            if row["failure"]:
                continue
            want, changed = make_state(cfg.npm_tree, root)
            before = digest(root)
            copy_bytes = sum(os.path.getsize(os.path.join(root, "b", r)) for r in want)
            free0 = free_bytes(fs.mount)
            t0 = time.perf_counter()
            p = subprocess.run(cmd(root), capture_output=True, text=True, errors="replace",
                               timeout=RUN_TIMEOUT)
            secs = time.perf_counter() - t0
            for f in (root + ".hash",):
                if os.path.exists(f):
                    os.unlink(f)
            freed = free_bytes(fs.mount) - free0
            bad = [] if p.returncode == 0 else ["exit %d: %s" % (p.returncode, p.stderr[-200:])]
            bad += problems(root, want, before)
            if bad:
                row["failure"] = "; ".join(bad)
            row["secs"].append(secs)
            row["freed"].append(freed)
            log("[%s dedupe] run %d/%d %-20s %.3f s, %d MiB freed %s" % (
                fs.name, i + 1, cfg.runs, name, secs, freed >> 20, row["failure"] or "ok"))
    shared = bench_shared(cfg, fs, root, log) if fs.name == "btrfs" else None
    subprocess.run(["rm", "-rf", "--one-file-system", root], check=True)
    return {"fs": fs.name, "rows": rows, "copy_bytes": copy_bytes, "shared": shared}


def bench_shared(cfg, fs, root, log):
    """reflink --shared vs btrfs filesystem du -s on the deduped tree."""
    import json
    out = {"reflink --shared": [], "btrfs filesystem du -s": [], "agree": ""}
    for i in range(max(cfg.runs, 5)):
        for name, cmd in (("reflink --shared", [cfg.reflink, "--shared", "--json", root]),
                          ("btrfs filesystem du -s", ["btrfs", "filesystem", "du", "-s",
                                                      "--raw", root])):
            os.sync()
            t0 = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, text=True, check=True)
            out[name].append(time.perf_counter() - t0)
            if name.startswith("reflink"):
                ours = json.loads(p.stdout)
            else:
                tot, excl = (int(x) for x in p.stdout.splitlines()[-1].split()[:2])
        agree = ours["allocated"] == tot and ours["shared"] == tot - excl
        out["agree"] = "yes" if agree else "no: ours %d/%d, btrfs %d/%d" % (
            ours["shared"], ours["allocated"], tot - excl, tot)
    log("[btrfs shared] reflink %.3f s, btrfs du %.3f s, figures agree: %s" % (
        statistics.median(out["reflink --shared"]),
        statistics.median(out["btrfs filesystem du -s"]), out["agree"]))
    return out


def markdown(results):
    lines = ["", "## dedupe: two byte copies of the npm tree, 1% of files changed", "",
             "| fs | tool | median s | runs | freed MiB (median) | reflink/peer | check |",
             "| --- | --- | ---: | ---: | ---: | ---: | --- |"]
    for r in results:
        ref = statistics.median(r["rows"]["reflink --dedupe"]["secs"] or [0]) or None
        for name, row in r["rows"].items():
            med = statistics.median(row["secs"]) if row["secs"] else None
            freed = statistics.median(row["freed"]) / (1 << 20) if row["freed"] else 0
            ratio = "%.2f" % (ref / med) if med and ref else "—"
            lines.append("| %s | %s | %s | %d | %.1f | %s | %s |" % (
                r["fs"], name, "%.3f" % med if med else "—", len(row["secs"]), freed,
                ratio, row["failure"] or "all duplicates shared, nothing changed"))
        lines.append("| %s | (duplicate bytes to share) | | | %.1f | | |" % (
            r["fs"], r["copy_bytes"] / (1 << 20)))
    for r in results:
        s = r["shared"]
        if not s:
            continue
        a, b = statistics.median(s["reflink --shared"]), statistics.median(s["btrfs filesystem du -s"])
        lines += ["", "## shared: the deduped tree on btrfs", "",
                  "| tool | median s | runs | reflink/peer |", "| --- | ---: | ---: | ---: |",
                  "| reflink --shared | %.3f | %d | 1.00 |" % (a, len(s["reflink --shared"])),
                  "| btrfs filesystem du -s | %.3f | %d | %.2f |" % (
                      b, len(s["btrfs filesystem du -s"]), a / b),
                  "", "Figures agree (allocated = Total, shared = Total - Exclusive): %s" % s["agree"]]
    return "\n".join(lines) + "\n"


def run(cfg, log):
    """The workload on every mounted filesystem that clones; Markdown."""
    results = [bench_fs(cfg, fs, log) for fs in cfg.fs if fs.clone]
    return markdown(results), results
