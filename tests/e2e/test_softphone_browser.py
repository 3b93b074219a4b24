"""The console's browser phone on a real SIP stack: no mocked SIP, no mocked media.

What is real: Debian's Chromium (fake microphone: its beep; fake permission prompt), the agent
page served by the real console app (uvicorn), JsSIP registering over WebSocket to a real
Kamailio (registrar + proxy, ``softphone/kamailio.cfg``) with the password the backend issues
(Kamailio challenges it), and a real SIP UA, baresip, calling over UDP through Kamailio. The
media is real WebRTC: ICE, DTLS-SRTP and rtcp-mux between Chromium and baresip (which speaks
all three), PCMU both ways. The ACD is the console tests' fake centre (only for the pop that
arms auto-answer): the call itself does not come from Asterisk here.
"""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import soundfile as sf
from e2e_stack import expect_state, login, shot

from hotline.phones import sip_password
from hotline.settings import Settings
from tests.browser_support import CHROMIUM_ARGS, require_chromium
from tests.console.conftest import PASSWORD, _seed
from tests.console.live import Live, live_server
from tests.e2e.softphone.sipstack import (
    Baresip,
    Kamailio,
    Sipp,
    free_port,
    require_sip_stack,
    tone_wav,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SECRET = "softphone-e2e-secret-key-0123456789"
AGENT = "1001"  # alice in the console tests' seed
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--autoplay-policy=no-user-gesture-required"]


@dataclass
class PhoneStack:
    kam: Kamailio
    far: Baresip
    live: Live
    tmp: Path

    @property
    def agent_uri(self) -> str:
        return f"sip:agent{AGENT}@127.0.0.1:{self.kam.udp_port}"


@pytest.fixture(scope="module")
def phone(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PhoneStack]:
    require_chromium()
    require_sip_stack()
    tmp = tmp_path_factory.mktemp("softphone")
    db = tmp / "console.db"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{db}"))
    kam = Kamailio.start(tmp / "kamailio", agent=AGENT, password=sip_password(SECRET, AGENT))
    far = None
    try:
        far = Baresip.start(tmp / "far", source_wav=tone_wav(tmp / "tone.wav"), account=(
            f'<sip:caller@127.0.0.1>;regint=0;outbound="sip:127.0.0.1:{kam.udp_port}";'
            "mediaenc=dtls_srtp;medianat=ice;audio_codecs=PCMU"))
        settings = Settings(secret_key=SECRET, webrtc_agents=AGENT, webrtc_ws_uri=kam.ws_uri,
                            webrtc_sip_domain="127.0.0.1")
        with live_server(db, settings=settings) as live:
            s = PhoneStack(kam, far, live, tmp)
            yield s
            kam = s.kam
    finally:
        if far is not None:
            far.stop()
        kam.stop()


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=require_chromium(),
                               args=[*CHROMIUM_ARGS, *MEDIA_ARGS, "--use-fake-ui-for-media-stream"])
        yield pw, b
        b.close()


def open_console(browser: Any, url: str, username: str = "alice", locale: str = "en-US") -> Any:
    ctx = browser.new_context(locale=locale)
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    login(page, url, username, PASSWORD)
    page.wait_for_url(f"{url}/agent")
    return page


def registered(page: Any, timeout: float = 15_000) -> None:
    page.wait_for_selector('#phone-reg[data-state="registered"]', timeout=timeout)


def call_state(page: Any, state: str, timeout: float = 10_000) -> None:
    page.wait_for_selector(f'#phone-status[data-call="{state}"]', timeout=timeout)


def stats_until(page: Any, pred: Any, timeout: float = 10.0) -> dict[str, float]:
    """Poll the call's getStats() until ``pred(stats)`` (or fail with the last figures)."""
    deadline = time.monotonic() + timeout
    while True:
        s = page.evaluate("hotlinePhone.stats()")
        if pred(s):
            return s
        if time.monotonic() > deadline:
            raise AssertionError(f"getStats never satisfied the condition: {s}")
        page.wait_for_timeout(200)


