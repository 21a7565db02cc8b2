# cli.sh - helpers for tests of the reflink command. Source after common.sh.

# rl_run CMD...: run CMD (under a timeout, stdin closed); leaves its status
# in RC, stdout in OUT and stderr in ERR (files $T/.out and $T/.err).
rl_run() {
	RC=0
	timeout 30 "$@" </dev/null >"$T/.out" 2>"$T/.err" || RC=$?
	OUT=$(cat "$T/.out")
	ERR=$(cat "$T/.err")
}

# err_lines: how many lines the last rl_run wrote on stderr.
err_lines() { wc -l < "$T/.err"; }

# expect_error NAME WANT_RC TEXT...: the last rl_run exited WANT_RC and
# wrote exactly one line on stderr, "reflink: ...", containing every TEXT.
expect_error() {
	local name=$1 want=$2 s; shift 2
	if [ "$RC" != "$want" ]; then
		fail "$name" "exit $RC, wanted $want; stderr: $ERR"; return
	fi
	if [ "$(err_lines)" != 1 ] || [ "$(tail -c 1 "$T/.err" | od -An -tx1 | tr -d ' ')" != 0a ]; then
		fail "$name" "stderr is not exactly one line: $(od -c "$T/.err" | head -5)"; return
	fi
	case "$ERR" in "reflink: "*) ;; *) fail "$name" "stderr lacks 'reflink: ': $ERR"; return ;; esac
	for s in "$@"; do
		case "$ERR" in *"$s"*) ;; *) fail "$name" "stderr lacks '$s': $ERR"; return ;; esac
	done
	pass "$name"
}

# expect_ok NAME: the last rl_run exited 0 and printed nothing on stderr.
expect_ok() {
	if [ "$RC" = 0 ] && [ -z "$ERR" ]; then pass "$1"
	else fail "$1" "exit $RC; stderr: $ERR"; fi
}

# json_field FIELD [FILE]: print FIELD of the one JSON object in FILE
# (default: the last stdout); "a.b" descends. Fails unless FILE holds
# exactly one JSON object and nothing else.
json_field() {
	/usr/bin/python3 - "$1" "${2:-$T/.out}" <<'EOF'
import json, sys
with open(sys.argv[2], "rb") as f:
    raw = f.read()
if not raw.endswith(b"\n") or raw.count(b"\n") != 1:
    sys.exit("not one line: %r" % raw[:200])
v = json.loads(raw)
for k in sys.argv[1].split("."):
    v = v[k]
print(json.dumps(v) if isinstance(v, (bool, dict, list)) else v)
EOF
}

# same_content NAME A B: files A and B exist and hold the same bytes.
same_content() {
	if [ -f "$2" ] && [ -f "$3" ] && cmp -s "$2" "$3"; then pass "$1"
	else fail "$1" "'$2' and '$3' differ or are missing"; fi
}

# listing DIR: every name in DIR (hidden too), one a line, NUL-safe enough
# for comparing before and after.
listing() { ls -A1b "$1"; }

# "${NOBODY[@]}" CMD...: run CMD as an unprivileged user (uid/gid 65534).
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)

# file_state FILE: what must not change when FILE is left alone: inode,
# size, mtime, ctime, mode, link count and content.
file_state() { stat -c '%i %s %y %z %a %h' "$1" && md5sum < "$1"; }

# data_map FILE: the data segments of FILE as SEEK_DATA/SEEK_HOLE see
# them, "START END" a line (holes are what lies between).
data_map() {
	/usr/bin/python3 - "$1" <<'PY'
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
size, off = os.fstat(fd).st_size, 0
while off < size:
    try:
        start = os.lseek(fd, off, os.SEEK_DATA)
    except OSError:
        break
    end = os.lseek(fd, start, os.SEEK_HOLE)
    print(start, end)
    off = end
PY
}

# "${DFL[@]}" CMD...: exec CMD with SIGINT, SIGTERM and SIGHUP at their
# defaults (a background job inherits SIGINT ignored).
DFL=(/usr/bin/python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])')
