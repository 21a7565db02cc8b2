"""reflink.copy as shutil's copy_function on every filesystem, copy_file's
results, check, and clone_range."""
import dataclasses
import errno
import os
import shutil
import stat

import pytest

import reflink
from rltest import (data, is_clone_of, make_tree, read, regular_files,
                    shares_nothing, snapshot, write)

CLONES = ("btrfs", "xfs")


def test_shutil_copytree_copy_function(anyfs):
    kind, d = anyfs
    src = make_tree(os.path.join(d, "src"))
    dst = os.path.join(d, "dst")
    assert shutil.copytree(src, dst, symlinks=True,
                           copy_function=reflink.copy) == dst
    assert snapshot(dst) == snapshot(src)
    for s in regular_files(src):
        t = os.path.join(dst, os.path.relpath(s, src))
        if os.path.getsize(s) < 4096 or s.endswith("sparse"):
            continue  # btrfs keeps tiny files inline: nothing to share
        if kind in CLONES:
            assert is_clone_of(t, s), t
        else:
            assert shares_nothing(t), t


def test_shutil_move_across_filesystems(fsdir):
    a, b = fsdir("btrfs"), fsdir("ext4")
    src = write(os.path.join(a, "f"), data(100000))
    expect = read(src)
    assert shutil.move(src, b, copy_function=reflink.copy) == os.path.join(b, "f")
    assert read(os.path.join(b, "f")) == expect and not os.path.exists(src)


def test_copy_into_directory(btrfs):
    src = write(os.path.join(btrfs, "f.txt"), data(9000))
    os.mkdir(os.path.join(btrfs, "out"))
    got = reflink.copy(src, os.path.join(btrfs, "out"))
    assert got == os.path.join(btrfs, "out", "f.txt")
    assert is_clone_of(got, src)
    # A file dst is returned as given, PathLike or not.
    import pathlib
    p = pathlib.Path(btrfs, "g.txt")
    assert reflink.copy(src, p) is p and read(p) == read(src)


def test_copy_file_result(anyfs):
    kind, d = anyfs
    src = write(os.path.join(d, "src"), data(512 * 1024))
    r = reflink.copy_file(src, os.path.join(d, "auto"))
    assert r.bytes == 512 * 1024
    if kind in CLONES:
        assert (r.method, r.cloned_bytes, r.copied_bytes) == ("clone", 512 * 1024, 0)
    else:
        assert r.method in ("copy_file_range", "read_write")
        assert (r.cloned_bytes, r.copied_bytes) == (0, 512 * 1024)
    r = reflink.copy_file(src, os.path.join(d, "never"), mode="never")
    assert r.method != "clone" and r.copied_bytes == 512 * 1024
    assert shares_nothing(os.path.join(d, "never"))
    assert read(os.path.join(d, "never")) == read(src)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.method = "clone"


def test_copy_always_on_plain_fs(plainfs):
    src = write(os.path.join(plainfs, "src"), data(10000))
    with pytest.raises(reflink.CloneImpossibleError) as info:
        reflink.copy(src, os.path.join(plainfs, "dst"), mode="always")
    e = info.value
    assert isinstance(e, OSError) and isinstance(e, reflink.ReflinkImpossibleError)
    assert e.errno == errno.EOPNOTSUPP
    assert e.filename == src and e.filename2 == os.path.join(plainfs, "dst")
    assert not os.path.exists(os.path.join(plainfs, "dst"))


def test_empty_file(anyfs):
    _, d = anyfs
    src = write(os.path.join(d, "empty"), b"")
    r = reflink.copy_file(src, os.path.join(d, "copy"))
    assert r.bytes == 0 and read(os.path.join(d, "copy")) == b""


