#!/usr/bin/python3
"""treewatch.py TARGET A.list B.list STOPFILE - walk TARGET through directory
fds (one snapshot per walk, as a careful reader would) until STOPFILE
exists; exit 1 if a walk is a mix of the two trees. A walk whose root is
still TARGET when it ends must be exactly one listing; a walk whose root
was swapped out meanwhile (the old tree, being removed after the swap) may
miss entries, but never holds one of the other tree. A walk that loses an
entry under it (ENOENT) starts again. Prints "walks N retried M" first."""
import hashlib
import os
import stat
import sys


def walk(dfd, prefix, out):
    for name in sorted(os.listdir(dfd)):
        st = os.stat(name, dir_fd=dfd, follow_symlinks=False)
        path = prefix + "/" + name
        if stat.S_ISDIR(st.st_mode):
            out.append(path + "/")
            sub = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dfd)
            try:
                walk(sub, path, out)
            finally:
                os.close(sub)
        else:
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
            with os.fdopen(fd, "rb") as f:
                out.append("%s %s" % (path, hashlib.md5(f.read()).hexdigest()))


def _same(st, path):
    try:
        now = os.stat(path)
    except FileNotFoundError:
        return False
    return (now.st_dev, now.st_ino) == (st.st_dev, st.st_ino)


def main():
    target, la, lb, stop = sys.argv[1:]
    want = [open(la).read().splitlines(), open(lb).read().splitlines()]
    walks = retried = 0
    while not os.path.exists(stop):
        try:
            root = os.open(target, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            continue
        root_st = os.fstat(root)
        out = []
        try:
            walk(root, ".", out)
        except (FileNotFoundError, OSError):
            retried += 1
            continue
        finally:
            os.close(root)
        walks += 1
        still = _same(root_st, target)
        if not any(set(out) == set(w) if still else set(out) <= set(w) for w in want):
            print("walks %d retried %d" % (walks, retried))
            print("a mix: %d entries, e.g. %s" % (len(out), out[:3]))
            return 1
    print("walks %d retried %d" % (walks, retried))
    return 0


sys.exit(main())
