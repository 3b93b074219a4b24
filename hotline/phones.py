"""Which agents have a browser phone, and the SIP password each agent's phone uses.

Both sides derive the same facts from the same settings: ``hotline asterisk-conf render``
writes the password into pjsip.conf, the console hands it to the agent's browser at login
(``GET /api/agent/phone``). Nobody types or stores it; a new ``HOTLINE_SECRET_KEY`` changes
every password at once (render again, reload PJSIP).
"""

from __future__ import annotations

import hashlib
import hmac


class AgentListError(ValueError):
    """An agent list such as ``1001-1004,1010`` that cannot be read."""


def parse_agent_list(spec: str) -> tuple[str, ...]:
    """``"1001-1003,1010"`` -> ``("1001", "1002", "1003", "1010")`` (order kept, no repeats)."""
    out: list[str] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        lo, _, hi = part.partition("-")
        if not lo.isdigit() or (hi and not hi.isdigit()) or (hi and int(hi) < int(lo)):
            raise AgentListError(f"agents: {part!r} is not a number or a range like 1001-1004")
        if hi and int(hi) - int(lo) > 100_000:
            raise AgentListError(f"agents: {part!r} spans more than 100000 numbers")
        out += [str(n) for n in range(int(lo), int(hi or lo) + 1)]
    return tuple(dict.fromkeys(out))


def phone_number(extension: str | None, agent: str) -> str:
    """The number of the agent's phone endpoint (``agentNNNN``): the digits of the user's
    extension (``1001``, ``PJSIP/agent1001``), else the agent id. The ACD dials the same one."""
    name = (extension or "").rpartition("/")[2]
    return "".join(c for c in name if c.isdigit()) or agent


def sip_password(secret_key: str, agent: str) -> str:
    """The agent's SIP password: HMAC-SHA256 of its endpoint name under the secret key, 20 hex."""
    mac = hmac.new(secret_key.encode(), f"pjsip:agent{agent}".encode(), hashlib.sha256)
    return mac.hexdigest()[:20]
