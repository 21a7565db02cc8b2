"""Threads copying at once: the GIL is released during copies, and every
result is right."""
import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import reflink
from rltest import data, is_clone_of, read, write


@pytest.mark.parametrize("kind", ["btrfs", "xfs", "tmpfs"])
def test_many_threads_many_files(fsdir, kind):
    d = fsdir(kind)
    sources = [write(os.path.join(d, "src%d" % i), data(50000 + 4096 * i, i))
               for i in range(16)]

    def work(i):
        out = []
        for j in range(10):
            dst = os.path.join(d, "dst-%d-%d" % (i, j))
            r = reflink.copy_file(sources[(i + j) % 16], dst)
            out.append((dst, (i + j) % 16, r.method))
        return out

    with ThreadPoolExecutor(8) as pool:
        results = [x for chunk in pool.map(work, range(8)) for x in chunk]
    assert len(results) == 80
    for dst, k, method in results:
        assert read(dst) == read(sources[k]), dst
        if kind != "tmpfs":
            assert method == "clone" and is_clone_of(dst, sources[k])


def test_threads_replacing_one_destination(btrfs):
    """Many threads replace the same file at once: it always holds exactly
    one whole source, and no temporary is left behind."""
    sources = [write(os.path.join(btrfs, "s%d" % i), data(200000 + i, i))
               for i in range(4)]
    contents = {read(s) for s in sources}
    dst = os.path.join(btrfs, "dst")
    seen = []
    stop = threading.Event()

    def reader():
        while not stop.is_set():
            try:
                seen.append(read(dst))
            except FileNotFoundError:
                pass

    def writer(i):
        for j in range(25):
            reflink.copy(sources[(i + j) % 4], dst, mode="never" if j % 2 else "auto")

    r = threading.Thread(target=reader)
    r.start()
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(writer, range(4)))
    finally:
        stop.set()
        r.join()
    assert read(dst) in contents
    assert all(c in contents for c in seen), "a reader saw a partial file"
    assert sorted(os.listdir(btrfs)) == ["dst", "s0", "s1", "s2", "s3"]


def _mount_point(path):
    while not os.path.ismount(path):
        path = os.path.dirname(path)
    return path


def _calls(d, src):
    tree = os.path.join(d, "tree")
    os.mkdir(tree)
    write(os.path.join(tree, "f"), data(100000))

    def clone_range():
        with open(src, "rb") as s, open(os.path.join(d, "range"), "wb") as t:
            reflink.clone_range(s, 0, t, 0, 0)

    return {
        "copy": lambda: reflink.copy(src, os.path.join(d, "copy")),
        "reflink": lambda: reflink.reflink(src, os.path.join(d, "clone")),
        "clone_range": clone_range,
        "supported_at": lambda: reflink.supported_at(d),
        "copytree": lambda: reflink.copytree(tree, os.path.join(d, "tree-copy"),
                                             ignore=lambda path, names: []),
    }


@pytest.mark.parametrize("call", ["copy", "reflink", "clone_range", "supported_at",
                                  "copytree"])
def test_gil_released(fsdir, call):
    """Freeze the filesystem so the call blocks in the kernel, then check
    that this thread still runs Python code meanwhile. Were the GIL held
    through the call, time.sleep() below could not return until the guard
    process thaws the filesystem, GUARD seconds later."""
    GUARD = 8
    d = fsdir("xfs")
    mnt = _mount_point(d)
    src = write(os.path.join(d, "src"), data(1 << 20))
    run = _calls(d, src)[call]
    finished = threading.Event()
    errors = []

    def worker():
        try:
            run()
        except BaseException as e:  # reported below, in the test's thread
            errors.append(e)
        finished.set()

    subprocess.run(["fsfreeze", "-f", mnt], check=True)
    guard = subprocess.Popen(["sh", "-c", "sleep %d; fsfreeze -u '%s'" % (GUARD, mnt)],
                             start_new_session=True, stderr=subprocess.DEVNULL)
    try:
        t0 = time.monotonic()
        t = threading.Thread(target=worker)
        t.start()
        time.sleep(0.3)
        blocked = not finished.is_set()
        ran_meanwhile = time.monotonic() - t0 < GUARD / 2
    finally:
        subprocess.run(["fsfreeze", "-u", mnt], stderr=subprocess.DEVNULL)
        guard.kill()
        guard.wait()
    t.join()
    assert not errors, errors
    assert ran_meanwhile, "the GIL was held while %s blocked" % call
    assert blocked, "the call did not block on the frozen filesystem"
