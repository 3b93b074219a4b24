"""Render the Asterisk configuration files from hotline Settings.

Templates live in ``templates/*.tmpl`` with ``{{name}}`` placeholders (so the
dialplan's own ``${VAR}`` needs no escaping). An unknown placeholder is an error.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from hotline.phones import AgentListError, parse_agent_list, sip_password
from hotline.settings import Settings
from pbx.contexts import (
    CONF_BRIDGE_PROFILE,
    CONF_GUEST_PROFILE,
    CONF_PARTY_PROFILE,
    MOH_CLASS,
)

FILES = ("extensions.conf", "manager.conf", "pjsip.conf", "musiconhold.conf", "features.conf",
         "modules.conf", "confbridge.conf", "http.conf", "rtp.conf")
WEBRTC_MODULES = ("res_http_websocket.so", "res_pjsip_transport_websocket.so", "res_srtp.so",
                  "res_rtp_asterisk.so")
# The command for a lab certificate (a real site uses its CA's); docs and `render` print it.
SELF_SIGNED = ("openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj /CN={host} "
               "-addext subjectAltName=DNS:{host} -keyout {key} -out {cert}")
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


class ConfigRenderError(ValueError):
    """A setting cannot be written into the Asterisk configuration."""


@dataclass(frozen=True)
class SiteOptions:
    """What Settings does not hold: facts about the Asterisk box and the carrier."""

    agents: tuple[str, ...] = ("1001", "1002", "1003", "1004")
    sip_bind: str = "0.0.0.0:5060"
    trunk_host: str = "127.0.0.1"
    trunk_match: str = "127.0.0.1"
    recdir: str = "/var/spool/asterisk/monitor"
    moh_dir: str = "moh"
    survey_enabled: bool = False
    hold_max_s: int = 3600  # an agent leg parked while its caller is on hold is hung up after this
    # agents whose phone is the browser console (WebRTC over WSS); the others have SIP phones
    webrtc_agents: tuple[str, ...] = ()
    tls_cert: str = "/etc/asterisk/keys/asterisk.crt"  # on the Asterisk box
    tls_key: str = "/etc/asterisk/keys/asterisk.key"
    https_bind: str = "0.0.0.0"
    https_port: int = 8089
    stun: str = ""  # host:port of a STUN server, for Asterisk behind NAT
    rtp_start: int = 10000
    rtp_end: int = 20000


def parse_agents(spec: str) -> tuple[str, ...]:
    """``"1001-1003,1010"`` -> ``("1001", "1002", "1003", "1010")``."""
    try:
        return parse_agent_list(spec)
    except AgentListError as exc:
        raise ConfigRenderError(str(exc)) from None


def fill(template: str, values: dict[str, str]) -> str:
    def sub(m: re.Match[str]) -> str:
        if m[1] not in values:
            raise ConfigRenderError(f"template placeholder {{{{{m[1]}}}}} has no value")
        return values[m[1]]

    return _PLACEHOLDER.sub(sub, template)


def _template(name: str) -> str:
    return (_TEMPLATES / name).read_text(encoding="utf-8")


def _ip(value: str, what: str) -> str:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ConfigRenderError(f"{what} must be an IP address for Asterisk, not {value!r}; "
                                "set it in the hotline settings.") from None


def _conf_value(value: str, what: str) -> str:
    if any(c in value for c in "\n\r;") or value != value.strip():
        raise ConfigRenderError(f"{what} cannot contain a line break, ';' or outer spaces.")
    return value


def agent_password(settings: Settings, agent: str) -> str:
    """The agent's SIP password, the same one the console issues (:func:`hotline.phones.sip_password`)."""
    return sip_password(settings.secret_key, agent)


