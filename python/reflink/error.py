"""The exceptions, importable from here as from the old ``reflink`` package.

``ReflinkImpossibleError`` derives from ``Exception``, not ``OSError``, as in
the old package: code that passes ``reflink.reflink`` as ``copy_function``
to :func:`shutil.copytree` and catches ``ReflinkImpossibleError`` to fall
back to a copy relies on that (shutil swallows OSErrors from
``copy_function`` and raises :class:`shutil.Error` at the end instead). It
carries ``errno``, ``strerror``, ``filename`` and ``filename2`` like an
OSError. Everything else raises :class:`CloneImpossibleError`, which is both
a ``ReflinkImpossibleError`` and an ``OSError``.
"""

__all__ = ["ReflinkImpossibleError", "CloneImpossibleError", "SameFileError"]


class ReflinkImpossibleError(Exception):
    """A clone was required and cannot be made here.

    Raised as such (not an OSError, as in the old package) by
    :func:`reflink.reflink` when the files are on different filesystems
    (errno EXDEV) or the filesystem cannot clone (EOPNOTSUPP); every other
    impossible clone raises the subclass :class:`CloneImpossibleError`,
    which is an OSError too. ``filename`` and ``filename2`` name the
    source and the destination.
    """

    def __init__(self, *args):
        super().__init__(*args)
        if isinstance(self, OSError):
            return  # OSError.__init__ has set the attributes
        self.errno = self.strerror = self.filename = self.filename2 = None
        # Read args as OSError(errno, strerror[, filename[, winerror[, filename2]]]).
        if 2 <= len(args) <= 5 and isinstance(args[0], int):
            self.errno, self.strerror = args[0], args[1]
            self.filename = args[2] if len(args) > 2 else None
            self.filename2 = args[4] if len(args) > 4 else None

    def __str__(self):
        if isinstance(self, OSError) or self.errno is None:
            return super().__str__()
        text = "[Errno %s] %s" % (self.errno, self.strerror)
        if self.filename is not None:
            text += ": %r" % (self.filename,)
            if self.filename2 is not None:
                text += " -> %r" % (self.filename2,)
        return text


class CloneImpossibleError(ReflinkImpossibleError, OSError):
    """A clone was required and cannot be made here (an OSError).

    errno is EXDEV (different filesystems), EOPNOTSUPP (the filesystem
    cannot clone), EINVAL (this file or range cannot be cloned), EPERM (the
    kernel refused) or ETXTBSY (an active swap file); filename and
    filename2 name the source and the destination.
    """


class SameFileError(OSError):
    """Source and destination are the same file (errno EINVAL)."""

