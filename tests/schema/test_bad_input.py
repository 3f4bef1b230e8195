"""Bad input: exit 2, a message naming the field and the line, no traceback, nothing written."""

from __future__ import annotations

import re

import pytest
from conftest import EXAMPLES, run_charter

EVENT = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
SCHOOL = (EXAMPLES / "school-project-team.toml").read_text("utf-8")


def _edit(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new, 1)


CASES = {
    "missing field": (_edit(EVENT, 'kind = "temporary"\n', ""), ["group.kind", "缺少必填项", ":4:"]),
    "unknown key": (_edit(EVENT, "purpose =", "purpse ="),
                    ["group.purpse", "不认识的字段", "是否想写“purpose”", ":6:"]),
    "date out of order": (_edit(EVENT, "dissolve_on = 2026-12-31", "dissolve_on = 2026-11-01"),
                          ["group.dissolve_on", "早于或等于建群日期", ":10:"]),
    "wrong type": (_edit(EVENT, 'quiet_start = "21:30"', "quiet_start = 25"),
                   ["rules.params.quiet_start", "应为文字"]),
    "bad time": (_edit(EVENT, 'quiet_start = "21:30"', 'quiet_start = "9pm"'),
                 ["rules.params.quiet_start", "24 小时制"]),
    "malformed TOML": (_edit(EVENT, 'name = "张华"', 'name = "张华'), ["不是有效的 TOML", ":23:"]),
    "impossible date": (_edit(EVENT, "dissolve_on = 2026-12-31", "dissolve_on = 2026-02-30"),
                        ["不是有效的 TOML", ":10:"]),
    "temporary without dissolution": (_edit(EVENT, "dissolve_on = 2026-12-31\n", ""),
                                      ["group.dissolve_on", "必须写明解散日期"]),
    "standing without review": (_edit(EVENT, 'kind = "temporary"\ncreated = 2026-11-25\ndissolve_on = 2026-12-31',
                                      'kind = "standing"\ncreated = 2026-11-25'),
                                ["group.review_every_months", "复核周期"]),
    "unknown rule id": (EVENT + '\n[rules]\noff = ["posting.no-voice"]\n',
                        ["rules.off[0]", "posting.no-voice", "posting.text-not-voice"]),
    "unknown choice": (_edit(EVENT, 'platform = "wechat"', 'platform = "wechat2"'),
                       ["group.platform", "wechat, wecom"]),
    "english file, english messages": (_edit(SCHOOL, 'title = "Teacher"', "title = 5"),
                                       ["successor.title", "must be text", ":22:"]),
    "english unknown table": (_edit(SCHOOL, "[owner]", "[ownr]"),
                              ["ownr", "is not a known field", "did you mean “owner”", "owner: is required"]),
    "empty name": (_edit(EVENT, 'name = "李明"', 'name = "  "'), ["owner.name", "不能为空"]),
    "control characters": (_edit(EVENT, 'title = "科员"', 'title = "科\\u0007员"'),
                           ["owner.title", "控制字符"]),
    "a boolean for a number": (_edit(EVENT, 'quiet_start = "21:30"', 'quiet_start = "21:30"\nleave_days = true'),
                               ["rules.params.leave_days", "应为整数"]),
    "text for a boolean": (_edit(EVENT, 'lang = "zh"', 'lang = "zh"\nshow_roster = "yes"'),
                           ["show_roster", "应为 true 或 false", ":3:"]),
    "quoted impossible date": (_edit(EVENT, "created = 2026-11-25", 'created = "2026-11-31"'),
                               ["group.created", "应为真实存在的日期", ":9:"]),
    "quoted number": (_edit(EVENT, 'quiet_start = "21:30"', 'quiet_start = "21:30"\nleave_days = "3"'),
                      ["rules.params.leave_days", "应为整数"]),
    "a unit that is not one": (_edit(EVENT, 'lang = "zh"', 'lang = "zh"\nunit = "../../etc"'),
                               ["unit: ../../etc 不是单位文件夹", "answers.toml:3:"]),
    "zero-width name": (_edit(EVENT, 'name = "李明"', 'name = "\\u200b\\u200d"'), ["owner.name", "不能为空"]),
    "hangul filler name": (_edit(EVENT, 'name = "李明"', 'name = "\\u3164\\u2800"'), ["owner.name", "不能为空"]),
    "line separator in a name": (_edit(EVENT, 'name = "李明"', 'name = "李\\u2028明"'), ["owner.name", "不能换行"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_answers_exit_2_naming_the_field(tmp_path, case):
    source, expected = CASES[case]
    answers = tmp_path / "answers.toml"
    answers.write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    result = run_charter("render", answers, "--out", out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    for fragment in expected:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert not out.exists() or not any(out.rglob("*")), "nothing may be written for bad input"
    check = run_charter("check", answers)
    assert check.returncode == 2 and check.stderr == result.stderr


def test_every_problem_is_reported_at_once(tmp_path):
    source = _edit(_edit(EVENT, "purpose =", "purpse ="), 'role = "admin"', 'role = "boss"')
    answers = tmp_path / "answers.toml"
    answers.write_text(source, encoding="utf-8")
    result = run_charter("check", answers)
    assert result.returncode == 2
    assert "3 处问题" in result.stderr
    assert re.search(r"answers\.toml:\d+: members\[0\]\.role", result.stderr)


def test_missing_file_and_bad_format_option(tmp_path):
    missing = run_charter("render", tmp_path / "nope.toml")
    assert missing.returncode == 2 and "nope.toml" in missing.stderr and "Traceback" not in missing.stderr
    bad_format = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path,
                             "--format", "pdf,odt")
    assert bad_format.returncode == 2 and "odt" in bad_format.stderr
    assert not any(tmp_path.iterdir())


def test_oversized_file_is_refused(tmp_path):
    answers = tmp_path / "big.toml"
    answers.write_text(EVENT + "\n# " + "x" * 2_100_000 + "\n", encoding="utf-8")
    result = run_charter("check", answers)
    assert result.returncode == 2 and "太大" in result.stderr


def test_existing_charter_is_not_overwritten_without_force(tmp_path):
    answers = EXAMPLES / "county-media-event.toml"
    assert run_charter("render", answers, "--out", tmp_path, "--format", "txt").returncode == 0
    announcement = tmp_path / "县融媒体中心外宣活动群" / "announcement.txt"
    announcement.write_text("edited by hand", encoding="utf-8")
    again = run_charter("render", answers, "--out", tmp_path, "--format", "txt")
    assert again.returncode == 2 and "--force" in again.stderr
    assert announcement.read_text("utf-8") == "edited by hand"
    forced = run_charter("render", answers, "--out", tmp_path, "--format", "txt", "--force")
    assert forced.returncode == 0
    assert "县融媒体中心外宣活动群" in announcement.read_text("utf-8")


def test_a_forced_render_of_changed_answers_keeps_the_old_charter_whole_and_leaves_none_of_it_beside(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text(EVENT, "utf-8")
    assert run_charter("render", answers, "--out", tmp_path / "out", "--format", "txt,md,ics").returncode == 0
    folder = tmp_path / "out" / "县融媒体中心外宣活动群"
    old = {p.name: p.read_bytes() for p in folder.iterdir()}
    answers.write_text(_edit(EVENT, 'name = "李明"', 'name = "钱七"'), "utf-8")
    assert run_charter("render", answers, "--out", tmp_path / "out", "--format", "txt", "--force").returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["announcement.txt", "charter.toml", "versions"]
    assert {p.name: p.read_bytes() for p in (folder / "versions" / "1").iterdir()} == old
    assert "钱七" in (folder / "announcement.txt").read_text("utf-8")
    # the same answers again: the format asked for is added, no new version
    assert run_charter("render", answers, "--out", tmp_path / "out", "--format", "md", "--force").returncode == 0
    assert sorted(p.name for p in folder.iterdir()) == ["announcement.txt", "charter.md", "charter.toml", "versions"]
    assert [p.name for p in (folder / "versions").iterdir()] == ["1"]


def test_two_groups_whose_names_share_a_folder_name_get_two_folders(tmp_path):
    first = tmp_path / "a.toml"
    second = tmp_path / "b.toml"
    first.write_text(_edit(EVENT, 'name = "县融媒体中心外宣活动群"', 'name = "活动群/一"'), encoding="utf-8")
    second.write_text(_edit(EVENT, 'name = "县融媒体中心外宣活动群"', 'name = "活动群:一"'), encoding="utf-8")
    out = tmp_path / "out"
    assert run_charter("render", first, "--out", out, "--format", "txt").returncode == 0
    assert run_charter("render", second, "--out", out, "--format", "txt").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["活动群-一", "活动群-一-2"]


def test_names_that_differ_only_in_case_get_folders_that_differ_in_more(tmp_path):
    """Group-A and group-a are one folder once the register is copied to Windows or macOS."""
    out = tmp_path / "out"
    for name in ("Group A", "group a", "GROUP A", "group a"):
        answers = tmp_path / "answers.toml"
        answers.write_text(_edit(EVENT, 'name = "县融媒体中心外宣活动群"', f'name = "{name}"'), encoding="utf-8")
        run_charter("render", answers, "--out", out, "--format", "txt", "--force")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["GROUP-A-3", "Group-A", "group-a-2"] and len({n.casefold() for n in names}) == 3


@pytest.mark.parametrize("name", ["../../escape", "CON", "...", "a\\b", "/etc/passwd"])
def test_group_name_cannot_escape_the_output_folder(tmp_path, name):
    answers = tmp_path / "a.toml"
    answers.write_text(_edit(EVENT, 'name = "县融媒体中心外宣活动群"', f"name = '{name}'"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_charter("render", answers, "--out", out, "--format", "txt")
    assert result.returncode == 0, result.stderr
    [folder] = out.iterdir()
    assert folder.parent == out and folder.name not in ("CON", "..", ".")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.toml", "out"]


@pytest.mark.parametrize("command", [["render"], ["check"]])
def test_endless_input_is_refused_by_size(command):
    """/dev/zero reports a size of 0: the limit is on what is read, not on what stat() says."""
    result = run_charter(*command, "/dev/zero", timeout=60)
    assert result.returncode == 2 and "/dev/zero" in result.stderr and "Traceback" not in result.stderr


def test_every_problem_at_once_in_the_files_language(tmp_path):
    """Unknown rules and categories are reported with the schema's problems, not after them, and
    pydantic's own words never reach a Chinese file's report."""
    answers = tmp_path / "types.toml"
    answers.write_text('lang = "zh"\n[group]\nname = "x群"\npurpose = ""\nkind = "temporary"\n'
                       "created = 2026-11-25T10:00:00\ndissolve_on = 2026-12-31\nreview_every_months = 1.5\n"
                       '[owner]\nname = "李明"\n[rules]\non = ["no.such.rule"]\n'
                       '[[rules.custom]]\ncategory = "nonexistent"\ntext = "x"\n', encoding="utf-8")
    result = run_charter("check", answers)
    assert result.returncode == 2 and "5 处问题" in result.stderr
    for field in ("group.purpose", "group.created", "group.review_every_months", "rules.on[0]",
                  "rules.custom[0].category"):
        assert field in result.stderr
    assert not any(word in result.stderr for word in ("Input should", "Datetimes", "should have"))
    many = tmp_path / "many.toml"
    many.write_text((EXAMPLES / "county-media-event.toml").read_text("utf-8")
                    + "".join(f'\n[[members]]\nname = "成员{n}"\n' for n in range(5001)), encoding="utf-8")
    capped = run_charter("check", many)
    assert capped.returncode == 2 and "最多 5000" in capped.stderr


def test_a_file_saved_as_gb18030_names_the_first_line_that_is_not_utf8(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_bytes(EVENT.encode("gb18030"))
    result = run_charter("render", answers, "--out", tmp_path / "out")
    first = next(n for n, line in enumerate(EVENT.splitlines(), 1) if not line.isascii())
    assert result.returncode == 2 and f"answers.toml:{first}: 这一行不是 UTF-8" in result.stderr, result.stderr
    assert "codec" not in result.stderr and not (tmp_path / "out").exists()


def test_a_date_in_quotes_is_the_date_the_schema_documents(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text(_edit(_edit(EVENT, "created = 2026-11-25", 'created = "2026-11-25"'),
                             "dissolve_on = 2026-12-31", 'dissolve_on = "2026-12-31"'), "utf-8")
    result = run_charter("render", answers, "--out", tmp_path / "out", "--format", "ics")
    assert result.returncode == 0, result.stderr
    assert "DTSTART;VALUE=DATE:20261231" in next((tmp_path / "out").rglob("charter.ics")).read_text("utf-8")


def test_a_register_that_already_has_two_folders_differing_in_case_keeps_using_each(tmp_path):
    """Made by an older charter: Group-A and group-a. Each group is still found in its own."""
    out = tmp_path / "out"
    out.mkdir()
    for name, folder in (("Group A", "Group-A"), ("group a", "group-a")):
        answers = tmp_path / f"{folder}.toml"
        answers.write_text(_edit(EVENT, 'name = "县融媒体中心外宣活动群"', f'name = "{name}"'), encoding="utf-8")
        made = tmp_path / f"made-{folder}"  # each rendered alone, as a register made before would hold it
        assert run_charter("render", answers, "--out", made, "--format", "txt").returncode == 0
        (made / folder).rename(out / folder)
    changed = tmp_path / "group-a.toml"
    changed.write_text(changed.read_text("utf-8").replace("李明", "钱七"), "utf-8")
    assert run_charter("render", changed, "--out", out, "--format", "txt", "--force").returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["Group-A", "group-a"]
    assert "钱七" in (out / "group-a" / "announcement.txt").read_text("utf-8")


def test_a_charter_toml_edited_in_place_and_rendered_again_keeps_the_printed_charter(tmp_path):
    """The charter.toml's own header says: edit it and render it with --force. Its old answers are
    gone then, but what was printed from them is not: it differs from what the edit gives."""
    out = tmp_path / "out"
    assert run_charter("render", EXAMPLES / "county-media-event.toml", "--out", out, "--format", "txt,md").returncode == 0
    folder = out / "县融媒体中心外宣活动群"
    printed = (folder / "announcement.txt").read_bytes()
    answers = folder / "charter.toml"
    answers.write_text(answers.read_text("utf-8").replace('name = "李明"', 'name = "钱七"'), "utf-8")
    for _ in range(2):  # the second time nothing differs: no second version
        assert run_charter("render", answers, "--out", out, "--format", "txt,md", "--force").returncode == 0
    assert (folder / "versions" / "1" / "announcement.txt").read_bytes() == printed
    # the answers it was printed from are gone with the edit: none stand beside it as if they were
    assert sorted(p.name for p in (folder / "versions" / "1").iterdir()) == ["announcement.txt", "charter.md"]
    assert [p.name for p in (folder / "versions").iterdir()] == ["1"]
    assert "钱七" in (folder / "announcement.txt").read_text("utf-8")


def test_a_line_separator_inside_a_string_does_not_shift_the_line_named(tmp_path):
    """TOML lines end at a line feed; U+2028 and U+0085 are characters in a string or a comment."""
    source = _edit(EVENT, 'purpose = "', 'purpose = "第一段\u2028第二段')
    source = _edit(source, "[owner]", "# 注释\u2028里的\u0085分隔符\n[owner]")
    source = _edit(source, 'title = "科员"', 'title = "科\\u0007员"')  # a TOML escape
    (tmp_path / "answers.toml").write_text(source, "utf-8")
    line = next(n for n, text in enumerate(source.split("\n"), 1) if "\\u0007" in text)
    result = run_charter("render", tmp_path / "answers.toml", "--out", tmp_path / "out")
    assert result.returncode == 2 and f"answers.toml:{line}: owner.title" in result.stderr, result.stderr


def test_control_characters_in_a_message_are_shown_as_codes_not_sent_to_the_terminal(tmp_path):
    """An escape sequence in an answer named by an error would retitle the window or worse."""
    source = _edit(EVENT, "[owner]", '[rules]\noff = ["\\u001b]0;PWN\\u0007x"]\n\n[owner]')
    (tmp_path / "answers.toml").write_text(source, "utf-8")
    result = run_charter("render", tmp_path / "answers.toml", "--out", tmp_path / "out")
    assert result.returncode == 2 and "<U+001B>]0;PWN<U+0007>x" in result.stderr, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
