from hotline.eventlog import CallEventLog
from reports.totals import totals_by_queue


async def test_totals_count_distinct_calls_per_queue(engine, clock):
    log = CallEventLog(engine, clock=clock)
    t = clock.now()
    # c1 answered after one RONA (two CONNECT-less offers), c2 abandoned, c3 answered, c4 timed out
    for call, kinds_ in {
        "c1": ["ENTERQUEUE", "RINGNOANSWER", "CONNECT", "COMPLETECALLER"],
        "c2": ["ENTERQUEUE", "ABANDON"],
        "c3": ["ENTERQUEUE", "CONNECT", "COMPLETEAGENT"],
        "c4": ["ENTERQUEUE", "EXITWITHTIMEOUT"],
    }.items():
        for i, k in enumerate(kinds_):
            log.log(call, k, ts=t + i, queue="support")
    log.log("c5", "ENTERQUEUE", ts=t, queue="sales")
    log.log("c5", "CONNECT", ts=t + 1, queue="sales")
    log.log("c5", "CONNECT", ts=t + 9, queue="sales")  # reconnect after transfer: still one call
    await log.flush()
    totals = {q.queue: q for q in await totals_by_queue(engine)}
    assert (totals["support"].offered, totals["support"].answered, totals["support"].abandoned,
            totals["support"].other_exits) == (4, 2, 1, 1)
    assert (totals["sales"].offered, totals["sales"].answered) == (1, 1)
    assert totals["support"].abandon_rate == 0.25
    assert await totals_by_queue(engine, since=t + 100) == []
