"""Interpreter settings for a process whose event loop must answer within milliseconds.

Two measured causes of screen-pop latency in ``bench/screen_pop.py --sim`` (see the
figures in the closing notes), both fixed here rather than in each caller:

* **Full garbage collections** stall the loop for ~80-120 ms on a started backend.
  With Python's default young threshold (700 allocations), short-lived objects of
  calls in flight survive two young collections, are promoted and then die in the old
  generation, which triggers a full collection every few seconds at 50 calls/s. A
  larger young threshold lets them die young; :func:`gc.freeze` moves the start-up
  heap (routes, menus, ORM mappers) out of every later scan.
* **GIL hand-over**: a database worker thread (aiosqlite) that finished a query waits
  up to ``sys.getswitchinterval()`` (5 ms) for a busy loop thread to let it return its
  result; a pop takes several such trips. A 1 ms interval bounds each wait.

:func:`apply` returns the previous settings so :func:`restore` can put them back (tests
start many runtimes in one process).
"""

from __future__ import annotations

import gc
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Tuning:
    gc_threshold: tuple[int, int, int]
    switch_interval_s: float
    froze: bool = False


def apply(*, young_threshold: int, switch_interval_s: float, freeze: bool = True) -> Tuning:
    """Freeze the heap built so far (if ``freeze``) and set the young generation's
    threshold and the GIL switch interval; 0 leaves a setting as it is."""
    before = Tuning(gc.get_threshold(), sys.getswitchinterval(), freeze)
    if freeze:
        gc.collect()
        gc.freeze()
    if young_threshold > 0:
        _, older, oldest = gc.get_threshold()
        gc.set_threshold(young_threshold, older, oldest)
    if switch_interval_s > 0:
        sys.setswitchinterval(switch_interval_s)
    return before


def restore(before: Tuning) -> None:
    """Undo :func:`apply`; a frozen heap goes back under the collector."""
    gc.set_threshold(*before.gc_threshold)
    sys.setswitchinterval(before.switch_interval_s)
    if before.froze:
        gc.unfreeze()
