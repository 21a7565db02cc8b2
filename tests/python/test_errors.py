"""Errors: each an OSError with errno, strerror and both filenames; a failed
copy leaves an existing destination as it was, with no debris."""
import errno
import os
import shutil

import pytest

import reflink
from rltest import data, read, write


def test_missing_source(btrfs):
    src, dst = os.path.join(btrfs, "missing"), os.path.join(btrfs, "dst")
    with pytest.raises(FileNotFoundError) as info:
        reflink.copy(src, dst)
    e = info.value
    assert e.errno == errno.ENOENT and e.strerror == "No such file or directory"
    assert (e.filename, e.filename2) == (src, dst)
    assert str(e) == "[Errno 2] No such file or directory: %r -> %r" % (src, dst)
    assert os.listdir(btrfs) == []


def test_missing_destination_directory(btrfs):
    src = write(os.path.join(btrfs, "src"), b"x")
    with pytest.raises(FileNotFoundError) as info:
        reflink.copy_file(src, os.path.join(btrfs, "no", "dst"))
    assert info.value.filename2 == os.path.join(btrfs, "no", "dst")


def test_same_file(btrfs):
    src = write(os.path.join(btrfs, "f"), b"keep me")
    os.symlink("f", os.path.join(btrfs, "to-f"))
    os.link(src, os.path.join(btrfs, "hard"))
    for dst in (src, os.path.join(btrfs, "to-f"), os.path.join(btrfs, "hard")):
        with pytest.raises(reflink.SameFileError) as info:
            reflink.copy(src, dst)
        e = info.value
        assert isinstance(e, OSError) and e.errno == errno.EINVAL
        assert e.strerror == "source and destination are the same file"
        assert (e.filename, e.filename2) == (src, dst)
    with pytest.raises(reflink.SameFileError):
        reflink.reflink(src, src)  # the old API too
    assert read(src) == b"keep me"
    assert sorted(os.listdir(btrfs)) == ["f", "hard", "to-f"]


@pytest.mark.parametrize("how", ["always-on-ext4", "always-across", "reflink-across"])
def test_failed_clone_keeps_existing_destination(fsdir, how):
    a = fsdir("ext4") if how == "always-on-ext4" else fsdir("btrfs")
    b = a if how == "always-on-ext4" else fsdir("xfs")
    src = write(os.path.join(a, "src"), data(300000))
    dst = write(os.path.join(b, "dst"), b"the old content", mode=0o600)
    before = os.stat(dst)
    listing = sorted(os.listdir(b))
    with pytest.raises(reflink.ReflinkImpossibleError) as info:
        if how == "reflink-across":
            reflink.reflink(src, dst)
        else:
            reflink.copy(src, dst, mode="always")
    assert info.value.errno == (errno.EOPNOTSUPP if how == "always-on-ext4" else errno.EXDEV)
    after = os.stat(dst)
    assert read(dst) == b"the old content"
    assert (after.st_ino, after.st_mode, after.st_mtime_ns) == \
        (before.st_ino, before.st_mode, before.st_mtime_ns)
    assert sorted(os.listdir(b)) == listing  # no temporary left behind


def test_directory_destination(btrfs):
    src = write(os.path.join(btrfs, "src"), b"x")
    os.mkdir(os.path.join(btrfs, "d"))
    with pytest.raises(IsADirectoryError) as info:
        reflink.copy_file(src, os.path.join(btrfs, "d"))
    assert info.value.filename2 == os.path.join(btrfs, "d")
    with pytest.raises(IsADirectoryError):
        reflink.copy(os.path.join(btrfs, "d"), os.path.join(btrfs, "e"))


def test_special_file_source(btrfs):
    fifo = os.path.join(btrfs, "fifo")
    os.mkfifo(fifo)
    with pytest.raises(OSError) as info:  # must not hang waiting for a writer
        reflink.copy(fifo, os.path.join(btrfs, "out"))
    assert info.value.errno == errno.EINVAL
    assert "not a regular file" in info.value.strerror
    assert info.value.filename == fifo


def test_argument_errors(btrfs):
    src = write(os.path.join(btrfs, "src"), b"x")
    with pytest.raises(ValueError):
        reflink.copy(src, os.path.join(btrfs, "dst"), mode="sometimes")
    with pytest.raises(ValueError):
        reflink.copy_file(src, os.path.join(btrfs, "a\0b"))
    with pytest.raises(ValueError):
        reflink.reflink(src + "\0", os.path.join(btrfs, "dst"))
    with pytest.raises(TypeError):
        reflink.copy_file(src, 42)
    with pytest.raises(TypeError):
        reflink.supported_at(None)
    with pytest.raises(TypeError):
        reflink.copy(src, os.path.join(btrfs, "dst"), "always")  # keyword-only
    assert os.listdir(btrfs) == ["src"]


def test_errors_inside_shutil_copytree(fsdir):
    """A copy_function error is an OSError, so shutil collects it and goes on
    with the other files, as with shutil.copy2."""
    src = os.path.join(fsdir("btrfs"), "src")
    os.mkdir(src)
    write(os.path.join(src, "a"), b"a")
    os.mkfifo(os.path.join(src, "fifo"))
    write(os.path.join(src, "z"), b"z")
    dst = os.path.join(fsdir("btrfs"), "dst")
    with pytest.raises(shutil.Error) as info:
        shutil.copytree(src, dst, copy_function=reflink.copy)
    (failed_src, failed_dst, why), = info.value.args[0]
    assert failed_src.endswith("fifo") and "not a regular file" in why
    assert read(os.path.join(dst, "a")) == b"a" and read(os.path.join(dst, "z")) == b"z"


def test_supported_at_errors(btrfs):
    with pytest.raises(FileNotFoundError) as info:
        reflink.check(os.path.join(btrfs, "nope"))
    assert info.value.filename == os.path.join(btrfs, "nope")
    # A file means its directory.
    f = write(os.path.join(btrfs, "file"), b"x")
    assert reflink.supported_at(f) is True
