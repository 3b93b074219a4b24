"""outbound.service.read_dial_log: a campaign's dials as its call-event log has them, what a
(re)loaded campaign starts from (attempts, today's dials, results, dials in flight)."""

from __future__ import annotations

from hotline import kinds
from outbound.compliance import DialResult
from outbound.dialer import InFlight
from outbound.service import read_dial_log

NOW = 1_800_000_000.0
DAY = 86400.0
N = "+8613800138000"


def _dial(call_id: str, record: str, ts: float) -> tuple[str, str, float, str | None, dict[str, str]]:
    return (call_id, kinds.OUTBOUND_DIAL, ts, None, {"record": record, "number": N})


def _result(call_id: str, record: str, ts: float, result: str) -> tuple[str, str, float, None, dict[str, str]]:
    return (call_id, kinds.OUTBOUND_RESULT, ts, None, {"record": record, "result": result})


def test_the_log_gives_attempts_the_last_day_s_dials_results_and_the_dials_in_flight() -> None:
    rows = [_dial("ob-c-1-1", "1", NOW - 3 * DAY), _result("ob-c-1-1", "1", NOW - 3 * DAY + 30, "busy"),
            _dial("ob-c-1-4", "1", NOW - 600), _result("ob-c-1-4", "1", NOW - 570, "no_answer"),
            _dial("ob-c-2-5", "2", NOW - 2 * DAY),  # never ended, but too old to look for
            _dial("ob-c-2-7", "2", NOW - 60),  # ringing when the process stopped
            _result("ob-c-3-6", "3", NOW - 50, "bogus")]  # a result no rule knows
    log = read_dial_log(rows, NOW)
    assert log.counts == {"1": 2, "2": 2}
    assert log.recent == {"1": [NOW - 600], "2": [NOW - 60]}
    assert log.results == {"1": [DialResult.BUSY, DialResult.NO_ANSWER]}
    assert log.in_flight == [InFlight("ob-c-2-7", "2", N, NOW - 60)]
    assert log.seq == 7
