"""Property test (hypothesis, stateful): whatever happens, a call is offered only to an
agent with every required skill at the minimum in force (after relaxation) and its
language, no agent ever holds two offers, an agent on a call that reached it outside an
offer (transfer, conference: ``AgentTookCall``) is never offered a call until that call
ended, an agent whose phone rings for a transfer (``TransferRinging``) is offered nothing
until it lands, is given up or its ring time passed, and no call waits while an eligible agent is ready (the indexes never go stale)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from acd.core import (
    Agent,
    AgentLoggedIn,
    AgentLoggedOut,
    AgentNotReady,
    AgentReady,
    AgentTookCall,
    CallArrived,
    CallbackRequested,
    CallEnded,
    CallHeld,
    CallLeft,
    CallResumed,
    CancelOffer,
    Command,
    Membership,
    Offer,
    OfferAccepted,
    OfferFailed,
    OfferRinging,
    Policy,
    QueueConfig,
    Rejection,
    Relaxation,
    Requirement,
    Router,
    RouterEvent,
    SetAgentState,
    Tick,
    TransferGone,
    TransferRinging,
    WaitingCall,
    WrapUpDone,
    WrapUpExtend,
)
from acd.core.eligibility import score

SKILLS = ("s", "t", "u", "g")
QUEUES = {
    "q1": QueueConfig("q1", skills=("s",), wrap_up_s=5, ring_timeout_s=20),
    "q2": QueueConfig("q2", skills=("t",), wrap_up_s=0, ring_timeout_s=10,
                      policy=Policy.LONGEST_IDLE,
                      relaxations=(Relaxation(30, min_proficiency=2),
                                   Relaxation(60, alternative=("g",)))),
    "q3": QueueConfig("q3", policy=Policy.ROUND_ROBIN, wrap_up_s=3),
}

profiles = st.builds(
    lambda skills, langs, queues, w: Agent(
        "", skills, langs, queues={q: Membership(weight=w, priority=i % 2) for i, q in enumerate(queues)}),
    st.dictionaries(st.sampled_from(SKILLS), st.integers(1, 10), max_size=4),
    st.frozensets(st.sampled_from(("en", "zh")), max_size=2),
    st.lists(st.sampled_from(sorted(QUEUES)), min_size=1, max_size=3, unique=True),
    st.sampled_from((1.0, 2.0)),
)


class RouterMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.router = Router(QUEUES.values())
        self.t = 0.0
        self.n = 0
        self.offers: dict[str, str] = {}  # agent -> call, as told by the commands
        self.calls: dict[str, WaitingCall] = {}
        self.arrived: dict[str, float] = {}
        self.taken: dict[str, str] = {}  # agent -> transferred call it is on
        self.expecting: dict[str, tuple[str, float]] = {}  # agent -> (transfer ringing it, until)
        self.x = 0

    def send(self, event: RouterEvent) -> list[Command]:
        out = self.router.handle(event)
        for cmd in out:
            if isinstance(cmd, Offer):
                self.check_offer(cmd)
            elif isinstance(cmd, CancelOffer):
                assert self.offers.pop(cmd.agent_id, None) == cmd.call_id
            elif isinstance(cmd, SetAgentState) and cmd.state not in ("on_call", "on_hold"):
                self.taken.pop(cmd.agent_id, None)  # the taken call is over
        return out

    def check_offer(self, offer: Offer) -> None:
        assert offer.agent_id not in self.taken, "an agent on a transferred call got an offer"
        ringing = self.expecting.get(offer.agent_id)
        assert ringing is None or offer.at >= ringing[1], "an agent whose phone rings for a transfer got an offer"
        assert offer.agent_id not in self.offers, "an agent got two offers"
        assert offer.call_id not in self.offers.values(), "a call was offered twice"
        self.offers[offer.agent_id] = offer.call_id
        call = self.calls[offer.call_id]
        cfg = QUEUES[offer.queue]
        waited = offer.at - self.arrived[offer.call_id]
        steps = sum(1 for r in cfg.relaxations if r.after_s <= waited)
        req = Requirement.of(call).relaxed(cfg, steps)
        agent = self.router.agents[offer.agent_id].agent
        assert offer.queue in agent.queues
        assert score(agent, req) is not None, (agent, req)

    @rule(profile=profiles, i=st.integers(0, 5))
    def login(self, profile: Agent, i: int) -> None:
        self.send(AgentLoggedIn(self.t, Agent(f"a{i}", profile.skills, profile.languages,
                                              queues=profile.queues)))

    @rule(i=st.integers(0, 5))
    def ready(self, i: int) -> None:
        self.send(AgentReady(self.t, f"a{i}"))

    @rule(i=st.integers(0, 5), reason=st.sampled_from(("break", "meal")))
    def not_ready(self, i: int, reason: str) -> None:
        self.send(AgentNotReady(self.t, f"a{i}", reason))

    @rule(i=st.integers(0, 5))
    def logout(self, i: int) -> None:
        self.send(AgentLoggedOut(self.t, f"a{i}"))

    @rule(queue=st.sampled_from(sorted(QUEUES)),
          skills=st.lists(st.sampled_from(SKILLS[:3]), max_size=2, unique=True),
          minp=st.integers(1, 10), lang=st.sampled_from((None, "en", "zh")),
          prio=st.sampled_from((0, 5)))
    def arrive(self, queue: str, skills: list[str], minp: int, lang: str | None, prio: int) -> None:
        self.n += 1
        call = WaitingCall(f"c{self.n}", queue, tuple(skills), minp, lang, prio, self.t)
        self.calls[call.id] = call
        self.arrived[call.id] = self.t
        self.send(CallArrived(self.t, call))

    @rule(k=st.integers(1, 50))
    def leave(self, k: int) -> None:
        self.send(CallLeft(self.t, f"c{k}"))

    @rule(k=st.integers(1, 50))
    def callback(self, k: int) -> None:
        self.send(CallbackRequested(self.t, f"c{k}", "+8613800000000"))

    @precondition(lambda self: bool(self.offers))
    @rule(data=st.data(), what=st.sampled_from(("accept", "ring", "rona", "busy")))
    def answer(self, data: st.DataObject, what: str) -> None:
        agent = data.draw(st.sampled_from(sorted(self.offers)))
        call = self.offers[agent]
        if what == "accept":
            self.send(OfferAccepted(self.t, call, agent))
            self.offers.pop(agent, None)
        elif what == "ring":
            self.send(OfferRinging(self.t, call, agent))
        else:
            self.offers.pop(agent, None)
            self.send(OfferFailed(self.t, call, agent, what))

    @rule(i=st.integers(0, 5), what=st.sampled_from(("end", "hold", "resume", "wrap", "extend")))
    def on_call(self, i: int, what: str) -> None:
        rec = self.router.agents.get(f"a{i}")
        cid = rec.call_id if rec is not None else None
        aid = f"a{i}"
        event: RouterEvent = {
            "end": lambda: CallEnded(self.t, cid or "none", aid),
            "hold": lambda: CallHeld(self.t, aid), "resume": lambda: CallResumed(self.t, aid),
            "wrap": lambda: WrapUpDone(self.t, aid), "extend": lambda: WrapUpExtend(self.t, aid, 4),
        }[what]()
        self.send(event)

    @rule(i=st.integers(0, 5), queue=st.sampled_from(sorted(QUEUES)))
    def take(self, i: int, queue: str) -> None:
        """A colleague's transfer (or a conference) lands on agent a<i>."""
        self.x += 1
        aid, cid = f"a{i}", f"x{self.x}"
        rec = self.router.agents.get(aid)
        before = rec.state.value if rec is not None else "logged_out"
        out = self.send(AgentTookCall(self.t, aid, cid, queue))
        refused = any(isinstance(c, Rejection) for c in out)
        assert refused == (before in ("logged_out", "on_call", "on_hold")), (before, out)
        if not refused:
            self.taken[aid] = cid
            assert aid not in self.offers, "a pending offer must be withdrawn"

    @rule(i=st.integers(0, 5))
    def transfer_rings(self, i: int) -> None:
        """A colleague's transfer rings agent a<i>'s phone (it may land, be given up or expire)."""
        self.x += 1
        aid, cid = f"a{i}", f"x{self.x}"
        if aid in self.router.agents:
            self.send(TransferRinging(self.t, aid, cid, 15.0))
            self.expecting[aid] = (cid, self.t + 15.0)

    @precondition(lambda self: bool(self.expecting))
    @rule(data=st.data(), land=st.booleans(), queue=st.sampled_from(sorted(QUEUES)))
    def transfer_ends(self, data: st.DataObject, land: bool, queue: str) -> None:
        aid = data.draw(st.sampled_from(sorted(self.expecting)))
        cid, _ = self.expecting.pop(aid)
        if land:
            out = self.send(AgentTookCall(self.t, aid, cid, queue))
            if not any(isinstance(c, Rejection) for c in out):
                self.taken[aid] = cid
        else:
            self.send(TransferGone(self.t, aid, cid))

    @rule(dt=st.floats(0.0, 45.0))
    def tick(self, dt: float) -> None:
        self.t += dt
        self.send(Tick(self.t))

    @invariant()
    def offers_match_agent_states(self) -> None:
        for aid, rec in self.router.agents.items():
            offered = rec.state.value in ("reserved", "ringing")
            assert offered == (aid in self.offers), (aid, rec.state, self.offers)

    @invariant()
    def agents_on_taken_calls_are_busy_with_them(self) -> None:
        for aid, cid in self.taken.items():
            rec = self.router.agents[aid]
            assert rec.state.value in ("on_call", "on_hold") and rec.call_id == cid, (aid, rec.state)
            assert not rec.indexed, "an agent on a transferred call is in the ready index"

    @invariant()
    def no_call_waits_while_an_eligible_agent_is_ready(self) -> None:
        r = self.router
        for rec in r.calls.values():
            if not rec.seq:
                continue
            for a in r.agents.values():
                if a.state.value == "ready" and rec.queue in a.agent.queues and a.expecting is None:
                    assert score(a.agent, rec.req) is None, (rec.call, a.agent, rec.req)


RouterMachine.TestCase.settings = settings(
    max_examples=150, stateful_step_count=60, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
test_router_invariants = RouterMachine.TestCase
