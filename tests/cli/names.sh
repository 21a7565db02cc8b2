#!/usr/bin/env bash
# names.sh - file names with spaces, newlines, tabs, quotes, backslashes,
# non-UTF-8 bytes, leading dashes and the longest legal length: copied
# correctly, and shown on one unambiguous line in -v output and errors.
# Needs no mounts.
. "$(dirname "$0")/../lib/common.sh"
. "$TOP/tests/lib/cli.sh"

W="$T/w"
mkdir "$W" "$W/dir" && cd "$W" || exit 1

# One name per line of this table: LABEL<TAB>NAME (printf escapes).
names=(
	"spaces|with  two spaces "
	"newline|new\nline"
	"trailing newline|endsnl\n"
	"tab|a\tb"
	"quotes|it's \"q\""
	"backslash|back\\\\slash"
	"non-UTF-8|bad\377\376name"
	"truncated UTF-8|half\303"
	"valid UTF-8|caf\303\251"
	"leading dash|-lead"
	"only dashes|--"
	"escape char|esc\033[31m"
)

for entry in "${names[@]}"; do
	label=${entry%%|*}
	name=$(printf -- "${entry#*|}x"); name=${name%x} # keep a trailing newline
	printf 'content of %s\n' "$label" > "./$name"
	rm -f "./$name.copy"
	rl_run "$RL" --reflink=auto -v -- "$name" "$name.copy"
	if [ "$RC" = 0 ] && cmp -s "./$name" "./$name.copy"; then
		pass "name with $label: copied"
	else
		fail "name with $label: copied" "exit $RC: $ERR"
	fi
	# -v shows the names on exactly one line, with no raw control bytes.
	if [ "$(wc -l < "$T/.out")" = 1 ] && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' < "$T/.out") &&
	   [[ "$OUT" == "'"*"' -> '"*"' ("*")" ]]; then
		pass "name with $label: -v line is one line, no control bytes"
	else
		fail "name with $label: -v line is one line, no control bytes" "$(od -c "$T/.out" | head -3)"
	fi
	rl_run "$RL" --reflink=auto -- "$name" dir
	if [ "$RC" = 0 ] && cmp -s "./$name" "dir/$name"; then
		pass "name with $label: copied into a directory under its name"
	else
		fail "name with $label: copied into a directory under its name" "exit $RC: $ERR"
	fi
	rl_run "$RL" --reflink=auto -- "$name.missing" out
	if [ "$RC" = 1 ] && [ "$(err_lines)" = 1 ] && ! LC_ALL=C grep -q '[[:cntrl:]]' <(tr -d '\n' < "$T/.err"); then
		pass "name with $label: error is one line, no control bytes"
	else
		fail "name with $label: error is one line, no control bytes" "exit $RC: $(od -c "$T/.err" | head -3)"
	fi
done

# Escapes must be unambiguous: a newline and the four characters "\012"
# must not print the same.
printf 'x\n' > $'p\nq'
printf 'y\n' > 'p\012q'
rl_run "$RL" --reflink=auto -v -- $'p\nq' o1
v1=$OUT
rl_run "$RL" --reflink=auto -v -- 'p\012q' o2
if [ "${v1%% ->*}" != "${OUT%% ->*}" ]; then
	pass "a newline and a literal backslash-012 are shown differently"
else
	fail "a newline and a literal backslash-012 are shown differently" "both shown as ${OUT%% ->*}"
fi

# A leading dash without --: taken as an option (usage error), as cp does;
# with ./ it is a file.
rl_run "$RL" --reflink=auto -lead out
if [ "$RC" = 2 ] && [ ! -e out ]; then pass "'-lead' without -- is an option: exit 2"
else fail "'-lead' without -- is an option: exit 2" "exit $RC: $ERR"; fi
rl_run "$RL" --reflink=auto ./-lead ./-out
if [ "$RC" = 0 ] && cmp -s ./-lead ./-out; then pass "'./-lead' copies to './-out'"
else fail "'./-lead' copies to './-out'" "exit $RC: $ERR"; fi

# The longest legal name (255 bytes), replacing an existing file: a
# temporary name must not be built by appending to it.
long=$(printf 'L%.0s' $(seq 255))
printf 'long one\n' > "$long"
printf 'old\n' > "dir/$long"
rl_run "$RL" --reflink=auto "$long" dir
if [ "$RC" = 0 ] && cmp -s "$long" "dir/$long"; then pass "255-byte name replacing an existing file"
else fail "255-byte name replacing an existing file" "exit $RC: $ERR"; fi
rl_run "$RL" --reflink=auto "$long" "${long}M"
expect_error "256-byte DEST name: exit 1, File name too long" 1 "too long"
