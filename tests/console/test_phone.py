"""GET /api/agent/phone: the browser phone's account, issued by the backend to its agent only."""

from __future__ import annotations

from asterisk_conf.check_webrtc import sections
from asterisk_conf.render import SiteOptions, render_all
from hotline.settings import Settings

WEBRTC = Settings(webrtc_agents="1001", webrtc_ws_uri="wss://pbx.lab.example:8089/ws",
                  webrtc_ice_servers=["stun:stun.lab.example:3478"], secret_key="k" * 32)


def _use(console, settings: Settings) -> None:
    console.app.state.console.settings = settings


def test_a_webrtc_agent_gets_the_password_asterisk_conf_renders(console):
    _use(console, WEBRTC)
    r = console.client.get("/api/agent/phone", headers=console.auth("alice"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    phone = r.json()
    pjsip = sections(render_all(WEBRTC, SiteOptions(agents=("1001", "1002"), webrtc_agents=("1001",)))["pjsip.conf"])
    assert phone == {"webrtc": True, "ws_uri": "wss://pbx.lab.example:8089/ws",
                     "sip_uri": "sip:agent1001@pbx.lab.example", "username": "agent1001",
                     "password": pjsip["agent1001-auth"][0]["password"], "display_name": "张安娜",
                     "ice_servers": [{"urls": ["stun:stun.lab.example:3478"]}]}
    # another secret key, another password: nothing of it is fixed in the page or the code
    _use(console, WEBRTC.model_copy(update={"secret_key": "other" * 8}))
    assert console.client.get("/api/agent/phone", headers=console.auth("alice")).json()["password"] != phone["password"]


def test_a_hard_phone_agent_gets_no_phone_and_others_none_at_all(console):
    _use(console, WEBRTC)
    assert console.client.get("/api/agent/phone", headers=console.auth("bob")).json() == {"webrtc": False}
    assert console.client.get("/api/agent/phone", headers=console.auth("sup")).status_code == 403
    assert console.client.get("/api/agent/phone").status_code == 401
    lead = console.client.get("/api/agent/phone", headers=console.auth("lead"))
    assert lead.status_code == 409 and "not linked to an ACD agent" in lead.json()["detail"]


def test_a_webrtc_agent_without_a_phone_server_is_told_what_to_set(console):
    _use(console, Settings(webrtc_agents="1001"))
    r = console.client.get("/api/agent/phone", headers=console.auth("alice"))
    assert r.status_code == 409 and "HOTLINE_WEBRTC_WS_URI" in r.json()["detail"]
    zh = console.client.get("/api/agent/phone", headers={**console.auth("alice"), "Accept-Language": "zh-CN"})
    assert zh.json()["detail"] == "网页话机服务器未配置，请联系管理员设置 HOTLINE_WEBRTC_WS_URI。"
    _use(console, Settings(webrtc_agents="1001", webrtc_ws_uri="wss://pbx:8089/ws", webrtc_sip_domain="lab.example"))
    assert console.client.get("/api/agent/phone", headers=console.auth("alice")).json()["sip_uri"] == "sip:agent1001@lab.example"


def test_the_phone_is_the_extension_the_acd_rings_not_the_agent_id(console):
    """The demo's agents are a1001.. with extension 1001..: the ACD rings PJSIP/agent1001, so
    that is the endpoint the browser must register as (and the one render writes)."""
    from sqlalchemy import update

    from agent_console.models import User
    from hotline.phones import phone_number, sip_password

    assert phone_number("PJSIP/agent1001", "x") == "1001" and phone_number("1002", "a1002") == "1002"
    assert phone_number(None, "1003") == "1003"

    async def renumber() -> None:
        async with console.engine.begin() as conn:
            await conn.execute(update(User).where(User.username == "alice").values(extension="2001"))

    console.run(renumber)
    _use(console, WEBRTC.model_copy(update={"webrtc_agents": "2001"}))
    phone = console.client.get("/api/agent/phone", headers=console.auth("alice")).json()
    assert phone["sip_uri"] == "sip:agent2001@pbx.lab.example" and phone["username"] == "agent2001"
    assert phone["password"] == sip_password(WEBRTC.secret_key, "2001")
    _use(console, WEBRTC)  # 1001 is alice's agent id, no longer her phone
    assert console.client.get("/api/agent/phone", headers=console.auth("alice")).json() == {"webrtc": False}
