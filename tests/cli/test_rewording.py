"""A group's own wording of a catalogue rule ([rules.text]) through the commands: render, render
--force, renew, check, schema, and a unit's locked rules."""

from __future__ import annotations

import json
import tomllib

import pytest
from conftest import EXAMPLES, run_charter, unit_locking_rules

from charter.render.context import catalogue_wordings
from charter.schema.answers import MAX_RULE_IDS
from charter.schema.catalogue import builtin_catalogue
from charter.schema.group import validate_for

GROUP = "县融媒体中心外宣活动群"
MINE = "机密材料一律不进群，{{ owner }} 会提醒；{% if 1 %}这不是模板{% endif %}。"
TODAY = {"CHARTER_TODAY": "2026-11-25"}


def answers(tmp_path, table: str, source: str = "county-media-event.toml") -> str:
    path = tmp_path / "answers.toml"
    path.write_text((EXAMPLES / source).read_text("utf-8") + "\n[rules.text]\n" + table, "utf-8")
    return str(path)


@pytest.fixture
def rendered(tmp_path):
    out = tmp_path / "out"
    source = answers(tmp_path, f'"security.confidential" = "{MINE}"\n')
    result = run_charter("render", source, "--out", out, "--format", "md,txt", env=TODAY)
    assert result.returncode == 0, result.stderr
    return out


def kept(folder) -> dict:
    return tomllib.loads((folder / "charter.toml").read_text("utf-8"))["rules"].get("text", {})


def test_a_reworded_rule_is_printed_as_typed_in_the_charter_and_the_announcement(rendered):
    folder = rendered / GROUP
    assert MINE in (folder / "charter.md").read_text("utf-8")  # {{ }} and {% %} as typed, never evaluated
    assert MINE in (folder / "announcement.txt").read_text("utf-8")
    assert "涉密文件" not in (folder / "announcement.txt").read_text("utf-8")
    assert kept(folder) == {"security.confidential": MINE}


def test_render_force_and_renew_keep_the_wording(rendered):
    folder = rendered / GROUP
    again = run_charter("render", folder / "charter.toml", "--out", rendered, "--format", "md,txt", "--force", env=TODAY)
    assert again.returncode == 0, again.stderr
    assert kept(folder) == {"security.confidential": MINE} and MINE in (folder / "charter.md").read_text("utf-8")
    renewed = run_charter("renew", GROUP, "--dir", rendered, "--until", "2027-01-31", "--reason", "延期", env=TODAY)
    assert renewed.returncode == 0, renewed.stderr
    assert kept(folder) == {"security.confidential": MINE} and MINE in (folder / "announcement.txt").read_text("utf-8")


def test_check_finds_a_reworded_rule_that_demands_replies(tmp_path):
    source = answers(tmp_path, '"security.confidential" = "收到通知后，每人都要回复“收到”。"\n')
    result = run_charter("check", source, env=TODAY)
    assert result.returncode == 0 and "[mandatory-replies]" in result.stdout
    vague = run_charter("check", answers(tmp_path, '"security.confidential" = "请及时回复。"\n'), env=TODAY)
    assert "[vague-rule]" in vague.stdout and "改写的规则 security.confidential" in vague.stdout


def test_an_unknown_rule_id_is_named_with_its_line(tmp_path):
    source = answers(tmp_path, '"security.confidentail" = "不外传。"\n')
    line = open(source, encoding="utf-8").read().splitlines().index('"security.confidentail" = "不外传。"') + 1
    result = run_charter("check", source, env=TODAY)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"answers.toml:{line}: rules.text.security.confidentail" in result.stderr
    assert "security.confidential" in result.stderr  # did you mean


