"""The copy tools the benchmark runs, and what each one promises.

A Tool turns (src, dst) into a command line. Its Want says what the
verifier checks afterwards: a clone must share every extent, a "never"
copy none, an archive copy keeps modes and times.
"""
import os
from dataclasses import dataclass, field

from verify import Want

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"


@dataclass
class Tool:
    name: str
    argv: list            # with {src} and {dst} placeholders
    want: Want = field(default_factory=Want)
    family: str = "peer"  # "reflink", "peer", "reference" (bench/floor.c)
    #                       or "selftest" (a wrong copy: must be caught)
    inproc: bool = False  # prints "elapsed S": interpreter start left out
    sub: str = ""         # the file inside the workload's source it copies
    group: str = ""       # compared with the first reflink row of its group
    prepare: list = None  # argv ({src}, {dst}) run, untimed, before each run
    json_want: dict = None  # reflink --json fields and values (default:
    #                         every file of the source counted as copied)
    load: bool = False    # run beside a busy loop on every core

    def source(self, src):
        return os.path.join(src, self.sub) if self.sub else src

    def command(self, src, dst, argv=None):
        src = self.source(src)
        return [a.replace("{src}", src).replace("{dst}", dst) for a in argv or self.argv]


def reflink(name, bin_, args, want):
    return Tool(name, [bin_, "--json"] + args + ["{src}", "{dst}"], want, "reflink")


def python(name, kind, want=None):
    return Tool(name, [PY, os.path.join(HERE, "peer_python.py"), kind, "{src}", "{dst}"],
                want or Want(), inproc=True)


def node(name, kind, want=None):
    return Tool(name, ["node", os.path.join(HERE, "peer_node.js"), kind, "{src}", "{dst}"],
                want or Want(), inproc=True)


# The npm package pnpm clones with (bench/peers/), only where it can clone:
# elsewhere pnpm does not use it.
PNPM_FILE = "@reflink/reflink reflinkFileSync"
PNPM_TREE = "@reflink/reflink tree (pnpm's import)"


def pnpm_file(want):
    return node(PNPM_FILE, "reflinkFileSync", want)


def cp(args, want=None):
    return Tool("cp " + " ".join(args), ["cp"] + args + ["{src}", "{dst}"], want or Want())


def file_tools(rl, clone, cfr, fstype, pnpm=False):
    """One large file. On a filesystem that clones, the clone modes are
    compared; elsewhere the copies, with a copy_file_range loop as floor."""
    clone_w = Want(shared=clone)
    never = Want(unshared=clone)
    if fstype == "tmpfs":
        return cold_copy_tools(rl, cfr)
    tools = []
    if clone:
        tools.append(reflink("reflink --reflink=always", rl, ["--reflink=always"], clone_w))
    tools += [reflink("reflink --reflink=auto", rl, ["--reflink=auto"], clone_w),
              reflink("reflink --reflink=never", rl, ["--reflink=never"], never)]
    if clone:
        tools.append(cp(["--reflink=always"], clone_w))
    tools += [cp(["--reflink=auto"]), cp(["--reflink=never"], never),
              python("shutil.copyfile", "copyfile")]
    if clone:
        tools += [python("python FICLONE", "copyfile-ficlone", clone_w),
                  node("node copyFileSync FICLONE", "copyFile-ficlone", clone_w)]
        if pnpm:
            tools.append(pnpm_file(clone_w))
    else:
        tools += [node("node copyFileSync", "copyFile"),
                  Tool("copy_file_range loop", [cfr, "{src}", "{dst}"])]
    return tools


def cold_copy_tools(rl, cfr):
    """Copies without clones, against the fastest plain ways: cp,
    shutil.copyfile and a bare copy_file_range loop."""
    return [reflink("reflink --reflink=auto", rl, ["--reflink=auto"], Want()),
            cp(["--reflink=auto"]), python("shutil.copyfile", "copyfile"),
            Tool("copy_file_range loop", [cfr, "{src}", "{dst}"])]


