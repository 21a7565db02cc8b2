"""reflink.copytree over the library's parallel tree copy."""
import errno
import os
import re
import shutil
import stat

import pytest

import reflink
from rltest import (data, is_clone_of, make_tree, read, regular_files,
                    snapshot, write)


def _tree(root):
    make_tree(root)
    os.link(os.path.join(root, "big.bin"), os.path.join(root, "pkg", "hard.bin"))
    os.utime(os.path.join(root, "pkg", "index.js"), ns=(10**18, 10**18 + 5))
    return root


@pytest.mark.parametrize("jobs", [None, 1])
def test_copytree_clones(clonefs, jobs):
    src = _tree(os.path.join(clonefs, "src"))
    dst = os.path.join(clonefs, "dst")
    stats = reflink.copytree(src, dst, jobs=jobs)
    assert snapshot(dst) == snapshot(src)
    assert isinstance(stats, reflink.TreeStats)
    assert (stats.files, stats.symlinks, stats.hardlinks, stats.errors) == (7, 1, 1, 0)
    assert stats.dirs >= 5
    assert stats.by_method["clone"] >= 6 and stats.by_method["read_write"] == 0
    assert stats.cloned_bytes > 1 << 20 and stats.copied_bytes == 0
    for s in regular_files(src):
        if os.path.getsize(s) >= 4096 and not s.endswith("sparse"):
            assert is_clone_of(os.path.join(dst, os.path.relpath(s, src)), s)
    # preserve=True: what copy2 keeps, plus hard links
    a, b = os.stat(os.path.join(src, "pkg", "index.js")), os.stat(os.path.join(dst, "pkg", "index.js"))
    assert stat.S_IMODE(b.st_mode) == 0o755 and b.st_mtime_ns == a.st_mtime_ns
    assert os.stat(os.path.join(dst, "big.bin")).st_ino == \
        os.stat(os.path.join(dst, "pkg", "hard.bin")).st_ino


def test_copytree_on_plain_fs(plainfs):
    src = _tree(os.path.join(plainfs, "src"))
    stats = reflink.copytree(src, os.path.join(plainfs, "dst"))
    assert snapshot(os.path.join(plainfs, "dst")) == snapshot(src)
    assert stats.by_method["clone"] == 0 and stats.cloned_bytes == 0
    assert stats.copied_bytes >= 1 << 20
    # mode="always": the first impossible clone stops the copy and what it
    # made is removed; the error names the two trees.
    always = os.path.join(plainfs, "always")
    with pytest.raises(reflink.CloneImpossibleError) as info:
        reflink.copytree(src, always, mode="always")
    e = info.value
    assert isinstance(e, OSError) and e.errno == errno.EOPNOTSUPP
    assert (e.filename, e.filename2) == (src, always)
    assert isinstance(e.stats, reflink.TreeStats) and e.stats.cloned_bytes == 0
    assert isinstance(e.errors, list)
    assert not os.path.exists(always)


def test_failed_entries_listed(btrfs):
    """An entry that fails does not stop the others; each is listed."""
    src = _tree(os.path.join(btrfs, "src"))
    os.mkdir(os.path.join(btrfs, "dst"))
    os.mkdir(os.path.join(btrfs, "dst", "small.txt"))  # a file cannot replace it
    with pytest.raises(OSError) as info:
        reflink.copytree(src, os.path.join(btrfs, "dst"), dirs_exist_ok=True)
    e = info.value
    assert e.filename == os.path.join(src, "small.txt")
    assert e.filename2 == os.path.join(btrfs, "dst", "small.txt")
    assert len(e.errors) == 1 and e.errors[0] is e
    assert e.stats.errors == 1 and e.stats.files == 6
    assert read(os.path.join(btrfs, "dst", "big.bin")) == read(os.path.join(src, "big.bin"))


def test_several_failed_entries_raise_the_first(btrfs):
    """The library says "entries failed, each reported" (RL_EPARTIAL): the
    exception raised is the first entry's, never one for the whole call."""
    src = _tree(os.path.join(btrfs, "src"))
    dst = os.path.join(btrfs, "dst")
    os.makedirs(os.path.join(dst, "small.txt"))
    os.makedirs(os.path.join(dst, "pkg", "index.js"))
    with pytest.raises(OSError) as info:
        reflink.copytree(src, dst, dirs_exist_ok=True, jobs=1)
    e = info.value
    assert len(e.errors) == 2 and e.errors[0] is e
    assert e.stats.errors == 2
    assert {x.filename2 for x in e.errors} == {
        os.path.join(dst, "small.txt"), os.path.join(dst, "pkg", "index.js")}


def test_dirs_exist_ok(btrfs):
    src = _tree(os.path.join(btrfs, "src"))
    dst = os.path.join(btrfs, "dst")
    os.mkdir(dst)
    write(os.path.join(dst, "mine"), b"kept")
    with pytest.raises(FileExistsError) as info:
        reflink.copytree(src, dst)
    assert (info.value.filename, info.value.filename2) == (src, dst)
    reflink.copytree(src, dst, dirs_exist_ok=True)
    assert read(os.path.join(dst, "mine")) == b"kept"
    assert read(os.path.join(dst, "pkg", "index.js")) == read(os.path.join(src, "pkg", "index.js"))