def rms_of(path: Path, timeout: float = 10.0) -> float:
    """RMS of a baresip dump once it is complete (the header is written when the call ends)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            data, _ = sf.read(str(path), dtype="float32")
            if len(data):
                return float(np.sqrt(np.mean(np.square(data))))
        except RuntimeError:
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{path} holds no audio")
        time.sleep(0.1)


def test_the_console_phone_registers_rings_answers_talks_holds_sends_dtmf_and_hangs_up(phone, chromium):
    _, browser = chromium
    page = open_console(browser, phone.live.url)
    registered(page)
    # the credentials came from the backend at login: Kamailio challenged them, and they are
    # nowhere in the page
    password = sip_password(SECRET, AGENT)
    assert phone.kam.log.find(rf"REGISTER of agent{AGENT} authenticated")
    static = Path(__file__).resolve().parents[2] / "agent_console" / "static"
    assert password not in page.content()
    assert not [p.name for p in static.glob("*.*") if password in p.read_text(encoding="utf-8")]

    far, kam = phone.far, phone.kam
    mark = len(far.ctl.events)
    far.dial(phone.agent_uri)
    call_state(page, "ringing")
    assert page.get_attribute("#phone-status", "data-ringing") == "1"
    assert page.evaluate("hotlinePhone.audioCtx.state") == "running"  # the ring tone plays
    assert "caller" in page.text_content("#phone-status")
    far.ctl.event("CALL_RINGING", after=mark)

    page.click("#phone-answer")
    far.ctl.event("CALL_ESTABLISHED", after=mark)
    call_state(page, "talking")
    shot(page, "softphone-talking.png")
    assert page.get_attribute("#phone-status", "data-ringing") == "0"
    assert far.ctl.event("CALL_MENC", after=mark)["param"].startswith("0,audio")  # DTLS-SRTP up

    # audio both ways: the browser receives baresip's tone, baresip receives the browser's mic
    got = stats_until(page, lambda s: s["inboundPackets"] > 50 and s["outboundPackets"] > 50)
    assert got["inboundBytes"] > 0 and got["audioEnergy"] > 0
    rtcp = far.ctl.wait(lambda e: e.get("type") == "CALL_RTCP" and e["rtcp_stats"]["rx"]["sent"] > 20,
                        timeout=15, after=mark)
    assert rtcp["rtcp_stats"]["rx"]["lost"] < rtcp["rtcp_stats"]["rx"]["sent"]

    # hold: a re-INVITE with a=sendonly through Kamailio, offered to the far end
    established = len(far.ctl.events)
    page.click("#phone-hold")
    kam.log.wait_for(r"re-INVITE a=sendonly from .* \(ws\) to sip:caller")
    far.ctl.wait(lambda e: e.get("type") == "CALL_REMOTE_SDP" and e.get("param") == "offer", after=established)
    page.wait_for_selector('#phone-status[data-held="1"]')
    page.click("#phone-hold")  # resume
    page.wait_for_selector('#phone-status[data-held="0"]')
    # baresip answered both re-offers with a=setup:actpass (invalid in an answer, RFC 8842 §5.3);
    # the phone read it as the role baresip already had, so the DTLS association stayed up
    # (the resume's answer can land just after the held flag clears: wait for it, don't race it)
    page.wait_for_function("hotlinePhone.events.filter((e) => e.type === 'sdp_fixed').length >= 2",
                           timeout=10_000)
    fixed = [e for e in page.evaluate("hotlinePhone.events") if e["type"] == "sdp_fixed"]
    assert [e["role"] for e in fixed] == ["passive", "passive"]
    assert not far.log.find("dtls-connection closed")
    before = page.evaluate("hotlinePhone.stats()")
    stats_until(page, lambda s: s["inboundPackets"] > before["inboundPackets"] + 25)

    # DTMF (RFC 4733 telephone-events in the SRTP stream): the far end decodes the keys
    page.click('#phone-keypad button[data-key="5"]')
    assert far.ctl.wait(lambda e: e.get("type") == "CALL_DTMF_START", after=established)["param"] == "5"
    n = len(far.ctl.events)
    page.click('#phone-keypad button[data-key="#"]')
    assert far.ctl.wait(lambda e: e.get("type") == "CALL_DTMF_START", after=n)["param"] == "#"

    page.click("#phone-mute")
    page.wait_for_selector('#phone-status[data-muted="1"]')
    mic = "hotlinePhone.session.connection.getSenders().find((s) => s.track).track.enabled"
    assert page.evaluate(mic) is False  # the microphone track is off: the far end hears silence
    page.click("#phone-mute")
    page.wait_for_selector('#phone-status[data-muted="0"]')
    assert page.evaluate(mic) is True

    page.click("#phone-hangup")
    far.ctl.event("CALL_CLOSED", after=mark)
    call_state(page, "idle")
    # what baresip decoded from the browser is Chromium's fake microphone, not silence
    assert rms_of(far.received_audio()) > 0.005
    types = [e["type"] for e in page.evaluate("hotlinePhone.events")]
    for kind in ("registration", "ringing", "answered", "hold", "unhold", "dtmf", "ended"):
        assert kind in types, types
    assert page.errors == []
    page.context.close()


def test_auto_answer_takes_the_acd_leg_once_the_pop_is_shown(phone, chromium):
    _, browser = chromium
    page = open_console(browser, phone.live.url, locale="zh-CN")
    registered(page)
    assert page.text_content("#phone-reg") == "已注册"
    page.check("#phone-auto")
    page.click("#btn-acd-login")
    expect_state(page, "not_ready")
    page.click("#btn-ready")
    expect_state(page, "ready")

    async def offer() -> None:
        phone.live.center.offer_call(AGENT, "sales", "13800000001", "张安娜")

    phone.live.run(offer)
    page.wait_for_selector("#pop-card:not(.hidden)")
    mark = len(phone.far.ctl.events)
    phone.far.dial(phone.agent_uri)
    phone.far.ctl.event("CALL_ESTABLISHED", after=mark)  # nobody clicked Answer
    call_state(page, "talking")
    assert "auto_answer" in [e["type"] for e in page.evaluate("hotlinePhone.events")]
    phone.far.hangup()  # the far end hangs up: the phone goes idle by itself
    call_state(page, "idle")
    page.context.close()


def test_without_a_pop_auto_answer_lets_it_ring_and_a_hard_phone_agent_gets_no_phone(phone, chromium):
    _, browser = chromium
    page = open_console(browser, phone.live.url)
    registered(page)
    page.check("#phone-auto")
    mark = len(phone.far.ctl.events)
    phone.far.dial(phone.agent_uri)
    call_state(page, "ringing")
    phone.far.ctl.event("CALL_RINGING", after=mark)
    page.click("#phone-hangup")  # decline
    phone.far.ctl.event("CALL_CLOSED", after=mark)
    call_state(page, "idle")
    page.context.close()

    bob = open_console(browser, phone.live.url, username="bob")
    bob.wait_for_load_state("networkidle")  # the first load's fetch done: the one below is the reload's
    with bob.expect_response("**/api/agent/phone") as r:
        bob.reload()
    assert r.value.json() == {"webrtc": False}
    assert bob.get_attribute("#phone-card", "class") == "card hidden"
    assert not bob.evaluate("'JsSIP' in window")
    bob.context.close()


def test_a_denied_microphone_says_what_to_do(phone, chromium):
    pw, _ = chromium
    # no fake permission prompt: headless Chromium denies the microphone
    denied = pw.chromium.launch(executable_path=require_chromium(), args=[*CHROMIUM_ARGS, *MEDIA_ARGS])
    try:
        page = open_console(denied, phone.live.url)
        registered(page)
        mark = len(phone.far.ctl.events)
        phone.far.dial(phone.agent_uri)
        call_state(page, "ringing")
        page.click("#phone-answer")
        page.wait_for_selector('#phone-error[data-key="ph_err_mic_denied"]')
        assert "allow it for this site" in page.text_content("#phone-error")
        phone.far.ctl.event("CALL_CLOSED", after=mark)
        call_state(page, "idle")
    finally:
        denied.close()


def test_a_lost_registration_is_shown_and_the_phone_registers_again(phone, chromium):
    _, browser = chromium
    page = open_console(browser, phone.live.url, locale="zh-CN")
    registered(page)
    phone.kam.stop()
    page.wait_for_selector('#phone-error[data-key="ph_err_reg_lost"]', timeout=10_000)
    assert "正在重连" in page.text_content("#phone-error")
    assert page.get_attribute("#phone-reg", "data-state") != "registered"
    phone.kam = phone.kam.restart()
    registered(page, timeout=40_000)  # JsSIP's reconnect backoff is 1 s doubling to 30 s
    assert page.query_selector("#phone-error") is None
    # and it takes calls again on the new Kamailio
    mark = len(phone.far.ctl.events)
    phone.far.dial(phone.agent_uri)
    call_state(page, "ringing")
    page.click("#phone-hangup")
    phone.far.ctl.event("CALL_CLOSED", after=mark)
    page.context.close()


def test_unreachable_media_is_an_ice_failure_the_agent_is_told_about(phone, chromium):
    """The far end (SIPp) offers WebRTC media whose only candidate is a closed UDP port: every
    connectivity check fails, the phone hangs up and says why, in zh and in en."""
    _, browser = chromium
    page = open_console(browser, phone.live.url, locale="zh-CN")
    registered(page)
    sipp = Sipp.call(phone.tmp / "sipp-ice", "ice_fail.xml", proxy_port=phone.kam.udp_port,
                     service=f"agent{AGENT}", keys={"dead_port": str(free_port(socket.SOCK_DGRAM))})
    call_state(page, "ringing")
    page.click("#phone-answer")
    call_state(page, "talking")
    page.wait_for_selector('#phone-error[data-key="ph_err_ice"]', timeout=60_000)
    assert "ICE 失败" in page.text_content("#phone-error")
    call_state(page, "idle")  # the phone sent BYE: the scenario (which waits for it) completes
    assert sipp.wait(20) == 0, sipp.log.lines[-10:]
    types = [e["type"] for e in page.evaluate("hotlinePhone.events")]
    assert types.index("ice_failed") < types.index("ended")
    shot(page, "softphone-ice-failed-zh.png")
    page.click("#lang")
    page.wait_for_function("document.getElementById('phone-body').dataset.lang === 'en'")
    assert "could not connect (ICE failed)" in page.text_content("#phone-error")
    page.context.close()
