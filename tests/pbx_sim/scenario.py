"""Shared steps of the conformance scenarios and the per-channel comparison."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from pathlib import Path

from conformance import per_channel, reduce, transcript_messages
from sim_rig import RawAmi

from pbx.sim import CallerScript, SimAsterisk

# The ``transcript`` fixture (conftest.py): ami-<prefix>-*.txt of the suite's corpus.
TranscriptOf = Callable[[str], Path]


def assert_conforms(ami: RawAmi, path: Path, *, ignore: set[str] | None = None,
                    var_values: bool = True, first_connection: bool = False) -> None:
    """Per channel, the consumed events (names, selected fields, id relations) of the
    sim equal those of the transcript at ``path``. ``ignore``: labels to leave out, each
    with a reason in the calling test."""
    msgs = transcript_messages(path)
    if first_connection:  # ami-11: the sim's client only saw the first connection
        end = next(i for i, m in enumerate(msgs) if m.get("Event") == "Shutdown")
        msgs = msgs[: end + 1]
    want = per_channel(reduce(msgs, var_values=var_values))
    got = per_channel(reduce(ami.messages, var_values=var_values))
    for label in ignore or ():
        want.pop(label, None)
        got.pop(label, None)
    problems = []
    for label in sorted(set(want) | set(got)):
        w = [f"{ev} {dict(f)}" for ev, f in want.get(label, [])]
        g = [f"{ev} {dict(f)}" for ev, f in got.get(label, [])]
        if w != g:
            diff = "\n".join(difflib.unified_diff(w, g, "transcript", "sim", lineterm=""))
            problems.append(f"--- channel {label}:\n{diff}")
    assert not problems, "\n".join(problems)


async def caller_in_moh(sim: SimAsterisk, ami: RawAmi, **script: object) -> str:
    chan = await sim.place_call(CallerScript(**script))  # type: ignore[arg-type]
    await ami.wait_event("MusicOnHoldStart", Channel=chan)
    return chan


async def originate(ami: RawAmi, action_id: str, agent: str, caller: str, *,
                    timeout_ms: int = 20000, **extra: str) -> None:
    fields: dict[str, object] = {"Action": "Originate", "ActionID": action_id,
                                 "Channel": f"PJSIP/{agent}"}
    if "Context" not in extra:
        fields.update(Application="Bridge", Data=caller)
    fields.update(Timeout=timeout_ms, CallerID='"张安娜" <13800138000>')
    fields.update(extra)
    fields.setdefault("Async", "true")
    if fields["Async"] is None:
        del fields["Async"]
    r = await ami.action(**fields)
    return r  # type: ignore[return-value]
