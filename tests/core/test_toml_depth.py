"""TOML too deep to parse cheaply is refused before it is parsed, wherever charter reads one:
tomllib spends time quadratic in a dotted key's depth (400,000 parts took minutes and 20 GB)."""

from __future__ import annotations

import shutil
import time

import pytest
from conftest import EXAMPLES, run_charter

from charter.core.tomlfile import MAX_KEY_PARTS, MAX_NESTING, _too_deep

DEEP_KEY = ".".join(["a"] * 400_000) + " = 1\n"  # 800 KB: tomllib once took minutes and 20 GB on it
DEEP_ARRAY = "x = " + "[" * 50_000 + "]" * 50_000 + "\n"


@pytest.mark.parametrize("source, deep", [
    (".".join(["a"] * MAX_KEY_PARTS) + " = 1", False),
    (".".join(["a"] * (MAX_KEY_PARTS + 1)) + " = 1", True),
    (" . ".join(['"a"'] * (MAX_KEY_PARTS + 1)) + " = 1", True),  # quoted parts and spaces count too
    ("[" + ".".join(["a"] * (MAX_KEY_PARTS + 1)) + "]", True),  # a table header
    ('x = "' + ".".join(["a"] * 50) + '"', False),  # dots inside a string are no key
    ("x = '''\n" + ".".join(["a"] * 50) + "\n'''", False),
    ("# " + ".".join(["a"] * 50) + "\nx = 1", False),  # nor in a comment
    ('x = "\\"" # ' + ".".join(["a"] * 50), False),  # an escaped quote does not end the string
    ("x = " + "[" * MAX_NESTING + "]" * MAX_NESTING, False),
    ("x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), True),
    ("x = " + "{a = " * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1), True),
    ('x = ["[[[[[[[[[[", "{{{{{{{{{{"]', False),  # brackets in strings
    ("x = [1, 2", False),  # unbalanced: tomllib names the line
    # a multi-line string ending in a quote of its own once put the measure out of step with tomllib
    ('a = ["""x"""", """y"""]\n' + ".".join(["k"] * 50) + ' = 1\nz = \'"""\'', True),
    ("a = '''x'''''\n" + ".".join(["k"] * 50) + " = 1", True),
    ('text = """Name files as "date-unit-matter""""  # e.g. "2026.11.25.office.report.draft.v2.final"', False),
    (open(EXAMPLES / "county-media-event.toml", encoding="utf-8").read(), False),
    (open(EXAMPLES / "units" / "county-propaganda" / "unit.toml", encoding="utf-8").read(), False),
])
def test_depth_is_measured_outside_strings_and_comments(source, deep):
    assert _too_deep(source) is deep


@pytest.mark.parametrize("hostile", [
    DEEP_KEY, DEEP_ARRAY, "a" * 1_900_000, 'x = """' + "a" * 1_900_000, 'x = "' + "a\\" * 900_000,
    '"""' * 600_000, 'x = """' + '\\"' * 900_000, 'x = "' + '\\"' * 900_000, '"a' * 900_000,
])
def test_measuring_a_hostile_file_takes_linear_time(hostile):
    started = time.perf_counter()
    _too_deep(hostile)
    assert time.perf_counter() - started < 2  # a regular expression that backtracks takes hours here


@pytest.mark.parametrize("content", [DEEP_KEY, DEEP_ARRAY])
def test_a_deep_answers_file_is_refused_at_once(tmp_path, content):
    answers = tmp_path / "deep.toml"
    answers.write_text(content, "utf-8")
    for command in (("check", answers), ("render", answers, "--out", tmp_path / "out")):
        result = run_charter(*command, timeout=30)
        assert result.returncode == 2, result.stderr
        assert "嵌套层数太多" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_deep_unit_toml_is_refused_at_once(tmp_path):
    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    (unit / "unit.toml").write_text(DEEP_KEY, "utf-8")
    result = run_charter("unit", "check", unit, timeout=30)
    assert result.returncode == 2 and "嵌套层数太多" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["settings", "webhook"])
def test_a_deep_settings_file_is_refused_at_once(tmp_path, where):
    register = tmp_path / "register"
    register.mkdir()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    if where == "settings":
        (tmp_path / "config" / "charter").mkdir(parents=True)
        (tmp_path / "config" / "charter" / "settings.toml").write_text(DEEP_KEY, "utf-8")
        result = run_charter("list", env=env, cwd=tmp_path, timeout=30)
    else:
        assert run_charter("render", EXAMPLES / "county-media-event.toml", "--out", register,
                           "--format", "txt").returncode == 0
        (register / ".charter-settings.toml").write_text(DEEP_KEY, "utf-8")
        result = run_charter("notice", "外宣活动", "rules", "--webhook", "--dry-run", "--dir", register, env=env,
                             timeout=30)
    assert result.returncode == 2, result.stderr
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


def test_finding_the_line_of_a_problem_takes_linear_time(tmp_path):
    """Lines are read again to name where a problem is: "[" and thousands of spaces once took cubic time."""
    answers = tmp_path / "lines.toml"
    answers.write_text((EXAMPLES / "township-office.toml").read_text("utf-8")
                       + "\n[extra]\nbogus = [\n[" + " " * 20_000 + "1,\n2]]\n", "utf-8")
    started = time.perf_counter()
    result = run_charter("check", answers, timeout=60)
    assert result.returncode == 2 and "extra" in result.stderr and time.perf_counter() - started < 10
