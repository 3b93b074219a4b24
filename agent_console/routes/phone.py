"""The agent's browser phone: the SIP credentials the console's softphone registers with.

Issued per request to the signed-in agent only, never part of a page: the password is derived
server-side (:func:`hotline.phones.sip_password`), the same one ``hotline asterisk-conf render``
writes into pjsip.conf. Agents not in ``HOTLINE_WEBRTC_AGENTS`` have a hard phone and get
``{"webrtc": false}``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, HTTPException, Response, status

from agent_console.deps import AgentUser, Ctx, agent_id_of
from agent_console.schemas import IceServerOut, PhoneOut
from hotline.phones import phone_number, sip_password
from hotline.settings import Settings

router = APIRouter(prefix="/api/agent", tags=["agent"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "not logged in"}, 403: {"description": "role not allowed"},
    409: {"description": "no agent id, or the phone server is not configured"},
}


def phone_for(settings: Settings, agent: str, display_name: str) -> PhoneOut:
    if agent not in settings.webrtc_agent_ids:
        return PhoneOut(webrtc=False)
    if not settings.webrtc_ws_uri:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail="The browser phone server is not configured; ask an admin to set "
                                   "HOTLINE_WEBRTC_WS_URI.")
    domain = settings.webrtc_sip_domain or urlsplit(settings.webrtc_ws_uri).hostname or ""
    return PhoneOut(webrtc=True, ws_uri=settings.webrtc_ws_uri, sip_uri=f"sip:agent{agent}@{domain}",
                    username=f"agent{agent}", password=sip_password(settings.secret_key, agent),
                    display_name=display_name,
                    ice_servers=[IceServerOut(urls=[u]) for u in settings.webrtc_ice_servers])


@router.get("/phone", response_model=PhoneOut, response_model_exclude_none=True, responses=_ERRORS)
async def phone(user: AgentUser, ctx: Ctx, response: Response) -> PhoneOut:
    """The signed-in agent's softphone account (WebRTC agents), or ``{"webrtc": false}``."""
    response.headers["Cache-Control"] = "no-store"  # a password: never cached
    return phone_for(ctx.settings, phone_number(user.extension, agent_id_of(user)), user.display_name)
