"""Links in a unit folder: every path a unit names stays inside it once links are followed.

Real symbolic links to /etc: a unit someone downloads may carry them. Each is bad input (exit 2)
naming the link, before anything is rendered; nothing of /etc reaches a file or a message.
"""

from __future__ import annotations

import os
import shutil

import pytest
from click.testing import CliRunner
from conftest import EXAMPLES, run_charter

from charter.cli import cli

UNIT = EXAMPLES / "units" / "county-propaganda"
GROUP = EXAMPLES / "units" / "county-propaganda-group.toml"
PASSWD = "/etc/passwd"


def _unit(tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(UNIT, unit)
    return unit


def _replace_with_link(path, target):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
    path.symlink_to(target)


LINKS = {  # the link inside the unit folder → where it points
    "assets": "/etc",
    "templates": "/etc",
    "assets/logo.svg": PASSWD,
    "assets/fonts": "/etc",
    "assets/rule.png": PASSWD,
    "templates/charter.html.j2": PASSWD,
    "templates/announcement.txt.j2": "../../../../../../../etc/passwd",
    "unit.toml": PASSWD,
    "assets/gone.png": "/nonexistent-charter-target",
}


def _invoke(*args):
    return CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}).invoke(cli, [str(a) for a in args])


def _leaked(tmp_path) -> bool:
    return any(b"root:" in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file() and not p.is_symlink()
               and "unit" not in p.relative_to(tmp_path).parts)


@pytest.mark.parametrize("link", sorted(LINKS))
def test_a_link_out_of_the_unit_is_bad_input_naming_it(tmp_path, link):
    unit = _unit(tmp_path)
    _replace_with_link(unit / link, LINKS[link])
    answers = tmp_path / "group.toml"
    answers.write_text(GROUP.read_text("utf-8").replace('unit = "county-propaganda"', 'unit = "unit"')
                       + '\n[[rules.custom]]\ncategory = "posting"\ntext = "![示例](assets/rule.png)"\n', "utf-8")
    for args in (["render", answers, "--out", tmp_path / "out", "--format", "html,pdf,txt"],
                 ["check", answers], ["unit", "check", unit]):
        result = _invoke(*args)
        assert result.exit_code == 2, (args[0], result.output, result.exception)
        assert f"{link}: " in result.output and "链接" in result.output, result.output
        assert "root:" not in result.output
    assert not (tmp_path / "out").exists() and not _leaked(tmp_path)


def test_links_inside_the_unit_are_followed(tmp_path):
    """A link that stays inside the unit (even one to a folder above it, which must not loop) is fine,
    and so is a unit folder that is itself a link, as an answers file may name it."""
    unit = _unit(tmp_path)
    (unit / "assets" / "up").symlink_to("..")
    (unit / "assets" / "logo-link.svg").symlink_to("logo.svg")
    source = (unit / "unit.toml").read_text("utf-8").replace('logo = "assets/logo.svg"', 'logo = "assets/logo-link.svg"')
    (unit / "unit.toml").write_text(source, "utf-8")
    (tmp_path / "linked-unit").symlink_to(unit)
    answers = tmp_path / "group.toml"
    answers.write_text(GROUP.read_text("utf-8").replace('unit = "county-propaganda"', 'unit = "linked-unit"'), "utf-8")
    result = _invoke("render", answers, "--out", tmp_path / "out", "--format", "html")
    assert result.exit_code == 0, result.output
    [html] = (tmp_path / "out").rglob("charter.html")
    assert 'src="data:image/svg+xml;base64,' in html.read_text("utf-8")


def test_a_unit_whose_assets_lead_to_etc_through_the_installed_command(tmp_path):
    unit = _unit(tmp_path)
    _replace_with_link(unit / "assets", "/etc")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html,pdf")
    assert result.returncode == 2 and f"{unit / 'assets'}" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    assert os.path.islink(unit / "assets")  # nothing was "fixed" behind the user's back
