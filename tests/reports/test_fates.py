from hypothesis import given
from hypothesis import strategies as st

from hotline.eventlog import CallEventLog
from reports.fates import FATES, Row, fate_of, fates


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
