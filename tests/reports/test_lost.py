import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from hotline.eventlog import CallEventLog
from reports import facts, lost
from reports.facts import CallFact
from reports.lost import AgentsAt, AgentTimeline, MemberRow, build, region_of
from tests.reports.daydata import DAY, TZ, abandoned, answered, at, ivr_abandon, write_day


def fact(cid, t, fate, queue="support", caller=None, wait=None, entered=True, **kw):
    day, minute = facts.local_day_minute(t, TZ)
    return CallFact(cid, t, day, minute, queue, fate, fate not in facts.NOT_LOST,
                    entered=t if entered else None, wait=wait, caller=caller, **kw)


def test_facts_of_the_day_from_the_log_rows():
    class Sink:
        def __init__(self):
            self.rows = []

        def log(self, call_id, kind, *, ts, queue=None, agent=None, uniqueid=None, data=None):
            self.rows.append(type("E", (), dict(id=len(self.rows), call_id=call_id, kind=kind,
                                                ts=ts, queue=queue, agent=agent,
                                                uniqueid=uniqueid, data=data or {})))
    sink = Sink()
    write_day(sink)
    fs = {f.call_id: f for f in facts.facts_of(sink.rows, TZ)}
    c1 = fs["c1"]
    assert (c1.fate, c1.agent, c1.wait, c1.talk, c1.hold, c1.wrap) == ("answered", "a1", 10, 100, 10, 20)
    assert (c1.local_day, c1.local_minute, c1.caller, c1.disposition) == (DAY, 540, "13912345678", "solved")
    assert fs["c2"].transferred and not fs["c2"].lost
    assert [fs[c].fate for c in ("c3", "c4", "c6")] == ["short_abandon", "queue_abandon", "ivr_abandon"]
    assert fs["c6"].entered is None and fs["c6"].node == "main" and fs["c6"].lost


@given(st.randoms())
def test_facts_do_not_depend_on_row_order(rnd):
    class E:
        def __init__(self, i, call_id, kind, ts, queue=None, agent=None, uniqueid=None, data=None):
            self.id, self.call_id, self.kind, self.ts = i, call_id, kind, ts
            self.queue, self.agent, self.uniqueid, self.data = queue, agent, uniqueid, data or {}

    class Sink:
        rows: list = []

        def log(self, call_id, kind, *, ts, **kw):
            self.rows.append(E(len(self.rows), call_id, kind, ts, **kw))
    s = Sink()
    s.rows = []
    write_day(s)
    base = list(facts.facts_of(s.rows, TZ))
    shuffled = list(s.rows)
    rnd.shuffle(shuffled)
    assert list(facts.facts_of(shuffled, TZ)) == base


def test_a_call_over_midnight_belongs_to_the_day_it_started():
    t = at(23, 59, 30)
    f = facts.fact_of("x", [facts.Row(1, t, "ENTERQUEUE", "q"),
                            facts.Row(2, t + 60, "ABANDON", "q", data={"waittime": 60})], TZ)
    assert (f.local_day, f.local_minute, f.fate) == (DAY, 1439, "queue_abandon")


def test_agents_at_a_moment_and_the_cause():
    members = [MemberRow(at(8, 0), "ADDMEMBER", "a1", "support"),
               MemberRow(at(8, 0), "ADDMEMBER", "a1", "sales"),
               MemberRow(at(8, 0), "ADDMEMBER", "a2", "support"),
               MemberRow(at(9, 0), "PAUSE", "a2"),
               MemberRow(at(9, 30), "UNPAUSE", "a2"),
               MemberRow(at(12, 0), "REMOVEMEMBER", "a1", "support"),
               MemberRow(at(12, 0), "REMOVEMEMBER", "a1", "sales"),
               MemberRow(at(12, 0), "REMOVEMEMBER", "a2", "support")]
    on_call = [fact("k", at(9, 10), "answered", answered_at=at(9, 10), talk=300, wrap=60)]
    tl = AgentTimeline(members, on_call)
    assert tl.at(at(7, 0)) == AgentsAt(0, 0, 0) and tl.at(at(7, 0)).cause == "nobody_logged_in"
    assert tl.at(at(8, 30)).cause == "agents_free"
    assert tl.at(at(9, 5)) == AgentsAt(2, 1, 0) and tl.at(at(9, 5)).cause == "agents_free"
    assert tl.at(at(9, 12)) == AgentsAt(2, 1, 1) and tl.at(at(9, 12)).cause == "on_break"
    assert tl.at(at(9, 16, 30)) == AgentsAt(2, 1, 0)  # talk 300 + wrap 60 ended at 9:16:00
    assert tl.at(at(12, 5)).logged_in == 0


