"""The data the benchmark copies, made the same way every time (seeded)."""
import math
import os
import random
import subprocess
from dataclasses import dataclass, field

MiB = 1 << 20
GiB = 1 << 30


def random_file(path, size, seed=1):
    """size bytes of random data."""
    rng = random.Random(seed)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(4 * MiB, left)
            f.write(rng.randbytes(n))
            left -= n


def clone_pair(root):
    """A directory holding "1GiB" and "1MiB" of random data."""
    os.mkdir(root)
    random_file(os.path.join(root, "1GiB"), GiB, seed=4)
    random_file(os.path.join(root, "1MiB"), MiB, seed=5)


def sparse_file(path, size, pieces, piece=MiB, seed=2):
    """A file of size bytes holding pieces * piece bytes of random data,
    spread evenly, ending in a hole (the size is set first)."""
    rng = random.Random(seed)
    stride = size // pieces
    with open(path, "wb") as f:
        f.truncate(size)
        for i in range(pieces):
            f.seek(i * stride + stride // 3 // piece * piece)
            f.write(rng.randbytes(piece))


def _leaf(i):
    """Leaf directory i of a synthetic tree, three levels deep."""
    return os.path.join("d%d" % (i // 100), "d%d" % (i // 10 % 10), "d%d" % (i % 10))


def synthetic_tree(root, nfiles, seed=3, max_size=4096, extras=False):
    """nfiles small files (0..max_size bytes), 100 to a leaf directory
    nested three deep. extras adds what a real tree has too: relative
    symlinks, an empty file, an executable, a 1 MiB file."""
    rng = random.Random(seed)
    os.mkdir(root)
    for i in range(nfiles):
        d = os.path.join(root, _leaf(i // 100))
        if i % 100 == 0:
            os.makedirs(d)
        with open(os.path.join(d, "f%03d.js" % (i % 100)), "wb") as f:
            f.write(rng.randbytes(rng.randrange(max_size + 1)))
    if extras:
        _extras(root, rng)


def mixed_tree(root, nfiles=10_000, seed=6):
    """A node_modules-like tree (issue 13's): nfiles files, 100 to a leaf
    directory as in synthetic_tree, 83% of them 0-4 KiB and the rest
    log-uniform from 4 KiB to 352 KiB (with this seed: 8,236 files of at
    most 4 KiB, 158,870,164 bytes in all)."""
    rng = random.Random(seed)
    os.mkdir(root)
    for i in range(nfiles):
        d = os.path.join(root, _leaf(i // 100))
        if i % 100 == 0:
            os.makedirs(d)
        if rng.random() < 0.83:
            size = rng.randrange(4097)
        else:
            size = int(4096 * math.exp(rng.uniform(0, math.log(88))))
        with open(os.path.join(d, "f%03d.js" % (i % 100)), "wb") as f:
            f.write(rng.randbytes(size))


def _extras(root, rng):
    os.makedirs(os.path.join(root, ".bin"))
    os.symlink("../d0/d0/d0/f000.js", os.path.join(root, ".bin", "tool"))
    os.symlink("f001.js", os.path.join(root, "d0/d0/d0/link"))
    open(os.path.join(root, "empty"), "wb").close()
    big = os.path.join(root, "big.bin")
    with open(big, "wb") as f:
        f.write(rng.randbytes(MiB))
    os.chmod(big, 0o755)
    # Times set last, away from "now", so a copy that loses them shows.
    for dirpath, dirs, files in os.walk(root, topdown=False):
        for n in files + dirs:
            os.utime(os.path.join(dirpath, n), ns=(1_500_000_000_123_456_789,) * 2,
                     follow_symlinks=False)
    os.utime(root, ns=(1_500_000_000_123_456_789,) * 2)


def copy_tree_in(src, dst):
    """A faithful copy of a prepared tree (the npm cache) onto a test
    filesystem, sharing nothing with it."""
    subprocess.run(["cp", "-a", "--reflink=never", src, dst], check=True)


@dataclass
class Changes:
    """What resync_source changed: counts of files and the removed paths
    (relative to the source)."""
    changed: int = 0
    added: int = 0
    removed: int = 0
    removed_paths: list = field(default_factory=list)


def _regular_files(root):
    out = []
    for d, dirs, files in os.walk(root):
        dirs.sort()
        for n in sorted(files):
            p = os.path.join(d, n)
            if os.path.isfile(p) and not os.path.islink(p):
                out.append(os.path.relpath(p, root))
    return out


def resync_source(tree, src, changes, seed=6):
    """A source that changed since it was copied: tree copied to src, the
    copy as it was kept as src + ".old" (cloned where possible: the state a
    re-sync starts from), then in src 1% of the regular files given new
    content and an mtime an hour later, 0.5% added (new files beside
    existing ones) and 0.5% removed, chosen the same way every time.
    Fills changes."""
    copy_tree_in(tree, src)
    subprocess.run(["cp", "-a", "--reflink=auto", src, src + ".old"], check=True)
    files = _regular_files(src)
    rng = random.Random(seed)
    picked = rng.sample(range(len(files)), len(files) // 100 + len(files) // 100)
    n_changed, n_half = len(files) // 100, len(files) // 200
    for i in picked[:n_changed]:
        p = os.path.join(src, files[i])
        st = os.lstat(p)
        with open(p, "ab") as f:
            f.write(b"\n/* changed %d */\n" % i)
        os.utime(p, ns=(st.st_atime_ns, st.st_mtime_ns + 3600 * 10**9))
    for i in picked[n_changed:n_changed + n_half]:
        os.unlink(os.path.join(src, files[i]))
        changes.removed_paths.append(files[i])
    for k, i in enumerate(picked[n_changed + n_half:n_changed + 2 * n_half]):
        d = os.path.dirname(os.path.join(src, files[i]))
        with open(os.path.join(d, "added-%d.js" % k), "wb") as f:
            f.write(rng.randbytes(rng.randrange(100, 8192)))
    changes.changed, changes.removed, changes.added = n_changed, n_half, n_half
