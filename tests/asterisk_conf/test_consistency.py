"""The rendered dialplan against what the code does: the ACD's contexts and channel
variables, the IVR's FastAGI routes and prompts, the simulator's emulated contexts."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from acd.service.config import AcdConfig
from asterisk_conf.check import check_directory, dialplan_contexts
from asterisk_conf.render import SiteOptions, render_all, write_all
from hotline.settings import Settings
from ivr.handler import IvrHandler
from ivr.prompts import CATALOGUE
from pbx import contexts

ROOT = Path(__file__).resolve().parents[2]
# Names the dialplan plays from Asterisk's core sounds (app_queue's and app_voicemail's own).
CORE_SOUNDS = {"an-error-has-occurred", "queue-thereare", "queue-callswaiting", "queue-youarenext",
               "queue-holdtime", "queue-minutes", "vm-intro", "vm-msgsaved"}


@pytest.fixture(scope="module")
def dialplan() -> str:
    settings = Settings(agi_public_host="10.0.0.7", prompts_dir=Path("/srv/hotline/prompts"))
    return render_all(settings, SiteOptions(survey_enabled=True))["extensions.conf"]


def section(text: str, context: str) -> str:
    """The lines of one ``[context]``."""
    m = re.search(rf"^\[{re.escape(context)}\]\n(.*?)(?=^\[|\Z)", text, re.M | re.S)
    assert m, f"no [{context}]"
    return m[1]


def sources(package: str) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / package).glob("*.py")))


def test_acd_config_contexts_are_the_shared_constants_and_exist(dialplan):
    found = dialplan_contexts(dialplan)
    cfg = AcdConfig()
    names = [f.name for f in fields(AcdConfig) if f.name.endswith("_context")]
    assert len(names) >= 5
    for name in names:
        ctx = getattr(cfg, name)
        assert ctx in contexts.CONTEXTS, (name, ctx)
        assert ctx in found, (name, ctx)
    for name in ("wait_context", "announce_context", "callback_context", "voicemail_context"):
        assert (getattr(cfg, name), contexts.EXTEN_START) in contexts.ENTRY_POINTS
        assert contexts.EXTEN_START in found[getattr(cfg, name)]
    assert "_X." in found[cfg.transfer_context]  # Redirect/BlindTransfer to an extension number


def test_every_context_literal_in_the_acd_service_exists(dialplan):
    found = dialplan_contexts(dialplan)
    literals = re.findall(r'context="([\w-]+)"(?:,\s*(?:extra_)?exten="(\w+)")?', sources("acd/service"))
    assert ("hotline-agent", "hold") in literals  # the callback customer leg and the hold
    for ctx, exten in literals:
        assert ctx in contexts.CONTEXTS and ctx in found, ctx
        if exten:
            assert exten in found[ctx], (ctx, exten)


def test_variables_the_acd_sets_before_a_redirect_are_read_there(dialplan):
    acd = sources("acd/service")
    for var, ctx in ((contexts.VAR_POSITION, contexts.HOTLINE_ANNOUNCE),
                     (contexts.VAR_EWT, contexts.HOTLINE_ANNOUNCE),
                     (contexts.VAR_CALLBACK_NUM, contexts.HOTLINE_CALLBACK),
                     (contexts.VAR_QUEUE, contexts.HOTLINE_VOICEMAIL)):
        assert f'Setvar("{var}"' in acd, var
        assert f"${{{var}}}" in section(dialplan, ctx), (var, ctx)


def test_announce_says_position_and_wait_then_returns_to_the_music(dialplan):
    body = section(dialplan, contexts.HOTLINE_ANNOUNCE)
    assert "SayNumber(${HOTLINE_POSITION})" in body
    assert body.index("Playback(${ANN_THEREARE})") < body.index("SayNumber(${HOTLINE_POSITION})")
    assert body.index("Playback(${ANN_HOLDTIME})") < body.index("Playback(${ANN_MINUTES})")
    assert 'GotoIf($["${HOTLINE_EWT}" = ""]?done)' in body  # no estimate: no wait sentence
    assert body.rstrip().endswith("Goto(hotline-wait,s,1)")


def test_callback_confirms_the_number_and_hangs_up(dialplan):
    body = section(dialplan, contexts.HOTLINE_CALLBACK)
    apps = re.findall(r"^\s*(?:exten => s|same => n),(?:\d+,)?(\w+)\(", body, re.M)
    assert apps == ["NoOp", "Playback", "SayDigits", "Playback", "Hangup"]
    assert "SayDigits(${HOTLINE_CALLBACK_NUM})" in body
    assert "Goto(" not in body  # the ACD keeps the place in line; this leg just ends


def test_voicemail_goes_to_our_agi_route_and_keeps_a_message_without_it(dialplan):
    body = section(dialplan, contexts.HOTLINE_VOICEMAIL)
    assert "AGI(${VOICEMAIL_URL},call=${HOTLINE_CALL_ID},queue=${HOTLINE_QUEUE}," in body
    assert "VOICEMAIL_URL=agi://10.0.0.7:4573/voicemail" in dialplan
    assert body.index("AGI(") < body.index("Record(${RECDIR}/voicemail/")
    assert ",k)" in body  # a caller who hangs up to end the message keeps it


def test_survey_passes_call_and_agent_and_is_reached_after_the_agent_hangs_up(dialplan):
    assert "AGI(${SURVEY_URL},call=${HOTLINE_CALL_ID},agent=${HOTLINE_AGENT})" in dialplan
    wait = section(dialplan, contexts.HOTLINE_WAIT)
    assert "MusicOnHold(default,600)" in wait and "Goto(hotline-wait,after,1)" in wait
    assert wait.count("?hotline-survey,s,1)") == 2  # new peer, or music cut short
    assert "?hotline-survey,s,1)" in section(dialplan, contexts.HOTLINE_AGENT_DIAL)
    assert "SURVEY_ENABLED=1" in dialplan
    survey = section(dialplan, contexts.HOTLINE_SURVEY)
    assert '"${SURVEY_ENABLED}" != "1"' in survey


def test_agi_routes_are_served_by_the_ivr_and_have_menu_entries(dialplan):
    menus = yaml.safe_load((ROOT / "ivr/menus/default.yaml").read_text(encoding="utf-8"))
    scripts = set(re.findall(r"agi://[\d.]+:\d+/(\w+)", dialplan))
    assert {"ivr", "survey"} <= scripts
    for script in scripts - {"voicemail"}:  # voicemail has the Record() fallback above
        assert callable(getattr(IvrHandler, script, None)), script
        assert script in menus["entries"], script


def test_our_prompts_exist_in_the_catalogue_and_core_sounds_are_known(dialplan):
    ours = re.findall(r"\$\{PROMPTS\}/\$\{CHANNEL\(language\)\}/(\w+)", dialplan)
    assert ours and set(ours) <= set(CATALOGUE)
    assert "PROMPTS=/srv/hotline/prompts" in dialplan
    played = set(re.findall(r"Playback\(([\w-]+)\)", dialplan))
    played |= set(re.findall(r"^ANN_\w+=([\w-]+)$", dialplan, re.M))
    assert played and played <= CORE_SOUNDS, played - CORE_SOUNDS


def test_contexts_the_simulator_emulates_exist(dialplan):
    found = dialplan_contexts(dialplan)
    sim = sources("pbx/sim")
    # context="x" / context == "x" / DIAL_CONTEXT = "x", and Goto data "x,s,1"
    emulated = set(re.findall(r'(?i)context\s*==?\s*"([\w-]+)"', sim))
    emulated |= set(re.findall(r'"(hotline-[\w-]+),\w+,\d+"', sim))
    assert {"hotline-in", "hotline-wait", "hotline-agent", "hotline-agent-dial",
            "hotline-announce"} <= emulated
    assert emulated <= set(found), emulated - set(found)


def test_check_warns_about_a_relative_prompts_dir(tmp_path):
    # Settings always resolve the directory; a relative one can only come from a hand edit.
    write_all(tmp_path, render_all(Settings(prompts_dir=Path("/srv/prompts"))))
    ext = tmp_path / "extensions.conf"
    ext.write_text(ext.read_text(encoding="utf-8").replace("PROMPTS=/srv/prompts", "PROMPTS=var/prompts"),
                   encoding="utf-8")
    warnings = [f.message for f in check_directory(tmp_path, lint=False) if f.level == "warning"]
    assert any("PROMPTS=var/prompts is relative" in w for w in warnings)
    write_all(tmp_path, render_all(Settings(prompts_dir=Path("/srv/prompts"))))
    assert check_directory(tmp_path, lint=False) == []


def test_conference_context_uses_the_rendered_confbridge_profiles(dialplan):
    settings = Settings(agi_public_host="10.0.0.7")
    files = render_all(settings)
    conf = files["confbridge.conf"]
    body = section(dialplan, contexts.HOTLINE_CONFERENCE)
    for profile, kind in ((contexts.CONF_BRIDGE_PROFILE, "bridge"),
                          (contexts.CONF_PARTY_PROFILE, "user"),
                          (contexts.CONF_GUEST_PROFILE, "user")):
        assert re.search(rf"^\[{profile}\]\ntype={kind}$", conf, re.M), profile
        assert profile in body, profile
    party = section(conf, contexts.CONF_PARTY_PROFILE)
    guest = section(conf, contexts.CONF_GUEST_PROFILE)
    assert "quiet=yes" in party and "marked=yes" in party
    assert "quiet=yes" in guest and "endmarked=yes" in guest
    assert f"${{{contexts.VAR_CONF}}}" in body
    assert "require=app_confbridge.so" in files["modules.conf"]
    assert f'Setvar("{contexts.VAR_CONF}"' in sources("acd/service") or \
        "VAR_CONF" in sources("acd/service")
