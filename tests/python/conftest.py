"""Fixtures for the Python binding's tests: real loop-mounted filesystems
(btrfs, XFS with reflink=1, ext4) and a tmpfs, made once per session and
always unmounted and detached; FIEMAP to prove clones; and a reporter that
writes one "ok - python/<test id>" line per test for tests/run.sh.

Environment: RLPY_LIB, the directory holding the built package (run.sh
sets it); RL_PY_REPORT, the file the report lines go to; CI=true makes a
filesystem that cannot be made a failure instead of a skip.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import pytest

if os.environ.get("RLPY_LIB"):
    sys.path.insert(0, os.environ["RLPY_LIB"])

import reflink  # noqa: E402  (after the path is set)

from rltest import FS_SIZES  # noqa: E402


def in_ci():
    return os.environ.get("CI") == "true"


# --- Filesystems ----------------------------------------------------------

MKFS = {
    "btrfs": (["mkfs.btrfs", "-q", "-f"], "btrfs-progs"),
    "xfs": (["mkfs.xfs", "-q", "-f", "-m", "reflink=1"], "xfsprogs"),
    "ext4": (["mkfs.ext4", "-q", "-F"], "e2fsprogs"),
}


def _run(*cmd):
    subprocess.run([str(c) for c in cmd], check=True, stdin=subprocess.DEVNULL,
                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _need_tool(tool, package):
    if shutil.which(tool):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", package], env=env,
                   capture_output=True)
    if not shutil.which(tool):
        raise RuntimeError("%s not found and %s would not install" % (tool, package))


class Mounts:
    """Filesystems made on first use, each at most once per session."""

    def __init__(self, base):
        self.base = base
        self.made = {}    # kind -> mount point
        self.failed = {}  # kind -> why it could not be made
        self.cleanups = []

    def get(self, kind):
        if kind not in self.made and kind not in self.failed:
            try:
                self.made[kind] = self._make(kind)
            except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
                err = getattr(e, "stderr", None)
                self.failed[kind] = "could not make %s: %s%s" % (
                    kind, e, (": " + err.decode(errors="replace").strip()) if err else "")
        if kind in self.failed:
            why = self.failed[kind]
            if os.geteuid() != 0:
                why = "needs root for loop mounts"
            if in_ci():
                pytest.fail(why + " (CI=true: a skip is a failure)", pytrace=False)
            pytest.skip(why)
        return self.made[kind]

    def _make(self, kind):
        if os.geteuid() != 0:
            raise RuntimeError("needs root for loop mounts")
        mnt = os.path.join(self.base, "mnt-" + kind)
        os.mkdir(mnt)
        if kind == "tmpfs":
            _run("mount", "-t", "tmpfs", "-o", "size=%dm" % FS_SIZES[kind],
                 "rl-pytest", mnt)
            self.cleanups.append((mnt, None))
            return mnt
        cmd, package = MKFS[kind]
        _need_tool(cmd[0], package)
        img = os.path.join(self.base, kind + ".img")
        with open(img, "wb") as f:
            f.truncate(FS_SIZES[kind] << 20)
        _run(*cmd, img)
        _run("mount", "-o", "loop", img, mnt)
        self.cleanups.append((mnt, img))
        return mnt

    def close(self):
        problems = []
        for mnt, img in reversed(self.cleanups):
            # A test that froze it and died must not leave umount hanging.
            subprocess.run(["fsfreeze", "-u", mnt], capture_output=True)
            if subprocess.run(["umount", mnt], capture_output=True).returncode:
                subprocess.run(["umount", "-l", mnt], capture_output=True)
                problems.append("%s was busy (lazily unmounted)" % mnt)
            if img:
                # umount detaches an autoclear loop device; detach any left.
                out = subprocess.run(["losetup", "-j", img], capture_output=True,
                                     text=True).stdout
                for line in out.splitlines():
                    subprocess.run(["losetup", "-d", line.split(":")[0]],
                                   capture_output=True)
        shutil.rmtree(self.base, ignore_errors=True)
        return problems


@pytest.fixture(scope="session")
def mounts():
    m = Mounts(tempfile.mkdtemp(prefix="rl-pytest."))
    yield m
    problems = m.close()
    assert not problems, problems


@pytest.fixture
def workdir(mounts):
    """workdir(kind) -> a fresh directory on that filesystem, removed after
    the test (the filesystems live for the whole session)."""
    made = []

    def make(kind):
        made.append(tempfile.mkdtemp(prefix="t.", dir=mounts.get(kind)))
        return made[-1]
    yield make
    for d in made:
        shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def fsdir(workdir):
    """fsdir(kind) -> a fresh directory on that filesystem."""
    return workdir


@pytest.fixture(params=["btrfs", "xfs", "ext4", "tmpfs"])
def anyfs(request, workdir):
    """(kind, fresh directory) on each filesystem in turn."""
    return request.param, workdir(request.param)


@pytest.fixture(params=["btrfs", "xfs"])
def clonefs(request, workdir):
    """A fresh directory on a filesystem that clones."""
    return workdir(request.param)


@pytest.fixture(params=["ext4", "tmpfs"])
def plainfs(request, workdir):
    """A fresh directory on a filesystem that cannot clone."""
    return workdir(request.param)


@pytest.fixture
def btrfs(workdir):
    return workdir("btrfs")


@pytest.fixture
def ext4(workdir):
    return workdir("ext4")


@pytest.fixture
def tmpfs(workdir):
    return workdir("tmpfs")


# --- Report lines for tests/run.sh ---------------------------------------

_outcome = {}


def _test_id(nodeid):
    path, _, rest = nodeid.partition("::")
    return "python/" + os.path.basename(path) + ("::" + rest if rest else "")


def _why(report):
    if report.skipped and isinstance(report.longrepr, tuple):
        return report.longrepr[2].replace("Skipped: ", "", 1)
    crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
    text = crash.message if crash else str(report.longrepr)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return "%s: %s" % (report.when, lines[0][:300] if lines else "failed")


def _emit(line):
    path = os.environ.get("RL_PY_REPORT")
    if path:
        with open(path, "a") as f:
            f.write(line.replace("\n", " ") + "\n")


def pytest_runtest_logreport(report):
    status, why = _outcome.get(report.nodeid, ("ok", ""))
    if report.failed and status != "not ok":
        _outcome[report.nodeid] = ("not ok", _why(report))
    elif report.skipped and status == "ok":
        _outcome[report.nodeid] = ("skip", _why(report))
    else:
        _outcome.setdefault(report.nodeid, (status, why))


def pytest_runtest_logfinish(nodeid, location):
    status, why = _outcome.pop(nodeid, ("not ok", "no report"))
    _emit("%s - %s%s" % (status, _test_id(nodeid), ": " + why if why else ""))


def pytest_collectreport(report):
    if report.failed:
        _emit("not ok - %s: collection failed" % _test_id(report.nodeid or "collect"))
