"""The old `reflink` package's three names, called as its users call them."""
import errno
import os
import pathlib
import shutil

import pytest

from rltest import data, is_clone_of, make_tree, read, snapshot, write


def test_old_imports():
    import reflink
    from reflink import ReflinkImpossibleError, reflink as rl, supported_at
    from reflink.error import ReflinkImpossibleError as FromErrorModule

    assert rl is reflink.reflink and supported_at is reflink.supported_at
    assert ReflinkImpossibleError is FromErrorModule is reflink.ReflinkImpossibleError
    # As in the old package: an Exception, raisable bare or with a message.
    assert issubclass(ReflinkImpossibleError, Exception)
    with pytest.raises(reflink.ReflinkImpossibleError):
        raise reflink.ReflinkImpossibleError()
    assert str(ReflinkImpossibleError("EXDEV")) == "EXDEV"


def test_reflink_clones(clonefs):
    from reflink import reflink

    src = write(os.path.join(clonefs, "large_file.img"), data(3 << 20))
    dst = os.path.join(clonefs, "copy_of_file.img")
    assert reflink(src, dst) is None
    assert read(dst) == read(src)
    assert is_clone_of(dst, src)


@pytest.mark.parametrize("kind", [str, bytes, pathlib.Path])
def test_reflink_path_types(btrfs, kind):
    import reflink

    src = write(os.path.join(btrfs, "src"), data(100000))
    dst = os.path.join(btrfs, "dst")
    conv = os.fsencode if kind is bytes else kind
    reflink.reflink(conv(src), conv(dst))
    assert is_clone_of(dst, src)


def test_impossible_on_plain_fs(plainfs):
    import reflink

    src = write(os.path.join(plainfs, "a"), b"x" * 10000)
    dst = os.path.join(plainfs, "b")
    with pytest.raises(reflink.ReflinkImpossibleError) as info:
        reflink.reflink(src, dst)
    e = info.value
    assert e.errno == errno.EOPNOTSUPP and e.strerror
    assert (e.filename, e.filename2) == (src, dst)
    # The old package's class: not an OSError, so `except OSError` code and
    # shutil.copytree behave as they did.
    assert not isinstance(e, OSError)
    assert not os.path.exists(dst)


def test_impossible_across_filesystems(fsdir):
    import reflink

    a, b = fsdir("btrfs"), fsdir("xfs")
    src = write(os.path.join(a, "f"), data(50000))
    dst = os.path.join(b, "f")
    with pytest.raises(reflink.ReflinkImpossibleError) as info:
        reflink.reflink(src, dst)
    assert info.value.errno == errno.EXDEV
    assert (info.value.filename, info.value.filename2) == (src, dst)
    assert not os.path.exists(dst)


def test_permission_bits_copied(btrfs):
    import stat

    import reflink

    src = write(os.path.join(btrfs, "tool"), data(10000), mode=0o751)
    old = os.umask(0o077)
    try:
        reflink.reflink(src, os.path.join(btrfs, "copy"))
    finally:
        os.umask(old)
    # As the old package did (chmod to the source's mode), umask or not.
    assert stat.S_IMODE(os.stat(os.path.join(btrfs, "copy")).st_mode) == 0o751


def test_same_file_left_alone(btrfs):
    import reflink

    src = write(os.path.join(btrfs, "f"), b"data")
    # (The old package unlinked it: its clone onto itself failed, and it
    # removed newpath.)
    with pytest.raises(OSError) as info:
        reflink.reflink(src, src)
    assert info.value.errno == errno.EINVAL
    assert read(src) == b"data"


def test_existing_newpath_replaced(clonefs):
    import reflink

    src = write(os.path.join(clonefs, "src"), data(200000, 1))
    dst = write(os.path.join(clonefs, "dst"), b"old content, longer or not" * 1000)
    reflink.reflink(src, dst)
    assert read(dst) == read(src)
    assert is_clone_of(dst, src)


def test_symlink_newpath_replaced_not_followed(btrfs):
    import reflink

    src = write(os.path.join(btrfs, "src"), data(100000))
    other = write(os.path.join(btrfs, "other"), b"not to be touched")
    os.symlink("other", os.path.join(btrfs, "dst"))
    reflink.reflink(src, os.path.join(btrfs, "dst"))
    assert not os.path.islink(os.path.join(btrfs, "dst"))
    assert is_clone_of(os.path.join(btrfs, "dst"), src)
    assert read(other) == b"not to be touched"


def test_existing_newpath_kept_when_clone_fails(plainfs):
    import reflink

    src = write(os.path.join(plainfs, "src"), data(200000, 1))
    dst = write(os.path.join(plainfs, "dst"), b"precious")
    ino = os.stat(dst).st_ino
    with pytest.raises(reflink.ReflinkImpossibleError):
        reflink.reflink(src, dst)
    # The old package unlinked newpath here; ours keeps it untouched.
    assert read(dst) == b"precious" and os.stat(dst).st_ino == ino
    assert sorted(os.listdir(plainfs)) == ["dst", "src"]


def test_old_ioerror_cases_still_caught(btrfs):
    import reflink

    missing = os.path.join(btrfs, "missing")
    with pytest.raises(FileNotFoundError):  # as the old package raised
        reflink.reflink(missing, os.path.join(btrfs, "x"))
    os.mkdir(os.path.join(btrfs, "dir"))
    with pytest.raises(IOError):  # "Cannot reflink directories"
        reflink.reflink(os.path.join(btrfs, "dir"), os.path.join(btrfs, "y"))
    assert not os.path.exists(os.path.join(btrfs, "x"))


def test_supported_at(anyfs):
    import reflink

    kind, d = anyfs
    before = os.listdir(d)
    assert reflink.supported_at(d) is (kind in ("btrfs", "xfs"))
    assert os.listdir(d) == before  # the old one left files on failure
    with pytest.raises(FileNotFoundError):
        reflink.supported_at(os.path.join(d, "no", "such", "dir"))


def _copy_directory(origin, destination):
    """The pattern the old package's users (build tools) have: clone a tree
    with shutil, and fall back to a copy when a clone is impossible."""
    import reflink

    if reflink.supported_at(origin):
        try:
            shutil.copytree(origin, destination, copy_function=reflink.reflink,
                            dirs_exist_ok=True, symlinks=True)
            return "cloned"
        except reflink.ReflinkImpossibleError:
            pass
    shutil.copytree(origin, destination, copy_function=shutil.copy2,
                    dirs_exist_ok=True, symlinks=True)
    return "copied"


def test_user_copytree_pattern_clones(btrfs):
    src = make_tree(os.path.join(btrfs, "src"))
    dst = os.path.join(btrfs, "dst")
    assert _copy_directory(src, dst) == "cloned"
    assert snapshot(dst) == snapshot(src)
    assert is_clone_of(os.path.join(dst, "big.bin"), os.path.join(src, "big.bin"))


@pytest.mark.parametrize("other", ["xfs", "tmpfs"])
def test_user_copytree_pattern_falls_back(fsdir, other):
    src = make_tree(os.path.join(fsdir("btrfs"), "src"))
    dst = os.path.join(fsdir(other), "dst")
    # EXDEV on the first file must reach the caller's except clause.
    assert _copy_directory(src, dst) == "copied"
    assert snapshot(dst) == snapshot(src)
