# pkg.sh - helpers for the packaging tests (tests/pkg). Source after
# common.sh.

# pc_env SYSROOT PCDIR CMD...: run CMD with pkg-config reading only PCDIR;
# a SYSROOT other than "" is prefixed to every -I and -L (a staged or
# extracted install), system directories (/usr/include) included.
pc_env() {
	local root=$1 dir=$2; shift 2
	PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR=$dir PKG_CONFIG_SYSROOT_DIR=$root \
		PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 "$@"
}

# pc_program NAME SYSROOT PCDIR LIBDIR: build tests/tools/pcprog.c with
# `pkg-config reflink` from PCDIR, against the shared library and against
# the static one (-l:libreflink.a in place of -lreflink); each must copy a
# file and print the header's version, the shared one having loaded
# LIBDIR/libreflink.so.0, the static one carrying the library inside.
pc_program() {
	local name=$1 root=$2 dir=$3 libdir=$4 flags libs slibs out version
	version=$(sed -n 's/^#define RL_VERSION_STRING "\(.*\)"/\1/p' "$TOP/include/reflink.h")
	need_pkg pkg-config pkgconf || { fail "$name" "no pkg-config"; return; }
	flags=$(pc_env "$root" "$dir" pkg-config --cflags reflink) &&
		libs=$(pc_env "$root" "$dir" pkg-config --libs reflink) &&
		slibs=$(pc_env "$root" "$dir" pkg-config --static --libs reflink) ||
		{ fail "$name" "pkg-config finds no reflink in $dir"; return; }
	slibs=${slibs/-lreflink/-l:libreflink.a}
	# shellcheck disable=SC2086
	cc -Wall -Werror $flags -o "$T/pcprog" "$TOP/tests/tools/pcprog.c" $libs 2>"$T/cc.err" &&
		cc -Wall -Werror $flags -o "$T/pcprog-static" "$TOP/tests/tools/pcprog.c" \
			$slibs 2>>"$T/cc.err" ||
		{ fail "$name" "cannot build with '$flags $libs': $(head -c 400 "$T/cc.err")"; return; }
	printf 'pkg-config data\n' > "$T/pc-src"
	rm -f "$T/pc-dst" "$T/pc-dst2"
	out=$(LD_LIBRARY_PATH=$libdir "$T/pcprog" "$T/pc-src" "$T/pc-dst" 2>&1) ||
		{ fail "$name" "shared program failed: $out"; return; }
	case "$out" in "$version "*" $libdir/libreflink.so.0") ;;
	*) fail "$name" "shared program printed '$out', wanted $version and $libdir/libreflink.so.0"; return ;; esac
	out=$(env -u LD_LIBRARY_PATH "$T/pcprog-static" "$T/pc-src" "$T/pc-dst2" 2>&1) ||
		{ fail "$name" "static program failed: $out"; return; }
	case "$out" in "$version "*" $T/pcprog-static") ;;
	*) fail "$name" "static program printed '$out'"; return ;; esac
	if cmp -s "$T/pc-src" "$T/pc-dst" && cmp -s "$T/pc-src" "$T/pc-dst2"; then pass "$name"
	else fail "$name" "a copy differs from its source"; fi
}
