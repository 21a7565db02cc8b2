#!/usr/bin/python3
"""fdtree.py - trees deeper than PATH_MAX, made and compared through
directory fds (paths that long cannot be named in one string).

  fdtree.py deep ROOT DEPTH NAMELEN   make ROOT/n/n/.../n (DEPTH levels of
                                      NAMELEN-byte names) with a file and a
                                      symlink at each level
  fdtree.py same A B                  exit 0 if the trees at A and B hold the
                                      same names, kinds, bytes, link targets
  fdtree.py depth ROOT                print the deepest path length in bytes
"""
import os
import stat
import sys


def deep(root, depth, namelen):
    os.mkdir(root)
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    for level in range(depth):
        name = (b"%03d" % level + b"n" * namelen)[:namelen]
        f = os.open(b"file", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, b"level %d\n" % level * (level + 1))
        os.close(f)
        os.symlink(b"file", b"link", dir_fd=fd)
        os.mkdir(name, dir_fd=fd)
        nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        os.close(fd)
        fd = nfd
    f = os.open(b"bottom", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(f, b"the bottom\n")
    os.close(f)
    os.close(fd)


def read_at(dfd, name):
    f = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    try:
        chunks = []
        while True:
            b = os.read(f, 1 << 20)
            if not b:
                return b"".join(chunks)
            chunks.append(b)
    finally:
        os.close(f)


def describe(dfd, prefix, out):
    """Fill out with relative name -> (kind, content or target)."""
    for name in sorted(os.listdir(dfd)):
        name = os.fsencode(name)
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        rel = prefix + b"/" + name
        if stat.S_ISDIR(st.st_mode):
            out[rel] = ("dir", None)
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
            try:
                describe(sub, rel, out)
            finally:
                os.close(sub)
        elif stat.S_ISLNK(st.st_mode):
            out[rel] = ("link", os.readlink(name, dir_fd=dfd))
        elif stat.S_ISREG(st.st_mode):
            out[rel] = ("file", read_at(dfd, name))
        else:
            out[rel] = (oct(stat.S_IFMT(st.st_mode)), None)


def tree(root):
    out = {}
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        describe(fd, b"", out)
    finally:
        os.close(fd)
    return out


def main():
    cmd = sys.argv[1]
    if cmd == "deep":
        deep(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "same":
        a, b = tree(sys.argv[2]), tree(sys.argv[3])
        if a != b:
            only = sorted(set(a) ^ set(b))[:3]
            diff = [k for k in a if k in b and a[k] != b[k]][:3]
            sys.exit("differ: only in one %r, different %r (of %d/%d)" % (only, diff, len(a), len(b)))
        print(len(a))
    elif cmd == "depth":
        print(max((len(sys.argv[2]) + len(k) for k in tree(sys.argv[2])), default=0))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
