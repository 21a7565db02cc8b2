"""The Python peers of the benchmark: copy SRC to DST the way Python users do.

usage: peer_python.py KIND SRC DST
  copyfile          shutil.copyfile (sendfile on Linux)
  copyfile-ficlone  ficlone_copy below, alone
  copytree          shutil.copytree(symlinks=True), default copy2
  copytree-ficlone  shutil.copytree(symlinks=True, copy_function=ficlone_copy)

Prints "elapsed SECONDS" for the copy call alone, so the harness can leave
the interpreter's start-up out of the peer's time (in the peer's favour).
"""
import fcntl
import shutil
import sys
import time

FICLONE = 0x40049409  # _IOW(0x94, 9, int)


def ficlone_copy(src, dst, *, follow_symlinks=True):
    """The first user's way: FICLONE, then the metadata copy2 would copy,
    so the result is comparable with copy2 and `reflink -a`."""
    with open(src, "rb") as fsrc, open(dst, "wb") as fdst:
        fcntl.ioctl(fdst.fileno(), FICLONE, fsrc.fileno())
    shutil.copystat(src, dst, follow_symlinks=follow_symlinks)
    return dst


KINDS = {
    "copyfile": lambda s, d: shutil.copyfile(s, d),
    "copyfile-ficlone": lambda s, d: ficlone_copy(s, d),
    "copytree": lambda s, d: shutil.copytree(s, d, symlinks=True),
    "copytree-ficlone": lambda s, d: shutil.copytree(
        s, d, symlinks=True, copy_function=ficlone_copy),
}


def main(argv):
    if len(argv) != 4 or argv[1] not in KINDS:
        sys.stderr.write(__doc__)
        return 2
    t0 = time.perf_counter()
    KINDS[argv[1]](argv[2], argv[3])
    print("elapsed %.6f" % (time.perf_counter() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
