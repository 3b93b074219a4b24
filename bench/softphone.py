"""From the offer to the console's phone ringing, on the browser test's real SIP stack.

The stack (as tests/e2e/test_softphone_browser.py): Kamailio (SIP over WebSocket registrar and
proxy, tests/e2e/softphone/kamailio.cfg), the console app under uvicorn, Debian's Chromium
with fake media running the agent page, whose JsSIP phone registered over WebSocket with the
password the backend issued (Kamailio challenges it). The caller is a baresip offering WebRTC
media (ICE, DTLS-SRTP), as Asterisk's agent leg would.

One call: the caller is told to dial (t0: the command leaves for baresip's control socket;
baresip gathers its ICE candidates and sends the INVITE); it goes through Kamailio to the
callee. The caller hangs up (CANCEL) once the callee rings, and the next call starts once both
ends are idle again.

- ours: the callee is the console's phone; t1 = JsSIP's incoming session in the page (the
  phone's ``ringing`` event, when it shows the call and starts the ring tone). Also the 180
  Ringing back at the caller (JsSIP sends it), for the like-for-like figure below.
- peer: the callee is a plain SIP phone, baresip over UDP, registered to the same Kamailio the
  same way (digest-challenged account), same caller, same offer; t1 = its incoming call (the
  event on its control socket), and its 180 Ringing back at the caller. (The 180 figures are
  alike on both sides: about 40 ms of them is the caller's own handling of the 180.)

Calls alternate ours / peer, so both see the same machine load. Clocks: the page's times are
``performance.timeOrigin + performance.now()`` (epoch ms), the rest ``time.time()``; before each
call the page clock's offset from ours is measured (bracketed reads) and taken off.

    .venv/bin/python bench/softphone.py [--calls 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "e2e"))

from hotline.phones import sip_password  # noqa: E402
from hotline.settings import Settings  # noqa: E402
from tests.browser_support import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.console.conftest import PASSWORD, _seed  # noqa: E402
from tests.console.live import live_server  # noqa: E402
from tests.e2e.softphone.sipstack import Baresip, Kamailio, tone_wav  # noqa: E402

SECRET = "softphone-bench-secret-key-0123456789"
AGENT = "1001"  # alice in the console tests' seed
PEER = "1999"  # the plain SIP phone's account: agent1999
MEDIA = "mediaenc=dtls_srtp;medianat=ice;audio_codecs=PCMU"
TARGET_MS = 300.0


def pct(xs: list[float], p: float) -> float:
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1]


def missing_tools() -> list[str]:
    need = [t for t in ("kamailio", "baresip") if shutil.which(t) is None]
    if not CHROMIUM.exists():
        need.append(str(CHROMIUM))
    if not list(Path("/usr/lib").glob("*/kamailio/modules/websocket.so")):
        need.append("kamailio-websocket-modules")
    return need


class Bench:
    def __init__(self, page: Any, caller: Baresip, peer: Baresip, kam: Kamailio) -> None:
        self.page, self.caller, self.peer, self.kam = page, caller, peer, kam
        self.uri = lambda n: f"sip:agent{n}@127.0.0.1:{kam.udp_port}"
        # every ring of the page's phone, in order (hotlinePhone.events is a bounded log)
        page.evaluate("""window.benchRings = [];
            window.addEventListener('hotline:phone', (e) => {
              if (e.detail.type === 'ringing') window.benchRings.push(e.detail.at); });""")

    def page_clock_offset(self) -> float:
        """The page's epoch clock minus ours, in s: Chromium's timeOrigin is not the system
        clock to the millisecond (it was tens of ms off here); bracketed by two reads of ours."""
        best = (float("inf"), 0.0)
        for _ in range(5):
            a = time.time()
            page = self.page.evaluate("performance.timeOrigin + performance.now()") / 1000.0
            b = time.time()
            best = min(best, (b - a, page - (a + b) / 2))
        return best[1]

    def _hang_up(self, mark: int) -> None:
        self.caller.hangup()
        self.caller.ctl.event("CALL_CLOSED", after=mark)

    def ours(self) -> tuple[float, float]:
        """(offer -> the page's phone rings, offer -> 180 at the caller), in ms."""
        offset = self.page_clock_offset()
        rings = self.page.evaluate("benchRings.length")
        mark = len(self.caller.ctl.events)
        t0 = self.caller.dial(self.uri(AGENT))
        t180 = self.caller.ctl.event("CALL_RINGING", after=mark)["_at"]
        self.page.wait_for_function(f"benchRings.length > {rings}")
        t_ring = self.page.evaluate(f"benchRings[{rings}]") / 1000.0 - offset
        self._hang_up(mark)
        self.page.wait_for_selector('#phone-status[data-call="idle"]')
        return (t_ring - t0) * 1000, (t180 - t0) * 1000

    def plain(self) -> tuple[float, float]:
        """(offer -> the plain SIP phone rings, offer -> its 180 at the caller), in ms."""
        mark, pmark = len(self.caller.ctl.events), len(self.peer.ctl.events)
        t0 = self.caller.dial(self.uri(PEER))
        t180 = self.caller.ctl.event("CALL_RINGING", after=mark)["_at"]
        t_ring = self.peer.ctl.event("CALL_INCOMING", after=pmark)["_at"]
        self._hang_up(mark)
        self.peer.ctl.event("CALL_CLOSED", after=pmark)
        return (t_ring - t0) * 1000, (t180 - t0) * 1000


def run(calls: int, tmp: Path) -> list[dict[str, Any]]:
    from playwright.sync_api import sync_playwright

    db = tmp / "console.db"
    asyncio.run(_seed(f"sqlite+aiosqlite:///{db}"))
    tone = tone_wav(tmp / "tone.wav", seconds=5.0)
    kam = Kamailio.start(tmp / "kamailio", agent=AGENT, password=sip_password(SECRET, AGENT),
                         peer=(f"agent{PEER}", sip_password(SECRET, PEER)))
    started: list[Baresip] = []
    try:
        proxy = f'outbound="sip:127.0.0.1:{kam.udp_port}"'
        caller = Baresip.start(tmp / "caller", source_wav=tone,
                               account=f"<sip:caller@127.0.0.1>;regint=0;{proxy};{MEDIA}")
        started.append(caller)
        peer = Baresip.start(tmp / "peer", source_wav=tone, account=(
            f"<sip:agent{PEER}@127.0.0.1>;auth_pass={sip_password(SECRET, PEER)};{proxy};"
            f"regint=600;{MEDIA}"))
        started.append(peer)
        # (it may register before our control socket connects: Kamailio's log says so either way)
        kam.log.wait_for(f"REGISTER of agent{PEER} authenticated", timeout=10)
        settings = Settings(secret_key=SECRET, webrtc_agents=AGENT, webrtc_ws_uri=kam.ws_uri,
                            webrtc_sip_domain="127.0.0.1")
        with live_server(db, settings=settings) as live, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=[
                *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                "--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page()
            page.goto(f"{live.url}/login")
            page.fill("#username", "alice")
            page.fill("#password", PASSWORD)
            page.click("#sign-in")
            page.wait_for_selector('#phone-reg[data-state="registered"]', timeout=15_000)
            b = Bench(page, caller, peer, kam)
            for _ in range(3):  # warm-up: first-call costs (JIT, TLS of DTLS certificates) on both sides
                b.ours()
                b.plain()
            ring, ours180, peer_ring, peer180 = [], [], [], []

            def plain() -> None:
                r, c = b.plain()
                peer_ring.append(r)
                peer180.append(c)

            for i in range(calls):
                if i % 2:
                    plain()
                r, c = b.ours()
                ring.append(r)
                ours180.append(c)
                if not i % 2:
                    plain()
                print(f"\rcall {i + 1}/{calls}", end="", file=sys.stderr, flush=True)
            print(file=sys.stderr)
            browser.close()
    finally:
        for p in started:
            p.stop()
        kam.stop()

    peer_name = "baresip 1.0 as the callee (plain SIP phone over UDP, same Kamailio, same caller)"
    print(f"offer -> ringing over {calls} calls to each callee (ms):")
    for what, xs in [("ours: the console's phone rings (JsSIP session in the page)", ring),
                     ("peer: the plain SIP phone rings (baresip's incoming call)  ", peer_ring),
                     ("ours: its 180 Ringing back at the caller                   ", ours180),
                     ("peer: its 180 Ringing back at the caller                   ", peer180)]:
        print(f"  {what}  p50 {pct(xs, 50):6.1f}  p99 {pct(xs, 99):6.1f}  max {max(xs):6.1f}")
    out = []
    for metric, o, p, target, ok in [
        ("offer_to_ringing_p50_ms", pct(ring, 50), pct(peer_ring, 50), "p50 < 300 ms", pct(ring, 50) < TARGET_MS),
        ("offer_to_ringing_p99_ms", pct(ring, 99), pct(peer_ring, 99), "p99 < 300 ms", pct(ring, 99) < TARGET_MS),
        ("offer_to_180_p50_ms", pct(ours180, 50), pct(peer180, 50), "like for like: 180 at the caller", True),
        ("offer_to_180_p99_ms", pct(ours180, 99), pct(peer180, 99), "like for like: 180 at the caller", True),
    ]:
        out.append({"bench": "softphone", "metric": metric, "ours": round(o, 1), "peer": round(p, 1),
                    "peer_name": peer_name, "ratio": round(o / p, 3) if p else None, "target": target,
                    "ok": bool(ok)})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--calls", type=int, default=50, help="calls to each callee (default 50)")
    args = ap.parse_args()
    if args.calls < 2:
        ap.error("--calls must be at least 2 (a p99 needs two figures)")
    need = missing_tools()
    if need:
        sys.exit(f"softphone bench: not installed: {', '.join(need)} (.ci/run installs them from Debian)")
    with tempfile.TemporaryDirectory(prefix="bench-softphone-") as tmp:
        lines = run(args.calls, Path(tmp))
    for line in lines:
        print(json.dumps(line, ensure_ascii=False))


if __name__ == "__main__":
    main()