def clone_tools(rl, pnpm=False):
    """One clone of 1 GiB and one of 1 MiB, by reflink, cp and (pnpm) the
    npm package @reflink/reflink: what a clone costs, and that its cost
    does not grow with the size."""
    w = Want(shared=True)
    tools = []
    for size in ("1 GiB", "1 MiB"):
        row = [reflink("reflink --reflink=always, " + size, rl, ["--reflink=always"], w),
               cp(["--reflink=always"], w)] + ([pnpm_file(w)] if pnpm else [])
        for t in row:
            if not t.name.endswith(size):
                t.name += ", " + size
            t.sub = t.group = size.replace(" ", "")
        tools += row
    return tools


def sparse_tools(rl, clone):
    mode = "always" if clone else "auto"
    # Only reflink promises to allocate no more than the source; the peers'
    # allocation is shown, not judged.
    return [reflink("reflink --reflink=" + mode, rl, ["--reflink=" + mode],
                    Want(shared=clone, sparse=True)),
            reflink("reflink --reflink=never", rl, ["--reflink=never"],
                    Want(unshared=clone, sparse=True)),
            cp(["--sparse=auto"]),
            cp(["--reflink=never", "--sparse=auto"], Want(unshared=clone))]


def _archive(clone, slack=0, files_only=False):
    return Want(shared=clone, meta=True, mtime_slack_ns=slack, file_meta_only=files_only)


def tree_tools(rl, clone, fstype, full=True, node_too=True, floor=None, pnpm=False):
    """A tree: reflink with its default workers and with one, against cp -a,
    tar (ext4), shutil.copytree (with FICLONE where clones work), Node's
    cpSync and (pnpm, where clones work) @reflink/reflink file by file, as
    pnpm imports a package; only reflink -a and cp -a unless full."""
    mode = "--reflink=" + ("always" if clone else "auto")
    a = _archive(clone)
    if not full:
        return [reflink("reflink -a", rl, ["-a", mode], a), cp(["-a"], _archive(False))]
    tools = [reflink("reflink -a", rl, ["-a", mode], a),
             reflink("reflink -a -j1", rl, ["-a", "-j1", mode], a),
             cp(["-a"], _archive(False))]
    if fstype == "ext4":
        tools.append(Tool("tar c | tar x", ["sh", "-c",
                          'mkdir "$2" && tar -C "$1" -cf - . | tar -C "$2" -xf -',
                          "tar", "{src}", "{dst}"], _archive(False, slack=10**9)))
    if clone:
        tools.append(python("shutil.copytree FICLONE", "copytree-ficlone", a))
    else:
        tools.append(python("shutil.copytree", "copytree", _archive(False)))
    if node_too:
        tools.append(node("node cpSync FICLONE", "cpSync-ficlone",
                          _archive(clone, slack=10**6, files_only=True)))
        if pnpm and clone:
            # Content and clones only: pnpm keeps no modes and no times.
            tools.append(node(PNPM_TREE, "reflink-tree", Want(shared=True)))
    if floor:
        tools.append(Tool("floor: open, clone/copy, close", [floor, "{src}", "{dst}"],
                          Want(shared=clone), "reference"))
        # The same work on every core, as reflink's default workers: how
        # far this filesystem lets per-file work run side by side.
        n = os.cpu_count() or 1
        if n > 1:
            tools.append(Tool(f"floor -j{n}: the same, {n} threads",
                              [floor, "-j", str(n), "{src}", "{dst}"],
                              Want(shared=clone), "reference"))
    return tools


# The state a re-sync starts from, made again before each run: the copy
# of the source as it was before it changed ({src}.old, see
# workloads.resync_source), cloned where the filesystem can.
RESYNC_START = ["cp", "-a", "--reflink=auto", "{src}.old", "{dst}"]


def resync_tools(rl, clone, changes):
    """Bring a copy of the npm tree up to date after changes (a
    workloads.Changes): reflink -u --delete against rsync --delete and cp
    -u, which removes nothing (its copy may keep the removed files, and
    only those). Each starts from the same old copy."""
    mode = "--reflink=" + ("always" if clone else "auto")
    exact = _archive(clone)
    rl_row = reflink("reflink -a -u --delete", rl, ["-aT", "-u", "--delete", mode], exact)
    rl_row.json_want = {"files": changes.changed + changes.added,
                        "deleted": changes.removed}
    rsync = Tool("rsync -a --delete", ["rsync", "-a", "--delete", "{src}/", "{dst}/"],
                 _archive(False))
    cpu = cp(["-aT", "-u"], Want(meta=True, extras=frozenset(changes.removed_paths)))
    cpu.name = "cp -a -u"
    for t in (rl_row, rsync, cpu):
        t.prepare = RESYNC_START
    return [rl_row, rsync, cpu]


