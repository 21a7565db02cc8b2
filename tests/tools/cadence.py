#!/usr/bin/python3
"""cadence.py - time stamps of each progress update a command draws.

    cadence.py pipe|pty FIRST MAX -- CMD...

Runs CMD with its stderr on a pipe or on a pseudo-terminal (stdin and
stdout stay as given) and records when each "\r" of a progress line
arrives. Succeeds when the command exits 0, the first update came within
FIRST seconds of the start, no gap between updates (or between the last
one and the exit) exceeds MAX seconds, at least four updates were drawn,
and at least two of them moved the bytes while the files count stood
still (progress inside a file, not only at file ends). Prints one line of
figures either way.
"""
import os
import pty
import re
import subprocess
import sys
import time


def read_all(fd, p):
    stamps, buf = [], b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # a pty's master reads EIO once the slave is gone
            chunk = b""
        if not chunk:
            break
        stamps += [time.monotonic()] * chunk.count(b"\r")
        buf += chunk
    p.wait()
    return stamps, buf


def run(kind, cmd):
    if kind == "pty":
        master, slave = pty.openpty()
        p = subprocess.Popen(cmd, stderr=slave, stdin=subprocess.DEVNULL)
        os.close(slave)
        fd = master
    else:
        p = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL)
        fd = p.stderr.fileno()
    start = time.monotonic()
    stamps, buf = read_all(fd, p)
    return p.returncode, start, time.monotonic(), stamps, buf


def inside_a_file(buf):
    """Updates whose byte count moved while the files count did not."""
    lines = [l.decode(errors="replace") for l in buf.split(b"\r") if b"%" in l]
    n = 0
    for a, b in zip(lines, lines[1:]):
        fa, fb = re.search(r"files (\d+)", a), re.search(r"files (\d+)", b)
        if fa and fb and fa.group(1) == fb.group(1) and \
                a.split(" / ")[0] != b.split(" / ")[0]:
            n += 1
    return n


def main():
    kind, first, most = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    rc, start, end, stamps, buf = run(kind, cmd)
    gaps = [b - a for a, b in zip(stamps, stamps[1:] + [end])]
    head = stamps[0] - start if stamps else end - start
    longest = max(gaps) if gaps else end - start
    inside = inside_a_file(buf)
    print("rc=%d updates=%d first=%.2f s longest gap=%.3f s inside-a-file=%d "
          "in %.1f s" % (rc, len(stamps), head, longest, inside, end - start))
    ok = rc == 0 and len(stamps) >= 4 and head <= first and \
        longest <= most and inside >= 2
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
