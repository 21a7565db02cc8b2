"""Checks that a copy is right, so that a fast wrong answer cannot win.

compare(src, dst, want) walks both (files or trees) and returns a list of
problems (empty when the copy is right). want is a Want: which promises the
tool made (shared extents, no shared extents, metadata kept, sparse).
"""
import fcntl
import os
import stat
import struct
from concurrent.futures import ThreadPoolExecutor
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


@dataclass
class Want:
    shared: bool = False      # every data byte shares extents (a clone)
    unshared: bool = False    # no byte shares extents (a real copy)
    meta: bool = False        # mode and mtime kept (files and directories)
    mtime_slack_ns: int = 0   # allowed mtime difference (tar keeps seconds)
    file_meta_only: bool = False  # the tool keeps file times, not dirs'
    sparse: bool = False      # allocates no more than the source


def fiemap(path):
    """(data, shared, inline) bytes of path, as FIEMAP reports them. btrfs
    keeps small files inline in its metadata: a clone copies those bytes,
    which can never be shared."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        return _fiemap_fd(fd)
    finally:
        os.close(fd)


def _fiemap_fd(fd):
    data = shared = inline = start = 0
    while True:
        buf = bytearray(_HDR.size + _BATCH * _EXT.size)
        _HDR.pack_into(buf, 0, start, (1 << 64) - 1 - start,
                       FIEMAP_FLAG_SYNC, 0, _BATCH, 0)
        fcntl.ioctl(fd, FS_IOC_FIEMAP, buf)
        mapped = _HDR.unpack_from(buf, 0)[3]
        if mapped == 0:
            return data, shared, inline
        for i in range(mapped):
            logical, _, length, _, _, flags = _EXT.unpack_from(
                buf, _HDR.size + i * _EXT.size)
            data += length
            if flags & FIEMAP_EXTENT_SHARED:
                shared += length
            if flags & FIEMAP_EXTENT_DATA_INLINE:
                inline += length
            start = logical + length
            if flags & FIEMAP_EXTENT_LAST:
                return data, shared, inline


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
    """Walks the two trees; regular files are checked afterwards by a few
    threads (the system calls release the GIL), to keep verification short."""

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
        if names != got:
            extra = sorted(set(got) - set(names))[:3]
            lost = sorted(set(names) - set(got))[:3]
            self.bad(rel, "entries differ (missing %s, extra %s)" % (lost, extra))
        for n in names:
            if n in got:
                self.entry(os.path.join(src, n), os.path.join(dst, n),
                           os.path.join(rel, n))

    def regular(self, src, dst, rel, s, d):
        if not same_content(src, dst):
            return self.bad(rel, "content differs")
        if self.want.sparse and d.st_blocks > s.st_blocks:
            self.bad(rel, "allocates %d KiB, source %d KiB" %
                     (d.st_blocks // 2, s.st_blocks // 2))
        if not (self.want.shared or self.want.unshared) or s.st_size == 0:
            return None
        data, shared, inline = fiemap(dst)
        if self.want.shared and shared != data - inline:
            self.bad(rel, "not a clone: %d of %d bytes shared" % (shared, data))
        if self.want.unshared and shared:
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
    c = Checker(want)
    c.entry(src, dst, "", is_root=True)
    with ThreadPoolExecutor(4) as pool:
        for _ in pool.map(lambda f: c.regular(*f), c.files, chunksize=64):
            pass
    return c.problems


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
