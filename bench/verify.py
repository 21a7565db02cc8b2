"""Checks that a copy is right, so that a fast wrong answer cannot win.

compare(src, dst, want) walks both (files or trees) and returns a list of
problems (empty when the copy is right). want is a Want: which promises the
tool made (shared extents, no shared extents, metadata kept, sparse).
"""
import fcntl
import os
import stat
import struct
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

FS_IOC_FIEMAP = 0xC020660B
FIEMAP_FLAG_SYNC = 0x1
FIEMAP_EXTENT_LAST = 0x1
FIEMAP_EXTENT_DATA_INLINE = 0x200
FIEMAP_EXTENT_SHARED = 0x2000
_HDR = struct.Struct("=QQIIII")           # struct fiemap
_EXT = struct.Struct("=QQQQQI12x")        # struct fiemap_extent
_BATCH = 256
MAX_PROBLEMS = 5
SMALL = 1 << 20
_FORK = multiprocessing.get_context("fork")


@dataclass
class Want:
    shared: bool = False      # every data byte shares extents (a clone)
    unshared: bool = False    # no byte shares extents (a real copy)
    meta: bool = False        # mode and mtime kept (files and directories)
    mtime_slack_ns: int = 0   # allowed mtime difference (tar keeps seconds)
    file_meta_only: bool = False  # the tool keeps file times, not dirs'
    sparse: bool = False      # allocates no more than the source
    extras: frozenset = frozenset()  # paths the copy may hold that the
    #                           source lacks (a re-sync that does not delete)
    absent: bool = False      # nothing is left at dst (a removal)


