"""Clone files (copy-on-write) where the filesystem can, copy where it cannot.

A binding of libreflink. A drop-in replacement for the abandoned ``reflink``
package (``reflink``, ``supported_at``, ``ReflinkImpossibleError``), plus
``copy``, ``copy2`` and ``copytree`` for use with :mod:`shutil`::

    import shutil, reflink
    shutil.copytree("cache", "work/cache", copy_function=reflink.copy2)

Every call that touches the disk releases the GIL, so threads copy in
parallel. Ctrl-C raises KeyboardInterrupt within half a second, even in the
middle of a large copy, leaving nothing partial. Every error carries ``errno``, ``strerror``, ``filename`` and
``filename2``; a clone that was required and cannot be made raises a
:class:`ReflinkImpossibleError`. All errors are OSErrors, except that
:func:`reflink` raises ``ReflinkImpossibleError`` itself (not an OSError) for
EXDEV and EOPNOTSUPP, as the old package did. Linux only.
"""

import errno
import fnmatch
import os
import types
from dataclasses import dataclass, field
from typing import (AnyStr, Callable, Collection, Iterable, Mapping, Optional,
                    Set, Union)

from . import _reflink
from .error import CloneImpossibleError, ReflinkImpossibleError, SameFileError

__all__ = [
    "reflink", "supported_at", "ReflinkImpossibleError",
    "CloneImpossibleError", "SameFileError",
    "copy", "copy2", "copy_file", "copytree", "ignore_patterns", "clone_range",
    "check", "Result", "CheckResult", "TreeStats",
    "shared", "dedupe", "SharedStats", "DedupeStats",
]
__version__ = _reflink.VERSION

StrOrBytesPath = Union[str, bytes, os.PathLike]

_MODES = {
    "auto": _reflink.MODE_AUTO,
    "always": _reflink.MODE_ALWAYS,
    "never": _reflink.MODE_NEVER,
}
# What shutil.copy keeps: the permission bits; and shutil.copy2: also the
# times and extended attributes.
_COPY = _reflink.PRESERVE_MODE
_COPY2 = _COPY | _reflink.PRESERVE_TIMESTAMPS | _reflink.PRESERVE_XATTR


def _mode(mode: str) -> int:
    try:
        return _MODES[mode]
    except (KeyError, TypeError):
        raise ValueError("mode must be 'auto', 'always' or 'never', not %r"
                         % (mode,)) from None


_UPDATES = {"all": _reflink.UPDATE_ALL, "none": _reflink.UPDATE_NONE,
            "older": _reflink.UPDATE_OLDER,
            "none-fail": _reflink.UPDATE_NONE_FAIL}


def _update(update: str) -> int:
    try:
        return _UPDATES[update]
    except (KeyError, TypeError):
        raise ValueError("update must be 'all', 'none', 'older' or "
                         "'none-fail', not %r" % (update,)) from None


@dataclass(frozen=True)
class Result:
    """What one copy did (read-only).

    ``method`` is the mechanism that moved the data: ``"clone"`` (extents
    shared, no data written), ``"copy_file_range"`` (copied by the kernel,
    which may share extents on some filesystems), ``"read_write"`` (copied
    through user space) or ``"none"`` (nothing to move: an empty file).
    """
    method: str
    bytes: int  #: logical size of the file
    cloned_bytes: int  #: bytes shared by clone
    copied_bytes: int  #: bytes written by copy_file_range or write

    @classmethod
    def _from(cls, raw) -> "Result":
        return cls(_reflink.METHODS[raw[0]], raw[1], raw[2], raw[3])


@dataclass(frozen=True)
class CheckResult:
    """Whether clones work at a path (read-only).

    ``supported`` is True if a clone works there; ``fstype`` is the
    filesystem type as the mount table names it (``"btrfs"``, ``"xfs"``,
    ``"ext4"``...); ``reason`` is None, or why clones do not work.
    ``offload`` is None, or, where clones do not work but the filesystem
    passes copy_file_range on to its server or daemon (which may clone
    there), its kind: ``"fuse"``, ``"nfs"``, ``"smb"`` or ``"cephfs"``;
    ``mode="auto"`` is then the mode to use.
    """
    supported: bool
    fstype: str
    reason: Optional[str] = None
    offload: Optional[str] = None


