"""`charter new` driven by real keystrokes through prompt_toolkit's pipe input."""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES, pdf_text, run_charter, squeeze
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from charter.interfaces.drafts import draft_path, load_draft
from charter.interfaces.terminal import Interrupted, new_charter

TODAY = date(2026, 11, 25)
ENTER, DOWN, SPACE, CLEAR, CTRL_C = "\r", "\x1b[B", " ", "\x15", "\x03"


def line(value: str) -> str:
    """Replace the prefilled default with `value`, then Enter."""
    return CLEAR + value + ENTER


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path, monkeypatch):
    """Drafts go to a folder of this test's own; the locale says Chinese unless a test says otherwise."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    for variable in ("LC_ALL", "LC_MESSAGES", "LANGUAGE"):
        monkeypatch.delenv(variable, raising=False)


def answer(keys: list[str], out: Path, **options):
    """Run the questionnaire on these keystrokes; the input ends after them, as a closed terminal does."""
    printed = []
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        pipe.close()
        with create_app_session(input=pipe, output=DummyOutput()):
            result = new_charter(out, today=TODAY, echo=printed.append, **options)
    return result, "\n".join(map(str, printed))


NO_MEMBERS = [DOWN, DOWN, ENTER, "n"]  # members: not now; no roster
# one organisation or several, who keeps the records, which, where, where the rules are: as offered
USUAL_FACTS = [ENTER] * 5


def zh_temporary_keys(csv_path: Path | None = None) -> list[str]:
    members = [DOWN, ENTER, line(str(csv_path)), "y"] if csv_path else NO_MEMBERS
    return [
        ENTER,                                   # 1 language: 中文 (from the locale)
        line("外宣活动群"),                       # 2 group name
        ENTER,                                   #   platform: 微信
        ENTER,                                   #   kind: 临时群
        ENTER,                                   #   what it is for: 工作群
        ENTER,                                   #   who the members are: 机关事业单位工作人员
        ENTER, ENTER,                            #   purpose: first example, kept as is
        ENTER,                                   #   urgent contact: none
        ENTER,                                   # 3 created: today
        line("12-31"),                           #   dissolution date
        line("李明"), line("县委宣传部"), line("科员"),   # 4 owner
        "y", line("王芳"), line("县委宣传部"), line("副科长"),  # successor
        *members,                                #   members from a CSV file, roster printed
        *USUAL_FACTS,
        *[ENTER] * 8,                            # 5 rules: every category as preset
        *[ENTER] * 8,                            #   their parameters as preset
        "n",                                     #   no rule of my own
        ENTER,                                   # 6 review: write
    ]


def test_zh_temporary_group_with_csv_import(tmp_path):
    roster = tmp_path / "members.csv"
    roster.write_bytes("姓名,单位,职务,角色\n张华,县融媒体中心,主任,管理员\n赵磊,县融媒体中心,记者,\n".encode("gb18030"))
    written, printed = answer(zh_temporary_keys(roster), tmp_path / "out")
    folder = tmp_path / "out" / "外宣活动群"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["charter.pdf", "charter.html", "charter.md", "announcement.txt", "charter.ics", "charter.toml", "poster.pdf"])
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert answers["group"]["dissolve_on"] == date(2026, 12, 31)
    assert answers["successor"]["name"] == "王芳"
    assert answers["members"] == [{"name": "张华", "unit": "县融媒体中心", "title": "主任", "role": "admin"},
                                  {"name": "赵磊", "unit": "县融媒体中心", "title": "记者"}]
    text = squeeze(pdf_text(folder / "charter.pdf"))
    assert "外宣活动群群规" in text and "2026年12月31日" in text and "赵磊" in text
    assert "2026年12月31日，星期四" in printed  # the date understood, with its weekday
    assert "announcement.txt" in printed and "charter.pdf" in printed  # next steps
    assert not draft_path().exists()


def test_csv_with_bad_rows_reports_their_lines(tmp_path):
    roster = tmp_path / "members.csv"
    roster.write_text("\ufeffname,unit,title,role\nAnn,Office,Clerk,member\n,Office,Clerk,member\nBo,X,Y,boss\n",
                      encoding="utf-8")
    keys = zh_temporary_keys(roster)
    at = keys.index(line(str(roster))) + 1
    keys[at:at] = ["y"]                          # import the good row only
    written, printed = answer(keys, tmp_path / "out")
    assert "第 3 行：姓名：不能为空" in printed
    assert "第 4 行：读作 姓名“Bo”、单位“X”、职务“Y”、角色“boss”——“boss”不是角色：角色写 管理员 或 列席" in printed
    answers = tomllib.loads((tmp_path / "out" / "外宣活动群" / "charter.toml").read_text("utf-8"))
    assert [m["name"] for m in answers["members"]] == ["Ann"]


def test_en_standing_group_with_edited_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("LANG", "en_GB.UTF-8")
    keys = [
        ENTER,                                   # language: English (from the locale)
        line("Maths Department"),
        DOWN, ENTER,                             # platform: WeCom
        DOWN, DOWN, ENTER,                       # kind: standing
        ENTER,                                   # what it is for: work group
        ENTER,                                   # who the members are: a company or project team
        DOWN, DOWN, ENTER, line("Day-to-day work of the maths department"),  # purpose: my own
        ENTER,                                   # urgent contact: none
        ENTER,                                   # created: today
        line("4"),                               # review every 4 months
        line("Ruth Bell"), line("Maths"), line("Head of Department"),
        "n",                                     # no successor
        DOWN, DOWN, ENTER,                       # members: not now
        "n",                                     # no roster
        *USUAL_FACTS,
        ENTER, ENTER, ENTER,                     # scope, confidentiality, greeting
        *[DOWN] * 6, SPACE, ENTER,               # posting: untick text-not-voice
        *[ENTER] * 4,                            # membership, owner, lifetime, enforcement
        ENTER, ENTER,                            # quiet hours
        line("5"),                               # days to leave after changing jobs
        *[ENTER] * 6,                            # the other parameters
        "y", line("Exam papers are shared only as **PDF**."), ENTER,  # my own rule, first section
        "n",                                     # no second one
        ENTER,                                   # review: write
    ]
    answer(keys, tmp_path / "out")
    folder = tmp_path / "out" / "Maths-Department"
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert answers["lang"] == "en" and answers["group"]["platform"] == "wecom"
    assert answers["group"]["review_every_months"] == 4 and "dissolve_on" not in answers["group"]
    assert answers["rules"]["off"] == ["posting.text-not-voice"]
    assert answers["rules"]["params"] == {"leave_days": 5}
    text = squeeze(pdf_text(folder / "charter.pdf"))
    assert squeeze("every 4 months") in text and squeeze("leave the group within 5 days") in text
    assert squeeze("not voice messages") not in text
    assert squeeze("Exam papers are shared only as PDF.") in text


def test_invalid_dates_are_asked_again(tmp_path):
    keys = zh_temporary_keys()
    at = keys.index(line("12-31"))
    keys[at:at] = [line("2026-02-30"), line("2026-10-01"), line("明天吧")]
    written, printed = answer(keys, tmp_path / "out")
    answers = tomllib.loads((tmp_path / "out" / "外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["group"]["dissolve_on"] == date(2026, 12, 31)
    assert printed.count("→") == 2  # created and the one accepted dissolution date


def test_edit_a_section_from_the_review(tmp_path):
    keys = zh_temporary_keys()
    review = len(keys) - 1
    keys[review:] = [
        DOWN, ENTER,                             # review: change a section
        ENTER,                                   #   which: the group (offered first)
        line("外宣活动二群"), *[ENTER] * 6,      #   new name; platform, kind, profile, members, purpose,
                                                 #   urgent contact kept
        ENTER,                                   # review again: write
    ]
    answer(keys, tmp_path / "out")
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["外宣活动二群"]


def test_ctrl_c_keeps_a_draft_that_resumes(tmp_path):
    keys = zh_temporary_keys()
    owner = keys.index(line("李明"))
    with pytest.raises(Interrupted):
        answer(keys[:owner] + [line("李明"), CTRL_C], tmp_path / "out")
    draft = load_draft()
    assert draft is not None and draft.step == 3  # language, group and lifetime are kept
    assert draft.answers["group"]["name"] == "外宣活动群"
    assert draft.answers["group"]["dissolve_on"] == date(2026, 12, 31)
    assert not (tmp_path / "out").exists()

    answer(keys[owner:], tmp_path / "out", resume=True)
    answers = tomllib.loads((tmp_path / "out" / "外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["owner"]["name"] == "李明" and answers["group"]["dissolve_on"] == date(2026, 12, 31)
    assert load_draft() is None


def test_new_offers_the_draft_it_finds(tmp_path):
    keys = zh_temporary_keys()
    owner = keys.index(line("李明"))
    with pytest.raises(Interrupted):
        answer(keys[:owner] + [CTRL_C], tmp_path / "out")
    answer(["y", *keys[owner:]], tmp_path / "out")  # "continue the draft?" yes
    assert (tmp_path / "out" / "外宣活动群" / "charter.pdf").exists()


def test_existing_group_is_never_overwritten(tmp_path):
    out = tmp_path / "out"
    keys = zh_temporary_keys()
    answer(keys, out)
    first = (out / "外宣活动群" / "charter.toml").read_bytes()
    answer(keys + [DOWN, ENTER], out)            # exists: save as a new version
    assert (out / "外宣活动群" / "versions" / "1" / "charter.toml").read_bytes() == first
    assert (out / "外宣活动群" / "charter.pdf").exists()
    answer(keys + [ENTER, line("外宣活动群（二）")], out)  # exists: choose another name
    assert sorted(p.name for p in out.iterdir()) == ["外宣活动群", "外宣活动群-二"]


def test_from_an_existing_answers_file(tmp_path):
    keys = [DOWN, ENTER,                          # go through every question
            *[ENTER] * 8,                         # language; name, platform, kind, profile, members, purpose,
                                                  # urgent contact kept
            ENTER, ENTER,                         # created (today), dissolution kept
            ENTER, ENTER, ENTER, ENTER, ENTER, ENTER, ENTER,  # owner, successor kept
            ENTER,                                # members: keep the 4
            ENTER,                                # roster: no
            *USUAL_FACTS,
            *[ENTER] * 8, *[ENTER] * 8, ENTER,    # rules, parameters, no own rule
            ENTER]                                # write
    answer(keys, tmp_path / "out", from_file=EXAMPLES / "county-media-event.toml")
    answers = tomllib.loads((tmp_path / "out" / "县融媒体中心外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["group"]["created"] == TODAY and len(answers["members"]) == 4
    assert answers["rules"]["params"] == {"quiet_start": "21:30"}


def test_new_without_a_terminal_points_to_render():
    result = run_charter("new", input="")
    assert result.returncode == 2
    assert "charter render" in result.stderr and "Traceback" not in result.stderr


def test_a_unit_supplies_defaults_and_locked_answers_are_not_asked(tmp_path):
    keys = zh_temporary_keys()
    params = keys.index("n", keys.index(NO_MEMBERS[-1]) + 1) - 8
    del keys[params:params + 2]                  # quiet hours: locked by the unit, not asked
    answer(keys, tmp_path / "out", unit_dir=EXAMPLES / "units" / "county-propaganda")
    folder = tmp_path / "out" / "外宣活动群"
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert answers["group"]["platform"] == "wecom"            # the unit's default, kept with Enter
    assert answers["rules"]["params"]["quiet_start"] == "21:00"
    assert answers["unit_version"] == "2026.1"
    assert "中共青石县委宣传部" in squeeze(pdf_text(folder / "charter.pdf"))


def test_a_draft_keeps_its_unit_for_the_resume(tmp_path):
    keys = zh_temporary_keys()
    params = keys.index("n", keys.index(NO_MEMBERS[-1]) + 1) - 8
    del keys[params:params + 2]                  # quiet hours: locked by the unit, not asked
    owner = keys.index(line("李明"))
    with pytest.raises(Interrupted):
        answer(keys[:owner] + [CTRL_C], tmp_path / "out", unit_dir=EXAMPLES / "units" / "county-propaganda")
    answer(keys[owner:], tmp_path / "out", resume=True)  # no --unit this time
    answers = tomllib.loads((tmp_path / "out" / "外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["unit_version"] == "2026.1" and answers["rules"]["params"]["quiet_start"] == "21:00"


def test_a_name_that_looks_like_terminal_markup_is_shown_and_written_as_typed(tmp_path):
    keys = zh_temporary_keys()
    keys[keys.index(line("外宣活动群"))] = line("[/x] 外宣[bold]群")
    written, printed = answer(keys, tmp_path / "out")
    assert "[/x] 外宣[bold]群" in printed  # the review summary, as typed
    answers = tomllib.loads(next((tmp_path / "out").rglob("charter.toml")).read_text("utf-8"))
    assert answers["group"]["name"] == "[/x] 外宣[bold]群"


def test_a_group_of_a_name_the_register_has_asks_for_another_name_or_a_new_version(tmp_path):
    out = tmp_path / "out"
    answer(zh_temporary_keys(), out)
    written, printed = answer([*zh_temporary_keys(), DOWN, ENTER], out)  # the same group again: a new version
    assert "已有这个群的群规" in printed
    assert sorted(p.name for p in out.iterdir()) == ["外宣活动群"]  # no -2 twin
    assert (out / "外宣活动群" / "versions" / "1" / "charter.toml").is_file()


def test_from_an_existing_answers_file_jumps_to_the_review(tmp_path):
    keys = [ENTER,                                # starting from a charter: jump to the review
            ENTER]                                # write
    written, printed = answer(keys, tmp_path / "out", from_file=EXAMPLES / "county-media-event.toml")
    answers = tomllib.loads((tmp_path / "out" / "县融媒体中心外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["group"]["created"] == TODAY and len(answers["members"]) == 4
    assert "群规已生成" in printed


def test_a_duty_group_is_offered_a_duty_groups_purposes(tmp_path):
    keys = zh_temporary_keys()
    profile = keys.index(line("外宣活动群")) + 3
    keys[profile] = DOWN + ENTER                  # what it is for: 值守群, before the purpose
    with pytest.raises(Interrupted):
        answer(keys[:profile + 4] + [CTRL_C], tmp_path / "out")
    assert load_draft().answers["group"]["purpose"].startswith("汛期值班调度")


def test_english_questions_are_not_the_same_question_twice():
    from charter.interfaces.questions import Engine

    asked = {q.key: q.label for q in Engine(None, TODAY).questions("group", {"lang": "en"})}
    purpose = asked.pop("group.purpose")
    assert purpose.startswith("What the group is for")
    assert not [label for label in asked.values() if "is for" in label or "urpose" in label], asked