def extents(path):
    """[(logical, physical, length, flags)] of path, as FIEMAP reports them."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        return _extents_fd(fd)
    finally:
        os.close(fd)


def _extents_fd(fd):
    out, start = [], 0
    while True:
        buf = bytearray(_HDR.size + _BATCH * _EXT.size)
        _HDR.pack_into(buf, 0, start, (1 << 64) - 1 - start,
                       FIEMAP_FLAG_SYNC, 0, _BATCH, 0)
        fcntl.ioctl(fd, FS_IOC_FIEMAP, buf)
        mapped = _HDR.unpack_from(buf, 0)[3]
        if mapped == 0:
            return out
        for i in range(mapped):
            logical, physical, length, _, _, flags = _EXT.unpack_from(
                buf, _HDR.size + i * _EXT.size)
            out.append((logical, physical, length, flags))
            start = logical + length
            if flags & FIEMAP_EXTENT_LAST:
                return out


def _sums(ext):
    return (sum(e[2] for e in ext),
            sum(e[2] for e in ext if e[3] & FIEMAP_EXTENT_SHARED),
            sum(e[2] for e in ext if e[3] & FIEMAP_EXTENT_DATA_INLINE))


def fiemap(path):
    """(data, shared, inline) bytes of path. btrfs keeps small files inline
    in its metadata: a clone copies those bytes, which can never be shared."""
    return _sums(extents(path))


def _all_shared(ext):
    return bool(ext) and all(e[3] & ~FIEMAP_EXTENT_LAST == FIEMAP_EXTENT_SHARED for e in ext)


def same_blocks(src_ext, dst_ext):
    """True if dst is mapped onto exactly src's shared disk blocks, which
    proves the same content without reading it (a clone's data is not in
    the page cache: reading it would cost a second or more per GiB)."""
    return _all_shared(dst_ext) and src_ext == dst_ext


def _segments(fd, size):
    """Data segments [(start, end)] of an open file (SEEK_DATA/SEEK_HOLE)."""
    out, pos = [], 0
    while pos < size:
        try:
            start = os.lseek(fd, pos, os.SEEK_DATA)
        except OSError:        # ENXIO: only a hole is left
            break
        end = os.lseek(fd, start, os.SEEK_HOLE)
        out.append((start, end))
        pos = end
    return out


def _union(a, b):
    out = []
    for s, e in sorted(a + b):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def same_content(a, b):
    """True if files a and b hold the same bytes. Reads only where either
    has data, so a 4 GiB sparse file costs its data, not its size."""
    fa = os.open(a, os.O_RDONLY | os.O_NOFOLLOW)
    fb = os.open(b, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        size = os.fstat(fa).st_size
        if os.fstat(fb).st_size != size:
            return False
        if size <= SMALL:
            return _same_range(fa, fb, 0, size)
        segs = _union(_segments(fa, size), _segments(fb, size))
        return all(_same_range(fa, fb, s, e) for s, e in segs)
    finally:
        os.close(fa)
        os.close(fb)


def _same_range(fa, fb, pos, end):
    while pos < end:
        n = min(SMALL, end - pos)
        a, b = os.pread(fa, n, pos), os.pread(fb, n, pos)
        if a != b or not a:
            return False
        pos += len(a)
    return True


class Checker:
    """Walks the two trees; regular files are checked afterwards, in
    parallel when there are many (see compare)."""

    def __init__(self, want):
        self.want = want
        self.problems = []
        self.files = []

    def bad(self, rel, why):
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append("%s: %s" % (rel or ".", why))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append("... more")

    def entry(self, src, dst, rel, is_root=False):
        try:
            s, d = os.lstat(src), os.lstat(dst)
        except OSError as e:
            return self.bad(rel, "missing in copy (%s)" % e.strerror)
        if stat.S_IFMT(s.st_mode) != stat.S_IFMT(d.st_mode):
            return self.bad(rel, "type differs")
        if stat.S_ISLNK(s.st_mode):
            if os.readlink(src) != os.readlink(dst):
                self.bad(rel, "symlink target differs")
            return None
        if stat.S_ISDIR(s.st_mode):
            self.directory(src, dst, rel)
        elif stat.S_ISREG(s.st_mode):
            self.files.append((src, dst, rel, s, d))
        self.metadata(rel, s, d, stat.S_ISDIR(s.st_mode) or is_root)
        return None

    def directory(self, src, dst, rel):
        names, got = sorted(os.listdir(src)), sorted(os.listdir(dst))
        extra = sorted(n for n in set(got) - set(names)
                       if os.path.join(rel, n) not in self.want.extras)[:3]
        lost = sorted(set(names) - set(got))[:3]
        if extra or lost:
            self.bad(rel, "entries differ (missing %s, extra %s)" % (lost, extra))
        for n in names:
            if n in got:
                self.entry(os.path.join(src, n), os.path.join(dst, n),
                           os.path.join(rel, n))

    def regular(self, src, dst, rel, s, d):
        """Check one regular file; returns its problems."""
        self.problems = []
        self._regular(src, dst, rel, s, d)
        return self.problems

    def _regular(self, src, dst, rel, s, d):
        w = self.want
        dext = extents(dst) if (w.shared or w.unshared) and s.st_size else None
        cloned = w.shared and _all_shared(dext) and same_blocks(extents(src), dext)
        if not cloned and not same_content(src, dst):
            return self.bad(rel, "content differs")
        if w.sparse and d.st_blocks > s.st_blocks:
            self.bad(rel, "allocates %d KiB, source %d KiB" %
                     (d.st_blocks // 2, s.st_blocks // 2))
        if dext is None:
            return None
        data, shared, inline = _sums(dext)
        if w.shared and shared != data - inline:
            self.bad(rel, "not a clone: %d of %d bytes shared" % (shared, data))
        if w.unshared and shared:
            self.bad(rel, "shares %d bytes with another file" % shared)
        return None

    def metadata(self, rel, s, d, is_dir):
        w = self.want
        if not w.meta or (is_dir and w.file_meta_only):
            return
        if stat.S_IMODE(s.st_mode) != stat.S_IMODE(d.st_mode):
            self.bad(rel, "mode %o, source %o" %
                     (stat.S_IMODE(d.st_mode), stat.S_IMODE(s.st_mode)))
        if abs(s.st_mtime_ns - d.st_mtime_ns) > w.mtime_slack_ns:
            self.bad(rel, "mtime differs by %d ns" % (d.st_mtime_ns - s.st_mtime_ns))


def compare(src, dst, want):
    """Problems found comparing the copy dst with src (a file or a tree)."""
    if want.absent:
        return ["%s is still there" % dst] if os.path.lexists(dst) else []
    c = Checker(want)
    c.entry(src, dst, "", is_root=True)
    problems, files = c.problems, c.files
    if len(files) < 1000:
        found = [c.regular(*f) for f in files]
    else:  # both cores: the time goes to system calls and Python
        with ProcessPoolExecutor(os.cpu_count(), mp_context=_FORK) as pool:
            found = pool.map(_check_file, [want] * len(files), files, chunksize=256)
    for p in found:
        problems += p
    if len(problems) > MAX_PROBLEMS:
        problems[MAX_PROBLEMS:] = ["... more"]
    return problems


def _check_file(want, f):
    return Checker(want).regular(*f)


def count_files(root):
    """Regular files under root (1 if root is one)."""
    if not os.path.isdir(root):
        return 1
    n = 0
    for e in os.scandir(root):
        if e.is_dir(follow_symlinks=False):
            n += count_files(e.path)
        elif e.is_file(follow_symlinks=False):
            n += 1
    return n
