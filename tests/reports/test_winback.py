import datetime as dt

from sqlalchemy import insert

from crm.models import Customer, CustomerPhone
from hotline.eventlog import CallEventLog
from reports import facts, winback
from reports.winback import Contact, Customerish, assign, recoveries, recovery_by_day, worklist
from tests.reports.daydata import DAY, TZ, abandoned, answered, at


def lostf(cid, t, caller, queue="support"):
    day, minute = facts.local_day_minute(t, TZ)
    return facts.CallFact(cid, t, day, minute, queue, "queue_abandon", True, entered=t,
                          wait=30, caller=caller)


A, B, C, D = "+8613912345678", "+862168880000", "+8613800138000", "+8613912340000"


def test_reached_later_and_the_recovery_rate():
    lost = [lostf("l1", at(9, 0), "13912345678"), lostf("l2", at(9, 10), B),
            lostf("l3", at(10, 0), "13912345678"), lostf("l4", at(11, 0), None)]
    contacts = [Contact(A, at(9, 30), "inbound", "x1"),  # between l1 and l3: reaches l1 only
                Contact(B, at(9, 5), "inbound", "early"),  # before l2: does not count
                Contact(B, at(9, 10) + 80 * 3600, "outbound", "late")]  # after the horizon
    recs = {r.call_id: r for r in recoveries(lost, contacts)}
    assert recs["l1"].reached and recs["l1"].delay_s == 1800 and recs["l1"].via == "inbound"
    assert not recs["l2"].reached and not recs["l3"].reached and recs["l4"].number is None
    day = recovery_by_day(lost, list(recs.values()))[0]
    # callers A (last lost l3, not reached) and B: 0 of 2; l4 has no number
    assert (day.lost_callers, day.recovered, day.unreachable, day.rate) == (2, 0, 1, 0.0)
    contacts.append(Contact(A, at(12, 0), "outbound", "cb"))
    day = recovery_by_day(lost, recoveries(lost, contacts))[0]
    assert (day.recovered, day.rate, day.median_delay_s) == (1, 0.5, 7200.0)


def test_the_worklist_excludes_reached_blacklisted_and_out_of_hours():
    lost = [lostf("l1", at(9, 0), A), lostf("l2", at(9, 10), B), lostf("l3", at(9, 20), C),
            lostf("l4", at(9, 30), D), lostf("l5", at(9, 40), D), lostf("l6", at(9, 50), "+85221234567")]
    recs = recoveries(lost, [Contact(A, at(10, 0), "inbound")])
    custs = {C: Customerish(7, 0, True), B: Customerish(8, 3, False)}

    def refusal(number, now):
        return "outside the calling hours" if number.startswith("+852") else None
    items, held = worklist(lost, recs, custs, at(12, 0), refusal)
    assert [(w.number, w.attempts, w.vip_level) for w in items] == [(B, 1, 3), (D, 2, 0)]
    assert items[1].last_call_id == "l5"
    assert [(h.number, h.reason) for h in held] == [("+85221234567", "outside the calling hours"),
                                                     (C, "blacklisted")]
    assert [w.assignee for w in assign(items, ["a1", "a2", "a3"])] == ["a1", "a2"]
    assert {w.assignee for w in assign(items, [])} == {"callback"}


async def test_analyse_and_a_callback_attempt_closes_the_item(engine, clock):
    log = CallEventLog(engine, clock=clock)
    abandoned(log, "l1", at(9, 0), "support", "13912345678", wait=40)
    answered(log, "back", at(9, 30), "support", "13912345678", "a1", wait=3, talk=20)
    abandoned(log, "l2", at(9, 10), "support", "+862168880000", wait=40)
    abandoned(log, "l3", at(9, 20), "support", "+8613800138000", wait=40)
    await log.flush()
    async with engine.begin() as conn:
        for cid, num, vip, black in ((1, "+862168880000", 2, False), (2, "+8613800138000", 0, True)):
            await conn.execute(insert(Customer).values(id=cid, name=f"客户{cid}", vip_level=vip,
                                                       created_at=0.0, updated_at=0.0,
                                                       blacklisted=black))
            await conn.execute(insert(CustomerPhone).values(customer_id=cid, e164=num))
    since, until = facts.day_bounds(dt.date.fromisoformat(DAY), TZ)
    await facts.rebuild(engine, since, until, TZ)
    out = await winback.analyse(engine, since, until, now=at(12, 0), agents=["a7"])
    assert out["days"] == [{"day": DAY, "lost_callers": 3, "recovered": 1, "unreachable": 0,
                            "rate": round(1 / 3, 4), "median_delay_s": 1803.0}]  # answered 09:30:03
    assert [(w.number, w.customer_id, w.assignee) for w in out["worklist"]] == [(B, 1, "a7")]
    assert [h.reason for h in out["held"]] == ["blacklisted"]
    iid = await winback.record_attempt(engine, out["worklist"][0], "a7", at(12, 5), "no_answer",
                                       answered=False)
    assert iid > 0
    out = await winback.analyse(engine, since, until, now=at(12, 10))
    assert [w.number for w in out["worklist"]] == [B]  # an unanswered attempt keeps it
    await winback.record_attempt(engine, out["worklist"][0], "a7", at(14, 0), "reached", answered=True)
    out = await winback.analyse(engine, since, until, now=at(14, 5))
    assert out["worklist"] == [] and out["days"][0]["recovered"] == 2
