#!/usr/bin/python3
"""treegen.py - seeded random trees for the tree-copy tests, and canonical
listings to compare a copy with its source (or with `cp -a`'s copy).

  treegen.py gen SEED ROOT [SCALE]   make a tree at ROOT (must not exist):
        nested and read-only directories, empty/small/large/sparse files,
        symlinks (relative, absolute, dangling, out of the tree), hard-link
        groups, FIFOs, names with spaces, newlines, non-UTF-8 bytes and
        leading dashes, read-only files, other owners (as root), xattrs,
        varied nanosecond times. SCALE multiplies the entry counts.
  treegen.py list ROOT [--meta] [--links] [--xattr] [--no-content]
        one line per entry, sorted, names escaped: kind, size, content
        hash, link target; --meta adds mode, owner and mtime (directories
        included), --links hard-link groups, --xattr user.* attributes
  treegen.py sparse SRC DST          exit 1 unless every sparse file of SRC
        (allocated < size) is no more allocated in DST than in SRC (+64 KiB)
  treegen.py files ROOT              print the regular files with data, one
        per line, names without newlines only (for FIEMAP checks); files
        under 4 KiB are left out (btrfs keeps them inline: never shared)
Paths are bytes throughout: names need not be UTF-8.
"""
import hashlib
import os
import random
import stat
import sys

NAMES = [b"plain", b"with space", b"new\nline", b"\xff\xfe-latin1", b"-dash",
         b"--double", b"tab\there", b"quote'\"", b"x" * 200, b"utf8-\xc3\xa9",
         b"star*", b".hidden"]


class Gen:
    def __init__(self, seed, root, scale):
        self.r = random.Random(seed)
        self.root = root
        self.scale = scale
        self.dirs = [b""]
        self.files = []
        self.n = 0
        self.times = []  # (path, ns) applied last, deepest first

    def path(self, rel):
        return os.path.join(self.root, rel) if rel else self.root

    def name(self):
        self.n += 1
        base = self.r.choice(NAMES)
        return b"%s-%d" % (base[:200], self.n)

    def data(self, size):
        return self.r.randbytes(size)

    def mkfile(self, rel, size):
        with open(self.path(rel), "wb") as f:
            f.write(self.data(size))
        self.files.append(rel)

    def sparse(self, rel):
        size = self.r.choice([4, 8, 16]) << 20
        with open(self.path(rel), "wb") as f:
            f.truncate(size)
            for _ in range(self.r.randint(1, 4)):
                off = self.r.randrange(0, size - 65536) & ~4095
                f.seek(off)
                f.write(self.data(self.r.choice([4096, 65536])))
        self.files.append(rel)

    def make(self):
        os.mkdir(self.root)
        for _ in range(int(12 * self.scale)):
            parent = self.r.choice(self.dirs)
            rel = os.path.join(parent, self.name()) if parent else self.name()
            os.mkdir(self.path(rel), self.r.choice([0o755, 0o750, 0o700, 0o2775]))
            self.dirs.append(rel)
        chain = self.r.choice(self.dirs)  # one deep chain
        for i in range(40):
            chain = os.path.join(chain, b"deep%d" % i) if chain else b"deep%d" % i
            os.mkdir(self.path(chain))
            self.dirs.append(chain)
        for _ in range(int(60 * self.scale)):
            self.entry(self.r.choice(self.dirs))
        self.finish()

    def entry(self, parent):
        rel = os.path.join(parent, self.name()) if parent else self.name()
        p = self.path(rel)
        k = self.r.random()
        if k < 0.30:
            self.mkfile(rel, self.r.choice([0, 1, 100, 4095, 4096, 5000, 70000]))
        elif k < 0.38:
            self.mkfile(rel, self.r.randint(100000, 1500000))
        elif k < 0.44:
            self.sparse(rel)
        elif k < 0.56:
            target = self.r.choice([
                os.path.basename(self.r.choice(self.files)) if self.files else b"x",
                b"/etc/hostname", b"no/such/target", b"../../../../outside",
                b"..", b"./" + b"new\nline"])
            os.symlink(target, p)
            self.times.append((rel, self.r.randint(1, 2**31) * 10**9 + 7, False))
            return
        elif k < 0.66 and self.files:
            src = self.r.choice(self.files)
            if os.path.islink(self.path(src)) or not os.path.exists(self.path(src)):
                return
            os.link(self.path(src), p)
            return
        elif k < 0.70:
            os.mkfifo(p, 0o640)
        else:
            self.mkfile(rel, self.r.randint(0, 3000))
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            self.meta(rel, p)
        self.times.append((rel, self.r.randint(1, 2**33) * 10**9 + self.r.randint(0, 10**9 - 1), True))

    def meta(self, rel, p):
        mode = self.r.choice([0o644, 0o600, 0o640, 0o755, 0o444, 0o664, 0o400])
        try:
            if self.r.random() < 0.2:
                os.setxattr(p, b"user.k%d" % self.n, self.data(self.r.randint(1, 40)))
        except OSError:
            pass  # a filesystem without user xattrs
        if os.geteuid() == 0 and self.r.random() < 0.2:
            os.chown(p, 65534, 65534)
        os.chmod(p, mode)

    def finish(self):
        for rel, ns, follow in self.times:
            os.utime(self.path(rel), ns=(ns, ns), follow_symlinks=follow)
        # Directories: read-only ones and times last, deepest first.
        for rel in sorted(self.dirs, key=len, reverse=True):
            p = self.path(rel)
            if rel and self.r.random() < 0.15:
                os.chmod(p, 0o555)
            ns = self.r.randint(1, 2**33) * 10**9 + self.r.randint(0, 10**9 - 1)
            os.utime(p, ns=(ns, ns))