def render_all(settings: Settings, site: SiteOptions | None = None) -> dict[str, str]:
    """File name -> content of every configuration file."""
    site = site or SiteOptions()
    if not site.agents:
        raise ConfigRenderError("at least one agent is needed (e.g. --agents 1001-1004).")
    trunk = _conf_value(settings.trunk_endpoint, "trunk_endpoint")
    values = {
        "agi_host": _ip(settings.agi_public_host, "agi_public_host"),
        "agi_port": str(settings.agi_port),
        "language": _conf_value(settings.default_language, "default_language"),
        "recdir": _conf_value(site.recdir, "recdir"),
        "prompts": _conf_value(str(settings.prompts_dir), "prompts_dir"),
        "ring_timeout": str(max(1, round(settings.ring_timeout_s))),
        "survey_enabled": "1" if site.survey_enabled else "0",
        "hold_max": str(max(1, int(site.hold_max_s))),
        "trunk": trunk,
        "agent_prefix": _conf_value(settings.agent_endpoint_prefix, "agent_endpoint_prefix"),
        "moh_class": MOH_CLASS,
        "conf_bridge": CONF_BRIDGE_PROFILE,
        "conf_party": CONF_PARTY_PROFILE,
        "conf_guest": CONF_GUEST_PROFILE,
        "moh_dir": _conf_value(site.moh_dir, "moh_dir"),
        "ami_port": str(settings.ami_port),
        "ami_bind": _ip(settings.ami_host, "ami_host"),
        "ami_username": _conf_value(settings.ami_username, "ami_username"),
        "ami_secret": _conf_value(settings.ami_secret, "ami_secret"),
        "backend_host": _ip(settings.agi_public_host, "agi_public_host"),
        "sip_bind": _conf_value(site.sip_bind, "sip_bind"),
        "trunk_host": _conf_value(site.trunk_host, "trunk_host"),
        "trunk_match": _conf_value(site.trunk_match, "trunk_match"),
    }
    values.update(_webrtc_values(site))
    agent_tmpl, webrtc_tmpl = _template("agent.pjsip.tmpl"), _template("agent.webrtc.pjsip.tmpl")
    values["agents"] = "\n".join(
        fill(webrtc_tmpl if a in site.webrtc_agents else agent_tmpl,
             {"n": a, "password": agent_password(settings, a), "tls_cert": values["tls_cert"],
              "tls_key": values["tls_key"]}) for a in site.agents)
    return {name: fill(_template(name + ".tmpl"), values) for name in FILES}


def _webrtc_values(site: SiteOptions) -> dict[str, str]:
    unknown = sorted(set(site.webrtc_agents) - set(site.agents))
    if unknown:
        raise ConfigRenderError(f"webrtc agents {', '.join(unknown)} are not among the agents; "
                                "list them in --agents too.")
    for path, what in ((site.tls_cert, "tls_cert"), (site.tls_key, "tls_key")):
        if not path.startswith("/"):
            raise ConfigRenderError(f"{what} must be an absolute path on the Asterisk box, not {path!r}.")
    if not 1 <= site.https_port <= 65535 or not 1024 <= site.rtp_start < site.rtp_end <= 65535:
        raise ConfigRenderError("https_port must be 1-65535 and rtp_start < rtp_end within 1024-65535.")
    webrtc = bool(site.webrtc_agents)
    return {
        "http_enabled": "yes" if webrtc else "no",
        "https_bind": _ip(site.https_bind, "https_bind"),
        "https_port": str(site.https_port),
        "tls_cert": _conf_value(site.tls_cert, "tls_cert"),
        "tls_key": _conf_value(site.tls_key, "tls_key"),
        "wss_transport": ("\n[transport-wss]\ntype=transport\nprotocol=wss\n"
                          "; WSS rides on http.conf's TLS server (tlsbindaddr); bind is required but unused\n"
                          "bind=0.0.0.0\n") if webrtc else "",
        "webrtc_modules": "".join(f"require={m}\n" for m in WEBRTC_MODULES) if webrtc else "",
        "rtp_start": str(site.rtp_start), "rtp_end": str(site.rtp_end),
        "stun_line": f"stunaddr={_conf_value(site.stun, 'stun')}" if site.stun else "; stunaddr=stun.example.org:3478",
    }


def write_all(directory: Path, files: dict[str, str]) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = directory / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
