"""The Python distribution `libreflink` as a user gets it: an sdist and a
wheel built offline from python/ with Debian's python3-build
(`python3 -m build --no-isolation`), the sdist installed by pip from another
directory into a scratch virtual environment, the wheel into a fresh one
(no system site-packages), each then imported from where it was installed
and used to copy a file."""
import email.parser
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile

import pytest

PY = "/usr/bin/python3"
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "libreflink"


def _version():
    with open(os.path.join(TOP, "include", "reflink.h")) as f:
        return re.search(r'#define RL_VERSION_STRING "([^"]+)"', f.read()).group(1)


VERSION = _version()


def _run(argv, cwd, env=None):
    p = subprocess.run(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, timeout=600)
    assert p.returncode == 0, "%s exited %d: %s" % (
        " ".join(argv), p.returncode, (p.stdout + p.stderr)[-1500:])
    return p.stdout


def _need_build_module():
    if subprocess.run([PY, "-c", "import build"], capture_output=True).returncode:
        if os.geteuid() == 0:
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            subprocess.run(["apt-get", "-o", "DPkg::Lock::Timeout=600", "install",
                            "-y", "-qq", "python3-build"], env=env, capture_output=True)
    if subprocess.run([PY, "-c", "import build"], capture_output=True).returncode:
        pytest.fail("python3-build is not installed and would not install",
                    pytrace=False)


def _offline_env():
    """pip with no index and no configuration of this machine's."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update(PIP_NO_INDEX="1", PIP_CONFIG_FILE=os.devnull,
               PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    return env


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    """{"sdist": path, "wheel": path}, built once for the module."""
    _need_build_module()
    out = tmp_path_factory.mktemp("dist")
    _run([PY, "-m", "build", "--no-isolation", "--outdir", str(out), "python"],
         cwd=TOP, env=_offline_env())
    sdists = glob.glob(str(out / "*.tar.gz"))
    wheels = glob.glob(str(out / "*.whl"))
    assert len(sdists) == 1 and len(wheels) == 1, os.listdir(out)
    return {"sdist": sdists[0], "wheel": wheels[0]}


def _venv(path, system_site):
    argv = [PY, "-m", "venv"] + (["--system-site-packages"] if system_site else [])
    _run(argv + [str(path)], cwd=str(path.parent))
    return str(path / "bin" / "python")


USE = r"""
import os, sys, reflink
where = os.path.dirname(reflink.__file__)
assert where.startswith(sys.prefix + os.sep), (where, sys.prefix)
open("src", "wb").write(b"data" * 1000)
os.utime("src", ns=(1, 10**18))
reflink.copy("src", "plain")
reflink.copy2("src", "kept")
for name in ("plain", "kept"):
    assert open(name, "rb").read() == b"data" * 1000, name
assert os.stat("kept").st_mtime_ns == 10**18
assert os.stat("plain").st_mtime_ns != 10**18
print(reflink.__version__)
"""


def _use(python, cwd):
    return _run([python, "-c", USE], cwd=str(cwd), env=_offline_env()).strip()


def test_sdist_names_and_version(dist):
    assert os.path.basename(dist["sdist"]) == "%s-%s.tar.gz" % (NAME, VERSION)
    with tarfile.open(dist["sdist"]) as t:
        info = t.extractfile("%s-%s/PKG-INFO" % (NAME, VERSION)).read().decode()
    meta = email.parser.Parser().parsestr(info)
    assert (meta["Name"], meta["Version"]) == (NAME, VERSION)
    assert meta["Requires-Python"] and meta["License"]
    assert "Operating System :: POSIX :: Linux" in meta.get_all("Classifier")


def test_sdist_carries_the_library(dist):
    """Every file the extension is built from, with the tree's content."""
    root = "%s-%s/" % (NAME, VERSION)
    needed = ["include/reflink.h"] + [
        os.path.relpath(p, TOP) for pat in ("lib/*/*.c", "lib/*/*.h")
        for p in glob.glob(os.path.join(TOP, pat))]
    needed += ["python/" + p for p in ("setup.py", "pyproject.toml", "README.md",
                                       "src/_reflink.c", "src/exports.map",
                                       "reflink/py.typed", "reflink/__init__.pyi")]
    assert len(needed) > 20
    with tarfile.open(dist["sdist"]) as t:
        names = set(t.getnames())
        for rel in needed:
            inside = root + (rel[len("python/"):] if rel.startswith("python/") else rel)
            assert inside in names, "%s missing from the sdist" % inside
            with open(os.path.join(TOP, rel), "rb") as f:
                assert t.extractfile(inside).read() == f.read(), inside


def test_sdist_installs_from_another_directory(dist, tmp_path):
    python = _venv(tmp_path / "venv", system_site=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    _run([python, "-m", "pip", "install", "-q", "--no-build-isolation", dist["sdist"]],
         cwd=str(elsewhere), env=_offline_env())
    assert _use(python, elsewhere) == VERSION
    shown = _run([python, "-m", "pip", "show", NAME], cwd=str(elsewhere),
                 env=_offline_env())
    assert "Version: " + VERSION in shown


def test_sdist_builds_without_the_source_tree(dist, tmp_path):
    """Unpacked alone (no ../include, ../lib): setup.py finds the copies."""
    with tarfile.open(dist["sdist"]) as t:
        t.extractall(tmp_path)
    unpacked = tmp_path / ("%s-%s" % (NAME, VERSION))
    _run([PY, "setup.py", "-q", "build_ext", "--inplace"], cwd=str(unpacked),
         env=_offline_env())
    assert glob.glob(str(unpacked / "reflink" / "_reflink*.so"))


def test_wheel_installs_into_a_fresh_venv(dist, tmp_path):
    with zipfile.ZipFile(dist["wheel"]) as z:
        names = z.namelist()
        meta = z.read("%s-%s.dist-info/METADATA" % (NAME, VERSION)).decode()
    assert any(re.match(r"reflink/_reflink\..*\.so$", n) for n in names), names
    assert {"reflink/py.typed", "reflink/__init__.pyi"} <= set(names)
    assert "Name: %s\n" % NAME in meta
    python = _venv(tmp_path / "fresh", system_site=False)
    _run([python, "-m", "pip", "install", "-q", dist["wheel"]], cwd=str(tmp_path),
         env=_offline_env())
    assert _use(python, tmp_path) == VERSION