def test_preserve(btrfs):
    src = write(os.path.join(btrfs, "src"), data(5000), mode=0o751)
    os.utime(src, ns=(1_000_000_000_123, 1_500_000_000_456_000_000))
    os.setxattr(src, "user.rl", b"kept")
    reflink.copy(src, os.path.join(btrfs, "p"), preserve=True)
    st, sp = os.stat(src), os.stat(os.path.join(btrfs, "p"))
    assert stat.S_IMODE(sp.st_mode) == 0o751
    assert sp.st_mtime_ns == st.st_mtime_ns
    assert os.getxattr(os.path.join(btrfs, "p"), "user.rl") == b"kept"
    reflink.copy(src, os.path.join(btrfs, "n"))
    sn = os.stat(os.path.join(btrfs, "n"))
    assert stat.S_IMODE(sn.st_mode) == 0o751  # as shutil.copy: umask or not
    assert sn.st_mtime_ns != st.st_mtime_ns


def test_follow_symlinks(btrfs):
    target = write(os.path.join(btrfs, "target"), b"data")
    os.symlink("target", os.path.join(btrfs, "link"))
    reflink.copy(os.path.join(btrfs, "link"), os.path.join(btrfs, "deref"))
    assert not os.path.islink(os.path.join(btrfs, "deref"))
    assert read(os.path.join(btrfs, "deref")) == b"data"
    reflink.copy(os.path.join(btrfs, "link"), os.path.join(btrfs, "asis"),
                 follow_symlinks=False)
    assert os.readlink(os.path.join(btrfs, "asis")) == "target"
    assert read(target) == b"data"


def test_check(anyfs):
    kind, d = anyfs
    c = reflink.check(d)
    assert c.supported is (kind in CLONES)
    assert c.fstype == kind
    assert (c.reason is None) == c.supported
    if not c.supported:
        assert "clone" in c.reason
    with pytest.raises(AttributeError):
        c.supported = True


def test_clone_range(btrfs):
    blk = os.statvfs(btrfs).f_bsize
    src = write(os.path.join(btrfs, "src"), data(16 * blk))
    content = read(src)
    with open(src, "rb") as s, open(os.path.join(btrfs, "dst"), "w+b") as d:
        d.write(b"x" * 100)  # buffered: clone_range must flush it first
        # Aligned in both files: the middle is cloned, nothing copied.
        r = reflink.clone_range(s, 2 * blk, d, 4 * blk, 8 * blk)
        assert (r.method, r.cloned_bytes, r.copied_bytes) == ("clone", 8 * blk, 0)
        # Unaligned head and tail are copied, the middle cloned.
        r = reflink.clone_range(s.fileno(), 100, d.fileno(), 100 + 16 * blk,
                                4 * blk, mode="always")
        assert r.cloned_bytes == 3 * blk and r.copied_bytes == blk
        assert r.bytes == 4 * blk
    got = read(os.path.join(btrfs, "dst"))
    assert got[:100] == b"x" * 100
    assert got[4 * blk:12 * blk] == content[2 * blk:10 * blk]
    assert got[100 + 16 * blk:100 + 20 * blk] == content[100:100 + 4 * blk]


def test_clone_range_errors(fsdir):
    e4 = fsdir("ext4")
    src = write(os.path.join(e4, "src"), data(65536))
    with open(src, "rb") as s, open(os.path.join(e4, "dst"), "wb") as d:
        with pytest.raises(reflink.CloneImpossibleError) as info:
            reflink.clone_range(s, 0, d, 0, 0, mode="always")
        assert info.value.errno == errno.EOPNOTSUPP
        assert (info.value.filename, info.value.filename2) == (src, d.name)
        r = reflink.clone_range(s, 0, d, 0, 0)  # auto: copies it all
        assert (r.method, r.copied_bytes) == ("read_write", 65536)
        with pytest.raises(ValueError):
            reflink.clone_range(s, -1, d, 0, 10)
        with pytest.raises(ValueError):
            reflink.clone_range(s, 0, d, 0, 10, mode="sometimes")
    assert read(os.path.join(e4, "dst")) == read(src)
    with pytest.raises(OSError) as info:
        reflink.clone_range(10**6, 0, 10**6 + 1, 0, 10)
    assert info.value.errno == errno.EBADF
