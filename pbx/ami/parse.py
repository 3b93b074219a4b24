"""Pure readers from AMI messages to typed pbx events (no I/O, no panoramisk)."""

from __future__ import annotations

from collections.abc import Mapping

from pbx.ami.codec import AmiMessage
from pbx.events import CdrRecorded, ChannelSnapshot, OriginateResult

# ``Event: Cdr`` field -> Master.csv column (cdr_manager and cdr_csv name them apart)
CDR_FIELDS = (
    ("AccountCode", "accountcode"), ("Source", "src"), ("Destination", "dst"),
    ("DestinationContext", "dcontext"), ("CallerID", "clid"), ("Channel", "channel"),
    ("DestinationChannel", "dstchannel"), ("LastApplication", "lastapp"),
    ("LastData", "lastdata"), ("StartTime", "start"), ("AnswerTime", "answer"),
    ("EndTime", "end"), ("Duration", "duration"), ("BillableSeconds", "billsec"),
    ("Disposition", "disposition"), ("AMAFlags", "amaflags"), ("UniqueID", "uniqueid"),
    ("UserField", "userfield"),
)


def originate_result(msg: AmiMessage, now: float) -> OriginateResult:
    """``Event: OriginateResponse`` as :class:`OriginateResult`.

    ``Reason`` 4 answered, 3 no answer, 0 busy or hung up; ``Uniqueid: <unknown>``
    (a failed leg without ChannelId) becomes ``None``.
    """
    uid = msg.get("Uniqueid")
    reason = msg.get("Reason", "0")
    ts = msg.get("Timestamp")
    return OriginateResult(
        at=_float(ts, now), action_id=msg.get("ActionID", ""), channel=msg.get("Channel", ""),
        uniqueid=None if uid in (None, "", "<unknown>") else uid,
        success=msg.get("Response") == "Success",
        reason=int(reason) if reason.isdigit() else 0)


def cdr_recorded(msg: Mapping[str, str], now: float) -> CdrRecorded:
    """``Event: Cdr`` as :class:`CdrRecorded`; a missing field reads as empty.

    ``Source: 13800138000`` / ``Channel: PJSIP/hotline-trunk-0000005d`` /
    ``StartTime: 2026-11-22 13:57:49`` / ``Duration: 10`` / ``UniqueID: 1795355869.119``
    ... (ami-13).
    """
    return CdrRecorded(at=_float(msg.get("Timestamp"), now),
                       **{column: msg.get(name, "") for name, column in CDR_FIELDS})


def duration(text: str) -> float:
    """``00:01:05`` -> 65.0 (CoreShowChannel ``Duration``)."""
    try:
        h, m, s = (int(x) for x in text.split(":"))
    except ValueError:
        return 0.0
    return float(h * 3600 + m * 60 + s)


def snapshot(m: AmiMessage, variables: Mapping[str, str] | None = None) -> ChannelSnapshot:
    """A ``CoreShowChannel`` (or ``Status``) event as a :class:`ChannelSnapshot`."""
    return ChannelSnapshot(
        uniqueid=m.get("Uniqueid", ""), linkedid=m.get("Linkedid", ""), channel=m.get("Channel", ""),
        state=m.get("ChannelStateDesc", ""), caller_num=m.get("CallerIDNum", ""),
        caller_name=m.get("CallerIDName", ""), context=m.get("Context", ""),
        exten=m.get("Exten", ""), application=m.get("Application", ""),
        bridge_id=m.get("BridgeId", m.get("BridgeID", "")),
        duration_s=duration(m.get("Duration", "")),
        variables=dict(variables if variables is not None else m.variables()),
    )


def _float(text: str | None, default: float) -> float:
    if text:
        try:
            return float(text)
        except ValueError:
            pass
    return default
