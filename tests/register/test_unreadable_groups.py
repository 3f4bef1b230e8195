"""The register never drops a group silently: a group that cannot be read is a problem shown by
list, due and calendar; a unit's later change does not make its groups unreadable; a group
finds its unit again after the register, the unit or charter itself moved."""

from __future__ import annotations

import json
import shutil
import tomllib

import pytest
from conftest import EXAMPLES, run_charter

UNIT = EXAMPLES / "units" / "county-propaganda"
GROUP_ANSWERS = EXAMPLES / "units" / "county-propaganda-group.toml"
GROUP = "县委宣传部网评工作群"  # project, → 2027-06-30
EVENT = "县融媒体中心外宣活动群"


def charter(*args, today: str = "2026-12-29"):
    return run_charter(*args, env={"CHARTER_TODAY": today, "LANG": "zh_CN.UTF-8", "LC_ALL": ""})


def listed(register) -> list[dict]:
    result = charter("list", "--dir", register, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture()
def office(tmp_path):
    """An office folder: its own copy of the county unit in units/, and a register beside it with
    one group of that unit and one without."""
    unit = tmp_path / "office" / "units" / "county"
    shutil.copytree(UNIT, unit)
    register = tmp_path / "office" / "register"
    result = charter("render", GROUP_ANSWERS, "--unit", unit, "--out", register, "--format", "txt,ics")
    assert result.returncode == 0, result.stderr
    assert charter("render", EXAMPLES / "county-media-event.toml", "--out", register, "--format", "txt").returncode == 0
    return tmp_path / "office"


def _edit(path, old: str, new: str) -> None:
    """The first occurrence changed, as someone editing the file by hand would."""
    source = path.read_text("utf-8")
    assert old in source, old
    path.write_text(source.replace(old, new, 1), "utf-8")


def test_an_unreadable_group_is_shown_by_list_due_and_calendar(office):
    register = office / "register"
    _edit(register / EVENT / "charter.toml", 'kind = "temporary"', 'kind = "temporarry"')
    vanished = register / "旧群"  # what the old renew left: versions/ and no charter.toml
    shutil.copytree(register / GROUP, vanished / "versions" / "1")
    typo = str(register / EVENT / "charter.toml")

    rows = listed(register)
    assert [r["group"] for r in rows if r["status"] != "unreadable"] == [GROUP]
    problems = {r["folder"]: r for r in rows if r["status"] == "unreadable"}
    assert problems[str(register / EVENT)]["file"] == typo and "group.kind" in problems[str(register / EVENT)]["problem"]
    assert "charter.toml" in problems[str(vanished)]["problem"]
    table = charter("list", "--dir", register)
    assert GROUP in table.stdout and typo in table.stderr and "group.kind" in table.stderr and str(vanished) in table.stderr

    due = charter("due", "--dir", register, "--fail-if-any", today="2026-12-01")
    assert due.returncode == 3 and typo in due.stderr and str(vanished) in due.stderr
    calendar = charter("calendar", "--dir", register)
    assert calendar.returncode == 0 and calendar.stdout.count("BEGIN:VEVENT") == 1 and typo in calendar.stderr


def test_a_unit_that_changes_a_locked_answer_keeps_its_groups_readable(office):
    register, unit = office / "register", office / "units" / "county"
    before = (register / GROUP / "announcement.txt").read_text("utf-8")
    assert "21:00" in before
    _edit(unit / "unit.toml", 'quiet_start = "21:00"', 'quiet_start = "21:30"')
    _edit(unit / "unit.toml", 'version = "2026.1"', 'version = "2026.2"')

    [row] = [r for r in listed(register) if r["group"] == GROUP]
    assert row["status"] == "active" and any("21:00" in n and "21:30" in n for n in row["notices"])
    assert charter("due", "--dir", register, "--fail-if-any", today="2026-12-01").returncode == 0
    assert charter("calendar", "--dir", register).stdout.count("BEGIN:VEVENT") == 2
    rules = charter("notice", GROUP, "rules", "--dir", register)
    assert rules.returncode == 0 and "21:00" in rules.stdout  # the charter as the group has it

    again = charter("render", register / GROUP / "charter.toml", "--out", register, "--force", "--format", "txt,ics")
    assert again.returncode == 0, again.stderr
    assert "21:30" in again.stderr and "2026.2" in again.stderr  # said, then done
    assert "21:30" in (register / GROUP / "announcement.txt").read_text("utf-8")
    record = tomllib.loads((register / GROUP / "charter.toml").read_text("utf-8"))
    assert record["unit_locked"]["rules"]["params"]["quiet_start"] == "21:30" and record["unit_version"] == "2026.2"
    assert "notices" not in [r for r in listed(register) if r["group"] == GROUP][0]


def test_a_locked_answer_edited_by_hand_is_still_refused(office):
    register = office / "register"
    _edit(register / GROUP / "charter.toml", 'quiet_start = "21:00"', 'quiet_start = "22:00"')
    result = charter("render", register / GROUP / "charter.toml", "--out", register, "--force")
    assert result.returncode == 2 and "rules.params.quiet_start" in result.stderr
    [row] = [r for r in listed(register) if r["status"] == "unreadable"]  # shown, not dropped
    assert "quiet_start" in row["problem"]


def _moved(tmp_path, source, target):
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(source, target)
    return target


@pytest.mark.parametrize("move", ["register deeper", "office elsewhere", "both apart"])
def test_groups_find_their_unit_after_a_move(office, tmp_path, move):
    if move == "register deeper":  # the unit stays: its recorded absolute path finds it
        register = _moved(tmp_path, office / "register", office / "archive" / "2026" / "register")
    elif move == "office elsewhere":  # the unit moves with the register: the relative path finds it
        register = _moved(tmp_path, office, tmp_path / "elsewhere" / "office") / "register"
    else:  # neither path holds: a unit of the recorded name in a units/ folder above the register
        moved = _moved(tmp_path, office, tmp_path / "new-office")
        register = _moved(tmp_path, moved / "register", moved / "2026" / "register")
    assert sorted(r["group"] for r in listed(register)) == sorted([EVENT, GROUP])
    again = charter("render", register / GROUP / "charter.toml", "--out", register, "--force", "--format", "txt")
    assert again.returncode == 0, again.stderr
    assert "对外稿件经部办公室审核后再发" in (register / GROUP / "announcement.txt").read_text("utf-8")  # the unit's rule
    assert [r["group"] for r in listed(register) if r["group"] == GROUP] == [GROUP]


def test_a_builtin_unit_is_recorded_by_name(tmp_path):
    register = tmp_path / "register"
    assert charter("render", GROUP_ANSWERS, "--out", register, "--format", "txt").returncode == 0
    record = tomllib.loads((register / GROUP / "charter.toml").read_text("utf-8"))
    assert record["unit"] == "county-propaganda" and "unit_path" not in record
    moved = _moved(tmp_path, register, tmp_path / "a" / "b" / "c" / "register")
    assert [r["group"] for r in listed(moved)] == [GROUP]


def test_a_charter_recorded_through_an_old_installation_finds_the_builtin_unit(tmp_path):
    """Charters rendered by earlier versions named a bundled unit by its path through site-packages;
    after charter moved to another venv, they still find it by the name they recorded."""
    register = tmp_path / "register"
    assert charter("render", GROUP_ANSWERS, "--out", register, "--format", "txt").returncode == 0
    _edit(register / GROUP / "charter.toml", 'unit = "county-propaganda"',
          'unit = "../../../old-venv/lib/python3.11/site-packages/charter/examples/units/county-propaganda"')
    assert [r["group"] for r in listed(register)] == [GROUP]


def test_a_missing_unit_of_a_hand_written_file_is_not_guessed(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text(GROUP_ANSWERS.read_text("utf-8").replace('unit = "county-propaganda"',
                                                                'unit = "units/county-propaganda"'), "utf-8")
    result = charter("check", answers)
    assert result.returncode == 2 and "units/county-propaganda" in result.stderr


def _unit_with(tmp_path, addition: str = "", old: str = "", new: str = ""):
    unit = tmp_path / "unit"
    shutil.copytree(UNIT, unit)
    source = (unit / "unit.toml").read_text("utf-8")
    (unit / "unit.toml").write_text(source.replace(old, new, 1) + addition, "utf-8")
    return unit


_CHOICE = '\n[params.tone]\ntype = "choice"\nzh = "语气"\nen = "tone"\ndefault = "x"\n'


@pytest.mark.parametrize("case", ["date-9999", "newline-in-name", "rules-is-a-number", "choice-without-choices",
                                  "default-outside-choices", "broken-rule-text", "long-reason", "garbage-today",
                                  "newline-in-a-batch-row"])
def test_the_issues_bad_inputs_exit_2_naming_the_field(tmp_path, case):
    """Issue 11, item 7, one by one, through the command a user would run."""
    event = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
    answers = tmp_path / "answers.toml"
    register = tmp_path / "register"
    env = {}
    if case == "date-9999":
        answers.write_text(event.replace("dissolve_on = 2026-12-31", "dissolve_on = 9999-12-30"), "utf-8")
        args, field = ["render", answers, "--out", register], "group.dissolve_on"
    elif case == "newline-in-name":
        answers.write_text(event.replace('name = "县融媒体中心外宣活动群"', 'name = "县融媒体\\n中心"', 1), "utf-8")
        args, field = ["render", answers, "--out", register], "group.name"
    elif case == "rules-is-a-number":
        answers.write_text(GROUP_ANSWERS.read_text("utf-8").replace('lang = "zh"', 'lang = "zh"\nrules = 1'), "utf-8")
        args, field = ["render", answers, "--unit", UNIT, "--out", register], "rules"
    elif case == "choice-without-choices":
        args, field = ["unit", "check", _unit_with(tmp_path, _CHOICE)], "params.tone.choices"
    elif case == "default-outside-choices":
        unit = _unit_with(tmp_path, _CHOICE + '[params.tone.choices.a]\nzh = "甲"\nen = "a"\n')
        args, field = ["render", GROUP_ANSWERS, "--unit", unit, "--out", register], "params.tone.default"
    elif case == "broken-rule-text":
        unit = _unit_with(tmp_path, old='zh = "对外发布的稿件', new='zh = "{{ oops 对外发布的稿件')
        args, field = ["render", GROUP_ANSWERS, "--unit", unit, "--out", register], "rules.posting.press-review"
    elif case == "long-reason":
        assert charter("render", EXAMPLES / "county-media-event.toml", "--out", register, "--format", "txt").returncode == 0
        args, field = ["dissolve", "外宣", "--dir", register, "--reason", "长" * 201], "--reason"
    elif case == "garbage-today":
        register.mkdir()
        args, field, env = ["list", "--dir", register], "CHARTER_TODAY", {"CHARTER_TODAY": "garbage"}
    else:
        rows = tmp_path / "groups.csv"
        rows.write_text('群名称,用途,类型,解散日期,群主,群主单位\n"换行\n群",用途,临时群,2027-01-31,李明,县委\n'
                        "好群,用途,临时群,2027-01-31,李明,县委\n", "utf-8")
        args, field = ["batch", rows, "--unit", UNIT, "--out", register, "--format", "txt", "--jobs", "1"], "group.name"
    result = run_charter(*args, env={"CHARTER_TODAY": "2026-12-29", **env})
    assert result.returncode == 2 and field in result.stdout + result.stderr, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr
    if case == "newline-in-a-batch-row":
        assert (register / "好群" / "charter.toml").is_file()  # the other row was not stopped


def test_a_file_where_the_group_folder_would_be_is_left_alone(tmp_path):
    register = tmp_path / "register"
    register.mkdir()
    (register / EVENT).write_text("the owner's notes", "utf-8")
    result = charter("render", EXAMPLES / "county-media-event.toml", "--out", register, "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert (register / EVENT).read_text("utf-8") == "the owner's notes"
    assert (register / f"{EVENT}-2" / "charter.toml").is_file()
    assert [r["group"] for r in listed(register)] == [EVENT]
