"""Build-time check of the built module: it imports from the build tree and
copies a file (the full Python suite runs in make check)."""
import os
import tempfile

import reflink

assert os.path.realpath(reflink.__file__).startswith(os.path.realpath(os.getcwd())), reflink.__file__
with tempfile.TemporaryDirectory() as d:
    a, b = os.path.join(d, "a"), os.path.join(d, "b")
    with open(a, "w") as f:
        f.write("data\n")
    reflink.copy(a, b)
    with open(b) as f:
        assert f.read() == "data\n"
print("python3-libreflink: import and copy ok")
