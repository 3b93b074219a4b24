"""ChanSpy via Originate (ami-08): ``Data: <channel prefix>,<options>``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .channels import Channel
from .dialplan import terminate

if TYPE_CHECKING:
    from .core import SimCore


def start_spy(sim: SimCore, spyer: Channel, data: str) -> None:
    prefix = data.split(",")[0]
    spyee = next((c for c in sim.channels.values()
                  if c is not spyer and c.alive and c.name.startswith(prefix)), None)
    if spyee is None:
        # ChanSpy finds nobody: it keeps scanning until the supervisor hangs up.
        return
    spyer.links["spyee"] = spyee
    spyee.links.setdefault("spyers", []).append(spyer)
    sim.emit.event("ChanSpyStart", [*spyer.snapshot("Spyer"), *spyee.snapshot("Spyee")])


def stop_spy(sim: SimCore, spyer: Channel) -> None:
    spyee: Channel | None = spyer.links.pop("spyee", None)
    if spyee is None:
        return
    sim.emit.event("ChanSpyStop", [*spyer.snapshot("Spyer"), *spyee.snapshot("Spyee")])
    spyers = spyee.links.get("spyers", [])
    if spyer in spyers:
        spyers.remove(spyer)


def spyee_gone(sim: SimCore, spyee: Channel) -> None:
    """The spied channel hung up: the sessions end and the supervisors are hung up."""
    for spyer in list(spyee.links.get("spyers", [])):
        stop_spy(sim, spyer)
        terminate(sim, spyer, 0, "dialplan")
