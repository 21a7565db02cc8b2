# fault/lib.sh - run the reflink command with faults injected by the
# LD_PRELOAD shim (tests/fault/shim.c, see its header for RL_FAULT's
# syntax) and check the outcome. Source after common.sh and cli.sh.
#
# The shim is built here, by the test, into $B/fault-shim.so: the normal
# build never contains it.

SHIM="$B/fault-shim.so"
FLOG="$T/.fault-log"

# build_tool NAME: build tests/fault/NAME.c against the static library into
# $B/NAME (a small driver for library calls the command does not make).
build_tool() {
	local src="$TOP/tests/fault/$1.c" out="$B/$1"
	local san=()
	[ -x "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$B/libreflink.a" ] && return 0
	# A sanitizer build's library needs its runtime linked in.
	nm "$B/libreflink.a" 2>/dev/null | grep -q __asan_init && san=(-fsanitize=address,undefined)
	${CC:-cc} -std=gnu11 -Wall -Wextra -Werror -O2 -g -I"$TOP/include" "${san[@]}" \
		-o "$out.$$" "$src" "$B/libreflink.a" -lpthread ${TOOL_LDFLAGS:-} &&
		mv -f "$out.$$" "$out"
}

# build_shim: (re)build the shim when missing or older than its source.
build_shim() {
	local src="$TOP/tests/fault/shim.c"
	[ -f "$SHIM" ] && [ "$SHIM" -nt "$src" ] && return 0
	mkdir -p "$B" || return 1
	# Never sanitized: it must load into any build, and stays out of
	# the sanitizers' way by calling through to them with RTLD_NEXT.
	${SHIM_CC:-cc} -std=gnu11 -Wall -Wextra -Werror -O2 -fPIC -shared \
		-o "$SHIM.$$" "$src" -ldl -lpthread && mv -f "$SHIM.$$" "$SHIM"
}

# frun RULES CMD...: rl_run CMD with RL_FAULT=RULES preloaded; the shim's
# log of injected faults goes to $FLOG (emptied first).
frun() {
	local rules=$1; shift
	: > "$FLOG"
	rl_run env LD_PRELOAD="$SHIM" RL_FAULT="$rules" RL_FAULT_LOG="$FLOG" \
		ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0" "$@"
}

# fired FUNC: the last frun injected a fault into FUNC (a call name as
# openat, or a rule name as tmpfile).
fired() { grep -qE "^([^ ]+ )?$1 " "$FLOG"; }

# Accumulated reasons for one case: why_add TEXT; case_end NAME.
# STATE, when set, prefixes each reason ("new: ...", "old: ...").
WHY=()
STATE=
why_add() { WHY+=("${STATE:+$STATE: }$1"); }
case_end() {
	if [ ${#WHY[@]} -eq 0 ]; then pass "$1"
	else fail "$1" "$(IFS='; '; echo "${WHY[*]}")"; fi
	WHY=()
}

# err_is WANT_RC TEXT...: the last run exited WANT_RC with exactly one
# stderr line "reflink: ..." holding every TEXT.
err_is() {
	local want=$1 s; shift
	[ "$RC" = "$want" ] || why_add "exit $RC, wanted $want"
	[ "$(err_lines)" = 1 ] || why_add "$(err_lines) stderr lines, wanted 1: $ERR"
	case "$ERR" in "reflink: "*) ;; *) why_add "stderr lacks 'reflink: '" ;; esac
	for s in "$@"; do
		case "$ERR" in *"$s"*) ;; *) why_add "stderr lacks '$s': $ERR" ;; esac
	done
}

# only_names DIR NAME...: DIR holds exactly NAME... (hidden names too:
# a leftover temporary is debris).
only_names() {
	local dir=$1 want got; shift
	want=$(printf '%s\n' "$@" | sed '/^$/d' | sort)
	got=$(ls -A1 "$dir" | sort)
	[ "$want" = "$got" ] || why_add "$dir holds [$(echo $got)], wanted [$(echo $want)]"
}

# is_old FILE: FILE still holds the old content written by put_old.
put_old() { printf 'old content\n' > "$1"; }
is_old() {
	[ -f "$1" ] && [ ! -L "$1" ] && printf 'old content\n' | cmp -s - "$1" ||
		why_add "$1 lost its old content"
}

# The cases below run in a directory holding out/ (DEST's directory, made
# afresh for each run) and copy $SRC to out/dst. With BEFORE set, "$BEFORE"
# is run before each copy (e.g. to remake a source the last run changed).
reset_out() {
	rm -rf out && mkdir out
	[ -z "${BEFORE:-}" ] || $BEFORE
}

# fallback NAME METHOD RULES FUNC [OPTION...]: the fault in FUNC is one the
# copy survives; DEST is identical and -v names METHOD. With AFTER set,
# "$AFTER out/dst" must succeed too (e.g. all_shared).
fallback() {
	local name=$1 method=$2 rules=$3 func=$4 STATE; shift 4
	for STATE in new old; do
		reset_out
		[ $STATE = old ] && put_old out/dst
		frun "$rules" "$RL" -v "$@" "$SRC" out/dst
		[ "$RC" = 0 ] && [ -z "$ERR" ] || why_add "exit $RC: $ERR"
		[ "$OUT" = "'$SRC' -> 'out/dst' ($method)" ] || why_add "-v said '$OUT', wanted $method"
		cmp -s "$SRC" out/dst || why_add "DEST differs from SOURCE"
		[ -z "${AFTER:-}" ] || $AFTER out/dst || why_add "$AFTER out/dst failed"
		only_names out dst
		fired "$func" || why_add "the $func fault never fired"
	done
	STATE=
	case_end "$name"
}

# failure NAME STATES RC REASON RULES FUNC [OPTION...]: the fault in FUNC
# stops the copy cleanly. STATES: "new old", "new" or "old".
failure() {
	local name=$1 states=$2 want=$3 reason=$4 rules=$5 func=$6 STATE; shift 6
	for STATE in $states; do
		reset_out
		[ $STATE = old ] && put_old out/dst
		frun "$rules" "$RL" "$@" "$SRC" out/dst
		err_is "$want" "$reason"
		# cp's words name the file of the failed step (the source
		# it could not open, else DEST), or both.
		case "$ERR" in *"'$SRC'"* | *"'out/dst'"*) ;;
		*) why_add "stderr names neither file: $ERR" ;; esac
		if [ $STATE = old ]; then is_old out/dst; only_names out dst
		else only_names out; fi
		fired "$func" || why_add "the $func fault never fired"
	done
	STATE=
	case_end "$name"
}

