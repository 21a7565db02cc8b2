"""reflink.shared and reflink.dedupe on real filesystems."""
import os
import threading

import pytest

import reflink
from rltest import data, is_clone_of, read, write


def _pair(root, n=3, size=300_000):
    for side in ("a", "b"):
        os.makedirs(os.path.join(root, side), exist_ok=True)
        for i in range(n):
            write(os.path.join(root, side, "f%d" % i), data(size + i * 4096, seed=i))
    return [(os.path.join(root, "a", "f%d" % i), os.path.join(root, "b", "f%d" % i))
            for i in range(n)]


def test_dedupe_shares_byte_copies(clonefs):
    pairs = _pair(clonefs)
    before = {b: (read(b), os.stat(b).st_mtime_ns) for _, b in pairs}
    s = reflink.dedupe(clonefs)
    assert isinstance(s, reflink.DedupeStats)
    assert s.groups == 3 and s.duplicates == 3 and s.errors == 0
    assert s.deduped_bytes == sum(os.path.getsize(b) for _, b in pairs)
    for a, b in pairs:
        assert is_clone_of(b, a)
        assert (read(b), os.stat(b).st_mtime_ns) == before[b]
    again = reflink.dedupe(os.path.join(clonefs, "a"), os.path.join(clonefs, "b"))
    assert again.deduped_bytes == 0
    assert again.already_shared_bytes == s.deduped_bytes


def test_dry_run_changes_nothing(clonefs):
    pairs = _pair(clonefs, n=1)
    s = reflink.dedupe(clonefs, dry_run=True, jobs=1)
    assert s.deduped_bytes == os.path.getsize(pairs[0][1])
    assert reflink.shared(clonefs).shared == 0


def test_shared_counts_what_dedupe_shared(clonefs):
    pairs = _pair(clonefs, n=2)
    total = sum(os.path.getsize(a) + os.path.getsize(b) for a, b in pairs)
    s = reflink.shared(clonefs)
    assert isinstance(s, reflink.SharedStats)
    assert (s.files, s.bytes, s.shared, s.unmapped) == (4, total, 0, 0)
    reflink.dedupe(clonefs)
    after = reflink.shared(clonefs)
    assert after.shared == after.allocated and after.exclusive == 0


def test_plain_filesystems_refuse_dedupe(plainfs):
    pairs = _pair(plainfs, n=1)
    with pytest.raises(reflink.CloneImpossibleError):
        reflink.dedupe(plainfs)
    assert read(pairs[0][0]) == read(pairs[0][1])


def test_shared_on_tmpfs_says_no_fiemap(tmpfs):
    _pair(tmpfs, n=1)
    s = reflink.shared(tmpfs)
    assert s.files == 2 and s.unmapped == 2 and s.shared == 0


def test_missing_path_raises():
    with pytest.raises(FileNotFoundError):
        reflink.shared("/nonexistent/x")


def test_dedupe_releases_the_gil(clonefs):
    _pair(clonefs, n=2, size=8 << 20)
    ticks = []
    stop = threading.Event()

    def tick():
        while not stop.is_set():
            ticks.append(1)
            stop.wait(0.001)

    t = threading.Thread(target=tick)
    t.start()
    try:
        reflink.dedupe(clonefs, jobs=1)
    finally:
        stop.set()
        t.join()
    assert len(ticks) > 1
