from typing import Any, Optional, Union
import os

_Name = Optional[Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]]

class ReflinkImpossibleError(Exception):
    errno: Optional[int]
    strerror: Optional[str]
    filename: Any
    filename2: Any
    def __init__(self, *args: Any) -> None: ...

class CloneImpossibleError(ReflinkImpossibleError, OSError):
    errno: int
    strerror: str

class SameFileError(OSError): ...
