#!/usr/bin/env bash
# progress.sh - tree progress moves with the bytes: `reflink -r --progress`
# of a few huge files (one worker, so every report between file ends comes
# from bytes still being copied) refreshes at least every 0.5 s from start
# to finish, and its byte count grows while the files count stands still.
# Time stamps of each update are read from the pipe. On tmpfs (fast, so
# the files are large enough to take a couple of seconds).
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/fs.sh"

use_fs M "progress: tmpfs" tmpfs 4000 || exit 0
mkdir "$M/src" && for i in 1 2 3; do head -c 600000000 /dev/zero | tr '\0' 'x' > "$M/src/f$i"; done
/usr/bin/python3 - "$RL" "$M/src" "$M/dst" > "$T/.cad" 2>&1 <<'PY'
import re, subprocess, sys, time
p = subprocess.Popen([sys.argv[1], "-r", "-j1", "--reflink=never", "--progress",
                      sys.argv[2], sys.argv[3]], stderr=subprocess.PIPE)
start, stamps, buf = time.monotonic(), [], b""
while True:
    chunk = p.stderr.read1(65536)
    if not chunk:
        break
    stamps += [time.monotonic()] * chunk.count(b"\r")
    buf += chunk
end = time.monotonic()
p.wait()
lines = [l.decode() for l in buf.split(b"\r") if b"%" in l]
gaps = [b - a for a, b in zip([start] + stamps, stamps + [end])]
# Updates within one file: the files count the same, the bytes more.
inside = 0
for a, b in zip(lines, lines[1:]):
    fa, fb = re.search(r"files (\d+)", a), re.search(r"files (\d+)", b)
    if fa and fb and fa.group(1) == fb.group(1) and a.split(" / ")[0] != b.split(" / ")[0]:
        inside += 1
print("rc=%d updates=%d inside-a-file=%d longest=%.3f s in %.1f s" %
      (p.returncode, len(stamps), inside, max(gaps), end - start))
sys.exit(0 if p.returncode == 0 and len(stamps) >= 4 and max(gaps) <= 0.5 and inside >= 2 else 1)
PY
rc=$?
if [ $rc = 0 ] && cmp -s "$M/src/f3" "$M/dst/f3"; then pass "-r --progress of 3 huge files: refreshed at least every 0.5 s, bytes move inside a file ($(cat "$T/.cad"))"
else fail "-r --progress of 3 huge files: refreshed at least every 0.5 s, bytes move inside a file" "$(cat "$T/.cad")"; fi
