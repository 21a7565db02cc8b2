"""The exceptions, importable from here as from the old ``reflink`` package."""
from ._reflink import ReflinkImpossibleError, SameFileError

__all__ = ["ReflinkImpossibleError", "SameFileError"]
