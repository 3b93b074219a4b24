"""Call-control AMI actions (Originate, Bridge, Redirect, transfers, Hangup, variables,
list actions, MixMonitor). Error texts are Asterisk 22's (ami-04, 06, 07c0, 09)."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING

from pbx.ami.codec import AmiMessage

from .agent_dialplan import ami_bridge
from .atxfer import atxfer
from .callees import callee_number, originate_callee
from .channels import Channel, Fields
from .dialplan import terminate
from .originate import OriginateRequest, Result, originate
from .recording import start_recording, stop_recording
from .server import AmiSession, header
from .spy import spying
from .transfer import blind_transfer, dual_redirect, redirect

if TYPE_CHECKING:
    from .core import SimCore

_CID = re.compile(r'^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$')


def parse_callerid(value: str) -> tuple[str | None, str | None]:
    """``"张安娜" <13800138000>`` → (name, number)."""
    if not value:
        return None, None
    m = _CID.match(value)
    if m:
        return (m.group(1) or None), (m.group(2) or None)
    return None, value.strip()


def _fmt_duration(seconds: float) -> str:
    s = int(max(0, seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


class CallActions:
    def __init__(self, sim: SimCore) -> None:
        self.sim = sim

    def _chan(self, session: AmiSession, msg: AmiMessage, head: Fields,
              key: str = "Channel", error: str = "No such channel") -> Channel | None:
        ch = self.sim.find_channel(header(msg, key))
        if ch is None:
            session.send([("Response", "Error"), *head, ("Message", error)])
        return ch

    async def originate(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        name, num = parse_callerid(header(msg, "CallerID"))
        variables: dict[str, str] = {}
        for item in msg.getall("Variable"):
            for part in item.split(","):
                k, _, v = part.partition("=")
                if k:
                    variables[k.strip()] = v
        aid = header(msg, "ActionID", "\0")
        req = OriginateRequest(
            dial=header(msg, "Channel"), action_id=None if aid == "\0" else aid,
            application=header(msg, "Application"), data=header(msg, "Data"),
            context=header(msg, "Context"), exten=header(msg, "Exten"),
            priority=int(header(msg, "Priority", "1") or 1),
            timeout_s=int(header(msg, "Timeout", "30000") or 30000) / 1000.0,
            cid_name=name, cid_num=num, channel_id=header(msg, "ChannelId") or None,
            variables=variables,
        )
        if not req.dial:
            session.send([("Response", "Error"), *head, ("Message", "Channel not specified")])
            return
        if not req.application and not req.exten:
            session.send([("Response", "Error"), *head,
                          ("Message", "Application or Context/Exten must be specified")])
            return
        if header(msg, "Async").lower() in ("true", "yes", "1"):
            session.send([("Response", "Success"), *head,
                          ("Message", "Originate successfully queued")])
            self._originate(req, lambda ok, reason, ch: self.sim.emit.event(
                "OriginateResponse", req.response_event(ok, reason, ch)))
            return
        # Blocking: the response only comes when the attempt ends (ami-04). A busy
        # phone fails at once, so Asterisk's answer overtakes the attempt's events.
        phone = self.sim.phones.get(req.dial.partition("/")[2])
        if phone is not None and phone.behaviour == "busy":
            session.send([("Response", "Error"), *head, ("Message", "Originate failed")])
            self._originate(req, lambda ok, reason, ch: None)
            return
        done: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

        def result(ok: bool, reason: int, ch: Channel | None) -> None:
            if not done.done():
                done.set_result(ok)

        self._originate(req, result)
        if await done:
            session.send([("Response", "Success"), *head,
                          ("Message", "Originate successfully queued")])
        else:
            session.send([("Response", "Error"), *head, ("Message", "Originate failed")])

    def _originate(self, req: OriginateRequest, result: Result) -> None:
        """A trunk dial string is a customer (pbx.sim.callees) unless a phone was
        registered under that name; anything else is an agent leg."""
        number = callee_number(self.sim, req.dial)
        if number is not None and req.dial.partition("/")[2] not in self.sim.phones:
            originate_callee(self.sim, req, number, result)
        else:
            originate(self.sim, req, result)

    def bridge(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        a = self.sim.find_channel(header(msg, "Channel1"))
        b = self.sim.find_channel(header(msg, "Channel2"))
        if a is None or b is None:
            missing = header(msg, "Channel1") if a is None else header(msg, "Channel2")
            session.send([("Response", "Error"), *head,
                          ("Message", f"Channel{1 if a is None else 2} does not exist: {missing}")])
            return
        session.send([("Response", "Success"), *head, ("Message", "Channels have been bridged")])
        caller, agent = (a, b) if a.role == "caller" or b.role != "caller" else (b, a)
        ami_bridge(self.sim, caller, agent)

    def redirect(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        name = header(msg, "Channel")
        ch = self.sim.find_channel(name)
        if ch is None:
            session.send([("Response", "Error"), *head,
                          ("Message", f"Channel does not exist: {name}")])
            return
        extra_name = header(msg, "ExtraChannel")
        if extra_name:
            # Texts of manager.c's action_redirect (no transcript of a dual redirect).
            extra = self.sim.find_channel(extra_name)
            if extra is None:
                session.send([("Response", "Error"), *head,
                              ("Message", f"ExtraChannel does not exist: {extra_name}")])
                return
            session.send([("Response", "Success"), *head,
                          ("Message", "Dual Redirect successful")])
            dual_redirect(self.sim, ch, header(msg, "Context"), header(msg, "Exten"), extra,
                          header(msg, "ExtraContext") or header(msg, "Context"),
                          header(msg, "ExtraExten") or header(msg, "Exten"))
            return
        session.send([("Response", "Success"), *head, ("Message", "Redirect successful")])
        redirect(self.sim, ch, header(msg, "Context"), header(msg, "Exten"))

    def blind_transfer(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head)
        if ch is None:
            return
        if ch.peer() is None:
            session.send([("Response", "Error"), *head, ("Message", "Transfer failed")])
            return
        session.send([("Response", "Success"), *head, ("Message", "Transfer succeeded")])
        blind_transfer(self.sim, ch, header(msg, "Context"), header(msg, "Exten"))

    def atxfer(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head, error="Channel specified does not exist")
        if ch is None:
            return
        exten = header(msg, "Exten")
        if not exten:
            session.send([("Response", "Error"), *head, ("Message", "No extension specified")])
            return
        if not self.sim.config.atxfer_featuremap:
            session.send([("Response", "Error"), *head,
                          ("Message", "No attended transfer feature code found")])
            return
        session.send([("Response", "Success"), *head, ("Message", "Atxfer successfully queued")])
        atxfer(self.sim, ch, header(msg, "Context"), exten)

    def hangup(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head)
        if ch is None:
            return
        session.send([("Response", "Success"), *head, ("Message", "Channel Hungup")])
        raw = header(msg, "Cause")
        if raw.isdigit():
            cause = int(raw)
        else:
            # No Cause: the channel keeps whatever cause it had: 0 for a spy leg or
            # a ringing leg, 16 for a call in progress (ami-08, ami-09).
            cause = 0 if spying(ch) else 16
        if spying(ch) and not self.sim.rtp_flowing:
            return  # ami-08b: no RTP, so ChanSpy never sees the hangup; see spyee_gone
        terminate(self.sim, ch, cause, "ami")

    def setvar(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        var, value = header(msg, "Variable"), header(msg, "Value")
        if not header(msg, "Channel"):
            self.sim.globals[var] = value
        else:
            ch = self._chan(session, msg, head)
            if ch is None:
                return
            self.sim.emit.varset(ch, var, value)
            session.send([("Response", "Success"), *head, ("Message", "Variable Set")])
            return
        session.send([("Response", "Success"), *head, ("Message", "Variable Set")])

    def getvar(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        var = header(msg, "Variable")
        if not header(msg, "Channel"):
            value = self.sim.globals.get(var, "")
        else:
            ch = self._chan(session, msg, head)
            if ch is None:
                return
            value = _read_var(ch, var)
        session.send([("Response", "Success"), *head, ("Variable", var), ("Value", value)])

    def status(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        name = header(msg, "Channel")
        if name:
            ch = self._chan(session, msg, head)
            if ch is None:
                return
            chans = [ch]
        else:
            chans = self._listing()
        wanted = [v for v in header(msg, "Variables").split(",") if v]
        session.send([("Response", "Success"), *head, ("EventList", "start"),
                      ("Message", "Channel status will follow")])
        now = self.sim.now()
        for ch in chans:
            peer = ch.peer()
            fields: Fields = [("Event", "Status"), ("Privilege", "Call"), *ch.snapshot(),
                              ("Type", "PJSIP"), ("DNID", ch.dnid),
                              ("EffectiveConnectedLineNum", ch.conn_num),
                              ("EffectiveConnectedLineName", ch.conn_name),
                              ("TimeToHangup", 0),
                              ("BridgeID", ch.bridge.uniqueid if ch.bridge else ""),
                              ("Application", ch.app or "(null)"),
                              ("Data", ch.app_data if ch.app else "(null)"),
                              ("Nativeformats", "(ulaw)"), ("Readformat", "ulaw"),
                              ("Readtrans", ""), ("Writeformat", "ulaw"), ("Writetrans", ""),
                              ("Callgroup", 0), ("Pickupgroup", 0),
                              ("Seconds", int(now - ch.created_at))]
            del peer
            for v in wanted:
                value = ch.vars.get(v)
                fields.append(("Variable", f"{v}={'(null)' if value is None else value}"))
            fields += head
            session.send(fields)
        session.send([("Event", "StatusComplete"), *head, ("EventList", "Complete"),
                      ("ListItems", len(chans)), ("Items", len(chans))])

    def _listing(self) -> list[Channel]:
        # Asterisk lists its channel container in hash order; sorting by name is stable.
        return sorted((c for c in self.sim.channels.values() if c.alive), key=lambda c: c.name)

    def core_show_channels(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        chans = self._listing()
        session.send([("Response", "Success"), *head, ("EventList", "start"),
                      ("Message", "Channels will follow")])
        now = self.sim.now()
        for ch in chans:
            session.send([("Event", "CoreShowChannel"), *head, *ch.snapshot(),
                          ("Application", ch.app), ("ApplicationData", ch.app_data),
                          ("Duration", _fmt_duration(now - ch.created_at)),
                          ("BridgeId", ch.bridge.uniqueid if ch.bridge else "")])
        session.send([("Event", "CoreShowChannelsComplete"), *head, ("EventList", "Complete"),
                      ("ListItems", len(chans))])

    def mixmonitor(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head)
        if ch is None:
            return
        session.send([("Response", "Success"), *head])
        file = header(msg, "File") or f"/var/spool/asterisk/monitor/{ch.uniqueid}.wav"
        start_recording(self.sim, ch, file, header(msg, "Options") or "")

    def stop_mixmonitor(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head)
        if ch is None:
            return
        session.send([("Response", "Success"), *head, ("Message", "Stopped monitoring channel")])
        stop_recording(self.sim, ch)

    def play_dtmf(self, session: AmiSession, msg: AmiMessage, head: Fields) -> None:
        ch = self._chan(session, msg, head)
        if ch is None:
            return
        digit = header(msg, "Digit")
        if not digit:
            session.send([("Response", "Error"), *head, ("Message", "No digit specified")])
            return
        session.send([("Response", "Success"), *head, ("Message", "DTMF successfully queued")])
        duration = int(header(msg, "Duration", "250") or 250)
        self.sim.emit.dtmf(ch, digit[0], duration, direction="Sent")


def _read_var(ch: Channel, var: str) -> str:
    functions = {
        "CALLERID(name)": ch.cid_name, "CALLERID(num)": ch.cid_num,
        "CALLERID(all)": f'"{ch.cid_name}" <{ch.cid_num}>', "CHANNEL": ch.name,
        "UNIQUEID": ch.uniqueid, "CHANNEL(linkedid)": ch.linkedid,
    }
    if var in functions:
        return functions[var]
    return ch.vars.get(var, "")
