from pathlib import Path

import pytest

from hotline.settings import ConfigFileError, Settings


def test_environment_overrides_yaml_file(tmp_path, monkeypatch):
    cfg = tmp_path / "hotline.yaml"
    cfg.write_text("ami_host: 10.0.0.5\nami_port: 5039\nhttp_port: 9000\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_CONFIG", str(cfg))
    monkeypatch.setenv("HOTLINE_AMI_PORT", "6000")
    s = Settings()
    assert (s.ami_host, s.ami_port, s.http_port) == ("10.0.0.5", 6000, 9000)


def test_a_missing_or_broken_config_file_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("HOTLINE_CONFIG", str(tmp_path / "nope.yaml"))
    with pytest.raises(ConfigFileError, match="not a file"):
        Settings()
    bad = tmp_path / "bad.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    monkeypatch.setenv("HOTLINE_CONFIG", str(bad))
    with pytest.raises(ConfigFileError, match="mapping"):
        Settings()


def test_paths_are_absolute_for_asterisk(monkeypatch):
    monkeypatch.delenv("HOTLINE_CONFIG", raising=False)
    s = Settings(prompts_dir=Path("var/prompts"))
    assert s.prompts_dir.is_absolute()


def test_bad_port_is_refused(monkeypatch):
    monkeypatch.delenv("HOTLINE_CONFIG", raising=False)
    monkeypatch.setenv("HOTLINE_AMI_PORT", "70000")
    with pytest.raises(ValueError, match="between 0 and 65535"):
        Settings()


def test_db_upgrade_cli_reports_every_branch_head(tmp_path):
    import subprocess
    import sys

    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    out = subprocess.run([sys.executable, "-m", "hotline.app", "db", "upgrade", "--url", url],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0001_call_events" not in out.stdout or "crm_0001" in out.stdout
    assert "crm_0001" in out.stdout and "console_0001" in out.stdout
