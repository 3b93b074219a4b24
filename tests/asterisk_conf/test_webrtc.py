"""WebRTC phones: what `render` writes for browser agents and what `check` catches."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from asterisk_conf.check import check_directory
from asterisk_conf.check_webrtc import sections
from asterisk_conf.cli import app
from asterisk_conf.render import ConfigRenderError, SiteOptions, render_all, write_all
from hotline.settings import Settings

runner = CliRunner()


@pytest.fixture
def certs(tmp_path: Path) -> tuple[str, str]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    r = runner.invoke(app, ["cert", "pbx.lab.example", "--out", str(tmp_path / "keys")])
    assert r.exit_code == 0, r.output
    return str(tmp_path / "keys" / "asterisk.crt"), str(tmp_path / "keys" / "asterisk.key")


def _render(tmp_path: Path, certs: tuple[str, str], **kw) -> Path:
    site = SiteOptions(agents=("1001", "1002", "1003"), webrtc_agents=("1001", "1002"),
                       tls_cert=certs[0], tls_key=certs[1], **kw)
    out = tmp_path / "conf"
    write_all(out, render_all(Settings(), site))
    return out


def _errors(directory: Path, **kw) -> list[str]:
    return [f.message for f in check_directory(directory, lint=False, **kw) if f.level == "error"]


def test_browser_agents_get_webrtc_endpoints_on_wss_and_the_others_keep_udp(tmp_path, certs):
    conf = _render(tmp_path, certs, stun="stun.lab.example:3478")
    pjsip = sections((conf / "pjsip.conf").read_text())
    assert pjsip["transport-wss"][0] == {"__templates__": "", "type": "transport", "protocol": "wss",
                                         "bind": "0.0.0.0"}
    web = pjsip["agent1001"][0]
    assert (web["webrtc"], web["transport"], web["dtls_cert_file"]) == ("yes", "transport-wss", certs[0])
    assert {"opus", "ulaw"} <= set(web["allow"].split(","))
    hard = pjsip["agent1003"][0]
    assert "webrtc" not in hard and "transport" not in hard  # the template's UDP transport
    assert [b.get("type") for b in pjsip["agent1001"]] == [None, "aor"]
    http = sections((conf / "http.conf").read_text())["general"][0]
    assert (http["enabled"], http["tlsenable"], http["tlsbindaddr"]) == ("yes", "yes", "0.0.0.0:8089")
    assert (http["tlscertfile"], http["tlsprivatekey"]) == certs
    assert "bindaddr=127.0.0.1" in (conf / "http.conf").read_text()  # plain HTTP never public
    rtp = sections((conf / "rtp.conf").read_text())["general"][0]
    assert (rtp["icesupport"], rtp["stunaddr"]) == ("yes", "stun.lab.example:3478")
    modules = (conf / "modules.conf").read_text()
    assert "require=res_http_websocket.so" in modules and "require=res_pjsip_transport_websocket.so" in modules
    assert _errors(conf, agents=("1001", "1002", "1003")) == []


def test_without_browser_agents_nothing_webrtc_is_switched_on(tmp_path):
    conf = tmp_path / "plain"
    write_all(conf, render_all(Settings(), SiteOptions(agents=("1001",))))
    assert "transport-wss" not in (conf / "pjsip.conf").read_text()
    assert sections((conf / "http.conf").read_text())["general"][0]["enabled"] == "no"
    assert "websocket" not in (conf / "modules.conf").read_text()
    assert _errors(conf) == []


def test_check_names_each_broken_piece(tmp_path, certs):
    conf = _render(tmp_path, certs)
    assert _errors(conf, agents=("1001", "1004")) == ["pjsip.conf has no endpoint agent1004 for agent 1004"]
    Path(certs[1]).unlink()
    missing = _errors(conf)
    assert any(f"tlsprivatekey={certs[1]} does not exist" in m for m in missing)
    assert any(f"endpoint agent1001: dtls_private_key={certs[1]} does not exist" in m for m in missing)
    assert _errors(conf, certs=False) == []  # checked elsewhere than on the Asterisk box
    pjsip = conf / "pjsip.conf"
    text = pjsip.read_text()
    pjsip.write_text(text.replace("protocol=wss", "protocol=tcp").replace("allow=opus,ulaw,alaw", "allow=gsm")
                     .replace("auth=agent1002-auth", "auth=nobody"))
    broken = _errors(conf, certs=False)
    assert "WebRTC endpoints need a transport with protocol=wss in pjsip.conf" in broken
    assert "endpoint agent1001 allows no browser codec (opus, ulaw, alaw)" in broken
    assert "endpoint agent1002: auth=nobody names no auth section" in broken
    (conf / "http.conf").write_text((conf / "http.conf").read_text().replace("tlsenable=yes", "tlsenable=no"))
    (conf / "rtp.conf").write_text("[general]\nrtpstart=10000\n")
    more = _errors(conf, certs=False)
    assert "http.conf must have enabled=yes and tlsenable=yes for WSS" in more
    assert "rtp.conf must have icesupport=yes for WebRTC phones" in more


def test_render_refuses_inconsistent_webrtc_options():
    with pytest.raises(ConfigRenderError, match="webrtc agents 1009 are not among the agents"):
        render_all(Settings(), SiteOptions(agents=("1001",), webrtc_agents=("1009",)))
    with pytest.raises(ConfigRenderError, match="tls_cert must be an absolute path"):
        render_all(Settings(), SiteOptions(agents=("1001",), webrtc_agents=("1001",), tls_cert="keys/a.crt"))


def test_the_cli_renders_checks_and_prints_the_lab_certificate_command(tmp_path, certs):
    out = tmp_path / "cli"
    r = runner.invoke(app, ["render", str(out), "--agents", "1001-1002", "--webrtc-agents", "1002",
                            "--tls-cert", certs[0], "--tls-key", certs[1]])
    assert r.exit_code == 0, r.output
    assert "wss://<asterisk host>:8089/ws" in r.output and "openssl req -x509" in r.output
    ok = runner.invoke(app, ["check", str(out), "--no-lint", "--agents", "1001-1002"])
    assert ok.exit_code == 0 and "0 error(s)" in ok.output, ok.output
    bad = runner.invoke(app, ["check", str(out), "--no-lint", "--agents", "1001-1003"])
    assert bad.exit_code == 1 and "no endpoint agent1003" in bad.output
    assert runner.invoke(app, ["cert", "bad host!"]).exit_code == 2


def test_check_holds_the_endpoints_to_the_settings_the_console_issues_phones_from(tmp_path, certs):
    conf = _render(tmp_path, certs)  # 1001, 1002 WebRTC; 1003 a SIP phone; default secret key
    same = Settings(webrtc_agents="1001-1002")
    assert _errors(conf, certs=False, webrtc_agents=same.webrtc_agent_ids, secret_key=same.secret_key) == []
    drift = _errors(conf, certs=False, webrtc_agents=frozenset({"1001", "1003"}), secret_key="another key")
    assert ("HOTLINE_WEBRTC_AGENTS gives agent 1002 a SIP phone but endpoint agent1002 is webrtc=yes; "
            "render again with the same settings") in drift
    assert ("HOTLINE_WEBRTC_AGENTS gives agent 1003 a browser phone but endpoint agent1003 is not "
            "webrtc=yes; render again with the same settings") in drift
    assert ("agent1001-auth: the password is not the one the console issues; render again with the "
            "same HOTLINE_SECRET_KEY") in drift
    nobody = check_directory(conf, lint=False, certs=False, webrtc_agents=frozenset())
    assert [f.level for f in nobody] == ["warning"] and "gives nobody a phone" in nobody[0].message


def test_render_takes_the_browser_agents_from_the_settings(tmp_path, monkeypatch):
    from hotline.settings import get_settings

    monkeypatch.setenv("HOTLINE_WEBRTC_AGENTS", "1002")
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["render", str(tmp_path / "s"), "--agents", "1001-1002"])
        assert r.exit_code == 0, r.output
        pjsip = sections((tmp_path / "s" / "pjsip.conf").read_text())
        assert pjsip["agent1002"][0]["webrtc"] == "yes" and "webrtc" not in pjsip["agent1001"][0]
        ok = runner.invoke(app, ["check", str(tmp_path / "s"), "--no-lint", "--no-certs"])
        assert ok.exit_code == 0, ok.output
    finally:
        get_settings.cache_clear()


def test_settings_refuse_unreadable_phone_options():
    with pytest.raises(ValueError, match="not a number or a range"):
        Settings(webrtc_agents="1001-abc")
    with pytest.raises(ValueError, match="must look like wss://"):
        Settings(webrtc_ws_uri="https://pbx:8089/ws")
    with pytest.raises(ValueError, match="not a stun:, turn: or turns: URL"):
        Settings(webrtc_ice_servers=["pbx:3478"])


def test_check_holds_the_console_ws_uri_to_the_wss_server_http_conf_renders(tmp_path, certs):
    conf = _render(tmp_path, certs)  # WSS on 8089

    def found(ws_uri: str) -> list[tuple[str, str]]:
        return [(f.level, f.message) for f in check_directory(conf, lint=False, certs=False, ws_uri=ws_uri)]

    assert found("wss://pbx.lab.example:8089/ws") == []
    assert found("wss://pbx.lab.example/ws") == [(
        "error", "HOTLINE_WEBRTC_WS_URI=wss://pbx.lab.example/ws uses port 443 but http.conf serves WSS on "
                 "8089 (tlsbindaddr=0.0.0.0:8089); make them the same")]
    assert found("wss://pbx.lab.example:8089/sip") == [
        ("error", "HOTLINE_WEBRTC_WS_URI=wss://pbx.lab.example:8089/sip: Asterisk's WebSocket path is /ws")]
    assert [lv for lv, _ in found("ws://pbx.lab.example:8089/ws")] == ["warning"]
    assert [m for _, m in found("")] == ["HOTLINE_WEBRTC_WS_URI is empty, so the console's phones have no "
                                        "server to connect to; set it to wss://<asterisk host>:8089/ws"]
    plain = tmp_path / "plain"  # no browser phones: the URI is not looked at
    write_all(plain, render_all(Settings(), SiteOptions(agents=("1001",))))
    assert check_directory(plain, lint=False, ws_uri="") == []


def test_the_cli_check_reads_the_ws_uri_from_the_settings(tmp_path, certs, monkeypatch):
    from hotline.settings import get_settings

    conf = _render(tmp_path, certs)
    monkeypatch.setenv("HOTLINE_WEBRTC_AGENTS", "1001-1002")
    monkeypatch.setenv("HOTLINE_WEBRTC_WS_URI", "wss://pbx.lab.example:7443/ws")
    get_settings.cache_clear()
    try:
        r = runner.invoke(app, ["check", str(conf), "--no-lint", "--no-certs"])
        assert r.exit_code == 1 and "uses port 7443 but http.conf serves WSS on 8089" in r.output, r.output
    finally:
        get_settings.cache_clear()
