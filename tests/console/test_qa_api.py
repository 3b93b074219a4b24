"""The QA API end to end on the console: publish a form, evaluate a recording, comment at a
timestamp, submit; the agent sees it, acknowledges or disputes; the dispute reaches the
team lead; calibration across evaluators; fatal / non-fatal rates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.console.conftest import START, Console
from tests.console.recording_rows import T0, add_recording, audit_rows, use_store
from tests.test_qa_evaluations import ANSWERS, form


@pytest.fixture
def store(console: Console, tmp_path: Path) -> Path:
    return use_store(console, tmp_path)


def publish(console, who="qa", version=1, effective_from=START - 86400, **kw):
    return console.client.post("/api/qa/forms", json={"definition": form(version, effective_from, **kw)},
                               headers=console.auth(who))


def evaluate(console, rid, who="qa", answers=None):
    r = console.client.post("/api/qa/evaluations", json={"recording_id": rid, "form_key": "inbound"},
                            headers=console.auth(who))
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    if answers is not None:
        s = console.client.post(f"/api/qa/evaluations/{eid}/submit", json={"answers": answers},
                                headers=console.auth(who))
        assert s.status_code == 200, s.text
    return eid


def test_forms_are_published_by_qa_or_admin_and_versions_never_reused(console):
    assert publish(console).status_code == 201
    r = publish(console)
    assert r.status_code == 409 and "already has a version 1" in r.json()["detail"]
    assert publish(console, who="lead", version=2).status_code == 403
    assert publish(console, who="admin", version=2, effective_from=T0 + 3600, extra=True).status_code == 201
    got = console.client.get("/api/qa/forms", headers=console.auth("alice")).json()
    assert [(f["key"], f["version"]) for f in got] == [("inbound", 1), ("inbound", 2)]


def test_evaluate_comment_submit_then_agent_acknowledges(console, store):
    publish(console)
    publish(console, who="admin", version=2, effective_from=T0 + 3600, extra=True)  # after the call
    rid = add_recording(console, store, agent="1001")
    eid = evaluate(console, rid)
    h = console.auth("qa")
    r = console.client.post(f"/api/qa/evaluations/{eid}/comments",
                            json={"text": "Greeting was rushed", "at_s": 12.5, "item_id": "greet"}, headers=h)
    assert r.status_code == 201
    bad = console.client.post(f"/api/qa/evaluations/{eid}/comments", json={"text": "x", "item_id": "nope"}, headers=h)
    assert bad.status_code == 422
    # the agent does not see an evaluation before it is scored
    assert console.client.get("/api/qa/evaluations?mine=1", headers=console.auth("alice")).json() == []
    assert console.client.get(f"/api/qa/evaluations/{eid}", headers=console.auth("alice")).status_code == 403
    missing = console.client.post(f"/api/qa/evaluations/{eid}/submit", json={"answers": {"greet": "yes"}}, headers=h)
    assert missing.status_code == 422 and "missing" in missing.json()["detail"]
    other = console.client.post(f"/api/qa/evaluations/{eid}/submit", json={"answers": ANSWERS[0][1]},
                                headers=console.auth("sup"))
    assert other.status_code == 403
    ok = console.client.post(f"/api/qa/evaluations/{eid}/submit", json={"answers": ANSWERS[0][1]}, headers=h)
    assert ok.status_code == 200 and ok.json()["score"] == 80.0 and ok.json()["form_version"] == 1
    mine = console.client.get("/api/qa/evaluations?mine=1", headers=console.auth("alice")).json()
    assert [e["id"] for e in mine] == [eid]
    d = console.client.get(f"/api/qa/evaluations/{eid}", headers=console.auth("alice")).json()
    assert d["answers"]["tone"] == "4" and d["comments"][0]["at_s"] == 12.5
    assert [i["id"] for s in d["form"]["sections"] for i in s["items"]] == ["greet", "verify", "tone", "close"]
    assert console.client.post(f"/api/qa/evaluations/{eid}/response", json={"kind": "acknowledge"},
                               headers=console.auth("bob")).status_code == 403
    r = console.client.post(f"/api/qa/evaluations/{eid}/response", json={"kind": "acknowledge"},
                            headers=console.auth("alice"))
    assert r.status_code == 200 and r.json()["status"] == "acknowledged"
    again = console.client.post(f"/api/qa/evaluations/{eid}/response", json={"kind": "dispute", "text": "x"},
                                headers={**console.auth("alice"), "Accept-Language": "zh"})
    assert again.status_code == 409 and "评估" in again.json()["detail"]
    assert [a.action for a in audit_rows(console, "qa_")] == [
        "qa_form_publish", "qa_form_publish", "qa_evaluation_create", "qa_evaluation_submit",
        "qa_evaluation_acknowledge"]


def test_a_dispute_goes_to_the_agents_team_lead(console, store):
    publish(console)
    rid_bob = add_recording(console, store, agent="1002", name="b.wav")
    rid_carol = add_recording(console, store, agent="1003", name="c.wav", queue="support")
    e_bob = evaluate(console, rid_bob, answers=ANSWERS[1][1])
    e_carol = evaluate(console, rid_carol, answers=ANSWERS[2][1])
    for who, eid in (("bob", e_bob), ("carol", e_carol)):
        r = console.client.post(f"/api/qa/evaluations/{eid}/response",
                                json={"kind": "dispute", "text": "I did verify the caller"}, headers=console.auth(who))
        assert r.status_code == 200 and r.json()["status"] == "disputed"
    lead = [e["id"] for e in console.client.get("/api/qa/disputes", headers=console.auth("lead")).json()]
    assert lead == [e_bob]  # carol is not in the Sales teams
    assert [e["id"] for e in console.client.get("/api/qa/disputes", headers=console.auth("manager")).json()] == [e_bob, e_carol]
    assert console.client.get("/api/qa/disputes", headers=console.auth("bob")).status_code == 403
    r = console.client.post(f"/api/qa/evaluations/{e_carol}/resolve", json={"resolution": "x"},
                            headers=console.auth("lead"))
    assert r.status_code == 403
    r = console.client.post(f"/api/qa/evaluations/{e_bob}/resolve", json={"resolution": "Upheld after listening"},
                            headers=console.auth("lead"))
    assert r.status_code == 200 and r.json()["status"] == "resolved"
    d = console.client.get(f"/api/qa/evaluations/{e_bob}", headers=console.auth("bob")).json()
    assert d["responses"][0]["resolved_by"] == "lead" and d["responses"][0]["text"] == "I did verify the caller"


def test_team_lead_evaluates_only_their_teams_and_never_outside_scope(console, store):
    publish(console)
    rid = add_recording(console, store, agent="1003", queue="support")
    r = console.client.post("/api/qa/evaluations", json={"recording_id": rid, "form_key": "inbound"},
                            headers=console.auth("lead"))
    assert r.status_code == 403
    assert console.client.post("/api/qa/evaluations", json={"recording_id": rid, "form_key": "inbound"},
                               headers=console.auth("alice")).status_code == 403
    r = console.client.post("/api/qa/evaluations", json={"recording_id": rid, "form_key": "nope"},
                            headers=console.auth("qa"))
    assert r.status_code == 422 and "no form 'nope'" in r.json()["detail"]


def test_calibration_shows_the_spread_per_item(console, store):
    publish(console)
    rid = add_recording(console, store, agent="1001")
    for who, tone in (("qa", 4), ("sup", 2), ("lead", 3)):
        evaluate(console, rid, who=who, answers={"greet": "yes", "verify": "yes", "tone": tone, "close": "yes"})
    r = console.client.get(f"/api/qa/recordings/{rid}/calibration", headers=console.auth("qa")).json()
    assert [e["evaluator"] for e in r["evaluations"]] == ["qa", "sup", "lead"]
    items = {i["item_id"]: i for i in r["items"]}
    assert (items["tone"]["low"], items["tone"]["high"], items["tone"]["spread"]) == (0.5, 1.0, 0.5)
    assert items["greet"]["spread"] == 0.0
    assert items["score"]["spread"] == items["score"]["high"] - items["score"]["low"] > 0


def test_rates_per_agent_team_centre_in_scope(console, store):
    publish(console)
    for i, (agent, answers) in enumerate(ANSWERS):
        evaluate(console, add_recording(console, store, agent=agent, name=f"r{i}.wav"), answers=answers)
    centre = console.client.get("/api/qa/rates?by=centre", headers=console.auth("qa")).json()
    [row] = centre["rows"]
    assert (row["non_fatal_failed"], row["non_fatal_evaluated"], row["fatal_failed"], row["fatal_evaluated"]) == (3, 8, 1, 2)
    assert row["non_fatal_item_rate"] == 0.375 and row["fatal_item_rate"] == 0.5
    assert "fatal items failed / fatal items evaluated" in centre["formulas"]["fatal_item_rate"]
    agents = {r["group"]: r for r in console.client.get("/api/qa/rates", headers=console.auth("sup")).json()["rows"]}
    assert agents["1001"]["non_fatal_item_rate"] == 0.6 and agents["1002"]["fatal_item_rate"] is None
    teams = {r["group"]: r["evaluations"] for r in
             console.client.get("/api/qa/rates?by=team", headers=console.auth("qa")).json()["rows"]}
    assert teams == {"Sales-A": 2, "Sales": 1}
    mine = console.client.get("/api/qa/rates?by=agent&period=month", headers=console.auth("lead")).json()["rows"]
    assert {r["group"] for r in mine} == {"1001", "1002"} and mine[0]["period"] == "2027-01"
    assert console.client.get("/api/qa/rates", headers=console.auth("alice")).status_code == 403


def test_malformed_forms_and_out_of_range_ids_are_clear_refusals(console):
    for bad in ({"key": "f", "version": 1, "effective_from": 0, "sections": "oops"},
                {"key": "f" * 65, "version": 1, "effective_from": 0, "sections": [{"items": [{"id": "a"}]}]},
                {"key": "f", "version": 1, "effective_from": 0,
                 "sections": [{"items": [{"id": "a", "kind": "scale", "max": 10**30}]}]}):
        r = console.client.post("/api/qa/forms", json={"definition": bad}, headers=console.auth("qa"))
        assert r.status_code == 422, r.text
    for url in ("/api/qa/evaluations/9223372036854775808", "/api/recordings/18446744073709551616/timeline"):
        assert console.client.get(url, headers=console.auth("qa")).status_code == 422


def test_item_failure_pareto_on_the_hand_computed_example(console, store):
    publish(console)
    for i, (agent, answers) in enumerate(ANSWERS):
        evaluate(console, add_recording(console, store, agent=agent, name=f"r{i}.wav"), answers=answers)
    got = console.client.get("/api/qa/pareto", headers=console.auth("qa")).json()
    # each of the four items failed once (close: eval 1; greet, verify, tone 2 < pass_at 3: eval 2)
    assert [(r["item_id"], r["failed"], r["evaluated"]) for r in got] == [
        ("close", 1, 2), ("greet", 1, 3), ("tone", 1, 3), ("verify", 1, 2)]
    assert [r["cumulative_share"] for r in got] == [0.25, 0.5, 0.75, 1.0]
    assert got[3]["fatal"] is True and got[3]["text"] == "Verified identity"
    only = console.client.get("/api/qa/pareto?agent=1002", headers=console.auth("qa")).json()
    assert {r["item_id"]: r["failed"] for r in only} == {"greet": 0, "tone": 0, "close": 0}  # verify was n.a.
    assert console.client.get("/api/qa/pareto", headers=console.auth("alice")).status_code == 403


def test_rates_export_as_csv_with_formulas_and_an_audit_row(console, store):
    publish(console)
    for i, (agent, answers) in enumerate(ANSWERS):
        evaluate(console, add_recording(console, store, agent=agent, name=f"r{i}.wav"), answers=answers)
    r = console.client.get("/api/qa/rates.csv?by=centre", headers=console.auth("qa"))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = r.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("group,period,evaluations,average_score,fatal_failed,fatal_evaluated")
    row = lines[1].split(",")
    assert row[:3] == ["centre", "all", "3"] and row[4:6] == ["1", "2"] and row[6] == "0.500000"
    assert row[7:10] == ["3", "8", "0.375000"]
    assert any(ln.startswith("# fatal_item_rate = fatal items failed / fatal items evaluated") for ln in lines)
    assert [a.action for a in audit_rows(console, "qa_rates_export")] == ["qa_rates_export"]
    assert console.client.get("/api/qa/rates.csv", headers=console.auth("alice")).status_code == 403
