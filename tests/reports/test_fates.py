from hypothesis import given
from hypothesis import strategies as st

from hotline.eventlog import CallEventLog
from reports.fates import FATES, Row, fate_of, fates, join_calls


def rows(*specs):
    return [Row(i, float(i), k, "support", **kw) for i, (k, kw) in enumerate(specs)]


CASES = {
    "answered": rows(("ENTERQUEUE", {}), ("CONNECT", {"agent": "a1", "data": {"holdtime": 7}})),
    "transferred_out": rows(("IVR_EXIT", {"data": {"to": "transfer", "node": "op"}})),
    "blacklisted": rows(("IVR_EXIT", {"data": {"to": "hangup", "node": "blacklisted"}})),
    "after_hours": rows(("IVR_EXIT", {"data": {"to": "voicemail", "node": "closed"}})),
    "exit_key": rows(("ENTERQUEUE", {}), ("EXITWITHKEY", {"data": {"waittime": 30}})),
    "queue_timeout": rows(("ENTERQUEUE", {}), ("EXITWITHTIMEOUT", {"data": {"waittime": 300}})),
    "queue_full": rows(("ENTERQUEUE", {}), ("FULL", {"data": {"waittime": 0}})),
    "queue_empty": rows(("ENTERQUEUE", {}), ("EXITEMPTY", {"data": {"waittime": 1}})),
    "short_abandon": rows(("ENTERQUEUE", {}), ("ABANDON", {"data": {"waittime": 3}})),
    "ring_abandon": rows(("ENTERQUEUE", {}), ("DIAL", {"uniqueid": "leg1"}),
                         ("ABANDON", {"data": {"waittime": 20}}),
                         ("DIAL_END", {"uniqueid": "leg1"})),
    "queue_abandon": rows(("ENTERQUEUE", {}), ("DIAL", {"uniqueid": "leg1"}),
                          ("DIAL_END", {"uniqueid": "leg1"}),
                          ("ABANDON", {"data": {"waittime": 20}})),
    "ivr_abandon": rows(("IVR_NODE", {"data": {"node": "main"}}),
                        ("IVR_HANGUP", {"data": {"node": "main"}})),
    "system_failure": rows(("CHAN_START", {}), ("CALL_END", {})),
}


def test_every_fate_has_a_case_and_is_told_apart():
    assert set(CASES) == set(FATES)
    for name, rs in CASES.items():
        assert fate_of(rs).fate == name, name


def test_answered_keeps_agent_and_wait_and_short_is_configurable():
    f = fate_of(CASES["answered"])
    assert (f.agent, f.wait, f.zh, f.en) == ("a1", 7.0, "已接听", "Answered")
    assert fate_of(CASES["short_abandon"], short_s=2).fate == "queue_abandon"


@given(st.sampled_from(sorted(CASES)), st.randoms())
def test_shuffling_rows_never_changes_the_fate(name, rnd):
    rs = list(CASES[name])
    rnd.shuffle(rs)
    assert fate_of(rs) == fate_of(CASES[name])


async def test_fates_read_back_from_the_database(engine, clock):
    log = CallEventLog(engine, clock=clock)
    t = clock.now()
    log.log("c1", "ENTERQUEUE", ts=t, queue="support")
    log.log("c1", "CONNECT", ts=t + 4, queue="support", agent="a1", data={"holdtime": 4})
    log.log("c2", "ENTERQUEUE", ts=t, queue="support")
    log.log("c2", "ABANDON", ts=t + 40, queue="support", data={"waittime": 40})
    await log.flush()
    got = await fates(engine)
    assert {k: v.fate for k, v in got.items()} == {"c1": "answered", "c2": "queue_abandon"}
    assert await fates(engine, since=t + 100) == {}


# One call as the live log files it (e2e, issue 12): the caller's channel rows under its
# linkedid until the IVR sets HOTLINE_CALL_ID, the agent leg's under its own id.
SPLIT = [
    ("1700.0", Row(1, 0.0, "CHAN_START", uniqueid="1700.0")),
    ("1700.0", Row(2, 0.1, "ANSWER", uniqueid="1700.0")),
    ("c9", Row(3, 5.0, "IVR_EXIT", "sales", uniqueid="1700.0", data={"to": "queue", "node": "sales"})),
    ("c9", Row(4, 5.1, "ENTERQUEUE", "sales", uniqueid="1700.0")),
    ("leg-1", Row(5, 5.2, "CHAN_START", uniqueid="leg-1")),
    ("c9", Row(6, 5.3, "DIAL", uniqueid="leg-1")),
    ("c9", Row(7, 13.0, "ABANDON", "sales", uniqueid="1700.0", data={"waittime": 8})),
    ("c9", Row(8, 13.1, "DIAL_END", uniqueid="leg-1")),
    ("leg-1", Row(9, 13.2, "CALL_END")),
    # a caller who hung up in the menu never got our id: her IVR rows name her channel
    ("1701.0", Row(10, 20.0, "CHAN_START", uniqueid="1701.0")),
    ("c10", Row(11, 21.0, "IVR_HANGUP", uniqueid="1701.0", data={"node": "main"})),
    ("1701.0", Row(12, 21.0, "CALL_END")),
]


def test_a_channel_id_is_folded_into_its_call_not_a_call_of_its_own():
    calls = join_calls(SPLIT)
    assert sorted(calls) == ["c10", "c9"]
    assert [r.id for r in sorted(calls["c9"], key=lambda r: r.id)] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert fate_of(calls["c9"]).fate == "ring_abandon"
    assert (fate_of(calls["c10"]).fate, fate_of(calls["c10"]).node) == ("ivr_abandon", "main")


@given(st.randoms())
def test_joining_calls_does_not_depend_on_the_order_of_rows(rnd):
    pairs = list(SPLIT)
    rnd.shuffle(pairs)
    got = join_calls(pairs)
    assert {k: sorted(v, key=lambda r: r.id) for k, v in got.items()} == {
        k: sorted(v, key=lambda r: r.id) for k, v in join_calls(SPLIT).items()}


def test_channel_ids_naming_each_other_never_loop():
    pairs = [("a", Row(1, 0.0, "CHAN_START", uniqueid="b")), ("b", Row(2, 1.0, "CHAN_START", uniqueid="a"))]
    calls = join_calls(pairs)
    assert len(calls) == 1 and len(next(iter(calls.values()))) == 2


async def test_fates_read_back_give_one_fate_per_call_not_per_channel(engine, clock):
    log = CallEventLog(engine, clock=clock)
    t = clock.now()
    for cid, r in SPLIT:
        log.log(cid, r.kind, ts=t + r.ts, queue=r.queue, uniqueid=r.uniqueid, data=dict(r.data))
    await log.flush()
    got = await fates(engine)
    assert {k: v.fate for k, v in got.items()} == {"c9": "ring_abandon", "c10": "ivr_abandon"}
