"""Sessions revoked outside this process end the live connections that use them.

Logging out, a password change or a deactivation through this app's API ends the
connections at once (``Hub.kick``); expired sessions are swept by the hub. A session
revoked elsewhere (``hotline users set-password`` from the command line, another worker
process) is only in the database: every ``session_check_interval_s`` one query asks
which of the open connections' sessions are still alive and the others are ended
(close code 1008; the page asks whether it is still signed in, then goes to the login).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from agent_console.hub import Hub

log = logging.getLogger(__name__)

SessionsAlive = Callable[[set[str]], Awaitable[set[str]]]  # token digests -> those still valid


async def end_revoked(hub: Hub, alive: SessionsAlive) -> int:
    """End the connections whose session is gone; how many were ended."""
    digests = {c.token_digest for c in hub.connections if c.token_digest}
    if not digests:
        return 0
    valid = await alive(digests)
    # Connections opened while the query ran were not asked about: they stay.
    gone = [c for c in hub.connections if c.token_digest in digests and c.token_digest not in valid]
    for c in gone:
        hub.detach(c)
    return len(gone)


async def watch_sessions(hub: Hub, alive: SessionsAlive, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await end_revoked(hub, alive)
        except Exception:
            log.exception("checking the open connections' sessions failed; trying again in %s s", interval_s)
