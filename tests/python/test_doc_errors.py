"""The errors the docs promise are the errors raised: every row of the
"| case | raises | errno |" tables in python/README.md and README.md (the
Python section) is made to happen here, on real filesystems (the kernel's
clone refusals, which no filesystem here makes on demand, through the fault
shim tests/fault/shim.c preloaded into a child Python), and the exception's
class and errno are compared with the row. A row without a way to make it
happen, or a way without a row, fails."""
import errno
import os
import re
import socket
import subprocess
import sys
import tempfile

import pytest

import reflink
from rltest import write

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DOCS = ("python/README.md", "README.md")
HEADER = re.compile(r"^\|\s*case\s*\|\s*raises\s*\|\s*errno\s*\|\s*$")


def doc_rows(rel):
    """[(case, raises, errno name)] of the error table in the file rel."""
    rows, inside = [], False
    with open(os.path.join(TOP, rel)) as f:
        for line in f:
            line = line.strip()
            if HEADER.match(line):
                inside = True
            elif inside and line.startswith("| ---"):
                continue
            elif inside and line.startswith("|"):
                cells = [c.strip() for c in line.strip("|").split("|")]
                rows.append((cells[0], cells[1], cells[2].strip("`")))
            elif inside:
                break
    return rows


# --- Ways to make each documented case happen ------------------------------

def _file(d, name="src", content=b"data" * 2048):
    return write(os.path.join(d, name), content)


def _source_missing(fs):
    d = fs("btrfs")
    reflink.copy(os.path.join(d, "missing"), os.path.join(d, "dst"))


def _dst_dir_missing(fs):
    d = fs("btrfs")
    reflink.copy(_file(d), os.path.join(d, "no", "dst"))


def _source_is_dir(fs):
    d = fs("btrfs")
    os.mkdir(os.path.join(d, "dir"))
    reflink.copy(os.path.join(d, "dir"), os.path.join(d, "dst"))


def _copy_file_dst_dir(fs):
    d = fs("btrfs")
    os.mkdir(os.path.join(d, "dir"))
    reflink.copy_file(_file(d), os.path.join(d, "dir"))


def _same_file(fs):
    src = _file(fs("btrfs"))
    reflink.copy(src, src)


def _fifo_or_device(fs):
    d = fs("btrfs")
    os.mkfifo(os.path.join(d, "fifo"))
    found = []
    for src in (os.path.join(d, "fifo"), "/dev/null"):
        try:
            reflink.copy(src, os.path.join(d, "dst"))
        except OSError as e:
            found.append(e)
    assert len(found) == 2 and found[0].errno == found[1].errno, found
    raise found[0]


def _socket(fs):
    d = fs("btrfs")
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(os.path.join(d, "sock"))
        reflink.copy(os.path.join(d, "sock"), os.path.join(d, "dst"))


def _copytree_into_itself(fs):
    d = fs("btrfs")
    os.makedirs(os.path.join(d, "tree", "sub"))
    reflink.copytree(os.path.join(d, "tree"), os.path.join(d, "tree", "sub", "copy"))


def _copytree_dst_exists(fs):
    d = fs("btrfs")
    os.makedirs(os.path.join(d, "tree"))
    os.makedirs(os.path.join(d, "there"))
    reflink.copytree(os.path.join(d, "tree"), os.path.join(d, "there"))


def _xdev(call):
    def make(fs):
        call(_file(fs("btrfs")), os.path.join(fs("xfs"), "dst"))
    return make


def _notsup(call):
    def make(fs):
        d = fs("ext4")
        call(_file(d), os.path.join(d, "dst"))
    return make


def _always(src, dst):
    reflink.copy(src, dst, mode="always")


def _shim():
    """The fault shim, built once into a temporary directory."""
    if not hasattr(_shim, "path"):
        out = os.path.join(tempfile.mkdtemp(prefix="rl-shim."), "shim.so")
        subprocess.run([os.environ.get("CC", "cc"), "-std=gnu11", "-O2", "-fPIC",
                        "-shared", "-o", out, os.path.join(TOP, "tests/fault/shim.c"),
                        "-ldl", "-lpthread"], check=True, capture_output=True)
        _shim.path = out
    return _shim.path


