"""ChanSpy via Originate (ami-08): ``Data: <channel prefix>,<options>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import Channel, How, SpyState
from .dialplan import terminate

if TYPE_CHECKING:
    from .core import SimCore


def _state(sim: SimCore, ch: Channel) -> SpyState:
    """``ch``'s spy state; the first time, its hang-up hooks: a spy that hangs up stops
    spying, a spied channel that hangs up ends its spies' sessions."""
    if ch.spy is None:
        ch.spy = SpyState()

        def spy_leaves(cause: int, how: How) -> None:
            stop_spy(sim, ch)

        def spyee_leaves(cause: int, how: How) -> None:
            spyee_gone(sim, ch)

        ch.hooks.leaving.append(spy_leaves)
        ch.hooks.gone.append(spyee_leaves)
    return ch.spy


def start_spy(sim: SimCore, spyer: Channel, data: str) -> None:
    prefix = data.split(",")[0]
    spyee = next((c for c in sim.channels.values()
                  if c is not spyer and c.alive and c.name.startswith(prefix)), None)
    if spyee is None:
        # ChanSpy finds nobody: it keeps scanning until the supervisor hangs up.
        return
    _state(sim, spyer).spyee = spyee
    _state(sim, spyee).spyers.append(spyer)
    sim.emit.event("ChanSpyStart", [*spyer.snapshot("Spyer"), *spyee.snapshot("Spyee")])


def spying(ch: Channel) -> bool:
    """``ch`` is a spy with a session going."""
    return ch.spy is not None and ch.spy.spyee is not None


def stop_spy(sim: SimCore, spyer: Channel) -> None:
    state = spyer.spy
    spyee = state.spyee if state is not None else None
    if state is None or spyee is None:
        return
    state.spyee = None
    sim.emit.event("ChanSpyStop", [*spyer.snapshot("Spyer"), *spyee.snapshot("Spyee")])
    spyers = spyee.spy.spyers if spyee.spy is not None else []
    if spyer in spyers:
        spyers.remove(spyer)


def spyee_gone(sim: SimCore, spyee: Channel) -> None:
    """The spied channel hung up: the sessions end and the supervisors are hung up."""
    for spyer in list(spyee.spy.spyers if spyee.spy is not None else []):
        stop_spy(sim, spyer)
        terminate(sim, spyer, 0, "dialplan")
