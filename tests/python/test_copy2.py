"""reflink.copy2 and reflink.copy as shutil's copy functions: copy2 keeps
what shutil.copy2 keeps (permission bits, times, extended attributes), so
shutil.copytree(copy_function=reflink.copy2) keeps what shutil's default
keeps; copy keeps what shutil.copy keeps (the permission bits only)."""
import os
import shutil
import stat

import reflink
from rltest import data, is_clone_of, make_tree, read, regular_files, write

OLD = 1_000_000_000_123_456_789  # a time no copy can get by accident


def _source(root):
    """make_tree's tree with odd modes, old times and an xattr on every file."""
    make_tree(root)
    for i, p in enumerate(sorted(regular_files(root))):
        os.chmod(p, (0o600, 0o751, 0o640, 0o755, 0o444)[i % 5])
        os.setxattr(p, "user.rl", b"x%d" % i)
        os.utime(p, ns=(OLD + i, OLD + 1000 * i))
    return root


def _meta(root):
    """{relative path: (permission bits, mtime, xattr)} of root's files."""
    out = {}
    for p in regular_files(root):
        st = os.stat(p)
        out[os.path.relpath(p, root)] = (stat.S_IMODE(st.st_mode), st.st_mtime_ns,
                                         os.getxattr(p, "user.rl"))
    return out


def test_copytree_copy2_keeps_what_shutil_keeps(clonefs):
    src = _source(os.path.join(clonefs, "src"))
    theirs, ours = os.path.join(clonefs, "shutil"), os.path.join(clonefs, "ours")
    shutil.copytree(src, theirs, symlinks=True)
    shutil.copytree(src, ours, symlinks=True, copy_function=reflink.copy2)
    want = _meta(src)
    assert len(want) >= 6
    assert _meta(theirs) == want
    assert _meta(ours) == want
    for p in regular_files(src):
        rel = os.path.relpath(p, src)
        if os.path.getsize(p) > 4096:  # btrfs keeps small files inline
            assert is_clone_of(os.path.join(ours, rel), p), rel


def test_copytree_copy_keeps_mode_only(plainfs):
    """As shutil.copy: the permission bits, no times, no xattrs."""
    src = _source(os.path.join(plainfs, "src"))
    theirs, ours = os.path.join(plainfs, "shutil"), os.path.join(plainfs, "ours")
    shutil.copytree(src, theirs, symlinks=True, copy_function=shutil.copy)
    shutil.copytree(src, ours, symlinks=True, copy_function=reflink.copy)
    want = _meta(src)
    for copy in (theirs, ours):
        for p in regular_files(copy):
            rel = os.path.relpath(p, copy)
            st = os.stat(p)
            assert stat.S_IMODE(st.st_mode) == want[rel][0], (copy, rel)
            assert st.st_mtime_ns != want[rel][1], (copy, rel)
            assert "user.rl" not in os.listxattr(p), (copy, rel)
            assert read(p) == read(os.path.join(src, rel))
    assert sorted(os.path.relpath(p, ours) for p in regular_files(ours)) == sorted(want)


def test_copy2_file_and_directory(btrfs):
    src = write(os.path.join(btrfs, "src"), data(100_000), mode=0o640)
    os.utime(src, ns=(OLD, OLD + 7))
    into = os.path.join(btrfs, "dir")
    os.mkdir(into)
    assert reflink.copy2(src, into) == os.path.join(into, "src")
    assert reflink.copy2(src, os.path.join(btrfs, "named")) == os.path.join(btrfs, "named")
    for p in (os.path.join(into, "src"), os.path.join(btrfs, "named")):
        st = os.stat(p)
        assert (stat.S_IMODE(st.st_mode), st.st_atime_ns, st.st_mtime_ns) == (0o640, OLD, OLD + 7)
        assert is_clone_of(p, src)


def test_copy2_follow_symlinks(btrfs):
    write(os.path.join(btrfs, "target"), b"data")
    os.symlink("target", os.path.join(btrfs, "link"))
    reflink.copy2(os.path.join(btrfs, "link"), os.path.join(btrfs, "deref"))
    assert read(os.path.join(btrfs, "deref")) == b"data"
    assert not os.path.islink(os.path.join(btrfs, "deref"))
    reflink.copy2(os.path.join(btrfs, "link"), os.path.join(btrfs, "asis"),
                  follow_symlinks=False)
    assert os.readlink(os.path.join(btrfs, "asis")) == "target"


def test_copy2_drops_setuid(btrfs):
    """The one difference from shutil.copy2: setuid and setgid are not
    copied (the copy has a new owner), as cp -p without ownership."""
    src = write(os.path.join(btrfs, "src"), b"#!/bin/sh\n", mode=0o6755)
    reflink.copy2(src, os.path.join(btrfs, "c"))
    assert stat.S_IMODE(os.stat(os.path.join(btrfs, "c")).st_mode) == 0o755


def test_copy2_exported():
    assert "copy2" in reflink.__all__ and "copy" in reflink.__all__