@dataclass(frozen=True)
class TreeStats:
    """What a :func:`copytree` did (read-only).

    ``by_method`` maps each method name (see :class:`Result`) to the number
    of files it copied; ``cloned_bytes`` and ``copied_bytes`` split
    ``bytes`` between clones and real copies. ``errors`` counts entries that
    failed, ``clone_impossible`` those of them that failed only because a
    required clone was impossible. ``skipped`` counts existing entries kept
    by ``update`` (with ``"none-fail"`` they are errors too).
    ``deleted`` counts the entries
    ``delete=True`` removed (a removed directory's contents included).
    """
    files: int
    dirs: int
    symlinks: int
    specials: int
    hardlinks: int
    bytes: int
    cloned_bytes: int
    copied_bytes: int
    errors: int
    clone_impossible: int
    by_method: Mapping[str, int] = field(default_factory=dict)
    skipped: int = 0
    deleted: int = 0

    @classmethod
    def _from(cls, raw) -> "TreeStats":
        methods = types.MappingProxyType(dict(zip(_reflink.METHODS, raw[10])))
        return cls(*raw[:10], by_method=methods, skipped=raw[11],
                   deleted=raw[12])


# --- The old package's API ------------------------------------------------

def reflink(oldpath: StrOrBytesPath, newpath: StrOrBytesPath) -> None:
    """Clone the file ``oldpath`` to ``newpath``, or raise.

    The clone shares the data extents of ``oldpath`` (btrfs, XFS with
    reflink=1, bcachefs...), so it takes no time and no space. An existing
    ``newpath`` is replaced atomically, and left as it was if the clone
    fails. The new file gets ``oldpath``'s permission bits exactly, as with
    the old package. A symlink ``oldpath`` is followed.

    Raises :class:`ReflinkImpossibleError` when the clone cannot be made
    here: itself (not an OSError, as in the old package) for different
    filesystems (errno EXDEV) or a filesystem that cannot clone
    (EOPNOTSUPP); :class:`CloneImpossibleError` (an OSError too) for the
    rarer cases (EINVAL, EPERM, ETXTBSY), which the old package raised as
    IOError. Anything else raises an :class:`OSError` (FileNotFoundError,
    IsADirectoryError, :class:`SameFileError`...).
    """
    try:
        _reflink.copy_file(oldpath, newpath, _reflink.MODE_ALWAYS, 0,
                           _reflink.PRESERVE_MODE)
    except CloneImpossibleError as e:
        if e.errno not in (errno.EXDEV, errno.EOPNOTSUPP):
            raise
        # Not an OSError, so that it escapes shutil.copytree(copy_function=
        # reflink) to the caller's fallback, as the old package's did.
        raise ReflinkImpossibleError(e.errno, e.strerror, e.filename, None,
                                     e.filename2) from None


def supported_at(path: StrOrBytesPath) -> bool:
    """Return True if the filesystem at ``path`` supports clones.

    ``path`` is a directory, or a file meaning its directory. The check
    clones one unnamed temporary file into another, so it leaves nothing
    behind; in a directory it cannot write to, it answers from the
    filesystem type. Raises FileNotFoundError if ``path`` does not exist.
    """
    return _reflink.probe(path)[0]


# --- New API --------------------------------------------------------------

def check(path: StrOrBytesPath) -> CheckResult:
    """Like :func:`supported_at`, with the filesystem type and the reason."""
    return CheckResult(*_reflink.probe(path))


def copy_file(src: StrOrBytesPath, dst: StrOrBytesPath, *, mode: str = "auto",
              preserve: bool = False, follow_symlinks: bool = True) -> Result:
    """Copy the file ``src`` to the path ``dst`` and say how.

    As :func:`copy`, except that ``dst`` is always the new file's path
    (IsADirectoryError if it names a directory), and the return value is a
    :class:`Result` naming the method and the bytes cloned and copied.
    """
    flags = 0 if follow_symlinks else _reflink.F_NOFOLLOW
    raw = _reflink.copy_file(src, dst, _mode(mode), flags,
                             _COPY2 if preserve else _COPY)
    return Result._from(raw)


