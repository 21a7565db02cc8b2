#!/usr/bin/env bash
# json-names.sh - file names in --json output (--check prints each PATH):
# valid UTF-8 as itself, every other byte as the lone surrogate \udcXX
# (Python's surrogateescape), so json.loads and os.fsencode give back the
# exact bytes, and a byte 0xff never reads as the character U+00FF. Names
# of every odd kind, round-tripped through Python's json. Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"

W="$T/w"
mkdir "$W" || exit 1
RL="$RL" W="$W" /usr/bin/python3 - <<'PY'
import json, os, subprocess

RL, W = os.environ["RL"].encode(), os.environ["W"].encode()
NAMES = {
    "lone 0x80": b"a\x80b",
    "lone 0xff": b"\xff",
    "0xff then continuation bytes": b"\xff\x80\x80",
    "U+00FF as UTF-8": b"\xc3\xbf",
    "overlong 2-byte": b"\xc0\xaf",
    "overlong 3-byte": b"\xe0\x80\xaf",
    "overlong 4-byte": b"\xf0\x80\x80\xaf",
    "surrogate in UTF-8 (ED A0 80)": b"s\xed\xa0\x80",
    "truncated 3-byte, then ASCII": b"\xe2\x82x",
    "truncated 3-byte at the end": b"end\xe2\x82",
    "above U+10FFFF": b"\xf4\x90\x80\x80",
    "F5 lead byte": b"\xf5\x80\x80\x80",
    "control characters": b"ctl\x01\x1f\x7f\n\t\x1b[31m",
    "quotes and backslashes": b"q\"\\'\\\\\"",
    "an escape as text": b"\\udcff\\u00ff",
    "valid multibyte": "café-日本-😀-\U0010ffff-\uffff".encode(),
}


def report(ok, name, why=""):
    print(("ok - json names: %s" % name) if ok else ("not ok - json names: %s: %s" % (name, why)))


paths = []
for label, name in NAMES.items():
    path = os.path.join(W, name)
    open(path, "wb").close()
    paths.append(path)
p = subprocess.run([RL, b"--check", b"--json", b"--"] + paths, capture_output=True)
try:
    # Strict UTF-8 (and so plain ASCII escapes for the odd bytes).
    got = json.loads(p.stdout.decode("utf-8"))
except ValueError as e:
    got = None
    report(False, "--check --json is valid UTF-8 JSON", "%s: %r" % (e, p.stdout[:300]))
if got is not None:
    report(p.returncode in (0, 3) and len(got) == len(paths),
           "--check --json: one entry per PATH", "exit %d, %d entries: %r"
           % (p.returncode, len(got), p.stderr[-200:]))
    for (label, name), path, entry in zip(NAMES.items(), paths, got):
        back = entry["path"].encode("utf-8", "surrogateescape")
        report(back == path and entry["path"] == path.decode("utf-8", "surrogateescape"),
               "%s: json.loads + fsencode give the exact bytes" % label,
               "%r came back as %r" % (path, back))
    by = {label: entry["path"] for label, entry in zip(NAMES, got)}
    report(by["lone 0xff"] != by["U+00FF as UTF-8"][-1:] and by["lone 0xff"].endswith("\udcff")
           and by["U+00FF as UTF-8"].endswith("\u00ff"),
           "a byte 0xff and the character U+00FF differ", "%r, %r"
           % (by["lone 0xff"], by["U+00FF as UTF-8"]))
    raw = p.stdout.decode()
    report("\\udcff" in raw and "\\udc80" in raw and "\\u00ff" not in raw.replace("\\\\u00ff", ""),
           "odd bytes are written as \\udcXX escapes", raw[:200])
PY
