"""hotline.tuning: the interpreter settings the runtime applies, and their undo."""

from __future__ import annotations

import gc
import sys

from hotline import tuning
from hotline.settings import Settings


def test_apply_sets_the_young_threshold_and_switch_interval_and_restore_undoes_them():
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    before = tuning.apply(young_threshold=12_345, switch_interval_s=0.002, freeze=False)
    try:
        assert gc.get_threshold() == (12_345, threshold[1], threshold[2])
        assert sys.getswitchinterval() == 0.002
        assert before == tuning.Tuning(threshold, interval, froze=False)
    finally:
        tuning.restore(before)
    assert gc.get_threshold() == threshold
    assert sys.getswitchinterval() == interval


def test_zero_leaves_python_s_defaults():
    threshold, interval = gc.get_threshold(), sys.getswitchinterval()
    before = tuning.apply(young_threshold=0, switch_interval_s=0, freeze=False)
    assert (gc.get_threshold(), sys.getswitchinterval()) == (threshold, interval)
    tuning.restore(before)


def test_freeze_moves_the_heap_out_of_the_collector_s_scans_until_restored():
    gc.unfreeze()
    before = tuning.apply(young_threshold=0, switch_interval_s=0, freeze=True)
    try:
        assert gc.get_freeze_count() > 0
    finally:
        tuning.restore(before)
    assert gc.get_freeze_count() == 0


def test_the_settings_default_to_the_tuned_values_and_accept_zero(monkeypatch):
    for name in ("HOTLINE_GC_YOUNG_THRESHOLD", "HOTLINE_GIL_SWITCH_INTERVAL_S", "HOTLINE_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    s = Settings()
    assert s.gc_young_threshold == 50_000 and s.gil_switch_interval_s == 0.001
    monkeypatch.setenv("HOTLINE_GC_YOUNG_THRESHOLD", "0")
    monkeypatch.setenv("HOTLINE_GIL_SWITCH_INTERVAL_S", "0")
    s = Settings()
    assert s.gc_young_threshold == 0 and s.gil_switch_interval_s == 0
