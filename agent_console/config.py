"""Console tunables that are not (yet) in ``hotline.settings.Settings``."""

from __future__ import annotations

from dataclasses import dataclass, field

from agent_console.security import LimitPolicy
from crm.csvio import MAX_FILE_BYTES


@dataclass(frozen=True, slots=True)
class AlarmThresholds:
    """Alarm when waiting > ``max_waiting``, longest wait > ``max_longest_wait_s`` or the
    service level today is under the queue's target (after ``sl_min_calls`` calls)."""

    max_waiting: int = 10
    max_longest_wait_s: float = 60.0
    sl_min_calls: int = 5


@dataclass(frozen=True, slots=True)
class ConsoleConfig:
    session_ttl_s: float = 12 * 3600.0
    cookie_name: str = "hotline_session"
    cookie_secure: bool = False
    login_limit: LimitPolicy = field(default_factory=LimitPolicy)
    alarms: AlarmThresholds = field(default_factory=AlarmThresholds)
    ws_queue_size: int = 256  # frames buffered per connection before it is resynced
    refresh_interval_s: float = 2.0  # wallboard/alarm refresh while nothing happens
    # A monitor (a console with no agent of its own) gets at most one message per interval:
    # the first change after a quiet spell goes at once, a burst waits and goes as one
    # batch. A wallboard cannot show more, and 50 supervisors x 200 changes/s become
    # 50 x 40 messages/s instead of 10,000. 0 sends every change as soon as it can.
    monitor_frame_interval_s: float = 0.025
    screen_pop_timeout_s: float = 1.0  # the pop goes out without the card after this
    session_check_interval_s: float = 30.0  # open connections' sessions checked in the database (0: never)
    # A contact-list / do-not-call CSV upload larger than this is refused with 413; it cannot
    # be raised past what the CSV reader takes (crm.csvio.MAX_FILE_BYTES).
    upload_max_bytes: int = MAX_FILE_BYTES

    def __post_init__(self) -> None:
        if not 0 < self.upload_max_bytes <= MAX_FILE_BYTES:
            raise ValueError(f"upload_max_bytes must be between 1 and {MAX_FILE_BYTES}, "
                             f"not {self.upload_max_bytes}")
