"""A real SIP stack for the browser phone's tests and bench: Kamailio (SIP over WebSocket
registrar/proxy, ``kamailio.cfg`` beside this file) and baresip user agents driven over their
``ctrl_tcp`` socket (netstring JSON commands and events).

The far end of a call is baresip 1.0 with ``dtls_srtp`` + ``ice`` + ``rtcp_mux``: it does what
a WebRTC browser needs (ICE, DTLS-SRTP, rtcp-mux), so the media runs browser <-> baresip
directly, encrypted, with no media relay; Kamailio carries only the signalling
(UDP on the baresip side, WebSocket on the browser side). baresip plays a WAV file as its
microphone and its ``sndfile`` filter writes what it decodes from the browser to a WAV file.

Skip-or-fail like Chromium (tests/browser_support.py): a missing binary skips locally and
fails under CI, where ``.ci/run`` installs them from Debian.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.browser_support import IN_CI

KAMAILIO_CFG = Path(__file__).resolve().with_name("kamailio.cfg")
BARESIP_MODULES = Path("/usr/lib/baresip/modules")


def require_tool(name: str, package: str) -> str:
    """The binary's path, or a skip with the reason (a failure under CI)."""
    path = shutil.which(name)
    if path is None:
        msg = f"{name} is not installed (apt-get install {package})"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    return path


def require_sip_stack() -> None:
    require_tool("kamailio", "kamailio kamailio-websocket-modules")
    if not Path("/usr/lib/x86_64-linux-gnu/kamailio/modules/websocket.so").exists() and not list(
            Path("/usr/lib").glob("*/kamailio/modules/websocket.so")):
        msg = "Kamailio's websocket module is not installed (apt-get install kamailio-websocket-modules)"
        if IN_CI:
            pytest.fail(msg)
        pytest.skip(msg)
    require_tool("baresip", "baresip")


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_udp_tcp_port() -> int:
    """A port free for UDP and TCP both (baresip's sip_listen binds the two)."""
    while True:
        port = free_port(socket.SOCK_DGRAM)
        with socket.socket() as t:
            try:
                t.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


class PortTaken(RuntimeError):
    """The process exited with EADDRINUSE (98): a port picked free was taken before it bound
    (other test processes share the machine's ports); start again on new ports."""


def retry_on_port_taken(start: Callable[[], Any], attempts: int = 4) -> Any:
    for attempt in range(attempts):
        try:
            return start()
        except PortTaken:
            if attempt == attempts - 1:
                raise
    raise AssertionError("unreachable")


