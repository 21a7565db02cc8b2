"""reflink.copytree(delete=True): dst made an exact copy of src."""
import os

import pytest

import reflink
from rltest import snapshot, write as _write


def write(path, content):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return _write(path, content)


def _pair(tmp):
    src, dst = os.path.join(tmp, "src"), os.path.join(tmp, "dst")
    write(os.path.join(src, "a", "f"), b"new")
    write(os.path.join(src, "keep.txt"), b"k")
    write(os.path.join(dst, "a", "f"), b"old")
    write(os.path.join(dst, "a", "stale"), b"s")
    write(os.path.join(dst, "gone", "deep", "x"), b"x")
    write(os.path.join(dst, "cache.o"), b"o")
    return src, dst


def test_delete_makes_dst_exact_and_counts(tmp_path):
    src, dst = _pair(str(tmp_path))
    stats = reflink.copytree(src, dst, mode="auto", delete=True)
    assert snapshot(dst) == snapshot(src)
    # a/stale, gone, gone/deep, gone/deep/x, cache.o
    assert stats.deleted == 5 and stats.errors == 0
    again = reflink.copytree(src, dst, mode="auto", delete=True)
    assert again.deleted == 0


def test_delete_implies_dirs_exist_ok_and_keeps_ignored(tmp_path):
    src, dst = _pair(str(tmp_path))
    stats = reflink.copytree(src, dst, mode="auto", delete=True,
                             ignore=reflink.ignore_patterns("*.o"))
    assert os.path.exists(os.path.join(dst, "cache.o"))
    assert not os.path.exists(os.path.join(dst, "gone"))
    assert stats.deleted == 4


def test_delete_removes_a_link_never_its_target(tmp_path):
    src, dst = _pair(str(tmp_path))
    outside = os.path.join(str(tmp_path), "outside")
    write(os.path.join(outside, "precious"), b"p")
    os.symlink(outside, os.path.join(dst, "a", "link"))
    reflink.copytree(src, dst, mode="auto", delete=True)
    assert not os.path.lexists(os.path.join(dst, "a", "link"))
    assert os.listdir(outside) == ["precious"]


def test_delete_with_bytes_paths_and_atomic(tmp_path):
    src, dst = _pair(str(tmp_path))
    stats = reflink.copytree(os.fsencode(src), os.fsencode(dst), mode="auto",
                             delete=True, atomic=True)
    assert snapshot(dst) == snapshot(src)
    assert stats.deleted == 0  # the old tree went whole, after the swap
