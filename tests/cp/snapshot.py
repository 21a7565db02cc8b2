"""snapshot.py DIR: one line per entry under DIR (sorted), with what a copy
must get right: type, permission bits, owner, size and content, link
target, link count and which entries share an inode, whether it has holes,
modification time (exact when before 2020, the tests' fixed dates; else
"new"), extended attributes and ACLs (as their raw values)."""
import hashlib
import os
import stat
import sys

OLD = 1577836800  # 2020-01-01: setups date files before it


def xattrs(path):
    try:
        names = sorted(os.listxattr(path, follow_symlinks=False))
    except OSError:
        return ""
    out = []
    for n in names:
        if n.startswith("security."):
            continue  # labels the system adds, not the copy
        try:
            v = os.getxattr(path, n, follow_symlinks=False)
        except OSError as e:
            v = ("<%s>" % e.strerror).encode()
        out.append("%s=%s" % (n, v.hex() if n.startswith("system.") else v))
    return " xattr[" + ",".join(out) + "]" if out else ""


def describe(path, rel, first_of):
    st = os.lstat(path)
    kind = stat.S_IFMT(st.st_mode)
    line = "%s %s %04o %d:%d" % (rel, stat.filemode(st.st_mode)[0],
                                 stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
    if stat.S_ISLNK(st.st_mode):
        line += " -> " + os.readlink(path)
    elif stat.S_ISREG(st.st_mode):
        with open(path, "rb") as f:
            line += " %d %s" % (st.st_size, hashlib.md5(f.read()).hexdigest()[:12])
        line += " holes" if st.st_blocks * 512 < st.st_size else ""
    if kind != stat.S_IFDIR:
        key = (st.st_dev, st.st_ino)
        line += " nlink=%d" % st.st_nlink
        if key in first_of:
            line += " same-as=" + first_of[key]
        else:
            first_of[key] = rel
    m = st.st_mtime_ns
    if kind != stat.S_IFDIR:
        line += " mtime=%d" % m if m < OLD * 10**9 else " mtime=new"
    return line + xattrs(path)


def main(top):
    first_of = {}
    entries = []
    for d, dirs, files in os.walk(top):
        for n in dirs + files:
            entries.append(os.path.relpath(os.path.join(d, n), top))
    for rel in sorted(entries):
        print(describe(os.path.join(top, rel), rel, first_of))


main(sys.argv[1])
