"""Configuration of the simulated Asterisk, its agents' phones and its scripted callers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Behaviour = Literal["answer", "busy", "noanswer", "unreachable"]
CalleeBehaviour = Literal["answer", "busy", "noanswer", "unreachable", "machine"]


@dataclass(frozen=True, slots=True)
class SimConfig:
    """How the simulated Asterisk listens and behaves.

    ``speed`` divides every scripted delay (speed=50: a 30 s patience takes 0.6 s of
    wall time) while AMI ``Timestamp`` values advance in simulated seconds.
    ``skip_ivr`` goes from ``Answer`` straight to ``hotline-wait`` (no FastAGI): DTMF
    events and ``IVR_CHOICE`` are still produced from the caller script.
    ``atxfer_featuremap`` is features.conf ``[featuremap] atxfer`` (``None`` = the
    default empty features.conf, where AMI ``Atxfer`` fails as in ami-07c0).
    ``rtp_flowing``: the phones send RTP (the normal case). When False (ami-08b: the
    test phones had gone silent), AMI ``Hangup`` of a ChanSpy leg is answered
    ``Channel Hungup`` but the leg stays until the spied call ends. Mutable at run time
    as ``SimAsterisk.rtp_flowing``.
    ``recordings_dir``: when set, MixMonitor writes a small real WAV there: at the requested
    ``File`` when it lies inside the directory, else under its basename.
    ``cdr``: cdr_manager is on, so every finished CDR is sent as ``Event: Cdr``
    (ami-13; :mod:`pbx.sim.cdr`). Off by default, as on the test bed for every other
    transcript. Mutable at run time as ``SimAsterisk.cdr``.
    """

    ami_host: str = "127.0.0.1"
    ami_port: int = 0
    username: str = "hotline"
    secret: str = "hotline-secret"
    agi_host: str = "127.0.0.1"
    agi_port: int = 4573
    speed: float = 1.0
    seed: int = 1
    trunk: str = "hotline-trunk"
    skip_ivr: bool = False
    epoch: float | None = None
    atxfer_featuremap: str | None = None
    recordings_dir: str | None = None
    rtp_flowing: bool = True
    cdr: bool = False
    hold_max_s: float = 3600.0  # the dialplan's HOLD_MAX: Wait() of a parked agent leg
    callees: CalleeModel | None = None  # dialed customers without a script (pbx.sim.callees)
    restart_refuse_s: float = 0.5
    restart_eof_s: float = 1.1


@dataclass(frozen=True, slots=True)
class AgentPhone:
    """An agent's SIP phone. ``talk_time_s``: the agent hangs up after that many
    seconds in a bridge (``None`` = waits for the other side)."""

    endpoint: str
    behaviour: Behaviour = "answer"
    answer_delay_s: float = 0.3
    talk_time_s: float | None = None

    @property
    def extension(self) -> str:
        digits = "".join(c for c in self.endpoint if c.isdigit())
        return digits or self.endpoint

    @property
    def callerid_name(self) -> str:
        return f"Agent {self.extension}"


@dataclass(frozen=True, slots=True)
class CallerScript:
    """What one scripted caller does.

    ``patience_s``: seconds in the queue (MusicOnHold) before hanging up.
    ``talk_time_s``: seconds bridged before hanging up (``None`` = waits for the agent).
    ``hold_after_s``/``hold_for_s``: put the agent on hold (re-INVITE sendonly) that many
    seconds into the first bridge, for that long (ami-12).
    ``ivr_hangup_after_s``: hang up while still in the IVR (abandon in the menu).
    """

    caller_num: str = "13800138000"
    caller_name: str = "张安娜"
    dnid: str = "4000"
    dtmf: list[str] = field(default_factory=lambda: ["1"])
    patience_s: float = 60.0
    talk_time_s: float | None = 5.0
    lang: str = "zh"
    hold_after_s: float | None = None
    hold_for_s: float = 2.0
    ivr_hangup_after_s: float | None = None
    dtmf_duration_ms: int = 280


@dataclass(frozen=True, slots=True)
class CalleeScript:
    """What one dialed customer does when the backend originates ``PJSIP/<number>@trunk``.

    ``answer``: a person picks up after ``answer_delay_s`` and hangs up ``talk_time_s``
    after being bridged (``None``: waits for the agent); ``patience_s``: how long the
    person says "hello?" into silence (answered, not bridged) before hanging up.
    ``machine``: a voicemail greeting of ``greeting_s`` answers (AMD() says MACHINE).
    ``busy`` (486 after ``busy_after_s``), ``noanswer`` (rings until the Originate's
    Timeout), ``unreachable`` (no SIP response at all, ami-03b).
    """

    behaviour: CalleeBehaviour = "answer"
    answer_delay_s: float = 5.0
    talk_time_s: float | None = 60.0
    patience_s: float = 4.0
    greeting_s: float = 12.0
    busy_after_s: float = 2.0
    dtmf: tuple[str, ...] = ()  # keys pressed in an agentless campaign's IVR (survey answers)


@dataclass(frozen=True, slots=True)
class CalleeModel:
    """Customers drawn at random (the simulator's seeded rng) for numbers without a script:
    ``p_answer`` a person, ``p_machine`` an answering machine, ``p_busy`` busy,
    ``p_unreachable`` no SIP response; the rest ring out. Delays are uniform in the ranges."""

    p_answer: float = 0.30
    p_machine: float = 0.10
    p_busy: float = 0.10
    p_unreachable: float = 0.0
    answer_delay_s: tuple[float, float] = (4.0, 15.0)
    talk_time_s: tuple[float, float] = (30.0, 150.0)
    patience_s: float = 4.0

    def __post_init__(self) -> None:
        total = self.p_answer + self.p_machine + self.p_busy + self.p_unreachable
        if min(self.p_answer, self.p_machine, self.p_busy, self.p_unreachable) < 0 or total > 1.0:
            raise ValueError(f"callee probabilities must be >= 0 and add up to at most 1, not {total:g}")
