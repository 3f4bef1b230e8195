"""Fuzzing the real commands with what users and downloaded folders hand them: answers files,
unit.toml files and batch CSVs, built by hypothesis. Every one is rendered or refused: exit 0
or 2, never 1 (an unexpected error), never a traceback."""

from __future__ import annotations

import csv
import io
import shutil
from datetime import date

import tomli_w
from click.testing import CliRunner
from conftest import EXAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.cli import cli

UNIT = EXAMPLES / "units" / "county-propaganda"
GROUP = EXAMPLES / "units" / "county-propaganda-group.toml"
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["", "李明", "a\nb", "{{ 7*7 }}", "{% for %}", "21:00", "temporary", "choice", "posting", "x" * 300, "\x00"])
_scalar = (_text | st.integers(-10**20, 10**20) | st.booleans() | st.floats(allow_nan=False)
           | st.dates(date(1, 1, 1), date(9999, 12, 31)))
_value = st.recursive(_scalar, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
                      max_leaves=6)


def _run(*args):
    result = CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}).invoke(cli, [str(a) for a in args])
    assert result.exit_code in (0, 2), (args[0], result.output, result.exception)
    assert "Traceback" not in result.output and "unexpected error" not in result.output, result.output
    if result.exit_code == 2:
        assert result.output.strip()
    return result


def _answers():
    group = st.fixed_dictionaries({}, optional={
        "name": _text, "purpose": _text, "kind": st.sampled_from(["temporary", "project", "standing"]) | _text,
        "platform": st.sampled_from(["wechat", "qq"]) | _scalar, "created": st.dates(date(1990, 1, 1), date(2110, 1, 1)),
        "dissolve_on": st.dates(date(1, 1, 1), date(9999, 12, 31)) | _scalar, "review_every_months": _scalar})
    person = st.fixed_dictionaries({"name": _text}, optional={"unit": _text, "title": _text, "role": _text})
    rules = st.fixed_dictionaries({}, optional={
        "on": st.lists(st.sampled_from(["posting.reply-window", "x.y"]) | _text, max_size=2),
        "params": st.dictionaries(st.sampled_from(["quiet_start", "leave_days", "digest_every", "nope"]), _value,
                                  max_size=3),
        "custom": st.lists(st.fixed_dictionaries({"text": _text}, optional={"category": _text}), max_size=2)})
    return st.fixed_dictionaries({"group": group, "owner": person}, optional={
        "lang": st.sampled_from(["zh", "en"]) | _scalar, "show_roster": _scalar, "successor": person | _value,
        "members": st.lists(person, max_size=3) | _value, "rules": rules | _value,
        "history": st.lists(st.fixed_dictionaries({"event": st.sampled_from(["dissolved", "renewed"]) | _text,
                                                   "on": _scalar}, optional={"until": _scalar, "reason": _text}),
                            max_size=2),
        "unit": st.sampled_from(["unit", "../nowhere", ""]) | _scalar, "unit_locked": _value, "extra": _value})


@FAST
@given(answers=_answers())
def test_fuzzed_answers_files(tmp_path_factory, answers):
    folder = tmp_path_factory.mktemp("answers")
    shutil.copytree(UNIT, folder / "unit")
    path = folder / "answers.toml"
    path.write_text(tomli_w.dumps(answers), "utf-8")
    _run("check", path)
    rendered = _run("render", path, "--out", folder / "register", "--format", "txt,ics")
    if rendered.exit_code == 0:
        _run("list", "--dir", folder / "register", "--json")
        _run("calendar", "--dir", folder / "register")


def _unit_file():
    param = st.fixed_dictionaries({"type": st.sampled_from(["int", "time", "text", "choice"]) | _text,
                                   "zh": _text, "en": _text},
                                  optional={"default": _scalar, "min": _scalar, "max": _scalar, "max_length": _scalar,
                                            "by_kind": st.dictionaries(st.sampled_from(["temporary", "x"]), _scalar,
                                                                       max_size=2),
                                            "choices": st.dictionaries(_text, st.fixed_dictionaries(
                                                {"zh": _text, "en": _text}) | _value, max_size=2)})
    rule = st.fixed_dictionaries({"id": st.sampled_from(["posting.mine", "posting.tags", "Bad id"]) | _text,
                                  "category": st.sampled_from(["posting", "nowhere"]) | _text,
                                  "zh": _text | st.sampled_from(["{{ quiet_start }}", "{{ nope }}", "{{ oops"]),
                                  "en": _text},
                                 optional={"kinds": st.lists(st.sampled_from(["temporary", "x"]), max_size=2),
                                           "brief_zh": _text, "announce": _scalar})
    return st.fixed_dictionaries({"unit": st.fixed_dictionaries({"name": _text}, optional={
        "short_name": _text, "logo": st.sampled_from(["assets/logo.svg", "../unit.toml", "/etc/passwd"]) | _scalar,
        "version": _scalar, "lang": st.sampled_from(["zh", "en"]) | _scalar}) | _value}, optional={
        "defaults": _value, "locked": st.fixed_dictionaries({"rules": st.fixed_dictionaries({"params": st.dictionaries(
            st.sampled_from(["quiet_start", "leave_days", "tone"]), _scalar, max_size=2)})}) | _value,
        "params": st.dictionaries(st.sampled_from(["quiet_start", "tone", "leave_days"]), param | _value, max_size=2),
        "rules": st.lists(rule, max_size=2) | _value, "disabled": st.lists(_text, max_size=2) | _value,
        "extra": _value})


@FAST
@given(unit_file=_unit_file())
def test_fuzzed_unit_files(tmp_path_factory, unit_file):
    folder = tmp_path_factory.mktemp("unit")
    unit = folder / "unit"
    shutil.copytree(UNIT, unit)
    (unit / "unit.toml").write_text(tomli_w.dumps(unit_file), "utf-8")
    _run("render", GROUP, "--unit", unit, "--out", folder / "register", "--format", "txt,ics,md")
    _run("check", GROUP, "--unit", unit)


_cell = _text | st.sampled_from(["临时群", "standing", "2027-01-31", "+3m", "9999-12-31", "6", "张三"])
_columns = ["群名称", "用途", "类型", "解散日期", "复核周期", "群主", "群主单位", "接任群主", "平台", "建群日期"]


@FAST
@given(header=st.lists(st.sampled_from(_columns + ["name", "kind", "junk"]), min_size=1, max_size=8),
       rows=st.lists(st.lists(_cell, max_size=8), max_size=5),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), garbage=st.binary(max_size=8))
def test_fuzzed_batch_csvs(tmp_path_factory, header, rows, encoding, garbage):
    folder = tmp_path_factory.mktemp("batch")
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows])
    raw = buffer.getvalue().encode(encoding, errors="replace") + garbage
    (folder / "groups.csv").write_bytes(raw)
    _run("batch", folder / "groups.csv", "--unit", UNIT, "--out", folder / "out", "--format", "txt", "--jobs", "1")
