# Type stub for the reflink package (the public API).
import os
from typing import (AnyStr, Callable, Collection, Iterable, Literal, Mapping,
                    Optional, Protocol, Set, TypeVar, Union)

from .error import (CloneImpossibleError as CloneImpossibleError,
                    ReflinkImpossibleError as ReflinkImpossibleError,
                    SameFileError as SameFileError)

__version__: str
__all__: list[str]

StrOrBytesPath = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
Mode = Literal["auto", "always", "never"]
Update = Literal["all", "none", "older", "none-fail"]
_P = TypeVar("_P", str, bytes, os.PathLike[str], os.PathLike[bytes])

class _HasFileno(Protocol):
    def fileno(self) -> int: ...

FileDescriptorLike = Union[int, _HasFileno]

class Result:
    method: str
    bytes: int
    cloned_bytes: int
    copied_bytes: int
    def __init__(self, method: str, bytes: int, cloned_bytes: int,
                 copied_bytes: int) -> None: ...

class CheckResult:
    supported: bool
    fstype: str
    reason: Optional[str]
    offload: Optional[str]
    def __init__(self, supported: bool, fstype: str,
                 reason: Optional[str] = ...,
                 offload: Optional[str] = ...) -> None: ...

class TreeStats:
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
    by_method: Mapping[str, int]
    skipped: int
    deleted: int
    def __init__(self, files: int, dirs: int, symlinks: int, specials: int,
                 hardlinks: int, bytes: int, cloned_bytes: int,
                 copied_bytes: int, errors: int, clone_impossible: int,
                 by_method: Mapping[str, int] = ...,
                 skipped: int = ..., deleted: int = ...) -> None: ...

def reflink(oldpath: StrOrBytesPath, newpath: StrOrBytesPath) -> None: ...
def supported_at(path: StrOrBytesPath) -> bool: ...
def check(path: StrOrBytesPath) -> CheckResult: ...
def copy_file(src: StrOrBytesPath, dst: StrOrBytesPath, *, mode: Mode = ...,
              preserve: bool = ..., follow_symlinks: bool = ...) -> Result: ...
def copy(src: StrOrBytesPath, dst: _P, *, mode: Mode = ...,
         preserve: bool = ..., follow_symlinks: bool = ...) -> Union[_P, str, bytes]: ...
def copy2(src: StrOrBytesPath, dst: _P, *,
          follow_symlinks: bool = ...) -> Union[_P, str, bytes]: ...
def copytree(src: StrOrBytesPath, dst: StrOrBytesPath, *, mode: Mode = ...,
             preserve: bool = ..., jobs: Optional[int] = ...,
             dirs_exist_ok: bool = ..., symlinks: bool = ...,
             ignore: Optional[Callable[[AnyStr, list[AnyStr]], Iterable[AnyStr]]] = ...,
             atomic: bool = ...,
             update: Update = ..., delete: bool = ...) -> TreeStats: ...
def ignore_patterns(*patterns: str) -> Callable[[str, Collection[str]], Set[str]]: ...
def clone_range(src_fd: FileDescriptorLike, src_offset: int,
                dst_fd: FileDescriptorLike, dst_offset: int, length: int, *,
                mode: Mode = ...) -> Result: ...

class SharedStats:
    files: int
    bytes: int
    allocated: int
    shared: int
    exclusive: int
    holes: int
    unmapped: int
    errors: int
    def __init__(self, files: int, bytes: int, allocated: int, shared: int,
                 exclusive: int, holes: int, unmapped: int,
                 errors: int) -> None: ...

class DedupeStats:
    files: int
    bytes: int
    groups: int
    duplicates: int
    deduped_bytes: int
    already_shared_bytes: int
    skipped: Mapping[str, int]
    errors: int
    def __init__(self, files: int, bytes: int, groups: int, duplicates: int,
                 deduped_bytes: int, already_shared_bytes: int,
                 skipped: Mapping[str, int] = ..., errors: int = ...) -> None: ...

def shared(path: StrOrBytesPath) -> SharedStats: ...
def dedupe(*paths: StrOrBytesPath, dry_run: bool = ...,
           jobs: Optional[int] = ...) -> DedupeStats: ...