class ProcessLog:
    """The merged stdout/stderr of a process, read by a thread; ``wait_for`` a regex."""

    def __init__(self, proc: subprocess.Popen[bytes], path: Path) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._file = path.open("w", encoding="utf-8")
        self._thread = threading.Thread(target=self._pump, args=(proc,), daemon=True)
        self._thread.start()

    def _pump(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.lines.append(line)
                self._file.write(line + "\n")
                self._file.flush()
                self._cond.notify_all()

    def find(self, pattern: str) -> list[str]:
        rx = re.compile(pattern)
        with self._cond:
            return [line for line in self.lines if rx.search(line)]

    def wait_for(self, pattern: str, timeout: float = 10.0, after: int = 0) -> str:
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = after
            while True:
                for line in self.lines[seen:]:
                    if rx.search(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no log line matching {pattern!r} within {timeout} s; "
                                       f"last lines: {self.lines[-8:]}")
                self._cond.wait(left)

    def close(self) -> None:
        self._thread.join(5)
        self._file.close()


def _wait_tcp(port: int, proc: subprocess.Popen[bytes], what: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if proc.poll() is not None:
                error = PortTaken if proc.returncode == 98 else RuntimeError
                raise error(f"{what} exited with code {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise RuntimeError(f"{what} did not listen on port {port} within {timeout} s") from None
            time.sleep(0.05)  # a poll of a port coming up, not a wait for an event we could get


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


@dataclass
class Kamailio:
    proc: subprocess.Popen[bytes]
    log: ProcessLog
    udp_port: int
    ws_port: int
    workdir: Path
    defines: tuple[str, ...]

    @property
    def ws_uri(self) -> str:
        return f"ws://127.0.0.1:{self.ws_port}"

    @classmethod
    def start(cls, workdir: Path, *, agent: str, password: str, udp_port: int = 0,
              ws_port: int = 0, peer: tuple[str, str] | None = None) -> Kamailio:
        """``peer``: (user, password) of a second challenged account (the bench's SIP phone)."""
        defines = [f'AGENT_PW="{password}"', f'AGENT_USER="agent{agent}"']
        if peer is not None:
            defines += [f'PEER_USER="{peer[0]}"', f'PEER_PW="{peer[1]}"']
        if udp_port and ws_port:
            return cls._start(workdir, tuple(defines), udp_port, ws_port)
        return retry_on_port_taken(lambda: cls._start(workdir, tuple(defines), udp_port, ws_port))

    @classmethod
    def _start(cls, workdir: Path, defines: tuple[str, ...], udp_port: int, ws_port: int) -> Kamailio:
        exe = require_tool("kamailio", "kamailio kamailio-websocket-modules")
        workdir.mkdir(parents=True, exist_ok=True)
        udp_port = udp_port or free_port(socket.SOCK_DGRAM)
        ws_port = ws_port or free_port()
        cmd = [exe, "-f", str(KAMAILIO_CFG), "-DD", "-E", "-m", "32", "-M", "8",
               "-l", f"udp:127.0.0.1:{udp_port}", "-l", f"tcp:127.0.0.1:{ws_port}",
               "-w", str(workdir), "-Y", str(workdir), "-P", str(workdir / "kamailio.pid")]
        for d in defines:
            cmd += ["-A", d]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=workdir)
        log = ProcessLog(proc, workdir / f"kamailio-{int(time.time() * 1000)}.log")
        k = cls(proc, log, udp_port, ws_port, workdir, defines)
        try:
            _wait_tcp(ws_port, proc, "kamailio")
        except RuntimeError as exc:
            k.stop()  # (joins the log reader: the log is complete)
            if log.find("Address already in use"):
                raise PortTaken(f"kamailio: {exc}, a port was taken") from exc
            raise
        return k

    def restart(self) -> Kamailio:
        """Stop and start again on the same ports (registrations are lost: usrloc is in memory)."""
        self.stop()
        return Kamailio._start(self.workdir, self.defines, self.udp_port, self.ws_port)

    def stop(self) -> None:
        _stop(self.proc)
        self.log.close()


class Control:
    """baresip's ctrl_tcp: ``{"command": ..., "params": ...}`` out, responses and events in."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.events: list[dict[str, Any]] = []
        self._buf = b""
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def send(self, command: str, params: str = "") -> float:
        """Send a command; returns the wall-clock time (epoch s) just before it left."""
        body = json.dumps({"command": command, "params": params, "token": command}).encode()
        at = time.time()
        self.sock.sendall(str(len(body)).encode() + b":" + body + b",")
        return at

    def _read(self) -> None:
        self.sock.settimeout(None)
        while True:
            try:
                chunk = self.sock.recv(65536)
            except OSError:
                return
            if not chunk:
                return
            self._buf += chunk
            while b":" in self._buf:
                head, _, rest = self._buf.partition(b":")
                n = int(head)
                if len(rest) < n + 1:
                    break
                msg = json.loads(rest[:n])
                msg["_at"] = time.time()
                self._buf = rest[n + 1:]
                with self._cond:
                    self.events.append(msg)
                    self._cond.notify_all()

    def wait(self, pred: Callable[[dict[str, Any]], bool], timeout: float = 10.0,
             after: int = 0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = after
            while True:
                for e in self.events[seen:]:
                    if pred(e):
                        return e
                seen = len(self.events)
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"baresip: no such event within {timeout} s; last: "
                                       f"{[e.get('type') or e.get('data', '')[:60] for e in self.events[-8:]]}")
                self._cond.wait(left)

    def event(self, kind: str, timeout: float = 10.0, after: int = 0) -> dict[str, Any]:
        return self.wait(lambda e: e.get("type") == kind, timeout, after)

    def close(self) -> None:
        self.sock.close()
        self._thread.join(5)


@dataclass
class Baresip:
    proc: subprocess.Popen[bytes]
    log: ProcessLog
    ctl: Control
    home: Path
    sip_port: int
    snd_dir: Path = field(default_factory=Path)

    @classmethod
    def start(cls, home: Path, *, account: str, source_wav: Path, media: bool = True) -> Baresip:
        """A baresip with one account line (``<sip:user@host>;params``).

        ``media``: WebRTC-capable media (ICE, DTLS-SRTP, rtcp-mux) for calls with a browser,
        plus the received-audio dump; without it a plain RTP phone.
        """
        return retry_on_port_taken(lambda: cls._start(home, account=account, source_wav=source_wav, media=media))

    @classmethod
    def _start(cls, home: Path, *, account: str, source_wav: Path, media: bool) -> Baresip:
        exe = require_tool("baresip", "baresip")
        home.mkdir(parents=True, exist_ok=True)
        snd = home / "snd"
        snd.mkdir(exist_ok=True)
        sip_port, ctrl_port, rtp = free_udp_tcp_port(), free_port(), free_port(socket.SOCK_DGRAM)
        modules = ["g711.so", "aufile.so", "aubridge.so"]
        if media:
            modules += ["ice.so", "dtls_srtp.so", "sndfile.so"]
        # an unused name for the audio player: the received audio goes nowhere but sndfile's dump
        conf = {
            "poll_method": "epoll", "sip_listen": f"127.0.0.1:{sip_port}", "call_local_timeout": "120",
            "call_max_calls": "4", "audio_player": f"aubridge,{home.name}-out",
            "audio_alert": f"aubridge,{home.name}-alert", "audio_source": f"aufile,{source_wav}",
            "audio_srate": "8000", "audio_channels": "1",
            "rtp_ports": f"{rtp}-{rtp + 40}", "rtcp_mux": "yes", "jitter_buffer_delay": "5-10",
            "module_path": str(BARESIP_MODULES), "ctrl_tcp_listen": f"127.0.0.1:{ctrl_port}",
            "snd_path": str(snd), "ice_turn": "no", "ice_debug": "no", "ice_nomination": "regular",
            "ice_mode": "full",
        }
        lines = [f"{k}\t\t{v}" for k, v in conf.items()]
        lines += [f"module\t\t{m}" for m in modules]
        lines += ["module_app\t\taccount.so", "module_app\t\tmenu.so", "module_app\t\tctrl_tcp.so"]
        (home / "config").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (home / "accounts").write_text(account + "\n", encoding="utf-8")
        proc = subprocess.Popen([exe, "-f", str(home)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=home)
        log = ProcessLog(proc, home / "baresip.log")
        try:
            _wait_tcp(ctrl_port, proc, "baresip")
            ctl = Control(ctrl_port)
        except Exception:
            _stop(proc)
            log.close()
            raise
        return cls(proc, log, ctl, home, sip_port, snd)

    def dial(self, uri: str) -> float:
        return self.ctl.send("dial", uri)

    def hangup(self) -> float:
        return self.ctl.send("hangup")

    def received_audio(self) -> Path:
        """The newest dump of the audio baresip decoded from its peer (sndfile's ``*-dec.wav``)."""
        dumps = sorted(self.snd_dir.glob("*-dec.wav"), key=lambda p: p.stat().st_mtime)
        if not dumps:
            raise FileNotFoundError(f"baresip wrote no received-audio dump in {self.snd_dir}")
        return dumps[-1]

    def stop(self) -> None:
        self.ctl.close()
        _stop(self.proc)
        self.log.close()


def tone_wav(path: Path, seconds: float = 120.0, hz: float = 600.0) -> Path:
    """A sine tone as baresip's microphone (8 kHz mono 16 bit), written with soundfile."""
    import numpy as np
    import soundfile as sf

    t = np.arange(int(8000 * seconds)) / 8000.0
    sf.write(str(path), (0.4 * np.sin(2 * np.pi * hz * t)).astype("float32"), 8000, subtype="PCM_16")
    return path


@dataclass
class Sipp:
    """One SIPp run of a scenario file beside this module (UDP, through Kamailio)."""

    proc: subprocess.Popen[bytes]
    log: ProcessLog

    @classmethod
    def call(cls, workdir: Path, scenario: str, *, proxy_port: int, service: str,
             keys: dict[str, str] | None = None, timeout_s: int = 90) -> Sipp:
        exe = require_tool("sipp", "sip-tester")
        workdir.mkdir(parents=True, exist_ok=True)
        cmd = [exe, f"127.0.0.1:{proxy_port}", "-sf", str(KAMAILIO_CFG.with_name(scenario)),
               "-i", "127.0.0.1", "-p", str(free_port(socket.SOCK_DGRAM)), "-s", service, "-m", "1",
               "-nostdin", "-timeout", f"{timeout_s}s", "-timeout_error", "-trace_err",
               "-error_file", str(workdir / "sipp-errors.log")]
        for k, v in (keys or {}).items():
            cmd += ["-key", k, v]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=workdir)
        return cls(proc, ProcessLog(proc, workdir / f"sipp-{int(time.time() * 1000)}.log"))

    def wait(self, timeout: float = 30.0) -> int:
        """SIPp's exit code (0: the scenario ran to its end)."""
        try:
            return self.proc.wait(timeout)
        finally:
            _stop(self.proc)
            self.log.close()
