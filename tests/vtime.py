"""An asyncio event loop on virtual time, so simulator-driven tests are exact under any load.

``loop.time()`` is a virtual clock that stands still while there is work to do and jumps
to the next timer when there is none: when the loop would sleep until its next timer, and
no socket is ready and no worker thread owes it a result, the clock is set to that timer's
deadline instead of waiting for it. Everything that reads the loop's time moves with it:
``asyncio.sleep``, ``call_later``, ``wait_for`` timeouts, and the simulated Asterisk, whose
clock is ``epoch + loop.time() * speed`` (``SimAsterisk.now``). A 10 s ring timeout then
takes exactly 10 s of the simulator's time however slowly the machine runs.

What still takes real time, and how the loop waits for it without letting the clock run:

* **Sockets** (the simulator's AMI server and our AMI client talk over loopback TCP): a
  real ``select(0)`` comes first; ready sockets are served before the clock may move.
  Loopback data is in the peer's receive buffer when ``send`` returns.
* **Worker threads** (aiosqlite runs each connection's statements in its own thread;
  ``run_in_executor`` / ``to_thread``): the loop keeps the futures those threads will
  resolve, and while one is pending it waits in a real ``select`` (the thread's
  ``call_soon_threadsafe`` wakes it) with the clock stopped. A database round trip thus
  takes no virtual time.

Invariant: the clock moves only from inside ``select``, only forward, and only to the
deadline of the earliest timer, when no ready socket and no pending thread result exist.
A coroutine that sleeps while holding an SQLite write lock another thread waits for
would stall (the waiting thread keeps the clock stopped); no test does that.
"""

from __future__ import annotations

import asyncio
import selectors
import sys
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any, TypeVar

_T = TypeVar("_T")

# Futures created by these modules are resolved by a worker thread (aiosqlite's
# Connection._execute puts the call on its thread's queue and awaits the future).
THREAD_BOUND_MODULES = ("aiosqlite.",)
# How long one real wait for a worker thread lasts; its result wakes the loop sooner.
THREAD_WAIT_S = 0.05


class _VirtualSelector(selectors.DefaultSelector):
    loop: VirtualTimeLoop

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        if timeout is not None and timeout <= 0:
            return super().select(0)
        # Read before polling: a thread that finishes after this shows up in the poll.
        waiting_on_thread = self.loop.thread_work_pending()
        ready = super().select(0)
        if ready:
            return ready
        if waiting_on_thread:
            return super().select(THREAD_WAIT_S)
        if timeout is None:  # no timer at all: only real I/O can wake the loop
            return super().select(None)
        self.loop.advance_to_next_timer(timeout)
        return []


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """A selector event loop whose ``time()`` is virtual (see the module docstring)."""

    def __init__(self) -> None:
        selector = _VirtualSelector()
        super().__init__(selector)
        selector.loop = self
        self._virtual_now = 0.0
        self._thread_work: set[asyncio.Future[Any]] = set()

    def time(self) -> float:
        return self._virtual_now

    def advance_to_next_timer(self, timeout: float) -> None:
        # _run_once asked to sleep ``timeout``: the earliest timer's deadline, which
        # we take exactly so that timer is due (no float drift from now + timeout).
        due = self._scheduled[0].when() if self._scheduled else self._virtual_now + timeout
        self._virtual_now = max(self._virtual_now, due)

    def thread_work_pending(self) -> bool:
        return any(not f.done() for f in self._thread_work)

    def _track(self, fut: asyncio.Future[Any]) -> None:
        self._thread_work.add(fut)
        fut.add_done_callback(self._thread_work.discard)

    def create_future(self) -> asyncio.Future[Any]:
        fut = super().create_future()
        caller = sys._getframe(1).f_globals.get("__name__", "")
        if caller.startswith(THREAD_BOUND_MODULES):
            self._track(fut)
        return fut

    def run_in_executor(self, executor: Executor | None, func: Callable[..., _T],
                        *args: Any) -> asyncio.Future[_T]:
        fut = super().run_in_executor(executor, func, *args)
        self._track(fut)
        return fut
