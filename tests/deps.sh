#!/usr/bin/env bash
# deps.sh - install what the test suite needs, when missing (as root, with
# apt). Run by `make check` so a fresh machine needs no other set-up step.
set -u
need=()
have() { command -v "$1" >/dev/null 2>&1; }
have mkfs.btrfs || need+=(btrfs-progs)
have mkfs.xfs || need+=(xfsprogs)
have mkfs.ext4 || need+=(e2fsprogs)
have clang || need+=(clang)
have valgrind || need+=(valgrind)
have strace || need+=(strace)
have setfattr || need+=(attr)
have setfacl || need+=(acl)
have pkg-config || need+=(pkg-config)
have fusermount3 || need+=(fuse3)
pkg-config --exists fuse3 2>/dev/null || need+=(libfuse3-dev)
[ -x /usr/bin/time ] || need+=(time)
[ -e /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a ] ||
	ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1 ||
	need+=(libclang-rt-14-dev)
/usr/bin/python3 -c 'import pytest' 2>/dev/null || need+=(python3-pytest)
/usr/bin/python3 -c 'import setuptools' 2>/dev/null || need+=(python3-setuptools)
[ -e "$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])' 2>/dev/null)/Python.h" ] ||
	need+=(python3-dev)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "deps: missing ${need[*]} (not root: tests needing them will skip)" >&2
	exit 0
fi
echo "deps: installing ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null ||
	echo "deps: apt-get install ${need[*]} failed" >&2
exit 0
