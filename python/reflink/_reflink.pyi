# Type stub for the C extension reflink._reflink (private: use the package).
from typing import Callable, Dict, List, Optional, Tuple, Union
import os

_Path = Union[str, bytes, os.PathLike]
_Fd = Union[int, "_HasFileno"]
_RawResult = Tuple[int, int, int, int]  # (method index, bytes, cloned, copied)
_RawStats = Tuple[int, int, int, int, int, int, int, int, int, int,
                  Tuple[int, int, int, int]]

class _HasFileno:
    def fileno(self) -> int: ...

METHODS: Tuple[str, ...]
VERSION: str
MODE_AUTO: int
MODE_ALWAYS: int
MODE_NEVER: int
F_NO_CLOBBER: int
F_NOFOLLOW: int
F_FSYNC: int
PRESERVE_MODE: int
PRESERVE_OWNERSHIP: int
PRESERVE_TIMESTAMPS: int
PRESERVE_XATTR: int
PRESERVE_LINKS: int
TREE_DEREF_ALL: int
TREE_MERGE: int
TREE_ATOMIC: int

def copy_file(src: _Path, dst: _Path, mode: int, flags: int,
              preserve: int) -> _RawResult: ...
def clone_range(src_fd: _Fd, src_off: int, dst_fd: _Fd, dst_off: int,
                length: int, mode: int, src_name: Optional[Union[str, bytes]],
                dst_name: Optional[Union[str, bytes]]) -> _RawResult: ...
def probe(path: _Path) -> Tuple[bool, str, Optional[str], Optional[str]]: ...
def copy_tree(src: _Path, dst: _Path, mode: int, flags: int, preserve: int,
              jobs: int, filter: Optional[Callable[..., object]],
              as_str: bool) -> Tuple[_RawStats, Optional[OSError]]: ...
def shared(path: _Path, jobs: int) -> Tuple[int, int, int, int, int, int, int, int]: ...
def dedupe(paths: List[_Path], dry_run: bool, jobs: int
           ) -> Tuple[int, int, int, int, int, int, Dict[str, int], int]: ...
