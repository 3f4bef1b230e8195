"""Hostile unit templates and rule texts: none runs code, reads a file, hangs or fills the memory.

Each payload goes into every template a command renders (the charter, the announcement, the
calendar event, the welcome notice) of a unit that a group of the register uses, then
`render`, `unit check`, `calendar` and `notice` run: each must exit 2 naming the template,
create no marker file and finish in seconds. The first payloads are the ones attackers use
against Jinja; the rest ask for time or memory in one step.
"""

from __future__ import annotations

import shutil
import time

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, run_charter

from charter.cli import cli
from charter.core.template_costs import RENDER_SECONDS

UNIT = EXAMPLES / "units" / "county-propaganda"
GROUP = EXAMPLES / "units" / "county-propaganda-group.toml"
TEMPLATES = ("charter.html.j2", "announcement.txt.j2", "calendar-event.txt.j2", "notice-welcome.txt.j2")
MARKER = "@MARKER@"  # a file the payload creates if it ever runs a command

HOSTILE = {
    "pickle": '{{ group.parse_raw("cos\\nsystem\\n(S\'touch @MARKER@\'\\ntR.", content_type="application/pickle", '
              'allow_pickle=True) }}',
    "subclasses": "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == '_wrap_close' %}"
                  "{{ c.__init__.__globals__['popen']('touch @MARKER@').read() }}{% endif %}{% endfor %}",
    "cycler": "{{ cycler.__init__.__globals__.os.popen('touch @MARKER@').read() }}",
    "joiner": "{{ joiner.__init__.__globals__.os.system('touch @MARKER@') }}",
    "lipsum": "{{ lipsum.__globals__['os'].system('touch @MARKER@') }}",
    "namespace": "{{ namespace.__init__.__globals__['sys'].modules['os'].system('touch @MARKER@') }}",
    "context": "{{ self._TemplateReference__context.environment.__init__.__globals__ }}",
    "globals-of-a-method": "{{ t.items.__self__.__class__.__base__.__subclasses__() }}",
    "range": "{{ range.__globals__['__builtins__']['open']('/etc/passwd').read() }}",
    "format-attribute": "{{ '{0.__class__.__base__.__subclasses__}'.format(group) }}",
    "format-map": "{{ '{x.__init__.__globals__}'.format_map({'x': namespace}) }}",
    "mutate-the-messages": "{% set x = t.update({'title': 'owned'}) %}{{ x }}",
    "include-passwd": '{% include "/etc/passwd" %}',
    "import-passwd": '{% import "../../../../../../../etc/passwd" as p %}{{ p }}',
    "huge-loop": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "doubling-string": "{% set ns = namespace(s='ab') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}"
                       "{% endfor %}{{ ns.s|length }}",
    "doubling-number": "{% set ns = namespace(x=2) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
                       "{% endfor %}{{ ns.x > 0 }}",
    "power-tower": "{{ (((10**64)**64)**64)**64 > 1 }}",
    "exponential-list": "{% set ns = namespace(a=1, b=1) %}{% for i in range(60) %}{% set ns.a = [ns.a, ns.a] %}"
                        "{% set ns.b = [ns.b, ns.b] %}{% endfor %}{{ ns.a == ns.b }}",
    "recursion": "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}",
    "exponential-calls": "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
    "self-include": '{% include "announcement.txt.j2" %}{% include "charter.html.j2" %}',
    "percent-width": '{{ "%(a)999999999s" % {"a": 1} }}',
    "brace-width": '{{ "{:>999999999}".format(1) }}',
    "computed-width": '{{ "{:{}}".format(1, 999999999) }}',
    "format-filter-width": '{{ "%0999999999d"|format(1) }}',
    "ljust": '{{ "a".ljust(999999999) }}',
    "center-filter": '{{ "a"|center(999999999) }}',
    "replace-amplifies": '{% set s = "a" * 100000 %}{{ s.replace("a", s)|length }}',
    "join-of-references": '{% set s = "a" * 100000 %}{{ ([s] * 100000)|join|length }}',
    "map-center": "{{ range(100000)|map('center', 99999)|list|length }}",
    "indent-lines": '{% set s = "\\n" * 100000 %}{{ s|indent(99999, blank=true)|length }}',
    "text-in-a-loop": "{% for i in range(100000) %}{% for j in range(100) %}" + "x" * 200 + "{% endfor %}{% endfor %}",
    "to-bytes": '{{ (1).to_bytes(999999999, "big") }}',
    "translate": '{% set s = "a" * 100000 %}{{ s.translate({97: s})|length }}',
    "fromkeys": '{{ {}.fromkeys(range(100000), "a" * 100000)|string|length }}',
    "division": "{{ 1 / 0 }}",
    "huge-numbers-divided": '{% set x = ("f" * 2000000)|int(base=16) %}{% set y = ("e" * 1000000)|int(base=16) %}'
                            "{{ (x // y) > 0 }}",
    "huge-number-from-int": '{{ (("f" * 100000)|int(base=16) - 1) > 0 }}',
}