@pytest.mark.parametrize("table, expected", [
    ('"security.confidential" = "不外传\\u0007"\n', "含有控制字符"),
    ('"security.confidential" = "   "\n', "rules.text.security.confidential"),
    ('"security.confidential" = "第一行\\n99. 伪造的一条"\n', "只能写一行"),  # a line break forges a numbered rule
    ('"security.confidential" = "' + "长" * 2001 + '"\n', "2000"),
    ("".join(f'"x.r{i}" = "a"\n' for i in range(MAX_RULE_IDS + 1)), str(MAX_RULE_IDS)),
])
def test_a_wording_that_cannot_be_printed_is_refused(tmp_path, table, expected):
    result = run_charter("check", answers(tmp_path, table), env=TODAY)
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr


def test_a_unit_refuses_rewording_a_rule_it_locks(tmp_path):
    unit_dir = unit_locking_rules(tmp_path / "unit", "security.confidential")
    source = answers(tmp_path, '"security.confidential" = "不外传。"\n', "units/county-propaganda-group.toml")
    result = run_charter("render", source, "--unit", unit_dir, "--out", tmp_path / "out", "--format", "txt", env=TODAY)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "规则“security.confidential”由中共青石县委宣传部统一规定，本群不能改写它的文字" in result.stderr
    assert not (tmp_path / "out").exists()
    free = answers(tmp_path, '"posting.reply-window" = "看到就好，不必回复。"\n', "units/county-propaganda-group.toml")
    assert run_charter("check", free, "--unit", unit_dir, env=TODAY).returncode == 0


def test_the_schema_describes_rules_text():
    schema = json.loads(run_charter("schema").stdout)
    text = schema["$defs"]["Rules"]["properties"]["text"]
    assert text["type"] == "object" and text["maxProperties"] == MAX_RULE_IDS
    assert text["additionalProperties"]["maxLength"] == 2000 and "printed as written" in text["description"]


def test_a_unit_that_locks_a_rule_later_still_lists_the_group_and_refuses_its_next_render(tmp_path):
    unit_dir = unit_locking_rules(tmp_path / "unit")
    source = answers(tmp_path, '"security.confidential" = "不外传。"\n', "units/county-propaganda-group.toml")
    out = tmp_path / "out"
    assert run_charter("render", source, "--unit", unit_dir, "--out", out, "--format", "txt", env=TODAY).returncode == 0
    unit_file = unit_dir / "unit.toml"
    unit_file.write_text(unit_file.read_text("utf-8").replace("locked_rules = []", "locked_rules = ['security.confidential']"))
    listed = run_charter("list", "--dir", out, env=TODAY)
    assert listed.returncode == 0 and "县委宣传部网评工作群" in listed.stdout and "正常" in listed.stdout
    rendered = next(out.glob("*/charter.toml"))
    again = run_charter("render", rendered, "--out", out, "--format", "txt", "--force", env=TODAY)
    assert again.returncode == 2 and "security.confidential" in again.stderr and "Traceback" not in again.stderr


def test_a_unit_naming_an_unknown_rule_to_lock_is_refused(tmp_path):
    unit_dir = unit_locking_rules(tmp_path / "unit", "security.nope")
    result = run_charter("unit", "check", unit_dir)
    assert result.returncode == 2 and "unit.toml:1: locked_rules[0]" in result.stderr and "security.nope" in result.stderr


def test_a_wording_equal_to_the_catalogues_is_not_kept(tmp_path):
    source = answers(tmp_path, "")
    model = validate_for(tomllib.loads(open(source, encoding="utf-8").read()), None)
    current = catalogue_wordings(model, builtin_catalogue(), ["security.confidential"])["security.confidential"]
    with open(source, "a", encoding="utf-8") as file:
        file.write(f'"security.confidential" = "{current}"\n"posting.tags" = "我们自己的话。"\n')
    result = run_charter("render", source, "--out", tmp_path / "out", "--format", "txt", env=TODAY)
    assert result.returncode == 0, result.stderr
    assert kept(tmp_path / "out" / GROUP) == {"posting.tags": "我们自己的话。"}