def esc(b):
    out = []
    for c in b:
        out.append(chr(c) if 0x21 <= c <= 0x7e and c != 0x5c else "\\x%02x" % c)
    return "".join(out)


def digest(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            b = f.read(1 << 20)
            if not b:
                return h.hexdigest()[:16]
            h.update(b)


def walk(root, rel=b""):
    p = os.path.join(root, rel) if rel else root
    for name in sorted(os.listdir(p)):
        sub = os.path.join(rel, name) if rel else name
        st = os.lstat(os.path.join(root, sub))
        yield sub, st
        if stat.S_ISDIR(st.st_mode):
            yield from walk(root, sub)


def listing(root, opts):
    entries = list(walk(os.fsencode(root)))
    groups = {}
    for rel, st in entries:
        if not stat.S_ISDIR(st.st_mode) and st.st_nlink > 1:
            groups.setdefault((st.st_dev, st.st_ino), rel)
    lines = []
    root = os.fsencode(root)
    for rel, st in entries:
        m = st.st_mode
        kind = "d" if stat.S_ISDIR(m) else "f" if stat.S_ISREG(m) else \
            "l" if stat.S_ISLNK(m) else "p" if stat.S_ISFIFO(m) else \
            "s" if stat.S_ISSOCK(m) else "c" if stat.S_ISCHR(m) else "b"
        desc = [esc(rel), kind]
        full = os.path.join(root, rel)
        if "--meta" in opts:
            if kind != "l":
                desc.append("mode=%04o" % stat.S_IMODE(m))
            desc.append("own=%d:%d" % (st.st_uid, st.st_gid))
            desc.append("mtime=%d" % st.st_mtime_ns)
        if kind == "f":
            desc.append("size=%d" % st.st_size)
            if "--no-content" not in opts:
                desc.append("sha=" + digest(full))
        if kind == "l":
            desc.append("->" + esc(os.readlink(full)))
        if "--links" in opts and (st.st_dev, st.st_ino) in groups:
            desc.append("link=" + esc(groups[(st.st_dev, st.st_ino)]))
        if "--xattr" in opts and kind in "fd":
            xs = sorted(x for x in os.listxattr(full, follow_symlinks=False)
                        if x.startswith("user."))
            for x in xs:
                desc.append("%s=%s" % (x, os.getxattr(full, x).hex()))
        lines.append(" ".join(desc))
    return lines


def sparse(src, dst):
    bad = 0
    for rel, st in walk(os.fsencode(src)):
        if not stat.S_ISREG(st.st_mode) or st.st_blocks * 512 >= st.st_size:
            continue
        d = os.lstat(os.path.join(os.fsencode(dst), rel))
        if d.st_blocks * 512 > st.st_blocks * 512 + 65536:
            print("not sparse: %s: %d > %d" % (esc(rel), d.st_blocks * 512,
                                                 st.st_blocks * 512))
            bad = 1
    return bad


def main(argv):
    if len(argv) >= 3 and argv[0] == "gen":
        scale = float(argv[3]) if len(argv) > 3 else 1.0
        Gen(int(argv[1]), os.fsencode(argv[2]), scale).make()
        return 0
    if len(argv) >= 2 and argv[0] == "list":
        for line in listing(argv[1], argv[2:]):
            print(line)
        return 0
    if len(argv) == 3 and argv[0] == "sparse":
        return sparse(argv[1], argv[2])
    if len(argv) == 2 and argv[0] == "files":
        root = os.fsencode(argv[1])
        for rel, st in walk(root):
            if stat.S_ISREG(st.st_mode) and st.st_blocks and \
                    st.st_size >= 4096 and b"\n" not in rel:
                sys.stdout.buffer.write(os.path.join(root, rel) + b"\n")
        return 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
