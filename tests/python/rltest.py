"""Helpers for the Python binding's tests: FIEMAP (to prove a clone rather
than assume it), test files and trees, and tree comparison."""
import errno
import fcntl
import os
import stat
import struct

# Image sizes in MiB: btrfs needs >= 114, XFS >= 300.
FS_SIZES = {"btrfs": 128, "xfs": 300, "ext4": 64, "tmpfs": 320}

_FS_IOC_FIEMAP = 0xC020660B  # _IOWR('f', 11, struct fiemap)
_FIEMAP_FLAG_SYNC = 0x1
_FIEMAP_EXTENT_LAST = 0x1
_FIEMAP_EXTENT_SHARED = 0x2000
_HEAD = struct.Struct("=QQIIII")      # struct fiemap
_EXTENT = struct.Struct("=QQQQQIIII")  # struct fiemap_extent
_BATCH = 256

def extents(path):
    """[(logical, physical, length, flags)] of path's data, synced first."""
    out, start = [], 0
    with open(path, "rb") as f:
        while True:
            buf = bytearray(_HEAD.size + _BATCH * _EXTENT.size)
            _HEAD.pack_into(buf, 0, start, 2**64 - 1 - start, _FIEMAP_FLAG_SYNC,
                            0, _BATCH, 0)
            fcntl.ioctl(f.fileno(), _FS_IOC_FIEMAP, buf, True)
            mapped = _HEAD.unpack_from(buf, 0)[3]
            if mapped == 0:
                return out
            for i in range(mapped):
                e = _EXTENT.unpack_from(buf, _HEAD.size + i * _EXTENT.size)
                out.append((e[0], e[1], e[2], e[5]))
                start = e[0] + e[2]
                if e[5] & _FIEMAP_EXTENT_LAST:
                    return out

def shared_bytes(path):
    return sum(e[2] for e in extents(path) if e[3] & _FIEMAP_EXTENT_SHARED)

def is_clone_of(dst, src):
    """dst's data lives in exactly src's extents, all flagged shared."""
    a, b = extents(src), extents(dst)
    return (len(b) > 0 and all(e[3] & _FIEMAP_EXTENT_SHARED for e in b)
            and [e[:3] for e in a] == [e[:3] for e in b])

def shares_nothing(path):
    try:
        return shared_bytes(path) == 0
    except OSError as e:
        if e.errno != errno.EOPNOTSUPP:
            raise
        return True  # no FIEMAP (tmpfs): no extents to share either

def data(n, seed=0):
    """n reproducible bytes that differ with the seed."""
    block = (b"%08d-" % seed) + bytes(range(256)) * 16
    return (block * (n // len(block) + 1))[:n]

def write(path, content, mode=0o644):
    with open(path, "wb") as f:
        f.write(content)
    os.chmod(path, mode)
    return path

def read(path):
    with open(path, "rb") as f:
        return f.read()

def make_tree(root, seed=0):
    """A small tree with the shapes a package cache has. Returns root."""
    os.makedirs(os.path.join(root, "pkg", "lib", "deep", "er"))
    os.makedirs(os.path.join(root, "empty-dir"))
    write(os.path.join(root, "big.bin"), data(1 << 20, seed))
    write(os.path.join(root, "small.txt"), b"hello\n")
    write(os.path.join(root, "empty"), b"")
    write(os.path.join(root, "pkg", "index.js"), data(70000, seed + 1), 0o755)
    write(os.path.join(root, "pkg", "lib", "a.py"), data(5000, seed + 2))
    write(os.path.join(root, "pkg", "lib", "deep", "er", "b.dat"),
          data(300000, seed + 3))
    with open(os.path.join(root, "sparse"), "wb") as f:
        f.seek(4 << 20)
        f.write(b"end")
    os.symlink("pkg/index.js", os.path.join(root, "link"))
    return root

def snapshot(root):
    """{relative path: (kind, content or link target)} of a tree."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            if stat.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = ("dir", None)
            else:
                out[rel] = ("file", read(p))
    return out

def regular_files(root):
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            p = os.path.join(dirpath, name)
            if stat.S_ISREG(os.lstat(p).st_mode):
                yield p

def umask():
    m = os.umask(0)
    os.umask(m)
    return m
