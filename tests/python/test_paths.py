"""Paths as str, bytes and os.PathLike, with bytes that are not UTF-8,
newlines, spaces, dashes and glob characters."""
import os
import pathlib
import shutil

import pytest

import reflink
from rltest import data, is_clone_of, read, snapshot, write

ODD = [
    b"caf\xc3\xa9",           # UTF-8
    b"\xff\xfe-not-utf8",     # not UTF-8: str paths carry it as surrogates
    b"new\nline",
    b" leading and trailing space ",
    b"-starts-with-dash",
    b"*?[glob]",
    b"tab\there",
    b"x" * 255,               # NAME_MAX
]


IDS = ["utf8", "not-utf8", "newline", "spaces", "dash", "glob", "tab", "name-max"]


@pytest.mark.parametrize("name", ODD, ids=IDS)
def test_odd_names(btrfs, name):
    d = os.fsencode(btrfs)
    src = write(os.path.join(d, name), data(20000))
    # bytes in, bytes out
    dst = os.path.join(d, name + b".b")[: len(d) + 1 + 255]
    if dst == src:
        dst = os.path.join(d, b"y" + name[1:])
    assert reflink.copy(src, dst) == dst
    assert is_clone_of(dst, src)
    # str (surrogateescape) and Path, into a directory: the name survives
    as_path = lambda b: pathlib.Path(os.fsdecode(b))  # noqa: E731
    for i, conv in enumerate((os.fsdecode, as_path)):
        out = os.path.join(d, b"out%d" % i)
        os.mkdir(out)
        got = reflink.copy(conv(src), conv(out))
        assert os.fsencode(got) == os.path.join(out, name)
        assert read(got) == read(src)
    reflink.reflink(os.fsdecode(src), os.fsdecode(os.path.join(d, b"r")))
    assert is_clone_of(os.path.join(d, b"r"), src)


def test_odd_names_in_errors(btrfs):
    d = os.fsencode(btrfs)
    missing = os.path.join(d, b"gone-\xff")
    with pytest.raises(FileNotFoundError) as info:
        reflink.copy(missing, os.path.join(d, b"to-\xfe"))
    assert info.value.filename == missing  # bytes in, bytes in the error
    assert info.value.filename2 == os.path.join(d, b"to-\xfe")
    with pytest.raises(FileNotFoundError) as info:
        reflink.copy(os.fsdecode(missing), os.path.join(btrfs, "x"))
    assert info.value.filename == os.fsdecode(missing)


def test_shutil_copytree_odd_names(btrfs):
    d = os.fsencode(btrfs)
    src = os.path.join(d, b"src \xff")
    os.makedirs(os.path.join(src, b"sub\ndir"))
    for i, name in enumerate(ODD[:-1]):
        write(os.path.join(src, name), data(9000, i))
        write(os.path.join(src, b"sub\ndir", name), data(5000, i))
    dst = os.path.join(d, b"dst \xfe")
    shutil.copytree(os.fsdecode(src), os.fsdecode(dst), copy_function=reflink.copy)
    assert snapshot(dst) == snapshot(src)
    assert is_clone_of(os.path.join(dst, b"sub\ndir", ODD[1]),
                       os.path.join(src, b"sub\ndir", ODD[1]))