def test_ignore(btrfs):
    src = _tree(os.path.join(btrfs, "src"))
    write(os.path.join(src, "pkg", "lib", "a.pyc"), b"compiled")
    os.makedirs(os.path.join(src, "node_modules", "x"))
    write(os.path.join(src, "node_modules", "x", "y.js"), b"y")
    calls = []

    def ignore(path, names):
        calls.append((path, sorted(names)))
        return reflink.ignore_patterns("*.pyc", "node_modules")(path, names)

    dst = os.path.join(btrfs, "dst")
    reflink.copytree(src, dst, ignore=ignore)
    assert not os.path.exists(os.path.join(dst, "pkg", "lib", "a.pyc"))
    assert not os.path.exists(os.path.join(dst, "node_modules"))
    assert os.path.exists(os.path.join(dst, "pkg", "lib", "a.py"))
    # Called as shutil calls it: once per directory, with all its names.
    paths = [c[0] for c in calls]
    assert len(paths) == len(set(paths))
    assert (src, sorted(os.listdir(src))) in calls
    assert (os.path.join(src, "pkg", "lib"), sorted(os.listdir(os.path.join(src, "pkg", "lib")))) in calls
    # bytes in: bytes to ignore as well
    seen = []
    reflink.copytree(os.fsencode(src), os.fsencode(os.path.join(btrfs, "b")),
                     ignore=lambda p, n: seen.append((p, n)) or [])
    assert seen and all(isinstance(p, bytes) and all(isinstance(x, bytes) for x in n)
                        for p, n in seen)


def test_copy_into_itself(btrfs):
    """A checkout copied into a temporary folder inside itself."""
    src = _tree(os.path.join(btrfs, "checkout"))
    os.mkdir(os.path.join(src, ".tmp"))
    inside = os.path.join(src, ".tmp", "copy")
    with pytest.raises(OSError) as info:
        reflink.copytree(src, inside)
    assert info.value.errno == errno.EINVAL and "itself" in info.value.strerror
    assert not os.path.exists(inside)
    stats = reflink.copytree(src, inside, ignore=reflink.ignore_patterns(".tmp"))
    assert stats.errors == 0
    want = snapshot(src)
    got = snapshot(inside)
    assert got == {k: v for k, v in want.items() if not k.startswith(".tmp")}


def test_symlinks_false_follows(btrfs):
    src = _tree(os.path.join(btrfs, "src"))
    dst = os.path.join(btrfs, "dst")
    stats = reflink.copytree(src, dst, symlinks=False)
    assert not os.path.islink(os.path.join(dst, "link"))
    assert read(os.path.join(dst, "link")) == read(os.path.join(src, "pkg", "index.js"))
    assert stats.symlinks == 0


def test_ignore_that_raises(btrfs):
    src = _tree(os.path.join(btrfs, "src"))

    def ignore(path, names):
        raise ZeroDivisionError("from ignore")

    with pytest.raises(ZeroDivisionError, match="from ignore"):
        reflink.copytree(src, os.path.join(btrfs, "dst"), ignore=ignore)
    # Asked about the top directory first, as shutil does: nothing made.
    assert not os.path.lexists(os.path.join(btrfs, "dst"))


def test_ignore_that_raises_below_the_top(btrfs):
    src = _tree(os.path.join(btrfs, "src"))
    calls = []

    def ignore(path, names):
        calls.append(path)
        if path != src:
            raise ZeroDivisionError("from ignore in " + path)
        return []

    with pytest.raises(ZeroDivisionError, match=re.escape("from ignore in " + src)):
        reflink.copytree(src, os.path.join(btrfs, "dst"), ignore=ignore)
    assert calls[0] == src


def test_arguments(btrfs):
    src = _tree(os.path.join(btrfs, "src"))
    for jobs in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            reflink.copytree(src, os.path.join(btrfs, "dst"), jobs=jobs)
    with pytest.raises(ValueError):
        reflink.copytree(src, os.path.join(btrfs, "dst"), mode="maybe")
    with pytest.raises(FileNotFoundError):
        reflink.copytree(os.path.join(btrfs, "nope"), os.path.join(btrfs, "dst"))
    assert not os.path.exists(os.path.join(btrfs, "dst"))


def test_odd_names(btrfs):
    d = os.fsencode(btrfs)
    src = os.path.join(d, b"src\xff")
    os.makedirs(os.path.join(src, b"sub\ndir \xfe"))
    for i, name in enumerate([b"caf\xc3\xa9", b"\xff\xfe", b"new\nline", b"*?["]):
        write(os.path.join(src, name), data(9000, i))
        write(os.path.join(src, b"sub\ndir \xfe", name), data(9000, i + 10))
    reflink.copytree(os.fsdecode(src), os.fsdecode(os.path.join(d, b"dst\xfe")),
                     ignore=reflink.ignore_patterns("*?[*"))
    got = snapshot(os.path.join(d, b"dst\xfe"))
    want = {k: v for k, v in snapshot(src).items() if not os.path.basename(k).startswith(b"*?[")}
    assert got == want and len(got) == 7
