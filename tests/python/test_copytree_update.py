"""reflink.copytree(update=...): which existing files a merge replaces."""
import os

import pytest

import reflink
from rltest import read, write


def _trees(root):
    src, dst = os.path.join(root, "src"), os.path.join(root, "dst")
    for d in (src, dst):
        os.makedirs(os.path.join(d, "d"))
    write(os.path.join(src, "a"), b"new-a")
    write(os.path.join(src, "d", "b"), b"new-b")
    write(os.path.join(src, "d", "c"), b"new-c")
    write(os.path.join(dst, "a"), b"old")
    write(os.path.join(dst, "d", "b"), b"old")
    os.utime(os.path.join(src, "a"), (946684800, 946684800))
    os.utime(os.path.join(src, "d", "b"), (946684800, 946684800))
    os.utime(os.path.join(dst, "a"), (631152000, 631152000))      # older
    os.utime(os.path.join(dst, "d", "b"), (1262304000, 1262304000))  # newer
    return src, dst


def _ino(path):
    return os.stat(path).st_ino


def test_update_none_keeps_existing_files_and_implies_a_merge(btrfs):
    src, dst = _trees(btrfs)
    ino = _ino(os.path.join(dst, "a"))
    stats = reflink.copytree(src, dst, update="none")  # no dirs_exist_ok needed
    assert (stats.files, stats.skipped, stats.errors) == (1, 2, 0)
    assert read(os.path.join(dst, "a")) == b"old"
    assert _ino(os.path.join(dst, "a")) == ino
    assert read(os.path.join(dst, "d", "c")) == b"new-c"
    again = reflink.copytree(src, dst, update="none")
    assert (again.files, again.skipped) == (0, 3)


def test_update_older_replaces_only_older_files(btrfs):
    src, dst = _trees(btrfs)
    ino = _ino(os.path.join(dst, "d", "b"))
    stats = reflink.copytree(src, dst, update="older")
    assert read(os.path.join(dst, "a")) == b"new-a"
    assert read(os.path.join(dst, "d", "b")) == b"old"
    assert _ino(os.path.join(dst, "d", "b")) == ino
    assert (stats.files, stats.skipped) == (2, 1)
    # With preserve (the default) times are now equal: nothing is replaced.
    again = reflink.copytree(src, dst, update="older")
    assert (again.files, again.skipped) == (0, 3)


def test_update_none_fail_raises_with_every_kept_file(btrfs):
    src, dst = _trees(btrfs)
    with pytest.raises(FileExistsError) as info:
        reflink.copytree(src, dst, update="none-fail")
    e = info.value
    assert len(e.errors) == 2
    assert sorted(x.filename2 for x in e.errors) == \
        [os.path.join(dst, "a"), os.path.join(dst, "d", "b")]
    assert (e.stats.skipped, e.stats.errors, e.stats.files) == (2, 2, 1)
    assert read(os.path.join(dst, "a")) == b"old"
    assert read(os.path.join(dst, "d", "c")) == b"new-c"


def test_update_all_is_the_default_and_skips_nothing(btrfs):
    src, dst = _trees(btrfs)
    stats = reflink.copytree(src, dst, dirs_exist_ok=True)
    assert (stats.files, stats.skipped) == (3, 0)
    assert read(os.path.join(dst, "d", "b")) == b"new-b"


def test_update_arguments(btrfs):
    src, dst = _trees(btrfs)
    for bad in ("never", None, 1, "NONE"):
        with pytest.raises(ValueError):
            reflink.copytree(src, dst, update=bad)
    with pytest.raises(ValueError):
        reflink.copytree(src, os.path.join(btrfs, "new"), update="none", atomic=True)
    assert read(os.path.join(dst, "a")) == b"old"
    assert not os.path.exists(os.path.join(btrfs, "new"))
