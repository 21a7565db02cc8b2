"""A symlink copied as a link onto what it resolves to is the same file,
as cp says: refused with SameFileError, the data it names untouched (byte
for byte), through relative, absolute and chained links and hard links, in
copy, copy_file and copytree."""
import os

import pytest

import reflink
from rltest import data, read, write

MODES = ["always", "auto", "never"]


def _links(root):
    """root/d/real (the data), a hard link to it, and links resolving to it."""
    os.mkdir(os.path.join(root, "d"))
    real = write(os.path.join(root, "d", "real"), data(300000, seed=7))
    os.link(real, os.path.join(root, "hard"))
    os.symlink("real", os.path.join(root, "d", "rel"))
    os.symlink(real, os.path.join(root, "abs"))
    os.symlink("d/rel", os.path.join(root, "chain"))
    return real


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("link", ["d/rel", "abs", "chain"])
@pytest.mark.parametrize("onto", ["d/real", "hard"])
def test_symlink_onto_its_target(btrfs, mode, link, onto):
    real = _links(btrfs)
    before = read(real)
    src, dst = os.path.join(btrfs, link), os.path.join(btrfs, onto)
    for call in (lambda: reflink.copy_file(src, dst, mode=mode, follow_symlinks=False),
                 lambda: reflink.copy(src, dst, mode=mode, follow_symlinks=False),
                 lambda: reflink.copytree(src, dst, mode=mode, dirs_exist_ok=True)):
        with pytest.raises(reflink.SameFileError) as info:
            call()
        assert (info.value.filename, info.value.filename2) == (src, dst)
        assert not os.path.islink(dst) and read(dst) == before
    assert os.readlink(src) == {"d/rel": "real", "abs": real, "chain": "d/rel"}[link]


def test_symlink_onto_another_link_is_replaced(btrfs):
    write(os.path.join(btrfs, "t"), b"T")
    os.symlink("t", os.path.join(btrfs, "l1"))
    os.symlink("t", os.path.join(btrfs, "l2"))
    reflink.copy_file(os.path.join(btrfs, "l1"), os.path.join(btrfs, "l2"),
                      follow_symlinks=False)
    assert os.readlink(os.path.join(btrfs, "l2")) == "t"
    assert read(os.path.join(btrfs, "t")) == b"T"


def test_copytree_atomic_replaces_whole(clonefs):
    src, dst = os.path.join(clonefs, "src"), os.path.join(clonefs, "dst")
    os.makedirs(os.path.join(src, "sub"))
    write(os.path.join(src, "sub", "f"), b"new")
    os.makedirs(os.path.join(dst, "old"))
    write(os.path.join(dst, "old", "g"), b"old")
    reflink.copytree(src, dst, atomic=True)
    assert read(os.path.join(dst, "sub", "f")) == b"new"
    assert not os.path.exists(os.path.join(dst, "old"))
    assert sorted(os.listdir(clonefs)) == ["dst", "src"]


def test_copytree_atomic_failure_keeps_target(clonefs):
    src, dst = os.path.join(clonefs, "missing"), os.path.join(clonefs, "dst")
    os.makedirs(dst)
    write(os.path.join(dst, "g"), b"old")
    with pytest.raises(FileNotFoundError):
        reflink.copytree(src, dst, atomic=True)
    assert read(os.path.join(dst, "g")) == b"old"
    assert os.listdir(clonefs) == ["dst"]
