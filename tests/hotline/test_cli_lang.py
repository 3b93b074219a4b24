"""The CLI's messages in the user's language: Chinese for a zh locale (LC_ALL, LC_MESSAGES,
LANG, in that order) or ``hotline --lang zh``, English otherwise; worded by the console's
catalogue (``agent_console.messages``), so ``hotline outbound`` and ``hotline qa`` refusals
read the same as the pages'."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from hotline.app.cli import app
from hotline.cli_lang import locale_is_chinese
from tests.dbfiles import migrated_sqlite

ZH = {"LANG": "zh_CN.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}
EN = {"LANG": "en_US.UTF-8", "LC_ALL": None, "LC_MESSAGES": None}


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return migrated_sqlite(tmp_path / "cli.db", ("q",))


def _run(args: list[str], env: dict[str, str | None]) -> Result:
    return CliRunner().invoke(app, args, env=env)  # type: ignore[arg-type]


def test_the_locale_variables_in_posix_order() -> None:
    assert locale_is_chinese({"LANG": "zh_CN.UTF-8"})
    assert locale_is_chinese({"LC_MESSAGES": "zh_TW", "LANG": "en_US.UTF-8"})
    assert not locale_is_chinese({"LC_ALL": "C.UTF-8", "LC_MESSAGES": "zh_CN", "LANG": "zh_CN"})
    assert not locale_is_chinese({"LC_ALL": "", "LANG": "en_GB.UTF-8"})  # empty counts as unset
    assert not locale_is_chinese({})


def test_outbound_campaign_config_errors_in_chinese_or_english(db_url: str) -> None:
    u = ["--url", db_url]
    bad = ["outbound", "create", "bad name!", "--queue", "q", "--caller-id", "4008001234", *u]
    zh, en = _run(bad, ZH), _run(bad, EN)
    assert zh.exit_code == en.exit_code == 2
    assert "错误: 外呼任务名称 'bad name!'：请使用 1 到 64 个字母、数字或 - _ . 字符。" in zh.output
    assert "error: campaign name 'bad name!': use 1-64 letters, digits, - _ ." in en.output
    phone = ["outbound", "create", "x", "--queue", "q", "--caller-id", "12", *u]
    assert "主叫号码：'12' 的位数与其国家/地区不符。" in _run(phone, ZH).output  # a message in a message
    hours = ["outbound", "create", "x", "--queue", "q", "--caller-id", "4008001234", "--hours", "9-5", *u]
    assert "外呼时段 '9-5' 应写成 09:00-21:00。" in _run(hours, ZH).output
    assert "calling hours '9-5' must look like 09:00-21:00" in _run(hours, EN).output
    # --lang beats the locale, both ways
    assert "外呼任务名称" in _run(["--lang", "zh", *bad], EN).output
    assert "campaign name" in _run(["--lang", "en", *bad], ZH).output
    unknown = ["outbound", "create", "x", "--queue", "sales", "--caller-id", "4008001234", *u]
    assert "队列 'sales' 不是 ACD 队列，可选：q（队列在管理页面添加）。" in _run(unknown, ZH).output
    assert "queue 'sales' is not an ACD queue; use one of q" in _run(unknown, EN).output
    ok = _run(["outbound", "create", "huifang", "--queue", "q", "--caller-id", "4008001234", *u], ZH)
    assert ok.exit_code == 0 and "外呼任务 huifang 已创建（草稿）" in ok.output
    assert "外呼任务 huifang 现在运行中" in _run(["outbound", "start", "huifang", *u], ZH).output
    again = _run(["outbound", "start", "huifang", *u], ZH)
    assert again.exit_code == 2 and "运行中的外呼任务不能启动；可执行：暂停、停止。" in again.output
    missing = _run(["outbound", "stop", "nope", *u], ZH)
    assert "没有名为 'nope' 的外呼任务" in missing.output
    edit = ["outbound", "edit", "huifang", "--hours", "10:00-18:00", *u]
    assert "外呼任务 huifang 正在进行：请先暂停，修改后再启动" in _run(edit, ZH).output
    assert "外呼任务 huifang 现在已暂停" in _run(["outbound", "pause", "huifang", *u], ZH).output
    assert "外呼任务 huifang 已修改（hours）；新设置在（下次）启动时生效。" in _run(edit, ZH).output
    assert "campaign huifang is unchanged" in _run(edit, EN).output
    assert "没有要修改的内容" in _run(["outbound", "edit", "huifang", *u], ZH).output


def test_outbound_list_and_dnc_import_refusals_in_chinese_or_english(tmp_path: Path, db_url: str) -> None:
    u = ["--url", db_url]
    assert _run(["outbound", "create", "huifang", "--queue", "q", "--caller-id", "4008001234", *u],
                EN).exit_code == 0
    headless = tmp_path / "headless.csv"
    headless.write_text("姓名\n张三\n", encoding="utf-8")
    zh = _run(["outbound", "import", "huifang", str(headless), *u], ZH)
    assert zh.exit_code == 2 and "表头中没有 number（电话）列，请在第一行加上该列" in zh.output
    en = _run(["outbound", "import", "huifang", str(headless), *u], EN)
    assert "no 'number' (电话) column in the header" in en.output
    gone = _run(["outbound", "import", "huifang", str(tmp_path / "nope.csv"), *u], ZH)
    assert gone.exit_code == 2 and "无法读取" in gone.output and "请检查路径" in gone.output
    rows = tmp_path / "list.csv"
    rows.write_text("电话,姓名\n13800138000,张三\n13800138000,李四\n", encoding="utf-8")
    report = json.loads(_run(["outbound", "import", "huifang", str(rows), *u], ZH).output)
    assert (report["imported"], report["errors"]) == (1, [
        {"row": 3, "column": "number", "reason": "+8613800138000 已在本文件第 2 行出现。"}])
    dnc = tmp_path / "dnc.csv"
    dnc.write_text("number\n13900139000\n12\n", encoding="utf-8")
    zh = _run(["outbound", "dnc-import", str(dnc), *u], ZH)
    assert "已添加 1 个号码；1 行被拒绝" in zh.output
    assert json.loads(zh.output.splitlines()[0])["errors"] == [
        {"row": 3, "column": "number", "reason": "'12' 的位数不符合其国家/地区的号码规则。"}]
    en = _run(["outbound", "dnc-import", str(dnc), *u], EN)
    assert "0 number(s) added; 2 row(s) refused" in en.output  # the first run added it
    assert "'12' has the wrong number of digits" in en.output


def test_qa_cli_refusals_in_chinese_or_english(db_url: str) -> None:
    day = ["qa", "sample", "2027-13-01", "--evaluators", "qa", "--url", db_url]
    assert "'2027-13-01' 不是日期，请写成 2027-01-15 的形式。" in _run(day, ZH).output
    assert "'2027-13-01' is not a day; write it as 2027-01-15." in _run(day, EN).output
    nobody = ["qa", "sample", "2027-01-15", "--evaluators", " , ", "--url", db_url]
    assert "请至少指定一位质检员，例如 --evaluators qa,qa2。" in _run(nobody, ZH).output
    by = ["qa", "rates", "--by", "skill", "--url", db_url]
    zh, en = _run(by, ZH), _run(by, EN)
    assert zh.exit_code == en.exit_code == 2
    assert "分组方式可选：agent, group, team, centre，而不是 'skill'。" in zh.output
    assert "Group by one of agent, group, team, centre, not 'skill'." in en.output
    done = _run(["qa", "sample", "2027-01-15", "--evaluators", "qa", "--url", db_url], ZH)
    assert done.exit_code == 0 and "已分配 0 个质检评估" in done.output
