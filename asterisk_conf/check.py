"""Checks of a rendered configuration directory: asterisklint on the dialplan, every
context hotline uses exists, every jump target exists, no ``all`` AMI privilege, and the
WebRTC part (:mod:`asterisk_conf.check_webrtc`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from asterisk_conf.check_webrtc import check_webrtc
from asterisk_conf.finding import Finding
from pbx.contexts import CONTEXTS, ENTRY_POINTS

_CONTEXT = re.compile(r"^\[([^\]]+)\]", re.M)
_EXTEN = re.compile(r"^exten\s*=>\s*([^,]+),", re.M)
_GOTO = re.compile(r"\b(?:Goto|GotoIf)\(([^)]*(?:\([^)]*\))*[^)]*)\)")
_LOCAL = re.compile(r"Local/[^@,)]+@([\w-]+)")
_BRIDGE_F = re.compile(r"F\(([\w-]+)\^")
_LINT_LINE = re.compile(r"^\S+:\d+ ([EWHI])_\w+: ", re.M)


def dialplan_contexts(text: str) -> dict[str, set[str]]:
    """Context -> its extension names."""
    out: dict[str, set[str]] = {}
    current = None
    for line in text.splitlines():
        if m := _CONTEXT.match(line):
            current = m[1]
            out.setdefault(current, set())
        elif current and (m := _EXTEN.match(line.strip())):
            out[current].add(m[1].strip())
    return out


def jump_targets(text: str) -> set[str]:
    """Contexts named by Goto/GotoIf (3-part targets), Local/...@ctx and Bridge F()."""
    targets: set[str] = set()
    for m in _GOTO.finditer(text):
        arg = m[1].split("?", 1)[-1]
        for branch in arg.split(":"):
            parts = [p.strip() for p in branch.split(",")]
            if len(parts) == 3:
                targets.add(parts[0])
    targets.update(_LOCAL.findall(text))
    targets.update(_BRIDGE_F.findall(text))
    return targets


# Real Asterisk 22 applications asterisklint's app table lacks (its E_APP_MISSING on them is
# the linter's gap, not ours); modules.conf.tmpl requires their modules, so a box without
# them fails to start instead of halting the dialplan.
LINT_UNKNOWN_APPS = frozenset({"AMD", "WaitForSilence"})


def _linter_gap(line: str) -> bool:
    return "E_APP_MISSING" in line and any(f"app '{a}' does not exist" in line
                                           for a in LINT_UNKNOWN_APPS)


def run_asterisklint(extensions_conf: Path) -> list[Finding]:
    exe = Path(sys.executable).with_name("asterisklint")
    cmd = [str(exe)] if exe.exists() else [shutil.which("asterisklint") or "asterisklint"]
    done = subprocess.run([*cmd, "dialplan-check", extensions_conf.name], capture_output=True,
                          text=True, cwd=extensions_conf.parent, timeout=120)
    findings, gaps = [], 0
    for line in (done.stdout + done.stderr).splitlines():
        if (m := _LINT_LINE.match(line)) and _linter_gap(line):
            gaps += 1
        elif m:
            findings.append(Finding("error" if m[1] == "E" else "warning", f"asterisklint: {line}"))
    if done.returncode != 0 and not findings and not gaps:
        findings.append(Finding("error", f"asterisklint failed: {done.stderr.strip()[:300]}"))
    return findings


def check_directory(directory: Path, *, lint: bool = True, certs: bool = True,
                    agents: tuple[str, ...] = (), webrtc_agents: frozenset[str] | None = None,
                    secret_key: str | None = None, ws_uri: str | None = None) -> list[Finding]:
    findings: list[Finding] = []
    ext = directory / "extensions.conf"
    text = ext.read_text(encoding="utf-8")
    contexts = dialplan_contexts(text)
    for name in CONTEXTS:
        if name not in contexts:
            findings.append(Finding("error", f"extensions.conf lacks context [{name}]"))
    for ctx, exten in ENTRY_POINTS:
        if exten not in contexts.get(ctx, set()):
            findings.append(Finding("error", f"extensions.conf lacks exten {exten} in [{ctx}]"))
    for target in sorted(jump_targets(text)):
        if target not in contexts and "$" not in target:
            findings.append(Finding("error", f"extensions.conf jumps to missing context {target}"))
    prompts = re.search(r"^PROMPTS=(.*)$", text, re.M)
    if prompts and not prompts[1].startswith("/"):
        findings.append(Finding("warning", f"PROMPTS={prompts[1]} is relative, so Asterisk looks "
                                "under its sounds dir; set HOTLINE_PROMPTS_DIR to an absolute path "
                                "that exists on the Asterisk box and render again"))
    manager = (directory / "manager.conf").read_text(encoding="utf-8")
    for m in re.finditer(r"^(read|write)\s*=\s*(.*)$", manager, re.M):
        if "all" in [c.strip() for c in m[2].split(",")]:
            findings.append(Finding("error", f"manager.conf grants {m[1]}=all; list the classes"))
    findings += check_webrtc(directory, certs=certs, agents=agents, webrtc_agents=webrtc_agents,
                             secret_key=secret_key, ws_uri=ws_uri)
    if lint:
        findings += run_asterisklint(ext)
    return findings