def _clean_register(tmp_path):
    """A copy of the county unit, and a register with one group rendered with it."""
    unit = tmp_path / "unit"
    shutil.copytree(UNIT, unit)
    register = tmp_path / "register"
    answers = tmp_path / "group.toml"
    answers.write_text(GROUP.read_text("utf-8").replace('unit = "county-propaganda"', 'unit = "unit"'), "utf-8")
    result = CliRunner().invoke(cli, ["render", str(answers), "--out", str(register), "--format", "txt"])
    assert result.exit_code == 0, result.output
    return unit, register


def _poison(unit, source: str) -> None:
    for name in TEMPLATES:
        (unit / "templates" / name).write_text(source, encoding="utf-8")


def _commands(unit, register, tmp_path):
    return {
        "render": ["render", str(GROUP), "--unit", str(unit), "--out", str(tmp_path / "out"), "--format", "txt,ics"],
        "unit check": ["unit", "check", str(unit)],
        "calendar": ["calendar", "--dir", str(register)],
        "notice": ["notice", "县委宣传部网评工作群", "welcome", "--member", "郑丽", "--dir", str(register)],
    }


def _in_process(args):
    result = CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}).invoke(cli, args)
    return result.exit_code, result.output


def _installed(args):
    result = run_charter(*args)
    return result.returncode, result.stderr


def _refused_by_every_command(tmp_path, name: str, run, limit: float) -> None:
    """The payload in every template of a unit a group uses; each command exits 2 naming the
    template, in time, leaving no marker file, no /etc/passwd line and no charter."""
    marker = tmp_path / "pwned"
    unit, register = _clean_register(tmp_path)
    _poison(unit, HOSTILE[name].replace(MARKER, str(marker)))
    for command, args in _commands(unit, register, tmp_path).items():
        started = time.monotonic()
        code, said = run(args)
        assert code == 2, (command, said)
        assert ("单位模板出错" in said or "unit template error" in said) and ".j2:" in said, (command, said)
        assert "Traceback" not in said and "root:" not in said, command
        assert time.monotonic() - started < limit + 5, command  # the budget, and slack for a shared machine
        assert not marker.exists(), command
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_template_is_refused_by_every_command(tmp_path, name):
    _refused_by_every_command(tmp_path, name, _in_process, RENDER_SECONDS)


@pytest.mark.parametrize("name", ["pickle", "cycler", "exponential-calls"])
def test_hostile_template_through_the_installed_command(tmp_path, name):
    """The same, as a user runs it: a separate process, its exit code and its words."""
    _refused_by_every_command(tmp_path, name, _installed, RENDER_SECONDS + 5)


@pytest.mark.parametrize("text", [
    "{{ group_name.__class__.__mro__ }}",
    "{{ owner.encode() }}",
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    '{{ "a".ljust(999999999) }}',
    "{{ 1 / 0 }}",
    '{% include "/etc/passwd" %}',
    '{% set x = ("f" * 2000000)|int(base=16) %}{{ (x // 3) > 0 }}',
])
def test_hostile_rule_text_is_refused(tmp_path, text):
    unit = tmp_path / "unit"
    shutil.copytree(UNIT, unit)
    source = (unit / "unit.toml").read_text("utf-8")
    (unit / "unit.toml").write_text(source.replace('brief_zh = "对外稿件经部办公室审核后再发。"', f"brief_zh = '{text}'"),
                                    "utf-8")
    started = time.monotonic()
    result = CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}).invoke(
        cli, ["render", str(GROUP), "--unit", str(unit), "--out", str(tmp_path / "out"), "--format", "txt"])
    assert result.exit_code == 2, (result.output, result.exception)
    assert "rules.posting.press-review" in result.output and "root:" not in result.output
    assert time.monotonic() - started < RENDER_SECONDS
    assert not (tmp_path / "out").exists()


def test_honest_templates_are_far_inside_the_limits(tmp_path):
    """A roster of nearly 5,000 members through the unit's own templates: the limits leave honest work alone."""
    source = GROUP.read_text("utf-8").replace('unit = "county-propaganda"', f'unit = "{UNIT}"').replace(
        'lang = "zh"', 'lang = "zh"\nshow_roster = true')
    source += "".join(f'\n[[members]]\nname = "成员{i}"\nunit = "单位{i % 40}"\n' for i in range(4990))
    answers = tmp_path / "big.toml"
    answers.write_text(source, "utf-8")
    result = CliRunner().invoke(cli, ["render", str(answers), "--out", str(tmp_path / "out"), "--format", "html,txt"])
    assert result.exit_code == 0, result.output
    [html] = (tmp_path / "out").rglob("charter.html")
    assert "成员4989" in html.read_text("utf-8")
