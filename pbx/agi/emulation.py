"""Asterisk-side facts the simulated Asterisk needs to answer FastAGI commands:
argument counts (res_agi's ``RESULT_SHOWUSAGE`` checks), usage texts, which commands
work on a dead channel, prompt lengths, and writing a RECORD FILE result.
Pure data and one file writer; used by ``pbx/sim/agi_client.py``.
"""

from __future__ import annotations

import math
import re
import struct
import wave
from collections.abc import Mapping
from pathlib import Path

SAMPLE_RATE = 8000  # endpos is in 8 kHz samples (agi-02: "beep" = 3404)

#: verb -> (min, max) number of arguments after the verb words.
COMMANDS: dict[str, tuple[int, int]] = {
    "ANSWER": (0, 0),
    "STREAM FILE": (2, 3),
    "GET DATA": (1, 3),
    "WAIT FOR DIGIT": (1, 1),
    "SAY DIGITS": (2, 2),
    "SAY NUMBER": (2, 3),
    "SET VARIABLE": (2, 2),
    "GET VARIABLE": (1, 1),
    "GET FULL VARIABLE": (1, 2),
    "EXEC": (1, 64),
    "RECORD FILE": (4, 8),
    "HANGUP": (0, 1),
    "CHANNEL STATUS": (0, 1),
    "VERBOSE": (1, 2),
    "NOOP": (0, 64),
}

#: Commands Asterisk still runs on a dead channel (agi-03a/03b); the rest get 511.
DEAD_OK = frozenset({"GET VARIABLE", "GET FULL VARIABLE", "SET VARIABLE", "VERBOSE", "NOOP",
                     "HANGUP"})

USAGE_FIRST_LINE = "520-Invalid command syntax.  Proper usage follows:"

# agi-02, byte for byte (Asterisk 22 prints the XML documentation of the command).
_STREAM_FILE_USAGE = (
    "Send the given file, allowing playback to be interrupted by the given digits, if any. "
    "Returns <literal>0</literal> if playback completes without a digit being pressed, or "
    "the ASCII numerical value of the digit if one was pressed, or <literal>-1</literal> on "
    "error or if the channel was disconnected. If musiconhold is playing before calling "
    "stream file it will be automatically stopped and will not be restarted after completion.",
    "It sets the following channel variables upon completion:",
    "<variable>PLAYBACKSTATUS</variable>: The status of the playback attempt as a text string.",
    "    <value>SUCCESS</value>",
    "    <value>FAILED</value>",
)

_SYNOPSIS: dict[str, str] = {
    "ANSWER": "Answers channel if not already in answer state.",
    "GET DATA": "Prompts for DTMF on a channel.",
    "WAIT FOR DIGIT": "Waits for a digit to be pressed.",
    "SAY DIGITS": "Says a given digit string.",
    "SAY NUMBER": "Says a given number.",
    "SET VARIABLE": "Sets a channel variable.",
    "GET VARIABLE": "Gets a channel variable.",
    "GET FULL VARIABLE": "Evaluates a channel expression.",
    "EXEC": "Executes a given Application.",
    "RECORD FILE": "Records to a given file.",
    "HANGUP": "Hangup a channel.",
    "CHANNEL STATUS": "Returns status of the connected channel.",
    "VERBOSE": "Logs a message to the asterisk verbose log.",
    "NOOP": "Does nothing.",
}


def usage_body(verb: str) -> tuple[str, ...]:
    """The lines between ``520-...`` and ``520 End of proper usage.``."""
    if verb == "STREAM FILE":
        return _STREAM_FILE_USAGE
    return (_SYNOPSIS.get(verb, verb),)


#: Lengths of the prompts used in the transcripts and Asterisk's core sounds (seconds).
PROMPT_SECONDS: dict[str, float] = {
    "beep": 3404 / SAMPLE_RATE,
    "hello-world": 1.5,
    "basic-pbx-ivr-main": 8.0,
    "tt-monkeys": 16.0,
}
DEFAULT_PROMPT_S = 2.0


def media_seconds(name: str, extra: Mapping[str, float] | None = None) -> float:
    """How long a prompt plays: ``extra`` then the table, by full name then base name."""
    base = name.rsplit("/", 1)[-1]
    for table in (extra or {}, PROMPT_SECONDS):
        for key in (name, base):
            if key in table:
                return float(table[key])
    return DEFAULT_PROMPT_S


def write_recording(path: Path, fmt: str, seconds: float, talk_s: float) -> int:
    """Write what RECORD FILE captured: ``talk_s`` of a quiet 440 Hz tone (the caller
    speaking), then silence, ``seconds`` in all; 8 kHz 16-bit mono. ``fmt`` ``wav``
    gives a WAV file, ``sln``/``raw`` headerless samples. Returns the sample count."""
    n = int(round(seconds * SAMPLE_RATE))
    talk = int(round(min(talk_s, seconds) * SAMPLE_RATE))
    samples = [int(3000 * math.sin(2 * math.pi * 440 * i / SAMPLE_RATE)) if i < talk else 0
               for i in range(n)]
    pcm = struct.pack(f"<{n}h", *samples)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt.lower() == "wav":
        with wave.open(str(path), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(SAMPLE_RATE)
            w.writeframes(pcm)
    elif fmt.lower() in ("sln", "raw"):
        path.write_bytes(pcm)
    else:
        raise ValueError(f"the simulator records wav or sln only, not {fmt!r}")
    return n


def default_env(host: str, port: int, script: str) -> dict[str, str]:
    """The env block of agi-01, in Asterisk's order (ids are placeholders)."""
    return {
        "agi_network": "yes", "agi_network_script": script,
        "agi_request": f"agi://{host}:{port}/{script}",
        "agi_channel": "PJSIP/hotline-trunk-00000000", "agi_language": "en",
        "agi_type": "PJSIP", "agi_uniqueid": "1795354545.0", "agi_version": "22.10.1",
        "agi_callerid": "unknown", "agi_calleridname": "unknown", "agi_callingpres": "0",
        "agi_callingani2": "0", "agi_callington": "0", "agi_callingtns": "0",
        "agi_dnid": "unknown", "agi_rdnis": "unknown", "agi_context": "hotline-in",
        "agi_extension": "s", "agi_priority": "1", "agi_enhanced": "0.0",
        "agi_accountcode": "", "agi_threadid": "140081070552768",
    }


def lookup_variable(name: str, channel_vars: Mapping[str, str],
                    env: Mapping[str, str]) -> str | None:
    """GET VARIABLE: channel variables first, then what Asterisk knows of the channel."""
    if name in channel_vars:
        return channel_vars[name]
    builtin = {
        "CALLERID(name)": env.get("agi_calleridname"), "CALLERID(num)": env.get("agi_callerid"),
        "CALLERID(all)": f'"{env.get("agi_calleridname", "")}" <{env.get("agi_callerid", "")}>',
        "CHANNEL": env.get("agi_channel"), "UNIQUEID": env.get("agi_uniqueid"),
        "EXTEN": env.get("agi_extension"), "CONTEXT": env.get("agi_context"),
        "CHANNEL(language)": env.get("agi_language"),
    }
    return builtin.get(name)


def expand_expression(expr: str, channel_vars: Mapping[str, str], env: Mapping[str, str]) -> str:
    """GET FULL VARIABLE: ``"${CALLERID(name)} <${CALLERID(num)}>"`` -> ``"张安娜 <138...>"``;
    unknown variables expand to nothing."""
    return re.sub(r"\$\{([^}]*)\}", lambda m: lookup_variable(m[1], channel_vars, env) or "",
                  expr)