def copy(src: StrOrBytesPath, dst: StrOrBytesPath, *, mode: str = "auto",
         preserve: bool = False, follow_symlinks: bool = True):
    """Copy the file ``src`` to ``dst``, cloning it where possible, as
    :func:`shutil.copy` does: the data and the permission bits.

    Called as :func:`shutil.copy` is, so it serves as ``copy_function`` for
    :func:`shutil.copytree` and :func:`shutil.move` where the times need
    not be kept (:func:`copy2` keeps them). If ``dst`` is a directory, the
    file is copied into it under its own name. Returns the new file's path.

    ``mode``: ``"auto"`` clones, else lets the kernel copy
    (copy_file_range), else copies through user space; ``"always"`` clones
    or raises :class:`CloneImpossibleError`; ``"never"`` makes a real copy
    sharing no extents with ``src``.

    ``preserve``: also keep what :func:`shutil.copy2` keeps (access and
    modification times, extended attributes), as :func:`copy2` does. The
    permission bits are ``src``'s either way, except setuid and setgid,
    which are dropped (the copy has a new owner).

    ``follow_symlinks``: if false and ``src`` is a symlink, the link itself
    is copied.

    The data goes to an unnamed temporary file linked into place only when
    complete: ``dst`` is never seen partly written, and an existing ``dst``
    is replaced atomically and left as it was if the copy fails.
    """
    if os.path.isdir(dst):
        dst = os.path.join(dst, os.path.basename(os.fspath(src)))
    copy_file(src, dst, mode=mode, preserve=preserve,
              follow_symlinks=follow_symlinks)
    return dst


def copy2(src: StrOrBytesPath, dst: StrOrBytesPath, *, follow_symlinks: bool = True):
    """Copy the file ``src`` to ``dst`` as :func:`shutil.copy2` does, cloning
    it where possible: the data, the permission bits, the access and
    modification times and the extended attributes.

    :func:`copy` with ``preserve=True``: the ``copy_function`` for
    :func:`shutil.copytree` (whose default is :func:`shutil.copy2`) and
    :func:`shutil.move` that loses nothing shutil's default keeps, except
    setuid and setgid (dropped: the copy has a new owner). Returns the new
    file's path.
    """
    return copy(src, dst, preserve=True, follow_symlinks=follow_symlinks)


class _IgnoreFilter:
    """Adapts a shutil-style ignore(dir, names) -> names-to-leave-out to the
    tree engine's per-entry filter(relpath, name, is_dir), asking once per
    directory with all its names, as shutil.copytree does. (The engine
    calls its filter one entry at a time, from its worker threads, with the
    GIL taken; also for the path of a destination inside the source, which
    may not exist yet.)"""

    def __init__(self, src, ignore, as_str):
        root = os.fspath(src)
        self.root = os.fsdecode(root) if as_str else os.fsencode(root)
        self.ignore = ignore
        self.dirs = {}  # relative dir -> (its names, the names left out)

    def _where(self, parent):
        return os.path.join(self.root, parent) if parent else self.root

    def _entry(self, parent):
        entry = self.dirs.get(parent)
        if entry is None:
            where = self._where(parent)
            try:
                names = os.listdir(where)
            except FileNotFoundError:
                names = []
            entry = (set(names), set(self.ignore(where, names)))
            self.dirs[parent] = entry
        return entry

    def ask_root(self):
        """Ask about the top directory before anything is made, so an
        ignore that raises there leaves no DST behind (as in shutil)."""
        self._entry(self.root[:0])

    def __call__(self, relpath, name, is_dir):
        parent = os.path.dirname(relpath)
        names, left_out = self._entry(parent)
        if name in names:
            return name in left_out
        return name in set(self.ignore(self._where(parent), sorted(names) + [name]))


