"""The pure menu machine: every node type, retries, fallback, zero-out, hang-up."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ivr.actions import (
    AWAITING,
    FINAL,
    Collect,
    Digits,
    Enqueue,
    HangUp,
    Hangup,
    Invalid,
    LogFunnel,
    LookupCaller,
    LookupResult,
    LookupTicket,
    Play,
    Recorded,
    RecordVoicemail,
    RequestCallback,
    SayDigits,
    SetVar,
    SurveyAnswer,
    Timeout,
    Transfer,
)
from ivr.directory import CallerInfo, TicketStatus
from ivr.loader import AGENT_NODE, parse_menus
from ivr.machine import MenuMachine
from tests.ivr.conftest import CLOSED_TS, HOLIDAY_TS, MAKEUP_TS, OPEN_TS

UNKNOWN = LookupResult(caller=CallerInfo())


def machine(menus, ts=OPEN_TS, **kw) -> MenuMachine:
    kw.setdefault("caller_num", "13800138000")
    return MenuMachine(menus, now=lambda: ts, **kw)


def media(outs):
    return [o for o in outs if not isinstance(o, LogFunnel)]


def funnel(outs):
    return [(o.node, o.event) for o in outs if isinstance(o, LogFunnel)]


def last(outs):
    return media(outs)[-1]


def small(text: str):
    return parse_menus(textwrap.dedent(text).lstrip("\n"))


# --- the default menus, end to end ------------------------------------------------------

def test_open_hours_caller_presses_2_for_support(default_menus):
    m = machine(default_menus)
    assert last(m.start()) == LookupCaller("13800138000")
    outs = m.feed(UNKNOWN)
    assert media(outs)[0] == Play(("welcome",), "zh")
    assert last(outs) == Collect(("lang_menu",), "zh", 1, 3000)
    outs = m.feed(Digits("2"))
    assert SetVar("CHANNEL(language)", "en") in outs
    assert last(outs) == Collect(("main_menu",), "en", 1, 5000)
    outs = m.feed(Digits("2"))
    final = last(outs)
    assert isinstance(final, Enqueue)
    assert (final.queue, final.skills, final.language, final.min_proficiency, final.priority) == (
        "support", ("support",), "en", 2, 0)
    assert final.ivr_path == ("start", "caller_language", "welcome", "hours_check", "vip_check", "known_check",
                              "language", "lang_en", "main", "support")
    assert Play(("connecting",), "en") in outs
    assert m.done and m.outcome == "queue"
    assert funnel(outs)[-1] == ("support", "exit")


def test_vip_caller_skips_the_menus_with_priority(default_menus):
    m = machine(default_menus)
    m.start()
    outs = m.feed(LookupResult(caller=CallerInfo(customer_id=7, vip=True, known=True)))
    final = last(outs)
    assert isinstance(final, Enqueue) and final.queue == "vip"
    assert final.priority == 10 and final.customer_id == 7
    assert Play(("vip_welcome",), "zh") in outs


def test_known_caller_gets_the_language_of_the_crm_record(default_menus):
    m = machine(default_menus, language="zh")
    m.start()
    outs = m.feed(LookupResult(caller=CallerInfo(customer_id=3, known=True, language="en")))
    assert last(outs) == Collect(("main_menu",), "en", 1, 5000)
    assert "language" not in m.path


def test_blacklisted_caller_is_told_and_hung_up(default_menus):
    m = machine(default_menus)
    m.start()
    outs = m.feed(LookupResult(caller=CallerInfo(blacklisted=True)))
    assert media(outs) == [Play(("blacklisted",), "zh"), Hangup()]


def test_agi_language_argument_is_used_and_unknown_ones_ignored(default_menus):
    assert machine(default_menus, language="en").language == "en"
    assert machine(default_menus, language="fr").language == "zh"


@pytest.mark.parametrize("ts, prompt", [(CLOSED_TS, "after_hours"), (HOLIDAY_TS, "holiday_closed")])
def test_closed_goes_to_after_hours_menu(default_menus, ts, prompt):
    m = machine(default_menus, ts=ts)
    m.start()
    outs = m.feed(UNKNOWN)
    assert Play((prompt,), "zh") in outs
    assert last(outs) == Collect(("after_hours_menu",), "zh", 1, 5000)


def test_makeup_sunday_is_open(default_menus):
    m = machine(default_menus, ts=MAKEUP_TS)
    m.start()
    assert last(m.feed(UNKNOWN)) == Collect(("lang_menu",), "zh", 1, 3000)


# --- retries, fallback, zero-out ----------------------------------------------------------

def _at_main(default_menus) -> MenuMachine:
    m = machine(default_menus)
    m.start()
    m.feed(UNKNOWN)
    m.feed(Digits("1"))
    assert m.node_id == "main"
    return m


def test_timeout_and_invalid_have_their_own_prompts_then_fallback_to_a_human(default_menus):
    m = _at_main(default_menus)
    outs = m.feed(Timeout())
    assert media(outs) == [Play(("no_input",), "zh"), Collect(("main_menu",), "zh", 1, 5000)]
    assert funnel(outs) == [("main", "timeout")]
    outs = m.feed(Digits("7"))
    assert media(outs) == [Play(("invalid",), "zh"), Collect(("main_menu",), "zh", 1, 5000)]
    assert funnel(outs) == [("main", "digit"), ("main", "invalid")]
    outs = m.feed(Digits("8"))  # third failure: retries (2) exhausted
    assert funnel(outs)[:3] == [("main", "digit"), ("main", "invalid"), (AGENT_NODE, "node")]
    final = last(outs)
    assert isinstance(final, Enqueue) and final.queue == "general"
    assert Play(("transfer_agent",), "zh") in outs


def test_a_good_digit_after_a_retry_resets_nothing_else(default_menus):
    m = _at_main(default_menus)
    m.feed(Timeout())
    outs = m.feed(Digits("1"))
    assert isinstance(last(outs), Enqueue) and last(outs).queue == "sales"


def test_zero_out_reaches_an_agent_from_the_main_menu(default_menus):
    m = _at_main(default_menus)
    outs = m.feed(Digits("0"))
    assert last(outs).queue == "general"
    assert [o.data for o in outs if isinstance(o, LogFunnel) and o.event == "node"] == [{"via": "zero_out"}]


def test_zero_out_can_be_switched_off_per_menu(default_menus):
    m = machine(default_menus, ts=CLOSED_TS)
    m.start()
    m.feed(UNKNOWN)
    outs = m.feed(Digits("0"))
    assert funnel(outs) == [("after_hours_menu", "digit"), ("after_hours_menu", "invalid")]


def test_menu_node_fallback_overrides_the_default(default_menus):
    m = machine(default_menus)
    m.start()
    m.feed(UNKNOWN)
    m.feed(Timeout())
    outs = m.feed(Timeout())  # language menu: 1 retry, then its own fallback: main
    assert last(outs) == Collect(("main_menu",), "zh", 1, 5000)


def test_caller_hangup_records_the_node(default_menus):
    m = _at_main(default_menus)
    assert m.feed(HangUp()) == [LogFunnel("main", "hangup")]
    assert m.done and m.outcome == "hangup"
    assert m.feed(Digits("1")) == []


def test_unexpected_input_is_a_bug_not_silence(default_menus):
    m = machine(default_menus)
    m.start()
    with pytest.raises(ValueError, match="not expected"):
        m.feed(Digits("1"))  # the machine asked for a caller lookup


# --- after hours: voicemail, callback, on-duty hand-off --------------------------------------

def _after_hours(default_menus, digit: str, caller_num: str = "13800138000") -> tuple[MenuMachine, list]:
    m = machine(default_menus, ts=CLOSED_TS, caller_num=caller_num)
    m.start()
    m.feed(UNKNOWN)
    return m, m.feed(Digits(digit))


def test_voicemail_records_then_thanks_and_hangs_up(default_menus):
    m, outs = _after_hours(default_menus, "1")
    assert media(outs) == [Play(("vm_prompt",), "zh"), RecordVoicemail("general", 120, "zh")]
    outs = m.feed(Recorded("/rec/voicemail/vm-1"))
    assert media(outs) == [Play(("vm_thanks",), "zh"), Hangup()]
    assert m.outcome == "voicemail"


def test_callback_confirms_the_callers_number(default_menus):
    m, outs = _after_hours(default_menus, "2")
    assert media(outs) == [Play(("cb_intro",), "zh"), SayDigits("13800138000", "zh"),
                           Collect(("cb_confirm",), "zh", 1, 5000)]
    outs = m.feed(Digits("1"))
    assert media(outs) == [RequestCallback("13800138000", "general", "zh", 0, None),
                           Play(("cb_thanks",), "zh"), Hangup()]


def test_callback_to_another_number(default_menus):
    m, _ = _after_hours(default_menus, "2")
    assert last(m.feed(Digits("2"))) == Collect(("cb_enter_number",), "zh", 15, 5000, 5, "#")
    assert isinstance(last(m.feed(Digits("12"))), Collect)  # too short: invalid, asked again
    outs = m.feed(Digits("13911112222"))
    assert SayDigits("13911112222", "zh") in outs
    outs = m.feed(Digits("1"))
    assert RequestCallback("13911112222", "general", "zh", 0, None) in outs


def test_callback_without_caller_id_asks_for_the_number(default_menus):
    _, outs = _after_hours(default_menus, "2", caller_num="anonymous")
    assert last(outs) == Collect(("cb_enter_number",), "zh", 15, 5000, 5, "#")


def test_on_duty_hand_off(default_menus):
    m, outs = _after_hours(default_menus, "9")
    assert media(outs)[-2:] == [Play(("transfer_duty",), "zh"),
                                Transfer("13900000000", ("start", "caller_language", "welcome", "hours_check", "closed",
                                                         "after_hours_msg", "after_hours_menu", "on_duty"))]
    assert m.outcome == "transfer"


# --- self-service ----------------------------------------------------------------------

def _at_ticket(default_menus) -> MenuMachine:
    m = _at_main(default_menus)
    outs = m.feed(Digits("4"))
    assert last(outs) == Collect(("ticket_enter",), "zh", 10, 5000, 4, "#")
    return m


def test_ticket_status_found_is_said_back(default_menus):
    m = _at_ticket(default_menus)
    assert last(m.feed(Digits("20261#"))) == LookupTicket("20261")
    outs = m.feed(LookupResult(ticket=TicketStatus("20261", "escalated")))
    assert media(outs) == [Play(("ticket_status_is",), "zh"), SayDigits("20261", "zh"),
                           Play(("ticket_st_escalated",), "zh"), Collect(("ticket_more",), "zh", 1, 5000)]


def test_ticket_not_found_gets_a_clear_prompt_and_a_retry(default_menus):
    m = _at_ticket(default_menus)
    m.feed(Digits("9999"))
    outs = m.feed(LookupResult(ticket=None))
    assert media(outs) == [Play(("ticket_not_found",), "zh"), Collect(("ticket_enter",), "zh", 10, 5000, 4, "#")]
    assert funnel(outs) == [("ticket", "invalid")]
    m.feed(Digits("9998"))
    m.feed(LookupResult())
    m.feed(Digits("9997"))
    outs = m.feed(LookupResult())
    assert last(outs).queue == "general"  # third miss: a human


def test_unknown_ticket_state_has_a_generic_prompt(default_menus):
    m = _at_ticket(default_menus)
    m.feed(Digits("1234"))
    outs = m.feed(LookupResult(ticket=TicketStatus("1234", "weird")))
    assert Play(("ticket_st_other",), "zh") in outs


# --- survey -----------------------------------------------------------------------------

def test_survey_scores_each_question_and_skips_after_retries(default_menus):
    m = machine(default_menus, route="survey")
    outs = m.start()
    assert media(outs) == [Play(("survey_intro",), "zh"), Collect(("survey_q_agent",), "zh", 1, 5000, escape="12345")]
    outs = m.feed(Digits("6"))
    assert isinstance(last(outs), Collect)
    outs = m.feed(Digits("5"))
    assert SurveyAnswer("agent", 5) in outs
    m.feed(Timeout())
    m.feed(Timeout())
    outs = m.feed(Timeout())  # question 2 skipped, never a loop, never an agent
    assert media(outs) == [Play(("survey_thanks",), "zh"), Hangup()]
    assert m.outcome == "survey"


# --- remaining node types on a small file -----------------------------------------------------

SMALL = """
defaults: {retries: 1}
entries: {ivr: acct}
nodes:
  acct:
    type: collect
    prompt: ticket_enter
    var: IVR_ACCOUNT
    min_digits: 3
    max_digits: 6
    next: skills
  skills:
    type: set_skills
    skills: [billing, vip]
    min_proficiency: 3
    priority: 4
    next: lang
  lang:
    type: condition
    test: language
    language: en
    then: q
    else: bye
  q:
    type: queue
    queue: billing
    skills: [billing]
  bye:
    type: hangup
    prompt: goodbye
