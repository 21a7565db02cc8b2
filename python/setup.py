"""Build the reflink package: a C extension over libreflink, whose sources
(../lib/*/*.c) are compiled into the extension itself, so nothing needs to be
installed first and the library is linked statically.

Offline, with only Debian's python3-dev and python3-setuptools:
    python3 -m pip install --no-build-isolation ./python
or, without pip, in place:
    cd python && python3 setup.py build_ext --inplace
"""
import glob
import os
import re

from setuptools import Extension, setup

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
HEADER = os.path.join(TOP, "include", "reflink.h")

if not os.path.exists(HEADER):
    raise SystemExit(
        "reflink: %s not found; build from the reflink source tree" % HEADER)


def version():
    with open(HEADER) as f:
        return re.search(r'#define RL_VERSION_STRING "([^"]+)"', f.read()).group(1)


# Absolute paths: distutils puts their objects under build_temp (a relative
# "../lib/x.c" would put them outside it).
lib_sources = sorted(glob.glob(os.path.join(TOP, "lib", "*", "*.c")))

ext = Extension(
    "reflink._reflink",
    sources=[os.path.join("src", "_reflink.c")] + lib_sources,
    include_dirs=[os.path.join(TOP, "include")],
    depends=[HEADER] + glob.glob(os.path.join(TOP, "lib", "*", "*.h")),
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
    name="reflink",
    version=version(),
    description="Clone files (copy-on-write) where the filesystem can, copy where it cannot",
    long_description=open(os.path.join(HERE, "README.md")).read(),
    long_description_content_type="text/markdown",
    packages=["reflink"],
    package_data={"reflink": ["py.typed", "*.pyi"]},
    ext_modules=[ext],
    python_requires=">=3.8",
    classifiers=[
        "Operating System :: POSIX :: Linux",
        "Programming Language :: C",
        "Programming Language :: Python :: 3",
        "Topic :: System :: Filesystems",
    ],
)
