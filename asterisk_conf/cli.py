"""``hotline asterisk-conf render DIR`` / ``hotline asterisk-conf check DIR``."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import typer

from asterisk_conf.check import check_directory
from asterisk_conf.render import (
    SELF_SIGNED,
    ConfigRenderError,
    SiteOptions,
    parse_agents,
    render_all,
    write_all,
)
from hotline.settings import get_settings

app = typer.Typer(help="Asterisk configuration for hotline.", no_args_is_help=True)


@app.command("render")
def render(
    directory: Path = typer.Argument(..., help="Where to write the .conf files."),
    agents: str = typer.Option("1001-1004", help="Agent numbers: 1001-1004,1010."),
    sip_bind: str = typer.Option("0.0.0.0:5060", help="PJSIP UDP transport bind address."),
    trunk_host: str = typer.Option("127.0.0.1", help="Carrier SIP host (trunk contact)."),
    trunk_match: str = typer.Option("127.0.0.1", help="Carrier source IP/network (identify)."),
    recdir: str = typer.Option("/var/spool/asterisk/monitor", help="Asterisk recording dir."),
    survey: bool = typer.Option(False, help="Send callers to the post-call survey."),
    hold_max: int = typer.Option(3600, min=1, help="Longest hold, seconds: the agent's parked leg "
                                                   "is hung up after it."),
    webrtc_agents: str | None = typer.Option(None, help="Agents whose phone is the browser console "
                                                        "(WebRTC over WSS), e.g. 1001-1002; the others "
                                                        "use SIP phones. Default: HOTLINE_WEBRTC_AGENTS."),
    tls_cert: str = typer.Option(SiteOptions.tls_cert, help="Certificate for WSS and DTLS (path on "
                                                            "the Asterisk box)."),
    tls_key: str = typer.Option(SiteOptions.tls_key, help="Its private key (path on the Asterisk box)."),
    https_port: int = typer.Option(8089, help="Port of Asterisk's TLS HTTP server (wss://HOST:PORT/ws)."),
    stun: str = typer.Option("", help="STUN server host:port, for an Asterisk behind NAT."),
) -> None:
    """Render manager, extensions, pjsip, http, rtp, musiconhold, features and modules .conf files."""
    settings = get_settings()
    if webrtc_agents is None:
        webrtc_agents = settings.webrtc_agents
    try:
        site = SiteOptions(agents=parse_agents(agents), sip_bind=sip_bind,
                           trunk_host=trunk_host, trunk_match=trunk_match, recdir=recdir,
                           survey_enabled=survey, hold_max_s=hold_max,
                           webrtc_agents=parse_agents(webrtc_agents), tls_cert=tls_cert,
                           tls_key=tls_key, https_port=https_port, stun=stun)
        files = render_all(settings, site)
    except ConfigRenderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    for path in write_all(directory, files):
        typer.echo(f"wrote {path}")
    if site.webrtc_agents:
        typer.echo(f"WebRTC phones for {', '.join(site.webrtc_agents)}: browsers connect to "
                   f"wss://<asterisk host>:{site.https_port}/ws. A lab certificate: "
                   + SELF_SIGNED.format(host="<asterisk host>", key=site.tls_key, cert=site.tls_cert))


@app.command("cert")
def cert(
    host: str = typer.Argument(..., help="The name browsers use for the Asterisk box (CN and SAN)."),
    out: Path = typer.Option(Path("."), help="Directory for asterisk.crt and asterisk.key."),
    days: int = typer.Option(825, min=1, max=3650),
) -> None:
    """Make a self-signed certificate for a lab (browsers must be told to trust it)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        typer.echo("error: openssl is not installed; install it or bring your CA's certificate.", err=True)
        raise typer.Exit(2)
    if not re.fullmatch(r"[A-Za-z0-9.-]{1,253}", host):
        typer.echo(f"error: {host!r} is not a host name.", err=True)
        raise typer.Exit(2)
    out.mkdir(parents=True, exist_ok=True)
    key, crt = out / "asterisk.key", out / "asterisk.crt"
    san = f"IP:{host}" if re.fullmatch(r"[0-9.]+", host) else f"DNS:{host}"
    done = subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days),
                           "-subj", f"/CN={host}", "-addext", f"subjectAltName={san}",
                           "-keyout", str(key), "-out", str(crt)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        typer.echo(f"error: openssl failed: {done.stderr.strip()[:300]}", err=True)
        raise typer.Exit(1)
    key.chmod(0o600)
    typer.echo(f"wrote {crt} and {key}; copy both to /etc/asterisk/keys/ (or render with --tls-cert/--tls-key)")


@app.command("check")
def check(
    directory: Path = typer.Argument(..., help="A directory rendered by `render`."),
    lint: bool = typer.Option(True, help="Run asterisklint on extensions.conf."),
    certs: bool = typer.Option(True, help="Check that the certificate files exist (run the check on "
                                          "the Asterisk box, or pass --no-certs)."),
    agents: str = typer.Option("", help="Agents that must have an endpoint, e.g. 1001-1008."),
) -> None:
    """Check a rendered directory; exit 1 on any error."""
    if not (directory / "extensions.conf").is_file():
        typer.echo(f"error: {directory}/extensions.conf not found; run render first.", err=True)
        raise typer.Exit(2)
    try:
        wanted = parse_agents(agents)
    except ConfigRenderError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    settings = get_settings()
    findings = check_directory(directory, lint=lint, certs=certs, agents=wanted,
                               webrtc_agents=settings.webrtc_agent_ids, secret_key=settings.secret_key,
                               ws_uri=settings.webrtc_ws_uri)
    for f in findings:
        typer.echo(f"{f.level}: {f.message}")
    errors = [f for f in findings if f.level == "error"]
    typer.echo(f"{len(errors)} error(s), {len(findings) - len(errors)} warning(s)")
    if errors:
        raise typer.Exit(1)