"""


def test_collect_set_skills_and_language_condition():
    menus = small(SMALL)
    m = machine(menus, language="en")
    assert last(m.start()) == Collect(("ticket_enter",), "en", 6, 5000, 3, "#")
    outs = m.feed(Digits("12345#"))
    assert SetVar("IVR_ACCOUNT", "12345") in outs
    assert last(outs) == LookupCaller("13800138000")
    final = last(m.feed(LookupResult(caller=CallerInfo(customer_id=1, vip=True))))
    assert final == Enqueue("billing", ("billing", "vip"), "en", 3, 10, 1,
                            ("acct", "skills", "lang", "q"), {"IVR_ACCOUNT": "12345"})
    m2 = machine(menus, language="zh")
    m2.start()
    assert media(m2.feed(Digits("123")))[-2:] == [Play(("goodbye",), "zh"), Hangup()]


def test_collect_too_short_then_zero_out_and_invalid_input():
    m = machine(small(SMALL))
    m.start()
    outs = m.feed(Digits("12"))
    assert funnel(outs) == [("acct", "digit"), ("acct", "invalid")]
    outs = m.feed(Invalid("A"))
    assert funnel(outs)[-1] == (AGENT_NODE, "node")  # retries: 1 → fallback
    m = machine(small(SMALL))
    m.start()
    outs = m.feed(Digits("0"))
    assert funnel(outs)[-1] == (AGENT_NODE, "node")


# --- the no-silence invariant --------------------------------------------------------------

def _answer(out, draw_digits: str):
    if isinstance(out, Collect):
        return Digits(draw_digits) if draw_digits else Timeout()
    if isinstance(out, LookupCaller):
        return LookupResult(caller=CallerInfo(vip=draw_digits == "9", known=draw_digits == "8",
                                              language="en"))
    if isinstance(out, LookupTicket):
        return LookupResult(ticket=TicketStatus(out.ticket_no, "open") if draw_digits[:1] == "1" else None)
    if isinstance(out, RecordVoicemail):
        return Recorded("/tmp/x")
    raise AssertionError(out)


@settings(max_examples=300, deadline=None)
@given(keys=st.lists(st.text(alphabet="0123456789*#", max_size=6), max_size=40),
       ts=st.sampled_from([OPEN_TS, CLOSED_TS, HOLIDAY_TS, MAKEUP_TS]),
       route=st.sampled_from(["ivr", "survey"]))
def test_every_batch_waits_or_ends_and_every_call_ends(default_menus, keys, ts, route):
    m = machine(default_menus, ts=ts, route=route)
    outs = m.start()
    feeds = 0
    while True:
        tail = media(outs)[-1]
        assert isinstance(tail, AWAITING + FINAL), outs
        assert not any(isinstance(o, AWAITING + FINAL) for o in media(outs)[:-1])
        if isinstance(tail, FINAL):
            break
        outs = m.feed(_answer(tail, keys[feeds] if feeds < len(keys) else ""))
        feeds += 1
        assert feeds < 60, "the caller is stuck in a loop"
    assert m.done


ZERO_IS_A_CHOICE = """
defaults: {retries: 1, zero_out: operator, zero_out_digit: "0"}
entries: {ivr: main}
nodes:
  main:
    type: menu
    prompt: main_menu
    choices: {1: sales, 0: billing}
  sales:
    type: queue
    queue: sales
  billing:
    type: queue
    queue: billing
  operator:
    type: queue
    queue: general
"""


def test_a_menu_whose_own_choice_is_the_zero_out_digit_keeps_its_choice():
    menus = small(ZERO_IS_A_CHOICE)
    m = machine(menus)
    m.start()
    outs = m.feed(Digits("0"))
    assert [o.data for o in outs if isinstance(o, LogFunnel) and o.event == "node"] == [{"via": "digit:0"}]
    assert last(m.feed(UNKNOWN)).queue == "billing"  # the menu's own 0, not the operator
    m2 = machine(menus)
    m2.start()
    m2.feed(Digits("1"))
    assert last(m2.feed(UNKNOWN)).queue == "sales"