def copytree(src: StrOrBytesPath, dst: StrOrBytesPath, *, mode: str = "auto",
             preserve: bool = True, jobs: Optional[int] = None,
             dirs_exist_ok: bool = False, symlinks: bool = True,
             ignore: Optional[Callable[[AnyStr, list], Iterable[AnyStr]]] = None,
             atomic: bool = False, update: str = "all",
             delete: bool = False) -> TreeStats:
    """Copy the directory tree ``src`` to ``dst`` with several threads.

    Files are cloned where the filesystem can (``mode`` as for
    :func:`copy`). ``dst`` must not exist, unless ``dirs_exist_ok`` (then
    the tree is merged into it). ``preserve`` keeps what
    :func:`shutil.copy2` keeps (permission bits, times, extended
    attributes) and hard links between files of the tree. ``symlinks``:
    copy symlinks as symlinks (else copy what they point to). ``jobs``:
    worker threads (default: one per online CPU). ``ignore`` works as
    :func:`shutil.copytree`'s: called with a directory and the names in it,
    it returns the names to leave out (see :func:`ignore_patterns`); so a
    tree can be copied into a folder inside itself if that folder is
    ignored.

    ``atomic``: ``dst`` appears, or an existing ``dst`` directory is
    replaced, in one step: the new tree is built in a hidden directory
    beside it and swapped in (``rename``/``RENAME_EXCHANGE``), so a reader
    sees the whole old tree or the whole new one, and a failure or a kill
    leaves ``dst`` as it was. The result is an exact copy of ``src``
    (``dirs_exist_ok`` is not needed and does not merge).

    ``update`` says which existing files (not directories: those are
    merged into) a merge replaces, as ``cp --update=`` in coreutils 9.5:
    ``"all"`` (the default), ``"none"`` (keep every one: ``cp -n``),
    ``"older"`` (only those whose modification time is older than their
    source's: ``cp -u``), ``"none-fail"`` (keep every one, each an error).
    Anything but ``"all"`` implies ``dirs_exist_ok``; a kept file keeps its
    inode and is never opened for writing, and a file another process
    makes meanwhile is kept too. ``TreeStats.skipped`` counts them.

    ``delete``: ``dst`` becomes an exact copy of ``src``, as ``rsync -a
    --delete`` makes it: ``src`` is merged into ``dst`` (``dirs_exist_ok``
    implied) and every entry of ``dst`` with no counterpart in ``src`` is
    removed (one of the other kind too: a directory where ``src`` has a
    file). Names ``ignore`` leaves out are neither copied nor removed. A
    symlink in ``dst`` is removed as a link, never followed, and nothing
    outside ``dst`` is removed. ``TreeStats.deleted`` counts what went; an
    entry that cannot be removed is in ``.errors`` with ``filename`` set
    and no ``filename2``. With ``atomic`` the result is exact anyway.

    The copy is race-safe: nothing is ever written outside ``dst``. An
    entry that fails does not stop the others; at the end the first
    failure is raised (an :class:`OSError`:
    :class:`CloneImpossibleError` if only required clones failed) with
    ``.errors`` listing every failed entry and ``.stats`` the
    :class:`TreeStats`. Returns the :class:`TreeStats`.
    """
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int)
                             or jobs < 1):
        raise ValueError("jobs must be a positive int or None, not %r" % (jobs,))
    how = _update(update)
    if how != _reflink.UPDATE_ALL and atomic:
        raise ValueError("update=%r needs a merge, not atomic=True" % (update,))
    dirs_exist_ok = dirs_exist_ok or how != _reflink.UPDATE_ALL
    flags = 0 if symlinks else _reflink.TREE_DEREF_ALL
    if atomic:
        flags |= _reflink.TREE_ATOMIC
    elif dirs_exist_ok or delete:
        flags |= _reflink.TREE_MERGE
    if delete:
        flags |= _reflink.TREE_DELETE
    keep = (_COPY2 | _reflink.PRESERVE_LINKS) if preserve else 0
    as_str = not isinstance(os.fspath(src), bytes)
    filter_ = _IgnoreFilter(src, ignore, as_str) if ignore is not None else None
    if filter_ is not None and os.path.isdir(src):
        filter_.ask_root()
    raw, exc = _reflink.copy_tree(src, dst, _mode(mode), flags, keep,
                                  jobs or 0, filter_, as_str, how)
    stats = TreeStats._from(raw)
    if exc is not None:
        exc.stats = stats
        raise exc
    return stats


