"""CDRs of the simulated Asterisk, sent as cdr_manager's ``Event: Cdr`` (ami-13).

Only when CDRs are on (``SimConfig.cdr`` / ``SimAsterisk.cdr``): the real test bed had
cdr_manager enabled for ami-13 only, so every other transcript has no ``Cdr`` event.

What ami-13 shows, and what the sim does (README "ami-13", cdr.conf defaults):

* The **caller** channel has one CDR from its creation to its hangup, with its own
  last dialplan application (``MusicOnHold default,600``) and ``DestinationChannel``
  empty: an agent leg that ran ``Bridge()`` pulled it in, so it is the agent's party B.
  It is sent just before the caller's ``Hangup`` event.
* An **originated agent leg** that ran an application (``Bridge``) has two CDRs, sent
  after its ``Hangup``: creation to bridge (``Duration`` 0 here: it answered and joined
  at once), then bridge to hangup with ``DestinationChannel: <caller>``.
* ``Source``/``CallerID`` are the channel's caller id at the end (the Originate's
  CallerID for an agent leg); ``Destination``/``DestinationContext`` its exten and
  context. Times are ``YYYY-MM-DD HH:MM:SS`` (UTC, as the test bed's clock);
  ``Duration``/``BillableSeconds`` whole seconds, truncated. Cdr carries ``UniqueID``
  but no Linkedid.
* ``unanswered = no`` (the default): a channel never answered and without a party B
  gets no CDR, so a ringing agent leg that timed out, was busy or was cancelled has none.

Simplifications (no transcript covers them): a leg dialled by the caller's own
``Dial()`` is party B of the caller's CDR and gets none of its own; Local channels get
none; every other answered channel gets one CDR from creation to hangup.
"""

from __future__ import annotations

import time

from .channels import Channel, Fields

# Applications that never become a CDR's LastApplication: the dialling placeholders,
# and Hangup() itself (endbeforehexten: the record is closed before hangup logic).
_NOT_LAST = frozenset({"AppDial", "AppDial2", "Hangup"})


def note_app(ch: Channel, app: str, data: str) -> None:
    """The channel executes ``app(data)``: remember it as the CDR's last application."""
    if app not in _NOT_LAST:
        ch.cdr.app = (app, data)


def note_answered(ch: Channel, at: float) -> None:
    """The channel went Up (its first time counts)."""
    if ch.cdr.answered is None:
        ch.cdr.answered = at


def note_bridged(ch: Channel, peer: Channel, at: float) -> None:
    """``ch`` joined a bridge with ``peer``: an application leg's CDR forks here."""
    if ch.cdr.bridged is None:
        ch.cdr.bridged = (at, peer.name)


def note_originated(ch: Channel) -> None:
    """``ch`` is an agent leg started by AMI Originate."""
    ch.cdr.originated = True


def note_dialed(caller: Channel, leg: Channel) -> None:
    """``caller``'s own Dial() rings ``leg``: its party B."""
    caller.cdr.dialed = leg


def _time(t: float | None) -> str:
    return "" if t is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def _record(ch: Channel, start: float, answer: float | None, end: float,
            dstchannel: str) -> Fields:
    app, data = ch.cdr.app
    clid = f'"{ch.cid_name}" <{ch.cid_num}>' if ch.cid_name else ch.cid_num
    return [
        ("AccountCode", ""), ("Source", ch.cid_num), ("Destination", ch.exten),
        ("DestinationContext", ch.context), ("CallerID", clid), ("Channel", ch.name),
        ("DestinationChannel", dstchannel), ("LastApplication", app), ("LastData", data),
        ("StartTime", _time(start)), ("AnswerTime", _time(answer)), ("EndTime", _time(end)),
        ("Duration", int(end - start)),
        ("BillableSeconds", int(end - answer) if answer is not None else 0),
        ("Disposition", "ANSWERED" if answer is not None else "NO ANSWER"),
        ("AMAFlags", "DOCUMENTATION"), ("UniqueID", ch.uniqueid), ("UserField", ""),
    ]


def records(ch: Channel, end: float) -> list[Fields]:
    """The CDRs Asterisk finalises when ``ch`` hangs up at ``end`` (see module doc)."""
    answered = ch.cdr.answered
    if ch.name.startswith("Local/") or (ch.dial is not None and ch.dial.dialed_by is not None):
        return []
    dialed = ch.cdr.dialed
    dst = dialed.name if dialed is not None else ""
    if answered is None and not dst:
        return []  # cdr.conf unanswered = no
    fork = ch.cdr.bridged if ch.cdr.originated else None
    if fork is None:
        return [_record(ch, ch.created_at, answered, end, dst)]
    at, peer = fork
    return [_record(ch, ch.created_at, answered, at, ""), _record(ch, at, at, end, peer)]
