"""The caller's language reaches the channel; the voicemail route of a queue exit."""

from __future__ import annotations

import pytest
from fastagi_support import ENV, VIP_NUMBER, start_stack

from ivr.actions import (
    Collect,
    Digits,
    Enqueue,
    Hangup,
    LogFunnel,
    LookupResult,
    Play,
    Recorded,
    RecordVoicemail,
    SetVar,
)
from ivr.directory import CallerInfo
from ivr.loader import parse_menus
from ivr.machine import MenuMachine
from tests.ivr.conftest import CLOSED_TS, DEFAULT_YAML, OPEN_TS

LANG = "CHANNEL(language)"


def machine(menus, **kw) -> MenuMachine:
    return MenuMachine(menus, caller_num="13800138000", now=lambda: OPEN_TS, **kw)


def sets(outs):
    return [o for o in outs if isinstance(o, SetVar) and o.name == LANG]


# --- the pure machine -----------------------------------------------------------------

def test_choice_is_written_to_the_channel_unless_the_channel_already_speaks_it(default_menus):
    same = machine(default_menus, language="zh")
    same.start()
    same.feed(LookupResult(caller=CallerInfo()))
    assert sets(same.feed(Digits("1"))) == []  # the dialplan set zh and passed lang=zh
    unknown = machine(default_menus)  # no lang= argument: the channel's language is unknown
    unknown.start()
    unknown.feed(LookupResult(caller=CallerInfo()))
    assert sets(unknown.feed(Digits("1"))) == [SetVar(LANG, "zh")]


def test_crm_language_is_set_on_the_channel_before_the_welcome(default_menus):
    m = machine(default_menus, language="zh")
    m.start()
    outs = m.feed(LookupResult(caller=CallerInfo(customer_id=9, vip=True, known=True, language="en")))
    media = [o for o in outs if not isinstance(o, LogFunnel)]
    assert media[0] == SetVar(LANG, "en")
    assert media[1] == Play(("welcome",), "en") and Play(("vip_welcome",), "en") in media
    assert isinstance(media[-1], Enqueue) and media[-1].language == "en"


def test_voicemail_route_records_for_the_given_queue_without_any_menu(default_menus):
    m = machine(default_menus, route="voicemail", queue="sales", language="en")
    outs = m.start()
    media = [o for o in outs if not isinstance(o, LogFunnel)]
    assert media == [Play(("vm_busy",), "en"), RecordVoicemail("sales", 120, "en")]
    assert m.path == ["queue_voicemail"]
    outs = m.feed(Recorded("/x/vm-c1"))
    assert outs[-1] == Hangup() and m.outcome == "voicemail"
    assert outs[-2] == LogFunnel("queue_voicemail", "exit", {"to": "voicemail", "queue": "sales"})


def test_voicemail_route_without_a_queue_uses_the_nodes_own(default_menus):
    m = machine(default_menus, route="voicemail")
    assert RecordVoicemail("general", 120, "zh") in m.start()
    assert not any(isinstance(o, Collect) for o in m.start())


# --- over FastAGI ----------------------------------------------------------------------

@pytest.fixture
async def stack(sqlite_engine, default_menus, tmp_path):
    st = await start_stack(sqlite_engine, default_menus, tmp_path, OPEN_TS)
    yield st
    await st.server.stop()


def test_handler_routes_are_the_dialplans_agi_scripts(stack):
    routes = stack.handler.routes()
    assert set(routes) == {"ivr", "survey", "voicemail", "outbound"}
    assert routes["voicemail"] == stack.handler.voicemail


async def test_known_caller_channel_gets_the_crm_language_before_any_prompt(stack, tmp_path):
    out = await stack.call([], env={"agi_callerid": VIP_NUMBER})
    assert stack.channel_vars[LANG] == "en"
    i = out.commands.index('SET VARIABLE CHANNEL(language) "en"')
    assert out.commands[i + 1] == f'STREAM FILE {tmp_path}/prompts/en/welcome ""'
    assert stack.enqueuer.requests[0].language == "en"


async def test_caller_choosing_chinese_without_a_lang_argument_sets_the_channel(stack):
    out = await stack.call(["1", "1"], env={"agi_arg_1": ""})
    assert out.status == "SUCCESS"
    assert stack.channel_vars[LANG] == "zh"
    assert stack.enqueuer.requests[0].queue == "sales"


async def test_queue_exit_voicemail_is_stored_for_that_queue_with_the_callers_number(stack, tmp_path):
    env = ENV | {"agi_arg_1": "call=c-55", "agi_arg_2": "queue=sales", "agi_arg_3": "lang=en"}
    out = await stack.call([], script="voicemail", env=env)
    assert out.status == "HANGUP" and out.hangup_by == "script"
    assert out.commands[:2] == ["ANSWER", f'STREAM FILE {tmp_path}/prompts/en/vm_busy ""']
    assert out.commands[2].startswith(f"RECORD FILE {tmp_path}/recordings/voicemail/vm-c-55 wav")
    assert not any("welcome" in c or "menu" in c for c in out.commands)
    assert (tmp_path / "recordings" / "voicemail" / "vm-c-55.wav").stat().st_size > 44
    [item] = await stack.store.list_work_items()
    assert (item.kind, item.call_id, item.queue, item.language) == ("voicemail", "c-55", "sales", "en")
    assert (item.caller_num, item.number, item.caller_name) == ("13800138000", "13800138000", "张安娜")
    assert item.path == str(tmp_path / "recordings" / "voicemail" / "vm-c-55")
    rows = await stack.rows("c-55")
    assert rows[-1].kind == "IVR_EXIT" and rows[-1].queue == "sales"
    assert rows[-1].data["route"] == "voicemail" and rows[-1].data["to"] == "voicemail"


async def test_menus_without_a_voicemail_entry_close_at_once_for_the_dialplan_fallback(
        sqlite_engine, tmp_path):
    text = DEFAULT_YAML.read_text(encoding="utf-8")
    menus = parse_menus(text.replace("  voicemail: queue_voicemail", "  # no voicemail entry"))
    st = await start_stack(sqlite_engine, menus, tmp_path, CLOSED_TS)
    try:
        out = await st.call([], script="voicemail", env=ENV | {"agi_arg_1": "call=c-56"})
    finally:
        await st.server.stop()
    # AGISTATUS=FAILURE, no command: hotline-voicemail goes on to its own Record().
    assert out.status == "FAILURE" and out.commands == []
    assert await st.store.list_work_items() == []


async def test_queue_exit_voicemail_of_a_known_caller_carries_the_crm_customer(stack):
    env = ENV | {"agi_callerid": VIP_NUMBER, "agi_arg_1": "call=c-56", "agi_arg_2": "queue=sales"}
    out = await stack.call([], script="voicemail", env=env)
    assert out.status == "HANGUP"
    [item] = await stack.store.list_work_items()
    assert (item.call_id, item.number, item.customer_id) == ("c-56", VIP_NUMBER, 42)


async def test_a_failed_caller_lookup_still_keeps_the_voicemail(stack):
    class Broken:
        async def lookup_caller(self, number: str):
            raise RuntimeError("crm down")

        async def ticket_status(self, ticket_no: str):
            return None

    stack.handler.directory = Broken()
    env = ENV | {"agi_arg_1": "call=c-57", "agi_arg_2": "queue=sales"}
    out = await stack.call([], script="voicemail", env=env)
    assert out.status == "HANGUP"
    [item] = await stack.store.list_work_items()
    assert (item.call_id, item.customer_id) == ("c-57", None)
