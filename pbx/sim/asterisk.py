"""SimAsterisk: the simulated Asterisk 22 that the hotline backend talks to.

It adds the AMI server and the public API to :class:`pbx.sim.core.SimCore` (the
simulated clock, the channel table, the phones), and is the only module of the
simulator that sees both the AMI side and the call flows. Same seed and
same actions give the same event sequence (ids and times aside).
"""

from __future__ import annotations

import asyncio
import contextlib

from pbx.ami.codec import AmiMessage

from .actions import Actions
from .channels import IdAllocator
from .config import AgentPhone, CalleeScript, CallerScript, SimConfig
from .core import SimCore
from .dialplan import start_inbound_call, terminate
from .server import AmiServer, AmiSession


class SimAsterisk(SimCore):
    def __init__(self, config: SimConfig | None = None) -> None:
        self.server = AmiServer(self.now, self._on_action)
        super().__init__(config or SimConfig(), self.server.broadcast)
        self.actions = Actions(self)

    async def _on_action(self, session: AmiSession, msg: AmiMessage) -> None:
        await self.actions.handle(session, msg)

    # --- public API -----------------------------------------------------------------

    @property
    def ami_port(self) -> int:
        return self.server.port

    @property
    def chunk_size(self) -> int | None:
        return self.server.chunk_size

    @chunk_size.setter
    def chunk_size(self, n: int | None) -> None:
        self.server.chunk_size = n

    async def start(self) -> None:
        self._loop_t0 = asyncio.get_running_loop().time()
        self.running = True
        await self.server.start(self.config.ami_host, self.config.ami_port)

    async def stop(self) -> None:
        self.running = False
        for ch in list(self.channels.values()):
            self._kill(ch)
        for t in list(self._tasks):
            t.cancel()
        for t in list(self._tasks):
            with contextlib.suppress(BaseException):
                await t
        await self.server.close()

    def add_agent_phone(self, phone: AgentPhone) -> None:
        self.phones[phone.endpoint] = phone
        self.emit.device_states.setdefault(f"PJSIP/{phone.endpoint}", "NOT_INUSE")

    def add_callee(self, number: str, script: CalleeScript) -> None:
        """What the customer at ``number`` does when dialed through the trunk; numbers
        without a script are drawn from ``SimConfig.callees``."""
        self.callees[number] = script

    async def place_call(self, script: CallerScript) -> str:
        """Start a scripted inbound call; returns the caller channel's name once its
        ``Newchannel`` has been sent."""
        return start_inbound_call(self, script).name

    def drop_ami_connections(self) -> None:
        """Network failure: every AMI connection is cut, no Shutdown; calls go on."""
        self.server.drop_all()

    def inject_garbage(self, data: bytes) -> None:
        self.server.inject(data)

    async def restart(self) -> None:
        """``core restart now`` (ami-11): every channel is hung up, ``Shutdown``
        (Restart: True) is sent, connections close, connects are refused for a while,
        then a fresh Asterisk listens on the same port with numbering reset."""
        for ch in list(self.channels.values()):
            self.emit.soft_hangup_request(ch, 4)
            terminate(self, ch, cause=0, how="restart")
        self.emit.event("Shutdown", [("Shutdown", "Cleanly"), ("Restart", "True")],
                        privilege="system,all")
        await self.sleep(self.config.restart_eof_s)
        self.server.close_all_after_flush()
        await asyncio.sleep(0.01)
        port = self.server.port
        await self.server.close()
        await self.sleep(self.config.restart_refuse_s)
        self.ids = IdAllocator()
        self._boot_at = self.now()
        await self.server.start(self.config.ami_host, port)
