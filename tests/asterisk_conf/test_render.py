"""Rendered Asterisk configuration: lint-clean dialplan, every context the code uses,
every jump target present, least-privilege AMI user."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from asterisk_conf.check import check_directory, dialplan_contexts, jump_targets, run_asterisklint
from asterisk_conf.cli import app
from asterisk_conf.render import (
    ConfigRenderError,
    SiteOptions,
    parse_agents,
    render_all,
    write_all,
)
from hotline.settings import Settings
from pbx import contexts


@pytest.fixture
def rendered(tmp_path):
    settings = Settings(agi_public_host="10.0.0.7", agi_port=4573, ami_host="127.0.0.1")
    write_all(tmp_path, render_all(settings, SiteOptions(agents=parse_agents("1001-1003,1010"))))
    return tmp_path


def test_asterisklint_reports_nothing_on_the_rendered_dialplan(rendered):
    assert run_asterisklint(rendered / "extensions.conf") == []


def test_asterisklint_is_really_run_and_catches_a_missing_goto_context(rendered):
    ext = rendered / "extensions.conf"
    ext.write_text(ext.read_text().replace("Goto(hotline-wait,s,1)", "Goto(nowhere,s,1)"))
    messages = [f.message for f in run_asterisklint(ext)]
    assert any("E_DP_GOTO_NOCONTEXT" in m and "nowhere" in m for m in messages)


def test_every_context_and_entry_point_the_code_uses_exists(rendered):
    text = (rendered / "extensions.conf").read_text()
    found = dialplan_contexts(text)
    for name in contexts.CONTEXTS:
        assert name in found, name
    for ctx, exten in contexts.ENTRY_POINTS:
        assert exten in found[ctx], (ctx, exten)


def test_every_jump_target_exists(rendered):
    text = (rendered / "extensions.conf").read_text()
    targets = jump_targets(text)
    assert {"hotline-wait", "hotline-transfer", "hotline-agent-dial", "hotline-survey"} <= targets
    assert targets <= set(dialplan_contexts(text))


def test_dialplan_uses_our_fastagi_server_and_bridges_with_transfer_option(rendered):
    text = (rendered / "extensions.conf").read_text()
    assert "AGI_URL=agi://10.0.0.7:4573/ivr" in text
    assert "AGI(${AGI_URL},lang=${DEFAULT_LANG})" in text
    assert "Bridge(${HOTLINE_CALLER},T" in text
    assert "MusicOnHold(default,600)" in text
    assert "Queue(" not in text  # routing is ours, never app_queue


def test_manager_user_has_least_privilege_and_only_the_backend_may_connect(rendered):
    manager = (rendered / "manager.conf").read_text()
    read = re.search(r"^read=(.*)$", manager, re.M)[1].split(",")
    write = re.search(r"^write=(.*)$", manager, re.M)[1].split(",")
    assert "all" not in read + write
    assert set(write) == {"call", "originate", "reporting"}
    assert {"call", "system"} <= set(read) and "security" not in read
    assert "deny=0.0.0.0/0.0.0.0" in manager and "permit=10.0.0.7/255.255.255.255" in manager


def test_pjsip_has_trunk_and_one_endpoint_per_agent(rendered):
    pjsip = (rendered / "pjsip.conf").read_text()
    for n in ("1001", "1002", "1003", "1010"):
        assert f"[agent{n}](ep-common)" in pjsip and f"username=agent{n}" in pjsip
    assert "[agent1004]" not in pjsip
    assert "[hotline-trunk](ep-common)" in pjsip and "context=hotline-in" in pjsip
    passwords = re.findall(r"^password=(.*)$", pjsip, re.M)
    assert len(set(passwords)) == 4 and all(len(p) == 20 for p in passwords)


def test_features_has_the_atxfer_code(rendered):
    assert "atxfer => *2" in (rendered / "features.conf").read_text()


def test_check_finds_all_privilege_and_missing_context(rendered):
    manager = rendered / "manager.conf"
    manager.write_text(manager.read_text().replace("write=call,originate,reporting", "write=all"))
    ext = rendered / "extensions.conf"
    ext.write_text(ext.read_text().replace("[hotline-spy]", "[hotline-spy-old]"))
    errors = [f.message for f in check_directory(rendered, lint=False) if f.level == "error"]
    assert any("write=all" in e for e in errors)
    assert any("[hotline-spy]" in e for e in errors)


def test_bad_settings_say_what_to_fix():
    with pytest.raises(ConfigRenderError, match="agi_public_host must be an IP"):
        render_all(Settings(agi_public_host="backend.example"))
    with pytest.raises(ConfigRenderError, match="range"):
        parse_agents("1004-1001")


def test_cli_render_then_check(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["render", str(tmp_path / "conf"), "--agents", "2001-2002"])
    assert out.exit_code == 0, out.output
    assert "[agent2002](ep-common)" in (tmp_path / "conf" / "pjsip.conf").read_text()
    checked = runner.invoke(app, ["check", str(tmp_path / "conf")])
    assert checked.exit_code == 0, checked.output
    assert "0 error(s)" in checked.output
    missing = runner.invoke(app, ["check", str(tmp_path / "nothing")])
    assert missing.exit_code == 2


def test_a_parked_agent_leg_waits_as_long_as_the_longest_hold(tmp_path):
    dialplan = render_all(Settings(), SiteOptions())["extensions.conf"]
    assert "HOLD_MAX=3600" in dialplan
    hold = dialplan[dialplan.index("exten => hold,1"):]
    assert hold.splitlines()[1].strip() == "same => n,Wait(${HOLD_MAX})"
    out = CliRunner().invoke(app, ["render", str(tmp_path / "conf"), "--hold-max", "7200"])
    assert out.exit_code == 0, out.output
    assert "HOLD_MAX=7200" in (tmp_path / "conf" / "extensions.conf").read_text()
