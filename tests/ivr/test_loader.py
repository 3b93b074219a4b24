from __future__ import annotations

import textwrap

import pytest

from ivr.loader import AGENT_NODE, MenuError, parse_menus
from ivr.schema import QueueNode


def load(text: str):
    return parse_menus(textwrap.dedent(text).lstrip("\n"), source="t.yaml")


def problems(text: str) -> list[tuple[int, str]]:
    with pytest.raises(MenuError) as exc:
        load(text)
    return [(p.line, p.reason) for p in exc.value.problems]


GOOD = """
entries: {ivr: main}
nodes:
  main:
    type: menu
    prompt: main_menu
    choices: {1: sales}
  sales:
    type: queue
    queue: sales
"""


def test_default_menus_load_cleanly(default_menus):
    assert default_menus.warnings == ()
    assert default_menus.entry("ivr") == "start"
    assert default_menus.entry("survey") == "survey"
    assert isinstance(default_menus.nodes[AGENT_NODE], QueueNode)
    assert default_menus.nodes[AGENT_NODE].queue == "general"


def test_digit_keys_become_strings_and_fallback_is_a_human():
    m = load(GOOD)
    assert m.nodes["main"].choices == {"1": "sales"}
    assert m.fallback == AGENT_NODE


def test_yaml_syntax_error_reports_its_line():
    [(line, reason)] = problems("entries: {ivr: main}\nnodes:\n  main: [unclosed\n")
    assert line == 4 or line == 3
    assert "not valid YAML" in reason


def test_unknown_node_type_reports_the_node_line():
    [(line, reason)] = problems("""
        entries: {ivr: main}
        nodes:
          main:
            type: menuu
            prompt: main_menu
        """)
    assert line == 3 and "unknown node type" in reason


def test_missing_and_unknown_fields_report_lines():
    got = problems("""
        entries: {ivr: main}
        nodes:
          main:
            type: menu
            prompt: main_menu
            choises: {1: main}
        """)
    reasons = dict(got)
    assert any("choices" in r and "required" in r for r in reasons.values())
    assert reasons[6].startswith("nodes.main.menu.choises: unknown field")


def test_unknown_next_node_reports_the_reference_line():
    [(line, reason)] = problems("""
        entries: {ivr: main}
        nodes:
          main:
            type: menu
            prompt: main_menu
            choices:
              1: sales
              2: suport
          sales: {type: queue, queue: sales}
        """)
    assert line == 8 and "unknown node 'suport'" in reason


def test_bad_choice_digit_and_bad_value_lines():
    got = problems("""
        entries: {ivr: main}
        nodes:
          main:
            type: menu
            prompt: main_menu
            choices: {12: main}
            timeout_s: -3
        """)
    assert any(line == 6 and "one DTMF key" in r for line, r in got)
    assert any(line == 7 and "greater than 0" in r for line, r in got)


def test_loop_without_input_is_rejected():
    got = problems("""
        entries: {ivr: a}
        nodes:
          a: {type: play, prompt: welcome, next: b}
          b: {type: condition, test: vip, then: a, else: c}
          c: {type: queue, queue: sales}
        """)
    assert any("loop without waiting" in r and "a -> b -> a" in r.replace("b -> a -> b", "a -> b -> a")
               for _, r in got)


def test_loop_through_a_menu_is_fine():
    m = load("""
        entries: {ivr: a}
        nodes:
          a: {type: play, prompt: welcome, next: main}
          main: {type: menu, prompt: main_menu, choices: {9: a, 1: q}}
          q: {type: queue, queue: sales}
        """)
    assert m.warnings == ()


def test_unreachable_node_is_a_warning():
    m = load(GOOD + "  orphan: {type: hangup}\n")
    [w] = m.warnings
    assert w.line == 10 and "orphan" in w.reason


def test_prompt_without_text_is_rejected_so_no_caller_hears_silence():
    got = problems("""
        entries: {ivr: main}
        nodes:
          main: {type: play, prompt: my_new_prompt, next: q}
          q: {type: queue, queue: sales}
        """)
    assert [line for line, _ in got] == [3, 3]
    assert "'my_new_prompt' has no zh text" in got[0][1] and "no en text" in got[1][1]
    m = load("""
        prompts:
          my_new_prompt: {zh: 新提示, en: A new prompt}
        entries: {ivr: main}
        nodes:
          main: {type: play, prompt: my_new_prompt, next: q}
          q: {type: queue, queue: sales}
        """)
    assert m.prompts["my_new_prompt"]["zh"] == "新提示"


def test_bad_hours_calendar_and_zone_report_lines():
    got = problems("""
        timezone: Mars/Olympus
        calendars:
          cn: {holidays: [{from: 2026-10-07, to: 2026-10-01}]}
        hours:
          office:
            calendar: cn
            weekly: {mon-fri: "18:00-09:00"}
        entries: {ivr: main}
        nodes:
          main: {type: condition, test: open, hours: ofice, then: q, else: q}
          q: {type: queue, queue: sales}
        """)
    lines = {line for line, _ in got}
    assert 1 in lines  # time zone
    msgs = " | ".join(r for _, r in got)
    assert "not a time zone" in msgs


def test_hours_errors_after_schema_passes():
    got = problems("""
        calendars:
          cn: {holidays: [{from: 2026-10-07, to: 2026-10-01}]}
        hours:
          office:
            calendar: cn
            weekly: {mon-fri: "18:00-09:00"}
        entries: {ivr: main}
        nodes:
          main: {type: condition, test: open, hours: ofice, then: q, else: q}
          q: {type: queue, queue: sales}
        """)
    by_line = dict(got)
    assert "'to' must be on or after 'from'" in by_line[2]
    assert "ends before it starts" in by_line[4]
    assert "no hours named 'ofice'" in by_line[9]


def test_duplicate_key_reports_the_second_line():
    [(line, reason)] = problems("entries: {ivr: main}\nnodes:\n  main: {type: hangup}\n  main: {type: hangup}\n")
    assert line == 4 and "appears twice" in reason


def test_error_message_names_file_and_line():
    with pytest.raises(MenuError) as exc:
        load("entries: {ivr: nowhere}\nnodes:\n  a: {type: hangup}\n")
    assert str(exc.value).startswith("t.yaml:1: entry 'ivr' names an unknown node 'nowhere'")