def test_the_daily_report_by_hour_peaks_dimensions_and_comparisons():
    day = [fact("a1", at(9, 0), "answered", caller="13912345678", wait=4, answered_at=at(9, 0, 4))]
    day += [fact("l9", at(9, 30), "queue_abandon", caller="13912345678", wait=50)]
    day += [fact(f"l10-{i}", at(10, i), "ring_abandon", queue="sales", caller="+8613800138000",
                 wait=20) for i in range(4)]
    day += [fact("ivr", at(10, 30), "ivr_abandon", queue=None, entered=False, node="menu")]
    day += [fact("a10", at(10, 40), "answered", wait=3, answered_at=at(10, 40, 3))]
    prev = [fact("p1", at(9, 0, day="2026-12-04"), "answered", wait=1)] * 1 + \
        [fact("p2", at(9, 5, day="2026-12-04"), "queue_abandon", wait=9)]
    week = [fact("w1", at(9, 0, day="2026-11-28"), "answered", wait=1)]
    rep = build(DAY, day, prev, week, [MemberRow(at(8, 0), "ADDMEMBER", "a1", "support")], TZ)
    assert (rep.totals.calls, rep.totals.lost) == (8, 6)
    assert rep.peaks == [10]  # 5 lost at 10h >= 1.5 x mean(1, 5) = 4.5; 1 lost at 9h is not
    h10 = rep.by_hour[10]
    assert (h10["calls"], h10["lost"], h10["lost_rate"]) == (6, 5, round(5 / 6, 4))
    assert rep.by_queue[0] == {"queue": "sales", "lost": 4, "share": round(4 / 6, 4)}
    assert [(r["fate"], r["lost"], r["zh"]) for r in rep.by_fate] == [
        ("ring_abandon", 4, "振铃时放弃"), ("ivr_abandon", 1, "IVR 中放弃"),
        ("queue_abandon", 1, "排队放弃")]
    assert rep.by_region[0] == {"zh": "北京市", "en": "Beijing", "lost": 4, "share": round(4 / 6, 4)}
    assert {r["zh"] for r in rep.by_region} == {"北京市", "江苏省常州市", "未知"}
    assert {r["node"]: r["lost"] for r in rep.by_node} == {"—": 5, "menu": 1}
    assert {r["bucket"]: r["lost"] for r in rep.by_wait if r["lost"]} == {"15-30s": 4, "30-60s": 1, "—": 1}
    assert {c["cause"]: c["lost"] for c in rep.by_cause} == {
        "agents_free": 6, "all_busy": 0, "on_break": 0, "nobody_logged_in": 0}
    assert (rep.previous_day.lost_rate, rep.week_before.lost_rate) == (0.5, 0.0)
    assert rep.dod_points == round((6 / 8 - 0.5) * 100, 2)
    assert rep.wow_points == 75.0
    d = rep.as_dict()
    assert d["calls"][0]["local_time"] == "09:30:00" and d["calls"][0]["cause"] == "agents_free"


def test_region_of_unknown_and_withheld_numbers():
    assert region_of(None) == ("未知", "Unknown")
    assert region_of("anonymous") == ("未知", "Unknown")
    assert region_of("+862168880000") == ("上海市", "Shanghai")


async def test_daily_from_the_database(engine, clock):
    log = CallEventLog(engine, clock=clock)
    write_day(log)
    log.log("NONE", "ADDMEMBER", ts=at(8, 0), queue="support", agent="a1")
    prev_day = "2026-12-04"
    abandoned(log, "p1", at(9, 0, day=prev_day), "support", "13912345678", wait=12)
    answered(log, "p2", at(9, 5, day=prev_day), "support", "13912345678", "a1", wait=2, talk=10)
    ivr_abandon(log, "w1", at(11, 0, day="2026-11-28"))
    await log.flush()
    for d in ("2026-11-28", prev_day, DAY):
        await facts.rebuild(engine, *facts.day_bounds(dt.date.fromisoformat(d), TZ), TZ)
    rep = await lost.daily(engine, DAY, TZ)
    assert (rep.totals.calls, rep.totals.lost) == (6, 3)
    assert (rep.previous_day.calls, rep.previous_day.lost) == (2, 1)
    assert (rep.week_before.calls, rep.week_before.lost) == (1, 1)
    c4 = next(c for c in rep.calls if c.call_id == "c4")
    # c4 was lost at 09:05:40; a1 (the only agent logged in) was free: c1 ended 09:02:20
    assert (c4.agents, c4.agents.cause, c4.region_zh) == (AgentsAt(1, 0, 0), "agents_free", "北京市")
    # rebuilding gives the same facts, and a rebuild after a late row changes only that call
    again = await facts.rebuild(engine, *facts.day_bounds(dt.date.fromisoformat(DAY), TZ), TZ)
    assert again == 6


async def test_rebuild_folds_a_channel_id_into_its_call(engine, clock):
    from tests.reports.test_fates import SPLIT

    log = CallEventLog(engine, clock=clock)
    t0 = at(9, 0)
    for cid, r in SPLIT:
        log.log(cid, r.kind, ts=t0 + r.ts, queue=r.queue, uniqueid=r.uniqueid, data=dict(r.data))
    await log.flush()
    n = await facts.rebuild(engine, *facts.day_bounds(dt.date.fromisoformat(DAY), TZ), TZ, batch=2)
    fs = {f.call_id: f for f in await facts.load(engine, [DAY])}
    assert n == 2 and sorted(fs) == ["c10", "c9"]  # no system_failure "calls" for the channel ids
    assert (fs["c9"].fate, fs["c9"].start) == ("ring_abandon", t0)  # its first row is the channel's
    assert (fs["c10"].fate, fs["c10"].node) == ("ivr_abandon", "main")
