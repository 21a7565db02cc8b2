"""Build the libreflink distribution (import name ``reflink``): a C extension
over libreflink, whose sources (lib/*/*.c) are compiled into the extension
itself, so nothing needs to be installed first and the library is linked
statically.

The library's sources are found inside this directory first (an sdist
carries them there: `sdist` copies ../include and ../lib in), else at ../
(a build from the source tree). Offline, with only Debian's python3-dev and
python3-setuptools:
    python3 -m pip install --no-build-isolation ./python
    python3 -m pip install --no-build-isolation libreflink-VERSION.tar.gz
    python3 -m build --no-isolation python     (Debian's python3-build)
or, without pip, in place:
    cd python && python3 setup.py build_ext --inplace
The metadata is in pyproject.toml; only the version (read from
include/reflink.h) and the extension are given here.
"""
import glob
import os
import re

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext
from setuptools.command.sdist import sdist

HERE = os.path.dirname(os.path.abspath(__file__))


def library_root():
    """The directory holding include/reflink.h and lib/: this one (an
    unpacked sdist) or its parent (the source tree)."""
    for root in (HERE, os.path.dirname(HERE)):
        if os.path.exists(os.path.join(root, "include", "reflink.h")):
            return root
    raise SystemExit("libreflink: include/reflink.h not found in %s or its "
                     "parent; build from the reflink source tree or its sdist"
                     % HERE)


ROOT = library_root()
HEADER = os.path.join(ROOT, "include", "reflink.h")


def library_files(pattern):
    """The library's files matching pattern, relative to ROOT, sorted."""
    return sorted(os.path.relpath(p, ROOT)
                  for p in glob.glob(os.path.join(ROOT, pattern)))


LIB_SOURCES = library_files(os.path.join("lib", "*", "*.c"))
LIB_FILES = (["include/reflink.h"] + LIB_SOURCES
             + library_files(os.path.join("lib", "*", "*.h")))


def at_root(rel):
    """rel as the extension names it: relative inside this directory, else
    absolute (distutils puts the objects of a relative "../lib/x.c" outside
    build_temp)."""
    return rel if ROOT == HERE else os.path.join(ROOT, rel)


def version():
    with open(HEADER) as f:
        return re.search(r'#define RL_VERSION_STRING "([^"]+)"', f.read()).group(1)


class sdist_with_library(sdist):
    """An sdist that carries the library's header and sources, so that it
    builds anywhere (MANIFEST.in cannot name files outside this directory)."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        for rel in LIB_FILES:
            dest = os.path.join(base_dir, rel)
            self.mkpath(os.path.dirname(dest))
            self.copy_file(os.path.join(ROOT, rel), dest)


class build_ext_listing_inside(build_ext):
    """The extension's sources, as the sdist and SOURCES.txt list them: only
    those inside this directory (the library's, at ../ in the source tree,
    are copied in by sdist_with_library; an absolute path in SOURCES.txt
    would break the build from the sdist)."""

    def get_source_files(self):
        return [p for p in super().get_source_files() if not os.path.isabs(p)]


ext = Extension(
    "reflink._reflink",
    sources=[os.path.join("src", "_reflink.c")] + [at_root(p) for p in LIB_SOURCES],
    include_dirs=[at_root("include")],
    depends=[at_root(p) for p in LIB_FILES],
    extra_compile_args=[
        "-std=gnu11", "-D_GNU_SOURCE", "-fvisibility=hidden",
        "-Wall", "-Wextra",
    ],
    # Export PyInit__reflink only: the library's rl_* symbols stay private,
    # so a libreflink.so loaded elsewhere in the process cannot interpose.
    extra_link_args=["-Wl,--version-script=" + os.path.join(HERE, "src", "exports.map"),
                     "-lpthread"],
)

setup(
    version=version(),
    # Here, not in pyproject.toml: setuptools 66 calls [tool.setuptools] beta.
    packages=["reflink"],
    package_data={"reflink": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    cmdclass={"sdist": sdist_with_library, "build_ext": build_ext_listing_inside},
)
