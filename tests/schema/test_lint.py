"""The checker: every finding code has a case that triggers it and one that does not."""

from __future__ import annotations

import json

import pytest
from conftest import EXAMPLES, run_charter

EVENT = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
TOWNSHIP = (EXAMPLES / "township-office.toml").read_text("utf-8")
SCHOOL = (EXAMPLES / "school-project-team.toml").read_text("utf-8")
DUTY = (EXAMPLES / "county-flood-duty.toml").read_text("utf-8")
CLASS = (EXAMPLES / "class-parents.toml").read_text("utf-8")
MANY = "".join(f'\n[[members]]\nname = "成员{i}"\n' for i in range(30))


def custom(source: str, text: str) -> str:
    return source + f"\n[[rules.custom]]\ncategory = \"posting\"\ntext = \"{text}\"\n"


def switched_off(source: str, *rules: str) -> str:
    return source.replace("[rules.params]", f"[rules]\noff = {list(rules)!r}\n\n[rules.params]".replace("'", '"'), 1)


# code: (answers that trigger it, answers that do not)
CASES = {
    "mandatory-replies": (custom(EVENT, "收到通知后，请大家回复收到。"), custom(EVENT, "收到通知后用接龙确认。")),
    "no-quiet-hours": (switched_off(EVENT, "posting.quiet-hours"), EVENT),
    "at-all-open": (switched_off(EVENT + MANY, "posting.at-all"), EVENT + MANY),
    "temporary-too-long": (EVENT.replace("dissolve_on = 2026-12-31", "dissolve_on = 2027-09-30"), EVENT),
    "past-dissolution": (EVENT.replace("created = 2026-11-25", "created = 2026-10-01")
                         .replace("dissolve_on = 2026-12-31", "dissolve_on = 2026-11-20"), EVENT),
    "no-successor": (EVENT.replace('[successor]\nname = "王芳"\nunit = "县委宣传部"\ntitle = "副科长"\n', ""), EVENT),
    "no-review": (TOWNSHIP.replace('on = ["posting.reply-window"]', 'on = ["posting.reply-window"]\noff = ["lifetime.review"]'),
                  TOWNSHIP),
    "vague-rule": (custom(EVENT, "材料请及时上报。"), custom(EVENT, "材料请在每周五 17:00 前及时上报。")),
    "group-cap": (custom(EVENT, "每个科室最多建 2 个工作群。"), custom(EVENT, "每个科室的群由科长统一登记。")),
    "off-shift-watch": (custom(DUTY, "所有人24小时在线，随时回复。"), custom(DUTY, "值班人员24小时值守。")),
    "not-a-member": (EVENT.replace('[[members]]\nname = "王芳"', '[[members]]\nname = "王小芳"'), EVENT),
    # 36 days: 20 days' notice fits, but the group is nearly over when it is given
    "tight-for-its-life": (EVENT.replace("[rules.params]", "[rules.params]\ndissolve_notice_days = 20"),
                           EVENT.replace("[rules.params]", "[rules.params]\ndissolve_notice_days = 12")),
}


def codes_of(tmp_path, source: str) -> list[str]:
    path = tmp_path / "answers.toml"
    path.write_text(source, encoding="utf-8")
    result = run_charter("check", path, "--json", env={"CHARTER_TODAY": "2026-11-25"})
    assert result.returncode == 0, result.stderr
    return [w["code"] for w in json.loads(result.stdout)["warnings"]]


@pytest.mark.parametrize("source, text, code, expected", [
    (EVENT, "收到后及时回复“收到”", "mandatory-replies", True),
    (EVENT, "不必回复“收到”，用接龙确认。", "mandatory-replies", False),
    (SCHOOL, "Please reply “noted” to every notice.", "mandatory-replies", True),
    (SCHOOL, "No need to reply noted; react instead.", "mandatory-replies", False),
    (EVENT, "每个单位原则上只建一个工作群。", "group-cap", True),
    (CLASS, "一个班只建一个家校群。", "group-cap", True),
    (CLASS, "每个家庭最多两人入群。", "group-cap", False),
    (SCHOOL, "Each class has only one parents' group.", "group-cap", True),
    (SCHOOL, "At most two adults per family join the group.", "group-cap", False),
    (DUTY, "值班人员24小时值守，手机保持畅通。", "no-quiet-hours", False),  # a duty group has none, by design
])
def test_wordings_the_field_reports(tmp_path, source, text, code, expected):
    assert (code in codes_of(tmp_path, custom(source, text))) is expected


@pytest.mark.parametrize("code", list(CASES))
def test_each_finding_is_raised_only_when_it_applies(tmp_path, code):
    bad, good = CASES[code]
    for source, expected in ((bad, True), (good, False)):
        codes = codes_of(tmp_path, source)
        assert (code in codes) is expected, (code, codes)


