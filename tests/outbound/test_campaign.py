"""Campaign config validation, the start/pause/stop table, and the contact-list CSV import."""

from __future__ import annotations

import pytest

from crm.csvio import CsvFileError
from outbound.campaign import (
    Action,
    CampaignConfig,
    CampaignError,
    Mode,
    State,
    format_retries,
    parse_retries,
    transition,
)
from outbound.compliance import DialResult, RetryRule
from outbound.lists import read_contacts


def test_start_pause_resume_stop() -> None:
    s = transition(State.DRAFT, Action.START)
    assert s is State.RUNNING
    s = transition(s, Action.PAUSE)
    assert s is State.PAUSED
    assert transition(s, Action.START) is State.RUNNING
    assert transition(s, Action.STOP) is State.STOPPED


def test_a_stopped_campaign_cannot_restart_and_the_error_says_so() -> None:
    with pytest.raises(CampaignError, match="stopped campaign cannot start; allowed: none"):
        transition(State.STOPPED, Action.START)
    with pytest.raises(CampaignError, match="allowed: start, stop"):
        transition(State.DRAFT, Action.PAUSE)


def test_config_refuses_bad_values_with_the_reason() -> None:
    ok = CampaignConfig("huifang-12", Mode.PROGRESSIVE, "callback", "4008001234")
    assert ok.calling_hours().weekly[0][0].start.hour == 9
    with pytest.raises(CampaignError, match="09:00-21:00"):
        CampaignConfig("x", Mode.PREVIEW, "q", "4008001234", hours="9am-5pm")
    with pytest.raises(CampaignError, match="start before an end"):
        CampaignConfig("x", Mode.PREVIEW, "q", "4008001234", hours="21:00-09:00")
    with pytest.raises(CampaignError, match="between 0 and 0.05"):
        CampaignConfig("x", Mode.PREDICTIVE, "q", "4008001234", abandon_cap=0.2)
    with pytest.raises(CampaignError, match="caller id"):
        CampaignConfig("x", Mode.PREVIEW, "q", "abc")


def test_retry_rules_round_trip_and_bad_ones_are_named() -> None:
    rules = parse_retries("busy=600/3; no_answer=3600/2")
    assert rules == {DialResult.BUSY: RetryRule(600.0, 3), DialResult.NO_ANSWER: RetryRule(3600.0, 2)}
    assert parse_retries(format_retries(rules)) == rules
    with pytest.raises(CampaignError, match="unknown result"):
        parse_retries("engaged=60/1")
    with pytest.raises(CampaignError, match="busy=600/3"):
        parse_retries("busy:60")


def test_gbk_list_import_keeps_good_rows_and_reports_bad_ones() -> None:
    text = ("电话,姓名,订单号\n13800138000,张三,A-1001\n12,李四,A-1002\n"
            "13900139000,王五\n+86 138 0013 8000,赵六,A-1004\n\n13700137000,,A-1005\n")
    report = read_contacts(text.encode("gbk"))
    assert report.encoding == "gb18030"
    assert [c.number for c in report.contacts] == ["+8613800138000", "+8613700137000"]
    assert report.contacts[0].name == "张三" and report.contacts[0].extra == {"订单号": "A-1001"}
    assert report.contacts[1].name is None
    assert [(e.row, e.column) for e in report.errors] == [(3, "number"), (4, "*"), (5, "number")]
    assert "already on row 2" in report.errors[2].reason
    assert report.as_dict()["rejected"] == 3


def test_utf8_with_bom_reads_the_same() -> None:
    report = read_contacts("\ufeffnumber,name\n13800138000,张三\n".encode())
    assert report.encoding == "utf-8-sig" and report.contacts[0].name == "张三"


def test_a_file_without_a_number_column_is_refused() -> None:
    with pytest.raises(CsvFileError, match="no 'number'"):
        read_contacts(b"name\nbob\n")


def test_a_row_csv_cannot_read_is_reported_and_the_rows_after_it_are_kept() -> None:
    data = b"number\n13800138000\n" + b"1" * 200_000 + b"\n13900139000\n"  # past csv's field size limit
    report = read_contacts(data)
    assert [c.number for c in report.contacts] == ["+8613800138000", "+8613900139000"]
    assert [(e.row, e.column) for e in report.errors] == [(3, "*")]
    assert report.errors[0].reason.startswith("not readable as CSV (field larger than field limit")


def test_a_do_not_call_file_may_be_a_bare_column_of_numbers() -> None:
    report = read_contacts(b"13800138000,x\n13900139000\n", header_optional=True)
    assert [(c.row, c.number) for c in report.contacts] == [(1, "+8613800138000"), (2, "+8613900139000")]
    with pytest.raises(CsvFileError, match="no 'number'"):
        read_contacts(b"13800138000\n")  # a contact list needs its header


def test_each_config_error_names_its_field() -> None:
    def field_of(**kw) -> str | None:
        args = {"name": "x", "mode": Mode.PROGRESSIVE, "queue": "q", "caller_id": "4008001234", **kw}
        with pytest.raises(CampaignError) as info:
            CampaignConfig(**args)
        return info.value.field
    assert field_of(name="bad name!") == "name"
    assert field_of(queue="") == "queue"
    assert field_of(caller_id="abc") == "caller_id"
    assert field_of(hours="9-5") == "hours"
    assert field_of(max_per_day=0) == "max_per_day"
    assert field_of(max_per_day=3, max_total=2) == "max_total"
    assert field_of(retries={DialResult.BUSY: RetryRule(10.0, 1)}) == "retries"
    assert field_of(retries={DialResult.ANSWERED: RetryRule(600.0, 1)}) == "retries"
    assert field_of(dispositions=("done", "done")) == "dispositions"
    assert field_of(dispositions=("a;b",)) == "dispositions"
    assert field_of(amd="beep") == "amd"
    assert field_of(amd="message") == "amd_message"
    assert CampaignConfig("x", Mode.AGENTLESS, "q", "4008001234", amd="message", amd_message="ob-notice",
                          max_total=5).max_total == 5
