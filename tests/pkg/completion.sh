#!/usr/bin/env bash
# Bash completion (cli/reflink.bash-completion), sourced in bash and driven
# as bash drives it (COMP_WORDS/COMP_CWORD): options from the command's
# --help, the --reflink= and --preserve= words (both as bash splits words at
# '=' and as one word), files; and every option and word it offers is one
# the command accepts.
. "$(dirname "$0")/../lib/common.sh"
COMPLETION=$TOP/cli/reflink.bash-completion
. "$COMPLETION"

# comp WORD...: COMPREPLY for the command line RL WORD... (cursor on the
# last word), one per line, sorted.
comp() {
	COMP_WORDS=("$RL" "$@"); COMP_CWORD=$#
	_reflink
	printf '%s\n' "${COMPREPLY[@]}" | LC_ALL=C sort
}
# want NAME "EXPECTED words" WORD...: the completions are exactly EXPECTED.
want() {
	local name=$1 exp got; exp=$(printf '%s\n' $2 | LC_ALL=C sort); shift 2
	got=$(comp "$@")
	if [ "$got" = "$exp" ]; then pass "completion/$name"
	else fail "completion/$name" "'$*' gave [$(echo $got)], wanted [$(echo $exp)]"; fi
}

check completion/registered bash -c ". '$COMPLETION' && complete -p reflink | grep -q -- '-F _reflink reflink$'"
want reflink-prefix "--reflink --reflink=" --ref
want reflink-values "always auto never" --reflink =
want reflink-split "always auto" --reflink = a
want reflink-oneword "--reflink=never" --reflink=n
want preserve-values "mode ownership timestamps xattr links context all" --preserve =
want preserve-list "mode,timestamps" --preserve = mode,t
want preserve-oneword "--preserve=mode,xattr" --preserve=mode,x
want update-values "all none none-fail older" --update =
want update-oneword "--update=none --update=none-fail" --update=no
want sparse-values "always auto never" --sparse =
want jobs-value "" -j ""
want exclude-value "" --exclude ""
want delete "--delete" --del
want long-options "--no-clobber --no-dereference --no-target-directory --no-progress --no-preserve=" --no-

# Every option offered is one the command takes (with a valid value).
opts=$(comp -)
bad=
for o in $opts; do
	case $o in
	-j) o=-j2 ;; --jobs=) o=--jobs=2 ;; --exclude=) o=--exclude=x ;;
	-S) o=-S~ ;; --suffix=) o=--suffix=~ ;; -t) o=-t. ;; --target-directory=) o=--target-directory=. ;;
	--context=) o=--context=x ;;
	--reflink= | --preserve= | --no-preserve= | --update= | --sparse= | --backup=) continue ;;
	esac
	"$RL" "$o" --help >/dev/null 2>&1 || bad="$bad $o"
done
for w in $(comp --reflink =); do "$RL" --reflink="$w" --help >/dev/null 2>&1 || bad="$bad --reflink=$w"; done
for w in $(comp --preserve =); do "$RL" --preserve="$w" --help >/dev/null 2>&1 || bad="$bad --preserve=$w"; done
n=$(printf '%s\n' $opts | grep -c .)
if [ -z "$bad" ] && [ "$n" -ge 20 ]; then pass "completion/options-accepted"
else fail "completion/options-accepted" "$n options; refused by the command:$bad"; fi

# The words are all the command accepts: its error message lists them, as
# cp's does ("Valid arguments are:" then "  - 'word', 'alias'" lines).
words_of() { "$RL" "$1=bogus" a b 2>&1 | sed -n "s/^  - //p" | tr -d "'," | tr -s ' ' '\n' | grep . | LC_ALL=C sort; }
for opt in --reflink --preserve --update --sparse --backup; do
	if [ "$(words_of $opt)" = "$(comp $opt =)" ] && [ -n "$(comp $opt =)" ]; then pass "completion/all-words$opt"
	else fail "completion/all-words$opt" "command: [$(echo $(words_of $opt))], completion: [$(echo $(comp $opt =))]"; fi
done

# Files: names with spaces stay one word; after "--" a dash is a file.
mkdir "$T/d" "$T/d/dir" && touch "$T/d/a b" "$T/d/-y" "$T/d/abc"
cd "$T/d"
got=$(comp a)
if [ "$got" = "$(printf 'a b\nabc')" ]; then pass "completion/files"
else fail "completion/files" "'a' gave [$got]"; fi
want dirs "dir" di
want after-dashdash "-y" -r -- -
got=$(comp -)
case "$got" in *-y*) fail "completion/dash-is-option" "'-' offered the file -y" ;;
*--recursive*) pass "completion/dash-is-option" ;; *) fail "completion/dash-is-option" "'-' gave [$got]" ;; esac
