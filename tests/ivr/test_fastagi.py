"""The IVR over real sockets: our FastAGI server + handler, called by the simulated Asterisk."""

from __future__ import annotations

import json
import shutil

import pytest
from fastagi_support import ENV, SPEED, VIP_NUMBER, start_stack

from ivr.funnel import funnel
from ivr.reload import MenuHolder
from pbx.sim.agi_client import SimCaller, run_fastagi
from tests.ivr.conftest import CLOSED_TS, DEFAULT_YAML, OPEN_TS


@pytest.fixture
async def stack_at(sqlite_engine, default_menus, tmp_path):
    started = []

    async def make(ts: float = OPEN_TS, **kw):
        st = await start_stack(sqlite_engine, default_menus, tmp_path, ts, **kw)
        started.append(st)
        return st

    yield make
    for st in started:
        await st.server.stop()


def kinds(rows):
    return [(r.kind, r.data.get("node")) for r in rows]


async def test_caller_presses_through_the_menu_to_a_queue(stack_at, tmp_path):
    st = await stack_at()
    out = await st.call(["2", "2"])  # English, then support
    assert out.status == "SUCCESS", out
    [req] = st.enqueuer.requests
    assert (req.queue, req.skills, req.language, req.min_proficiency) == ("support", ("support",), "en", 2)
    assert (req.caller_num, req.caller_name, req.uniqueid) == ("13800138000", "张安娜", "1795354545.3")
    assert req.ivr_path[-3:] == ("lang_en", "main", "support")
    v = st.channel_vars
    assert v["HOTLINE_CALL_ID"] == "call-1" and v["IVR_PATH"].endswith("lang_en,main,support")
    assert json.loads(v["HOTLINE_REQUEST"])["queue"] == "support"
    assert float(v["HOTLINE_ENQUEUED_AT"]) == OPEN_TS
    assert v["CHANNEL(language)"] == "en"
    prompts = tmp_path / "prompts"
    assert f'STREAM FILE {prompts}/en/main_menu "0123456789*#"' in out.commands
    assert out.commands[0] == "ANSWER" and out.commands[-1] == "SET VARIABLE IVR_PATH " + json.dumps(v["IVR_PATH"])
    rows = await st.rows("call-1")
    assert ("IVR_DIGIT", "main") in kinds(rows) and rows[-1].kind == "IVR_EXIT"
    assert rows[-1].queue == "support"


async def test_vip_caller_goes_straight_to_the_vip_queue(stack_at):
    st = await stack_at()
    await st.call([], env={"agi_callerid": VIP_NUMBER})
    [req] = st.enqueuer.requests
    assert (req.queue, req.priority, req.customer_id) == ("vip", 10, 42)


async def test_invalid_digits_until_the_fallback_reaches_a_human(stack_at):
    st = await stack_at()
    out = await st.call(["1", "7", "8", "9"])
    assert out.status == "SUCCESS"
    [req] = st.enqueuer.requests
    assert req.queue == "general" and req.ivr_path[-2:] == ("main", "_agent")
    rows = await st.rows()
    assert [r.data["node"] for r in rows if r.kind == "IVR_INVALID"] == ["main"] * 3
    assert sum(1 for c in out.commands if c.endswith('/zh/invalid ""')) == 2


async def test_silence_until_the_fallback(stack_at):
    st = await stack_at()
    await st.call([])
    rows = await st.rows()
    assert [r.data["node"] for r in rows if r.kind == "IVR_TIMEOUT"] == ["language", "language", "main", "main", "main"]
    assert st.enqueuer.requests[0].queue == "general"


async def test_caller_hanging_up_mid_prompt_is_no_error_and_the_node_is_recorded(stack_at):
    st = await stack_at()
    out = await st.call(["1"], hangup_after_commands=3)  # ANSWER, welcome, lang menu; cut in main menu
    assert out.status == "HANGUP" and out.hangup_by == "caller"
    assert st.server.stats.errors == 0
    rows = await st.rows("call-1")
    assert rows[-1].kind == "IVR_HANGUP" and rows[-1].data["node"] == "main"
    assert st.enqueuer.requests == []
    stats = funnel(rows)
    assert stats["main"].abandoned == 1 and stats["language"].branches["-> lang_zh"] == 1


async def test_after_hours_voicemail_is_recorded_and_listed(stack_at, tmp_path):
    st = await stack_at(CLOSED_TS)
    out = await st.call(["1"])
    assert out.status == "HANGUP" and out.hangup_by == "script"
    rec = next(c for c in out.commands if c.startswith("RECORD FILE"))
    assert rec.startswith(f"RECORD FILE {tmp_path}/recordings/voicemail/vm-call-1 wav \"#\" 120000 0 BEEP")
    assert (tmp_path / "recordings" / "voicemail" / "vm-call-1.wav").stat().st_size > 44
    [item] = await st.store.list_work_items()
    assert (item.kind, item.caller_num, item.caller_name, item.number) == ("voicemail", "13800138000", "张安娜", "13800138000")
    assert item.duration_s == pytest.approx(4.0) and item.created_at == CLOSED_TS
    assert await st.store.mark_done(item.id, by="1001", at=CLOSED_TS + 3600)
    assert await st.store.list_work_items() == []
    assert (await st.rows("call-1"))[-1].data["to"] == "voicemail"


