"""Checks of the WebRTC part of a rendered directory (``hotline asterisk-conf check``).

An endpoint with ``webrtc=yes`` needs: the WSS transport in pjsip.conf, Asterisk's HTTP
server with TLS in http.conf, a certificate and key that exist (checked on this machine when
``certs`` is true, i.e. when the check runs on the Asterisk box), its aor and auth sections,
a browser codec (opus or G.711), ICE in rtp.conf, and the websocket modules required.
Every agent named in ``agents`` must have an endpoint. Given the settings' browser agents
(``webrtc_agents``) and ``secret_key``, the endpoints must be WebRTC exactly for those agents
and their passwords must be the ones the console issues, or the console's phone cannot register.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from asterisk_conf.finding import Finding
from hotline.phones import sip_password

_SECTION = re.compile(r"^\[([^\]]+)\](?:\(([^)]*)\))?\s*$")


def sections(text: str) -> dict[str, list[dict[str, str]]]:
    """Section name -> its bodies (PJSIP reuses a name for endpoint, aor: one dict each)."""
    out: dict[str, list[dict[str, str]]] = {}
    body: dict[str, str] | None = None
    for raw in text.splitlines():
        line = raw.split(";", 1)[0].strip()
        if not line:
            continue
        if m := _SECTION.match(line):
            body = {"__templates__": m[2] or ""}
            out.setdefault(m[1], []).append(body)
        elif body is not None and "=" in line:
            key, _, value = line.partition("=")
            key = key.strip().rstrip(">")
            body[key] = f"{body[key]},{value.strip()}" if key == "allow" and key in body else value.strip()
    return out


def _kind(body: dict[str, str], secs: dict[str, list[dict[str, str]]]) -> str:
    if "type" in body:
        return body["type"]
    for parent in filter(None, (t.strip() for t in body["__templates__"].split(","))):
        for pb in secs.get(parent, []):
            if "type" in pb:
                return pb["type"]
    return ""


def check_webrtc(directory: Path, *, certs: bool = True, agents: Iterable[str] = (),
                 webrtc_agents: frozenset[str] | None = None, secret_key: str | None = None,
                 ws_uri: str | None = None) -> list[Finding]:
    pjsip = sections((directory / "pjsip.conf").read_text(encoding="utf-8"))
    endpoints = {name: b for name, bodies in pjsip.items() for b in bodies if _kind(b, pjsip) == "endpoint"}
    found: list[Finding] = []
    for n in agents:
        if f"agent{n}" not in endpoints:
            found.append(Finding("error", f"pjsip.conf has no endpoint agent{n} for agent {n}"))
    webrtc = {n: b for n, b in endpoints.items() if b.get("webrtc", "").lower() == "yes"}
    if webrtc_agents is not None:
        found += _settings_agree(pjsip, endpoints, set(webrtc), webrtc_agents, secret_key)
    if not webrtc:
        return found
    transports = {n: b for n, bodies in pjsip.items() for b in bodies if b.get("type") == "transport"}
    wss = [n for n, b in transports.items() if b.get("protocol") == "wss"]
    if not wss:
        found.append(Finding("error", "WebRTC endpoints need a transport with protocol=wss in pjsip.conf"))
    http_path = directory / "http.conf"
    http = sections(http_path.read_text(encoding="utf-8")).get("general", [{}])[0] if http_path.is_file() else {}
    if http.get("enabled") != "yes" or http.get("tlsenable") != "yes":
        found.append(Finding("error", "http.conf must have enabled=yes and tlsenable=yes for WSS"))
    if ws_uri is not None:
        found += _ws_uri_agrees(ws_uri, http.get("tlsbindaddr", ""))
    cert_paths = {("http.conf", "tlscertfile"): http.get("tlscertfile", ""),
                  ("http.conf", "tlsprivatekey"): http.get("tlsprivatekey", "")}
    for name, b in sorted(webrtc.items()):
        if wss and b.get("transport") not in wss:
            found.append(Finding("error", f"endpoint {name} is webrtc=yes but not on the wss transport"))
        codecs = {c.strip() for c in b.get("allow", "").split(",")}
        if not codecs & {"opus", "ulaw", "alaw"}:
            found.append(Finding("error", f"endpoint {name} allows no browser codec (opus, ulaw, alaw)"))
        for key in ("aors", "auth"):
            ref = b.get(key)
            kinds = {_kind(x, pjsip) for x in pjsip.get(ref or "", [])}
            if not ref or ("aor" if key == "aors" else "auth") not in kinds:
                found.append(Finding("error", f"endpoint {name}: {key}={ref or ''} names no {key[:-1] if key == 'aors' else key} section"))
        cert_paths[(f"endpoint {name}", "dtls_cert_file")] = b.get("dtls_cert_file", "")
        cert_paths[(f"endpoint {name}", "dtls_private_key")] = b.get("dtls_private_key", "")
    for (where, key), path in sorted(cert_paths.items()):
        if not path:
            found.append(Finding("error", f"{where}: {key} is not set"))
        elif certs and not Path(path).is_file():
            found.append(Finding("error", f"{where}: {key}={path} does not exist (make a lab one with "
                                          "`hotline asterisk-conf cert`)"))
    rtp_path = directory / "rtp.conf"
    rtp = sections(rtp_path.read_text(encoding="utf-8")).get("general", [{}])[0] if rtp_path.is_file() else {}
    if rtp.get("icesupport") != "yes":
        found.append(Finding("error", "rtp.conf must have icesupport=yes for WebRTC phones"))
    modules = (directory / "modules.conf").read_text(encoding="utf-8") if (directory / "modules.conf").is_file() else ""
    for mod in ("res_http_websocket.so", "res_pjsip_transport_websocket.so"):
        if f"noload={mod}" in modules or ("autoload=no" in modules and f"load={mod}" not in modules):
            found.append(Finding("error", f"modules.conf does not load {mod}"))
    return found


def _settings_agree(pjsip: dict[str, list[dict[str, str]]], endpoints: dict[str, dict[str, str]],
                    webrtc: set[str], wanted: frozenset[str], secret_key: str | None) -> list[Finding]:
    """The rendered agent endpoints against HOTLINE_WEBRTC_AGENTS and HOTLINE_SECRET_KEY."""
    found: list[Finding] = []
    if webrtc and not wanted:
        return [Finding("warning", f"pjsip.conf has WebRTC endpoints ({', '.join(sorted(webrtc))}) but "
                                   "HOTLINE_WEBRTC_AGENTS is empty, so the console gives nobody a phone")]
    for name in sorted(n for n in endpoints if re.fullmatch(r"agent\d+", n)):
        agent = name[len("agent"):]
        if (agent in wanted) != (name in webrtc):
            what = "a browser phone" if agent in wanted else "a SIP phone"
            found.append(Finding("error", f"HOTLINE_WEBRTC_AGENTS gives agent {agent} {what} but endpoint "
                                          f"{name} is {'not ' if name not in webrtc else ''}webrtc=yes; "
                                          "render again with the same settings"))
        if secret_key is None or name not in webrtc:
            continue
        auth = [b for b in pjsip.get(endpoints[name].get("auth", ""), []) if b.get("type") == "auth"]
        if auth and auth[0].get("password") != sip_password(secret_key, agent):
            found.append(Finding("error", f"{endpoints[name]['auth']}: the password is not the one the console "
                                          "issues; render again with the same HOTLINE_SECRET_KEY"))
    return found


def _ws_uri_agrees(ws_uri: str, tlsbindaddr: str) -> list[Finding]:
    """HOTLINE_WEBRTC_WS_URI (what the console tells browsers) against http.conf's WSS server."""
    if not ws_uri:
        return [Finding("warning", "HOTLINE_WEBRTC_WS_URI is empty, so the console's phones have no server "
                                   "to connect to; set it to wss://<asterisk host>:8089/ws")]
    url = urlsplit(ws_uri)
    found: list[Finding] = []
    if url.scheme != "wss":
        found.append(Finding("warning", f"HOTLINE_WEBRTC_WS_URI={ws_uri} is not wss://: Asterisk serves "
                                        "WebSocket SIP on its TLS port and browsers need TLS off localhost"))
    port = url.port or (443 if url.scheme == "wss" else 80)
    served = tlsbindaddr.rpartition(":")[2]
    if served.isdigit() and int(served) != port:
        found.append(Finding("error", f"HOTLINE_WEBRTC_WS_URI={ws_uri} uses port {port} but http.conf serves "
                                      f"WSS on {served} (tlsbindaddr={tlsbindaddr}); make them the same"))
    if url.path.rstrip("/") != "/ws":
        found.append(Finding("error", f"HOTLINE_WEBRTC_WS_URI={ws_uri}: Asterisk's WebSocket path is /ws"))
    return found