def atomic_tools(rl, clone):
    """What --atomic costs over a plain copy of the tree: onto an absent
    target (the stage and one rename), onto the previous copy (the swap,
    then the old tree removed inside the same call), and that removal alone
    (rm -rf of such a copy, the reference for its share)."""
    mode = "--reflink=" + ("always" if clone else "auto")
    a = _archive(clone)
    plain = reflink("reflink -a", rl, ["-a", mode], a)
    staged = reflink("reflink -a --atomic", rl, ["-a", "--atomic", mode], a)
    swap = reflink("reflink -a --atomic, onto the previous copy", rl,
                   ["-aT", "--atomic", mode], a)
    rm = Tool("rm -rf of the previous copy (the old tree's removal)",
              ["rm", "-rf", "{dst}"], Want(absent=True), "reference")
    swap.prepare = rm.prepare = ["cp", "-a", "--reflink=auto", "{src}", "{dst}"]
    return [plain, staged, swap, rm]


def baseline_tools(base, clone):
    """Another build of reflink (--baseline: an earlier commit) beside
    this one, on the same tree in the same rounds: a change's effect."""
    mode = "--reflink=" + ("always" if clone else "auto")
    return [reflink("reflink@baseline -a", base, ["-a", mode], _archive(clone))] if base else []


# The CPU load of the load rows: one busy loop per core.
def busy_loops():
    return [["sh", "-c", "while :; do :; done"]] * (os.cpu_count() or 1)


def cold_tree_tools(rl, clone):
    """A tree read from the device (caches dropped, each run timed up to
    the destination's syncfs): reflink with one worker, the default and 8
    workers, so the default's choice shows, against cp -a and tar; then
    the default and one worker beside a busy loop on every core."""
    mode = "--reflink=" + ("always" if clone else "auto")
    a = _archive(clone)
    tools = [reflink("reflink -a", rl, ["-a", mode], a),
             reflink("reflink -a -j1", rl, ["-a", "-j1", mode], a),
             reflink("reflink -a -j8", rl, ["-a", "-j8", mode], a),
             cp(["-a"], _archive(False)),
             Tool("tar c | tar x", ["sh", "-c",
                  'mkdir "$2" && tar -C "$1" -cf - . | tar -C "$2" -xf -',
                  "tar", "{src}", "{dst}"], _archive(False, slack=10**9))]
    loaded = [reflink("reflink -a, CPU load", rl, ["-a", mode], a),
              reflink("reflink -a -j1, CPU load", rl, ["-a", "-j1", mode], a)]
    for t in loaded:
        t.load, t.group = True, "load"
    return tools + loaded


def selftest_tools(clone):
    """Wrong copies the verifier must catch (smoke mode): a corrupted byte,
    lost times, and a plain copy that claims to be a clone."""
    bad = [Tool("selftest: corrupted copy", ["sh", "-c",
                'cp -a "$1" "$2" && f=$(find "$2" -type f -size +0 | head -n 1) && '
                # the first byte, changed to another value, written in place
                '{ head -c 1 "$f" | tr "\\000-\\377" "\\001-\\377\\000"; } | '
                'dd of="$f" bs=1 count=1 conv=notrunc status=none && '
                'touch -r "$1${f#"$2"}" "$f"',  # times kept: only content differs
                "corrupt", "{src}", "{dst}"], _archive(False), "selftest"),
           Tool("selftest: copy with lost times", ["cp", "-r", "{src}", "{dst}"],
                _archive(False), "selftest")]
    if clone:
        bad.append(Tool("selftest: fake clone", ["cp", "-a", "--reflink=never", "{src}", "{dst}"],
                        _archive(True), "selftest"))
    return bad