async def test_voicemail_ended_by_hanging_up_is_kept(stack_at):
    st = await stack_at(CLOSED_TS)
    out = await st.call(["1"], record_dtmf="", hangup_after_commands=5)  # ANSWER, 4 prompts; cut in RECORD FILE
    assert out.status == "HANGUP" and out.hangup_by == "caller"
    assert out.commands[-1].startswith("RECORD FILE"), out.commands
    [item] = await st.store.list_work_items()
    assert item.kind == "voicemail"
    assert st.server.stats.errors == 0


async def test_after_hours_callback_confirms_the_number(stack_at):
    st = await stack_at(CLOSED_TS)
    out = await st.call(["2", "1"])
    assert 'SAY DIGITS 13800138000 ""' in out.commands
    [cb] = st.enqueuer.callbacks
    assert (cb.number, cb.queue, cb.call_id) == ("13800138000", "general", "call-1")
    [item] = await st.store.list_work_items()
    assert (item.kind, item.number) == ("callback", "13800138000")


async def test_callback_to_another_number(stack_at):
    st = await stack_at(CLOSED_TS)
    out = await st.call(["2", "2", "13911112222#", "1"])
    assert 'SAY DIGITS 13911112222 ""' in out.commands
    assert st.enqueuer.callbacks[0].number == "13911112222"


async def test_after_hours_on_duty_hand_off_sets_the_transfer_variable(stack_at):
    st = await stack_at(CLOSED_TS)
    out = await st.call(["9"])
    assert out.status == "SUCCESS"
    assert st.channel_vars["HOTLINE_TRANSFER_TO"] == "13900000000"
    assert st.enqueuer.requests == []


async def test_ticket_status_found(stack_at, tmp_path):
    st = await stack_at()
    out = await st.call(["1", "4", "20261#", "0"])
    assert 'SAY DIGITS 20261 ""' in out.commands
    assert f'STREAM FILE {tmp_path}/prompts/zh/ticket_st_escalated ""' in out.commands
    assert st.enqueuer.requests[0].queue == "general"  # then 0 for an agent


async def test_ticket_not_found_then_found(stack_at, tmp_path):
    st = await stack_at()
    out = await st.call(["1", "4", "9999#", "20261#", "1", "1"])
    i = out.commands.index(f'STREAM FILE {tmp_path}/prompts/zh/ticket_not_found ""')
    assert out.commands[i + 1].startswith(f"GET DATA {tmp_path}/prompts/zh/ticket_enter 5000 10")
    assert 'SAY DIGITS 20261 ""' in out.commands[i:]
    assert st.enqueuer.requests[0].queue == "sales"  # back to the main menu, 1
    rows = await st.rows()
    assert [r.data.get("reason") for r in rows if r.kind == "IVR_INVALID"] == ["not_found"]


async def test_survey_is_stored_against_the_call_and_agent(stack_at):
    st = await stack_at()
    out = await st.call(["4", "5"], script="survey", env={"agi_arg_1": "call=c-77", "agi_arg_2": "agent=1001"})
    assert out.status == "HANGUP"
    assert await st.store.survey_answers("c-77") == {"agent": 4, "resolved": 5}
    assert await st.store.agent_scores("1001") == {"agent": (4.0, 1), "resolved": (5.0, 1)}


async def test_survey_reads_call_and_agent_from_channel_variables(stack_at):
    st = await stack_at()
    cv = {"HOTLINE_CALL_ID": "c-88", "HOTLINE_AGENT": "1002"}
    await run_fastagi("127.0.0.1", st.server.port, "survey", ENV | {"agi_arg_1": ""},
                      SimCaller(dtmf=["3", "2"]), cv, speed=SPEED)
    assert await st.store.survey_answers("c-88") == {"agent": 3, "resolved": 2}
    assert (await st.store.agent_scores("1002"))["agent"] == (3.0, 1)


async def test_malformed_yaml_leaves_the_previous_menus_running(stack_at, tmp_path):
    path = tmp_path / "menus.yaml"
    shutil.copy(DEFAULT_YAML, path)
    holder = MenuHolder(path, interval=0.01)
    st = await stack_at(get_menus=holder.get)
    text = DEFAULT_YAML.read_text(encoding="utf-8")  # noqa: ASYNC240 (a small test file)
    path.write_text(  # noqa: ASYNC240
        text.replace("choices: {1: sales, 2: support, 3: complaints, 4: ticket}",
                                 "choices: {1: sales, 2: suport, 3: complaints, 4: ticket}"), encoding="utf-8")
    assert holder.check() is False
    assert holder.last_error is not None
    [problem] = holder.last_error.problems
    assert problem.line == 103 and "unknown node 'suport'" in problem.reason
    await st.call(["1", "2"])
    assert st.enqueuer.requests[-1].queue == "support"  # the old menus still route
    path.write_text(  # noqa: ASYNC240
        text.replace("choices: {1: sales, 2: support, 3: complaints, 4: ticket}",
                                 "choices: {1: sales, 2: complaints, 3: complaints, 4: ticket}"), encoding="utf-8")
    assert holder.check() is True and holder.last_error is None
    await st.call(["1", "2"])
    assert st.enqueuer.requests[-1].queue == "complaints"  # the new menus are in force
