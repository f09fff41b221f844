"""A proving key loading on a second core while the caller goes on (parsing, hashing, solving).

The zkey's native loaders release the GIL, so ``zkm margin prove`` starts reading its key
before it even parses the opening and snapshot: the load (≈ 0.2 s at standard size) then
no longer sits on the command's critical path. Only the ``prover.zkey`` import runs on the
thread; a load error is re-raised where :meth:`KeyPreload.result` is called.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Final, Generic, Self, TypeVar, cast

if TYPE_CHECKING:
    from prover.keys import LoadedProvingKey

_T = TypeVar("_T")

MARGIN_ZKEY_NAME: Final = "margin.zkey"
"""The proving key's file name in a margin key directory."""


class Background(Generic[_T]):
    """``function(*args)`` run on a daemon thread; :meth:`result` joins it and returns or
    re-raises.

    Use it as a context manager around the work that ends in :meth:`result`: a block left
    by an exception (bad input found while the key loads, Ctrl-C) first waits for the
    thread. A daemon thread still inside native code when the interpreter exits is torn
    down mid-call, which glibc reports as "FATAL: exception not rethrown" and an abort
    (exit 134) instead of the command's one-line error and exit 2.
    """

    def __init__(self, function: Callable[..., _T], *args: object) -> None:
        self._value: _T | None = None
        self._error: BaseException | None = None

        def run() -> None:
            try:
                self._value = function(*args)
            except BaseException as error:  # re-raised by result() on the caller's thread
                self._error = error

        self._thread = threading.Thread(target=run, name="zkm-background", daemon=True)
        self._thread.start()

    def result(self) -> _T:
        """Wait for the call; return its value or raise its exception."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return cast(_T, self._value)

    def settle(self) -> None:
        """Wait for the call to end, dropping its value or exception."""
        self._thread.join()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None:
            self.settle()


def _load(zkey_path: Path) -> LoadedProvingKey:
    from prover.zkey import load_zkey

    return load_zkey(zkey_path)


class KeyPreload(Background["LoadedProvingKey"]):
    """:func:`prover.zkey.load_zkey` of ``zkey_path``, started now."""

    def __init__(self, zkey_path: Path) -> None:
        self.zkey_path = zkey_path
        super().__init__(_load, zkey_path)
