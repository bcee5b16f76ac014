"""Stopping a run cleanly on SIGINT or SIGTERM: finished articles are written, the work in progress dropped.

The first signal stops the computation at once (raising ``Interrupted`` in the main thread) unless
finished articles are being written: then the writing completes and the run stops right after it. A
second signal aborts at once (``KeyboardInterrupt``); atomic writes, manifest last, keep that safe too.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from translate_sum.errors import TsumError

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(TsumError):
    """The run was asked to stop (``signum``); what was finished is kept."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")

    @property
    def exit_status(self) -> int:
        """The shell's convention: 128 + the signal (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum


class _Guard:
    def __init__(self) -> None:
        self.signum: int | None = None
        self.writing = 0
        self.delivered = False  # Interrupted raised once; the run is winding down

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.signum is not None:
            raise KeyboardInterrupt  # the second signal: abort now
        self.signum = signum
        if not self.writing:
            self.deliver()

    def deliver(self) -> None:
        if self.signum is not None and not self.delivered:
            self.delivered = True
            raise Interrupted(self.signum)


_active: _Guard | None = None


def _install(guard: _Guard) -> dict[int, object]:
    return {sig: signal.signal(sig, guard.handle) for sig in SIGNALS}


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM stop the run as described above (main thread only)."""
    global _active
    if threading.current_thread() is not threading.main_thread() or _active is not None:
        yield
        return
    guard = _Guard()
    saved = _install(guard)
    _active = guard
    try:
        yield
    finally:
        _active = None
        for sig, handler in saved.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]


def reinstall() -> None:
    """Take the signals back after a library (``ray.init``) set its own handlers."""
    if _active is not None and threading.current_thread() is threading.main_thread():
        _install(_active)


@contextmanager
def writing() -> Iterator[None]:
    """Finished articles are being written: a first signal waits for the end of this block."""
    guard = _active
    if guard is None:
        yield
        return
    guard.writing += 1
    try:
        yield
    finally:
        guard.writing -= 1
    if not guard.writing:
        guard.deliver()


def requested() -> int | None:
    """The signal that asked the run to stop, if one did."""
    return _active.signum if _active is not None else None