class _IgnorePatterns:
    def __init__(self, patterns):
        self.patterns = tuple(patterns)

    def __call__(self, path, names):
        left_out = set()
        for pattern in self.patterns:
            left_out.update(fnmatch.filter(names, pattern))
        return left_out

    def __repr__(self):
        return "reflink.ignore_patterns(%s)" % ", ".join(map(repr, self.patterns))


def ignore_patterns(*patterns: str) -> Callable[[str, Collection[str]], Set[str]]:
    """An ``ignore`` for :func:`copytree` (or :func:`shutil.copytree`)
    leaving out the names that match any of the glob ``patterns``, as
    :func:`shutil.ignore_patterns` does."""
    return _IgnorePatterns(patterns)


def _flush(f) -> None:
    flush = getattr(f, "flush", None)
    if flush is not None and not isinstance(f, int):
        flush()


def _name(f):
    name = getattr(f, "name", None)
    return name if isinstance(name, (str, bytes)) else None


def clone_range(src_fd, src_offset: int, dst_fd, dst_offset: int, length: int,
                *, mode: str = "auto") -> Result:
    """Clone ``length`` bytes of ``src_fd`` at ``src_offset`` into ``dst_fd``
    at ``dst_offset``; ``length`` 0 means up to the end of the source.

    ``src_fd`` and ``dst_fd`` are file descriptors or file objects (flushed
    first); ``dst_fd`` must be open for writing, and grows as needed. The
    part aligned to filesystem blocks is cloned (FICLONERANGE); an
    unaligned head and tail are copied. ``mode="always"`` raises
    :class:`CloneImpossibleError` if that middle cannot be cloned;
    ``"auto"`` then copies it; ``"never"`` copies everything. Returns a
    :class:`Result` with the bytes cloned and copied.
    """
    _flush(dst_fd)
    _flush(src_fd)
    raw = _reflink.clone_range(src_fd, src_offset, dst_fd, dst_offset, length,
                               _mode(mode), _name(src_fd), _name(dst_fd))
    return Result._from(raw)


# --- Sharing ----------------------------------------------------------------

@dataclass(frozen=True)
class SharedStats:
    """What :func:`shared` found (read-only): ``files`` regular files (each
    inode once), their logical ``bytes``, ``allocated`` bytes in extents,
    of which ``shared`` with other files (FIEMAP_EXTENT_SHARED) and
    ``exclusive``; ``holes`` bytes in no extent. ``unmapped`` counts files
    on a filesystem without FIEMAP (tmpfs: shared unknown), ``errors``
    entries that could not be read.
    """
    files: int
    bytes: int
    allocated: int
    shared: int
    exclusive: int
    holes: int
    unmapped: int
    errors: int


@dataclass(frozen=True)
class DedupeStats:
    """What :func:`dedupe` did (read-only). ``deduped_bytes`` were newly
    shared (with ``dry_run``: would be), ``already_shared_bytes`` belonged
    to duplicates already sharing every extent; ``skipped`` maps each reason
    ("small", "other_fs", "differs", "changed", "refused") to a count.
    """
    files: int
    bytes: int
    groups: int
    duplicates: int
    deduped_bytes: int
    already_shared_bytes: int
    skipped: Mapping[str, int] = field(default_factory=dict)
    errors: int = 0


def shared(path: StrOrBytesPath) -> SharedStats:
    """How many bytes of the file or tree at path share their blocks
    (FIEMAP sums; symlinks not followed, hard links once). Releases the
    GIL. Raises OSError (FileNotFoundError...) for path itself.
    """
    return SharedStats(*_reflink.shared(path, 0))


def dedupe(*paths: StrOrBytesPath, dry_run: bool = False,
           jobs: Optional[int] = None) -> DedupeStats:
    """Make identical regular files under paths share their blocks, with
    the kernel's FIDEDUPERANGE (which compares the bytes itself, so a file
    written meanwhile keeps what was written). Never changes content,
    mode, owner, times or names. Releases the GIL. Raises
    CloneImpossibleError where the filesystem cannot share (ext4, tmpfs),
    nothing changed.
    """
    if not paths:
        raise TypeError("dedupe() needs at least one path")
    raw = _reflink.dedupe(list(paths), bool(dry_run), jobs or 0)
    return DedupeStats(*raw[:6], skipped=types.MappingProxyType(dict(raw[6])),
                       errors=raw[7])