CHILD = r"""
import reflink, sys
try:
    getattr(reflink, sys.argv[1])(sys.argv[2], sys.argv[3], **eval(sys.argv[4]))
except BaseException as e:
    print(type(e).__name__, getattr(e, "errno", None), isinstance(e, OSError))
else:
    print("none")
"""


class ChildError(Exception):
    """What the child Python raised: its class name, errno and whether it
    is an OSError, carried back here."""

    def __init__(self, name, err, is_oserror):
        super().__init__(name, err)
        self.name, self.errno, self.is_oserror = name, err, is_oserror


def _kernel_refuses(err, func="copy", kwargs="{'mode': 'always'}"):
    """FICLONE answered with err by the shim, on btrfs (which clones)."""
    def make(fs):
        d = fs("btrfs")
        log = os.path.join(d, "fault.log")
        env = dict(os.environ, LD_PRELOAD=_shim(), RL_FAULT="ficlone:" + err,
                   RL_FAULT_LOG=log, PYTHONPATH=os.path.dirname(os.path.dirname(reflink.__file__)))
        out = subprocess.run([sys.executable, "-c", CHILD, func, _file(d),
                              os.path.join(d, "dst"), kwargs], env=env,
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr[-500:]
        with open(log) as f:
            assert "ficlone " + err in f.read(), "the fault did not fire: " + out.stdout
        name, code, is_os = out.stdout.split()
        raise ChildError(name, None if code == "None" else int(code), is_os == "True")
    return make


WAYS = {
    "source missing": _source_missing,
    "destination's directory missing": _dst_dir_missing,
    "source is a directory": _source_is_dir,
    "`copy_file`: destination is a directory": _copy_file_dst_dir,
    "source and destination are one file": _same_file,
    "source is a FIFO or a device": _fifo_or_device,
    "source is a socket (it cannot be opened)": _socket,
    "`copytree` into its own source": _copytree_into_itself,
    "`copytree`: destination exists, no `dirs_exist_ok`": _copytree_dst_exists,
    "`mode=\"always\"`, different filesystems": _xdev(_always),
    "`mode=\"always\"`, a filesystem that cannot clone": _notsup(_always),
    "`mode=\"always\"`, the kernel cannot clone this file": _kernel_refuses("EINVAL"),
    "`mode=\"always\"`, the kernel refuses the clone": _kernel_refuses("EPERM"),
    "`mode=\"always\"`, the source is an active swap file": _kernel_refuses("ETXTBSY"),
    "`reflink()`, different filesystems": _xdev(reflink.reflink),
    "`reflink()`, a filesystem that cannot clone": _notsup(reflink.reflink),
    "`reflink()`, the kernel refuses the clone": _kernel_refuses("EPERM", "reflink", "{}"),
}


def _raised(way, fs):
    try:
        way(fs)
    except ChildError as e:
        return e.name, e.errno, e.is_oserror
    except AssertionError:
        raise  # the way itself went wrong
    except Exception as e:  # noqa: BLE001 (any class the docs may name)
        return type(e).__name__, getattr(e, "errno", None), isinstance(e, OSError)
    pytest.fail("nothing was raised", pytrace=False)


ROWS = [(rel,) + row for rel in DOCS for row in doc_rows(rel)]


@pytest.mark.parametrize("rel,case,raises,errname", ROWS,
                         ids=[re.sub(r"\W+", "-", "%s %s" % r[:2]).strip("-")
                              for r in ROWS])
def test_documented_error_is_raised(rel, case, raises, errname, workdir):
    way = WAYS.get(case)
    assert way, "%s documents %r, which this test cannot make happen" % (rel, case)
    name, err, is_oserror = _raised(way, workdir)
    want_name = re.match(r"`(\w+)`", raises).group(1)
    assert name == want_name, "%s: raised %s, the docs say %s" % (case, name, want_name)
    assert err == getattr(errno, errname), "%s: errno %s, the docs say %s" % (
        case, errno.errorcode.get(err, err), errname)
    assert is_oserror == ("not an `OSError`" not in raises), (case, raises)


@pytest.mark.parametrize("rel", DOCS)
def test_every_error_is_documented(rel):
    cases = [row[0] for row in doc_rows(rel)]
    assert cases, "%s has no | case | raises | errno | table" % rel
    assert sorted(cases) == sorted(WAYS), "%s's table and this test differ: %s" % (
        rel, sorted(set(cases) ^ set(WAYS)))
