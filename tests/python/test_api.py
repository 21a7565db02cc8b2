"""The package's surface: names, stubs that match the code, docstrings,
version, and an extension that exports nothing but its entry point."""
import ast
import inspect
import os
import re
import subprocess

import reflink
import reflink.error

PKG = os.path.dirname(reflink.__file__)
TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _stub(name):
    with open(os.path.join(PKG, name)) as f:
        return ast.parse(f.read())


def test_public_names_and_docstrings():
    for name in reflink.__all__:
        obj = getattr(reflink, name)
        assert inspect.getdoc(obj), "%s has no docstring" % name
    assert inspect.getdoc(reflink)
    assert set(reflink.error.__all__) <= set(reflink.__all__)


def test_stubs_match_the_code():
    stub = {n.name: n for n in _stub("__init__.pyi").body
            if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    for name in reflink.__all__:
        obj = getattr(reflink, name)
        if name in ("ReflinkImpossibleError", "CloneImpossibleError", "SameFileError"):
            continue  # re-exported from error.pyi
        assert name in stub, "%s missing from __init__.pyi" % name
        if inspect.isfunction(obj):
            want = [(p.name, p.kind) for p in inspect.signature(obj).parameters.values()]
            a = stub[name].args
            got = ([(x.arg, inspect.Parameter.POSITIONAL_OR_KEYWORD) for x in a.args]
                   + ([(a.vararg.arg, inspect.Parameter.VAR_POSITIONAL)] if a.vararg else [])
                   + [(x.arg, inspect.Parameter.KEYWORD_ONLY) for x in a.kwonlyargs])
            assert got == want, name
    ext = {n.name for n in _stub("_reflink.pyi").body if isinstance(n, ast.FunctionDef)}
    assert ext == {n for n in dir(reflink._reflink)
                   if callable(getattr(reflink._reflink, n)) and not n.startswith("_")}
    assert os.path.exists(os.path.join(PKG, "py.typed"))


def test_version_is_the_library_version():
    with open(os.path.join(TOP, "include", "reflink.h")) as f:
        want = re.search(r'RL_VERSION_STRING "([^"]+)"', f.read()).group(1)
    assert reflink.__version__ == want


def test_extension_exports_only_its_entry_point():
    out = subprocess.run(["nm", "-D", "--defined-only", reflink._reflink.__file__],
                         capture_output=True, text=True, check=True).stdout
    assert [line.split()[-1] for line in out.splitlines()] == ["PyInit__reflink"]


def test_exception_classes():
    E, C, S = (reflink.ReflinkImpossibleError, reflink.CloneImpossibleError,
               reflink.SameFileError)
    assert not issubclass(E, OSError) and issubclass(C, E) and issubclass(C, OSError)
    assert issubclass(S, OSError)
    e = E(18, "cannot clone", "a", None, "b")
    assert (e.errno, e.strerror, e.filename, e.filename2) == (18, "cannot clone", "a", "b")
    assert str(e) == str(C(18, "cannot clone", "a", None, "b")) == \
        "[Errno 18] cannot clone: 'a' -> 'b'"
    import pickle
    for x in (e, C(95, "x", b"a", None, b"b"), S(22, "same", "p", None, "p")):
        y = pickle.loads(pickle.dumps(x))
        assert (type(y), y.errno, y.filename, y.filename2) == \
            (type(x), x.errno, x.filename, x.filename2)


def test_ignore_patterns_like_shutil():
    import shutil
    names = ["a.pyc", "b.py", "tmp", "x.o", "keep"]
    ours = reflink.ignore_patterns("*.pyc", "tmp", "*.o")
    theirs = shutil.ignore_patterns("*.pyc", "tmp", "*.o")
    assert ours("/src", names) == theirs("/src", names) == {"a.pyc", "tmp", "x.o"}