def test_english_rules_are_checked_too(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text(custom(SCHOOL, "Everyone must reply received to each notice, as soon as possible."),
                    encoding="utf-8")
    result = run_charter("check", path, env={"CHARTER_TODAY": "2026-11-25"})
    assert result.returncode == 0
    assert "[mandatory-replies]" in result.stdout and "[vague-rule]" in result.stdout
    assert "sign-up list" in result.stdout  # the fix, in the file's language


def test_strict_turns_warnings_into_exit_2(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text(custom(EVENT, "材料请及时上报。"), encoding="utf-8")
    assert run_charter("check", path).returncode == 0
    strict = run_charter("check", path, "--strict")
    assert strict.returncode == 2 and "[vague-rule]" in strict.stdout and "及时" in strict.stdout
    clean = run_charter("check", EXAMPLES / "county-media-event.toml", "--strict", env={"CHARTER_TODAY": "2026-11-25"})
    assert clean.returncode == 0 and "没有发现" in clean.stdout


@pytest.mark.parametrize("text, mandatory, cap", [
    ("禁止回复“收到”刷屏", False, False),
    ("新成员入群，大家要发欢迎", True, False),
    ("不要发欢迎", False, False),
    ("每个科室只能建一个群", False, True),
    ("每个家庭最多两人入群", False, False),
    ("The piano, noted: everyone must welcome new members.", True, False),
])
def test_wordings_found_and_not_found(text, mandatory, cap):
    from charter.schema import lint

    assert lint._demands(lint._MANDATORY, text) is mandatory
    assert bool(lint._CAP.search(text)) is cap


@pytest.mark.parametrize(("life", "params", "expected"), [
    ("dissolve_on = 2026-12-08", "dissolve_notice_days = 30",  # 13 days
     "rules.params.dissolve_notice_days: 30 天比群的整个存续期还长（2026-11-25 至 2026-12-08，共 13 天）"),
    ("dissolve_on = 2026-12-08", "leave_days = 20", "rules.params.leave_days: 20 天比群的整个存续期还长"),
    ("dissolve_on = 2026-11-27", 'digest_every = "weekly"',  # a Wednesday to a Friday: no Friday between
     "rules.params.digest_every: “每周五”在群的存续期里一次也轮不到（2026-11-25 至 2026-11-27，共 2 天）"),
])
def test_a_timing_that_cannot_fit_the_groups_life_is_refused_by_its_field_and_line(tmp_path, life, params, expected):
    path = tmp_path / "answers.toml"
    source = EVENT.replace("dissolve_on = 2026-12-31", life).replace("[rules.params]", f"[rules.params]\n{params}")
    if "digest" in params:
        source = source.replace("[rules.params]", '[rules]\non = ["posting.digest"]\n\n[rules.params]', 1)
    path.write_text(source, encoding="utf-8")
    result = run_charter("check", path, env={"CHARTER_TODAY": "2026-11-25"})
    assert result.returncode == 2 and expected in result.stderr and "Traceback" not in result.stderr
    assert f"answers.toml:{source.splitlines().index(params) + 1}: rules.params." in result.stderr  # its line


def test_a_90_day_group_with_40_days_notice_is_a_finding_not_clean(tmp_path):
    path = tmp_path / "answers.toml"
    path.write_text(EVENT.replace("dissolve_on = 2026-12-31", "dissolve_on = 2027-02-23")
                    .replace("[rules.params]", "[rules.params]\ndissolve_notice_days = 40"), encoding="utf-8")
    result = run_charter("check", path, env={"CHARTER_TODAY": "2026-11-25"})
    assert result.returncode == 0 and "没有发现形式主义的问题" not in result.stdout
    assert "[tight-for-its-life] 解散前提前通知天数：40，超过群存续期（90 天）的三分之一" in result.stdout
    assert "改到 30 天以内，或推后解散日期" in result.stdout


def test_no_successor_says_who_stands_in_when_an_admin_does(tmp_path):
    """The charter names the first admin as acting owner; check says so rather than 'nobody can manage it'."""
    path = tmp_path / "answers.toml"
    without = EVENT.replace('[successor]\nname = "王芳"\nunit = "县委宣传部"\ntitle = "副科长"\n', "")
    for source, expected in ((without, "暂代"), (without.replace('role = "admin"', 'role = "member"'), "无人能管")):
        path.write_text(source, encoding="utf-8")
        result = run_charter("check", path, "--json", env={"CHARTER_TODAY": "2026-11-25"})
        [finding] = [w for w in json.loads(result.stdout)["warnings"] if w["code"] == "no-successor"]
        assert expected in finding["reason"]
