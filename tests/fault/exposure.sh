#!/usr/bin/env bash
# exposure.sh OUT FINAL LOG [FOR] - run by the fault shim before every system call
# of a copy (RL_FAULT="any:run:every=1"): look at everything under OUT that
# another user could reach now, and append to LOG each entry that shows
# more than it will when the copy is done. FINAL lists "RELPATH MODE UID GID"
# (octal mode) for every entry the copy makes. Each run adds a line to
# LOG.runs, so the caller can tell the check really ran.
#
# An entry is reachable when every directory above it (inside OUT) lets
# group or others search it (a 0700 directory of ours hides what is inside).
# Reachable, it must never have:
#   - setuid/setgid bits while its owner or group is not the final one;
#   - group or other permission bits the final mode lacks;
#   - group permission bits while its group is not the final one;
# An entry not in FINAL (a temporary) is held to the final state of FOR
# when given (the one file it will become), else must have no group, other
# or special bits at all. Names must not hold spaces, tabs or newlines.
out=$1 final=$2 log=$3 for=${4:-}
declare -A fm fu fg modes
while read -r p m u g; do fm[$p]=$m fu[$p]=$u fg[$p]=$g; done < "$final"
while IFS=$'\t' read -r path m uid gid; do
	mode=$((8#$m))
	modes[$path]=$mode
	hidden=0 anc=""
	IFS=/ read -ra parts <<< "$path"
	for ((i = 0; i < ${#parts[@]} - 1; i++)); do
		anc=${anc:+$anc/}${parts[$i]}
		(( (${modes[$anc]:-0} & 8#0011) == 0 )) && hidden=1
	done
	[ $hidden = 1 ] && continue
	key=$path
	if [ -z "${fm[$path]:-}" ] && [ -n "$for" ]; then
		key=$for
	elif [ -z "${fm[$path]:-}" ]; then
		(( mode & 8#6077 )) && printf '%s: temporary %o %s:%s\n' "$path" $mode "$uid" "$gid" >> "$log"
		continue
	fi
	want=$((8#${fm[$key]}))
	if (( mode & 8#6000 )) && [ "$uid:$gid" != "${fu[$key]}:${fg[$key]}" ]; then
		printf '%s: special bits %o while owned %s:%s\n' "$path" $mode "$uid" "$gid" >> "$log"
	elif (( (mode & 8#0077) & ~want )); then
		printf '%s: mode %o, final %o\n' "$path" $mode $want >> "$log"
	elif (( mode & 8#0070 )) && [ "$gid" != "${fg[$key]}" ]; then
		printf '%s: group bits %o for group %s, final %s\n' "$path" $mode "$gid" "${fg[$key]}" >> "$log"
	fi
done < <(find "$out" -mindepth 1 -printf '%P\t%m\t%U\t%G\n' 2>/dev/null)
echo x >> "$log.runs"
