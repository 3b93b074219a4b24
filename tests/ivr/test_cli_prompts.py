"""``hotline ivr check`` and ``hotline prompts build`` (real espeak-ng and sox)."""

from __future__ import annotations

import wave

from typer.testing import CliRunner

from ivr.cli import app as ivr_app
from ivr.prompts import CATALOGUE
from ivr.prompts_cli import app as prompts_app
from ivr.prompts_cli import build, plan
from tests.ivr.conftest import DEFAULT_YAML

runner = CliRunner()


def test_check_accepts_the_default_menus():
    res = runner.invoke(ivr_app, ["check", str(DEFAULT_YAML)])
    assert res.exit_code == 0, res.output
    assert "OK" in res.output and "zh, en" in res.output


def test_check_rejects_a_bad_file_with_line_and_reason(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("entries: {ivr: main}\nnodes:\n  main:\n    type: menu\n    prompt: main_menu\n"
                   "    choices: {1: nowhere}\n", encoding="utf-8")
    res = runner.invoke(ivr_app, ["check", str(bad)])
    assert res.exit_code == 1
    assert f"{bad}:6: error: node 'main': choices.1 names an unknown node 'nowhere'" in res.output


def test_build_renders_two_prompts_as_8khz_mono_and_keeps_recorded_ones(tmp_path):
    texts = {"welcome": CATALOGUE["welcome"], "goodbye": CATALOGUE["goodbye"]}
    recorded = tmp_path / "en" / "goodbye.wav"
    recorded.parent.mkdir(parents=True)
    recorded.write_bytes(b"recorded by a voice artist")
    jobs = plan(tmp_path, texts, ["zh", "en"])
    assert sorted((j.language, j.prompt_id) for j in jobs) == [("en", "welcome"), ("zh", "goodbye"), ("zh", "welcome")]
    jobs = [j for j in jobs if j.prompt_id == "welcome"]  # two prompts: zh and en
    assert build(jobs) == 2
    for lang in ("zh", "en"):
        with wave.open(str(tmp_path / lang / "welcome.wav")) as w:
            assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
            assert w.getnframes() > 8000 * 0.5  # at least half a second of speech
    assert recorded.read_bytes() == b"recorded by a voice artist"
    assert [j.prompt_id for j in plan(tmp_path, texts, ["zh", "en"])] == ["goodbye"]


def test_build_command_reports_when_nothing_is_missing(tmp_path):
    for lang in ("zh", "en"):
        (tmp_path / lang).mkdir()
        for pid in CATALOGUE:
            (tmp_path / lang / f"{pid}.wav").write_bytes(b"x")
    res = runner.invoke(prompts_app, ["build", "--out", str(tmp_path), "--menu", str(DEFAULT_YAML)])
    assert res.exit_code == 0, res.output
    assert "all prompts present" in res.output
