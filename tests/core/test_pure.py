"""The pure functions under the commands, tested directly: dates, TOML positions, folder names,
the one clock, the words of both languages, and the questions engine."""

from __future__ import annotations

import re
from datetime import date

import pytest

from charter.core.clock import today
from charter.core.errors import InputError
from charter.core.i18n import messages
from charter.core.tomlfile import key_lines, line_of
from charter.interfaces.question import KEEP
from charter.interfaces.questions import Engine
from charter.register.folders import folder_name

TODAY = date(2026, 11, 25)


@pytest.mark.parametrize("typed, expected", [
    ("2026-12-31", date(2026, 12, 31)), ("2026/1/5", date(2026, 1, 5)), ("2026年12月31日", date(2026, 12, 31)),
    ("12-31", date(2026, 12, 31)), ("11-24", date(2027, 11, 24)), ("2-29", date(2028, 2, 29)),
    ("+30d", date(2026, 12, 25)), ("+6w", date(2027, 1, 6)), ("+3m", date(2027, 2, 25)),
    ("30天后", date(2026, 12, 25)), ("3个月后", date(2027, 2, 25)), ("2周后", date(2026, 12, 9)),
    ("2026-02-30", None), ("tomorrow", None), ("", None), ("13-01", None),
])
def test_parse_date(typed, expected):
    from charter.core.dates import parse_date

    assert parse_date(typed, TODAY) == expected


def test_add_months_keeps_to_the_last_day():
    from charter.core.dates import add_months

    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_key_lines_find_tables_arrays_and_keys():
    source = 'lang = "zh"\n[group]\nname = "x"\n\n[[members]]\nname = "a"\n[[members]]\nname = "b"\n' \
             'text = """\nmany\n[fake]\n"""\nrole = "admin"\n'
    lines = key_lines(source)
    assert lines[("lang",)] == 1 and lines[("group", "name")] == 3
    assert lines[("members", 1, "name")] == 8 and lines[("members", 1, "role")] == 13
    assert ("fake",) not in lines  # inside a multi-line string
    assert line_of(lines, ("group", "purpose")) == 2  # a missing key points at its table
    assert line_of(lines, ("nothing",)) is None


@pytest.mark.parametrize("name, folder", [
    ("县融媒体中心外宣活动群", "县融媒体中心外宣活动群"), ("Science Fair 2027 Team", "Science-Fair-2027-Team"),
    ("../../etc/passwd", "etc-passwd"), ("CON", "group-CON"), ("///", "group"), ("ｆｕｌｌ　ｗｉｄｔｈ", "full-width"),
    ("a" * 100, "a" * 60),
])
def test_folder_names_are_safe_everywhere(name, folder):
    assert folder_name(name) == folder


@pytest.mark.parametrize("value", ["garbage", "9999-12-31", "1999-12-31", "2026-02-30"])
def test_the_clock_refuses_a_day_it_cannot_count_from(monkeypatch, value):
    monkeypatch.setenv("CHARTER_TODAY", value)
    with pytest.raises(InputError, match="CHARTER_TODAY"):
        today()


def test_the_clock_honours_charter_today(monkeypatch):
    monkeypatch.setenv("CHARTER_TODAY", "2026-12-29")
    assert today() == date(2026, 12, 29)
    monkeypatch.delenv("CHARTER_TODAY")
    assert today() == date.today()


def _keys(tree, prefix=""):
    out = set()
    for key, value in tree.items():
        out |= _keys(value, f"{prefix}{key}.") if isinstance(value, dict) else {prefix + key}
    return out


def test_both_languages_have_every_word():
    # toml_details translates tomllib's English into Chinese: English has no need of it
    english_only_source = {key for key in _keys(messages("zh")) if key.startswith("toml_details.")}
    assert _keys(messages("zh")) - english_only_source == _keys(messages("en"))


def test_no_word_is_hidden_by_a_dict_method():
    """Templates read words as attributes (w.copy): a key named like a dict method would show the method."""
    clashes = {key for key in _keys(messages("zh")) if set(key.split(".")) & set(dir(dict))}
    assert not clashes


# ── the questions engine ─────────────────────────────────────────────────────────
def _walk(engine, answers, given: dict, section: str):
    engine.walk(section, answers, lambda q: given.get(q.key, KEEP))


def test_a_dependent_question_is_asked_in_the_same_walk():
    engine, answers, asked = Engine(None, TODAY), {"lang": "zh"}, []

    def answer_for(question):
        asked.append(question.key)
        return {"successor": True, "successor.name": "王芳", "owner.name": "李明"}.get(question.key, KEEP)

    engine.walk("people", answers, answer_for)
    assert asked.index("successor.name") == asked.index("successor") + 1
    assert answers["successor"] == {"name": "王芳"}


def test_unticking_the_successor_drops_it():
    engine, answers = Engine(None, TODAY), {"lang": "zh", "successor": {"name": "王芳"}}
    _walk(engine, answers, {"successor": False}, "people")
    assert "successor" not in answers


def test_the_lifetime_question_follows_the_kind():
    engine = Engine(None, TODAY)
    answers = {"lang": "zh", "group": {"kind": "standing", "dissolve_on": date(2027, 1, 1)}}
    keys = [q.key for q in engine.questions("lifetime", answers) if engine.applies(q, answers)]
    assert keys == ["group.created", "group.review_every_months"]
    _walk(engine, answers, {}, "lifetime")
    assert "dissolve_on" not in answers["group"]


@pytest.mark.parametrize(("key", "typed", "refused"), [
    ("owner.name", "刘志远，县应急管理局", True), ("owner.name", "刘志远", False),
    ("successor.name", "王丽、白水镇应急办", True), ("successor.name", "Smith, Jo", False),
])
def test_a_name_field_refuses_a_whole_line_typed_with_a_chinese_keyboard(key, typed, refused):
    engine = Engine(None, TODAY)
    answers = {"lang": "zh", "successor": {}}
    question = next(q for q in engine.questions("people", answers) if q.key == key)
    value, problem = engine.check(question, typed, answers)
    assert (problem == "这里只填姓名（里面有逗号、顿号或分号）；单位、职务另有一问") is refused, problem


def _rule_labels(answers: dict) -> dict[str, str]:
    engine = Engine(None, TODAY)
    return {rule: label for q in engine.questions("rules", answers) if q.type == "checkbox" for rule, label in q.choices}


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("kind", ["temporary", "project", "standing"])
@pytest.mark.parametrize("profile", ["office", "duty", "home-school", "broadcast"])
def test_no_rule_label_holds_a_placeholder_before_anything_is_known(lang, kind, profile):
    labels = _rule_labels({"lang": lang, "group": {"kind": kind, "profile": profile}})
    assert labels and not [label for label in labels.values() if "…" in label or "..." in label]


@pytest.mark.parametrize(("lang", "expected"), [
    ("zh", {"owner.duties": "群主：刘志远。", "lifetime.dissolve-date": "本群2027年3月7日解散。",
            "enforcement.questions": "群规问题请私信群主刘志远。"}),
    ("en", {"owner.duties": "Owner: 刘志远.", "lifetime.dissolve-date": "Closes on 7 March 2027.",
            "enforcement.questions": "Questions: message 刘志远."}),
])
def test_a_rule_label_says_what_the_answers_so_far_say(lang, expected):
    labels = _rule_labels({"lang": lang, "group": {"kind": "temporary", "created": TODAY,
                                                   "dissolve_on": date(2027, 3, 7)}, "owner": {"name": "刘志远"}})
    assert {rule: labels[rule] for rule in expected} == expected
    standing = _rule_labels({"lang": "zh", "group": {"kind": "standing", "created": date(2026, 11, 25),
                                                     "review_every_months": 3}})
    assert standing["lifetime.review"] == "每3个月复核，下次：2027年2月25日。"


def test_ticks_are_kept_relative_to_the_kind_they_were_shown_for():
    engine = Engine(None, TODAY)
    answers = {"lang": "zh", "group": {"kind": "temporary"}}
    posting = next(q for q in engine.questions("rules", answers) if q.key == "rules.posting")
    ticked = [rule for rule in posting.default if rule != "posting.quiet-hours"]
    engine.apply(posting, ticked, answers)
    assert answers["rules"]["off"] == ["posting.quiet-hours"]
    engine.apply(posting, posting.default, answers)
    assert "off" not in answers.get("rules", {}) or answers["rules"]["off"] is None


def test_an_unedited_parameter_follows_the_language():
    from charter.interfaces.question import Shown

    engine = Engine(None, TODAY)
    answers = {"lang": "en", "group": {"kind": "temporary"}}
    remark = next(q for q in engine.questions("rules", {"lang": "zh"}) if q.key == "rules.params.remark_format")
    engine.apply(remark, "股室-姓名", answers, Shown("zh", "temporary"))  # the Chinese default, untouched
    assert "params" not in answers.get("rules", {})
    engine.apply(remark, "Team - Name", answers, Shown("zh", "temporary"))
    assert answers["rules"]["params"]["remark_format"] == "Team - Name"


@pytest.mark.parametrize("key, typed, problem", [
    ("group.name", "", "不能为空"), ("group.name", "外宣\n活动", "只能写一行"), ("group.dissolve_on", "2026-02-30", "看不懂"),
    ("group.dissolve_on", "2026-10-01", "已经过去了"), ("group.review_every_months", "25", "不能大于 24"),
    ("group.review_every_months", "x", "应为整数"), ("group.kind", "forever", "应为以下之一"),
])
def test_answers_are_checked_as_typed(key, typed, problem):
    engine = Engine(None, TODAY)
    answers = {"lang": "zh", "group": {"kind": "temporary", "created": TODAY}}
    question = next(q for section in ("group", "lifetime") for q in engine.questions(section, answers) if q.key == key)
    _, found = engine.check(question, typed, answers)
    assert (found is None) if problem is None else (problem in found)


def test_every_file_a_charter_has_is_labelled_on_the_web():
    from charter.core.formats import ANSWERS_FILE, FILE_NAMES

    for lang in ("zh", "en"):
        kinds = messages(lang)["web"]["file_kinds"]
        assert set(kinds) == {*FILE_NAMES.values(), ANSWERS_FILE}, lang


def test_another_profiles_rule_switched_on_is_offered_and_kept():
    """An answers file may switch on any rule; the form must show it, or a write would drop it."""
    engine = Engine(None, TODAY)
    answers = {"lang": "zh", "group": {"kind": "project", "profile": "office"}, "rules": {"on": ["scope.notices-only"]}}
    scope = next(q for q in engine.questions("rules", answers) if q.key == "rules.scope")
    assert "scope.notices-only" in [value for value, _ in scope.choices] and "scope.notices-only" in scope.default
    fresh = {"lang": "zh", "group": {"kind": "project", "profile": "office"}}  # a post rebuilds from nothing
    engine.apply(scope, scope.default, fresh)
    assert fresh["rules"]["on"] == ["scope.notices-only"]
    plain = next(q for q in engine.questions("rules", fresh | {"rules": {}}) if q.key == "rules.scope")
    assert "scope.notices-only" not in [value for value, _ in plain.choices]  # not offered unless on


@pytest.mark.parametrize(("source", "expected"), [
    ("a [link](https://x.org/a b(c)) and `co*de`", "a [link](https://x.org/a%20b%28c%29) and `co*de`"),
    ("**重要**：会前 *一天* 报送", "**重要**：会前 *一天* 报送"),
    ("1 < 2 | 3 # _x_", r"1 \< 2 \| 3 \# *x*"),
    ("![alt *x*](assets/a.png) ok", r"alt \*x\* ok"),
])
def test_a_one_line_custom_rule_keeps_its_emphasis_and_links(source, expected):
    from charter.render.markup import rule_markdown, sanitize_markdown

    assert rule_markdown(sanitize_markdown(source)) == expected


@pytest.mark.parametrize(("source", "inside"), [
    ("第一条**加粗**\n\n- 列表一\n- 列表二\n\n第三行 [链接](https://example.org)",
     "<p>第一条<strong>加粗</strong></p><ul><li>列表一</li><li>列表二</li></ul>"
     '<p>第三行 <a href="https://example.org">链接</a></p>'),
    ("1. a\n2. b\n    - c", "<ol><li><p>a</p></li><li><p>b</p><ul><li>c</li></ul></li></ol>"),
    ("- one\n- two", "<ul><li>one</li><li>two</li></ul>"),
    ("> q1\n>\n> q2", "q1q2"),  # a quote's paragraphs, without the quote
    ("line one  \nline two", "line one<br />line two"),
    ("说明：\n\n```\ncode\n1. not a list\n```\n\n后文", "说明：<code>code 1. not a list</code>后文"),
    ("```\ngit pull\n# not a heading\n- not a list\n```", "<code>git pull # not a heading - not a list</code>"),
    ("- a\n    - b\n        - c\n            - d", "<ul><li>a<ul><li>b<ul><li>c<ul><li>d</li></ul></li></ul></li></ul></li></ul>"),
])
def test_a_custom_rules_paragraphs_and_lists_stay_inside_its_item_for_both_markdown_readers(source, inside):
    """charter.md puts the rule after "2. " in the section's list; CommonMark (markdown-it) and
    Python-Markdown must both read its lists and paragraphs inside that item, and the next rule
    as the next item."""
    import markdown
    from markdown_it import MarkdownIt

    from charter.render.markup import rule_markdown, sanitize_markdown

    page = f"1. x\n2. {rule_markdown(sanitize_markdown(source))}\n3. y\n"
    for html in (MarkdownIt("commonmark").render(page), markdown.markdown(page)):
        # which items are "loose" (<p> inside) differs between the two; the structure must not
        flat = re.sub(r"\s*\n\s*|</?p>", "", html)
        assert flat == f"<ol><li>x</li><li>{re.sub('</?p>', '', inside)}</li><li>y</li></ol>", flat


@pytest.mark.parametrize(("value", "expected"), [
    ("2026. 年底前", r"2026\. 年底前"), ("- 不要", r"\- 不要"), ("**x**", r"\*\*x\*\*"),
    ("会议 1. 照常", "会议 1. 照常"), ("a\n+ b", "a\n\\+ b"),
])
def test_markdown_escape_leaves_no_emphasis_or_list_in_typed_text(value, expected):
    from charter.render.markup import markdown_escape

    assert markdown_escape(value) == expected


@pytest.mark.parametrize("source", [
    "张三\t县水利局\t干事\n李四\t县财政局\t科长\t管理员\n",  # pasted from Excel: tabs
    "张三,县水利局,干事\r李四,县财政局,科长,管理员\r",  # lines ending in CR alone
    "姓名\t单位\t职务\t角色\n张三\t县水利局\t干事\t\n李四\t县财政局\t科长\t管理员\n",
])
def test_members_pasted_from_a_spreadsheet_or_with_old_line_ends(source):
    from charter.interfaces.spreadsheets import parse_members

    members, problems = parse_members(source, "zh", header_optional=True)
    assert problems == []
    assert [(m.name, m.unit, m.title, m.role) for m in members] == [
        ("张三", "县水利局", "干事", "member"), ("李四", "县财政局", "科长", "admin")]


@pytest.mark.parametrize("source", [
    "王丽，白水镇应急办，主任，管理员\n李强、县水利局、干事、\n",  # a Chinese keyboard's commas
    "王丽,白水镇应急办,主任,管理员\n李强，县水利局，干事\n",
    '"王丽",白水镇应急办，主任，admin\n李强,"县水利局",干事,\n',
])
def test_members_typed_with_any_comma_are_read_field_by_field(source):
    from charter.interfaces.spreadsheets import parse_members

    members, problems = parse_members(source, "zh", header_optional=True)
    assert problems == []
    assert [(m.name, m.unit, m.title, m.role) for m in members] == [
        ("王丽", "白水镇应急办", "主任", "admin"), ("李强", "县水利局", "干事", "member")]


def test_a_comma_inside_quotes_or_a_spreadsheet_cell_stays_in_its_field():
    from charter.interfaces.spreadsheets import parse_members

    typed = parse_members('"王丽，张三"，"县委、县政府办"\n', "zh", header_optional=True)
    pasted = parse_members("张三\t县，水利局\t干事\n", "zh", header_optional=True)
    assert [(m.name, m.unit) for m in typed[0]] == [("王丽，张三", "县委、县政府办")] and typed[1] == []
    assert [(m.name, m.unit, m.title) for m in pasted[0]] == [("张三", "县，水利局", "干事")] and pasted[1] == []


def test_members_text_reads_back_as_the_same_members():
    from charter.interfaces.spreadsheets import parse_members
    from charter.interfaces.web.forms import members_text

    members = [{"name": '王丽，"小丽"', "unit": "县委、县政府办", "title": "主任,组长", "role": "admin"}]
    read, problems = parse_members(members_text(members, "zh"), "zh", header_optional=True)
    assert problems == [] and [m.model_dump() for m in read] == members


@pytest.mark.parametrize(("source", "lang", "expected"), [
    ("Smith, Jo, ACME, Engineer\n", "en", "line 1: read as name “Smith”, unit “Jo”, title “ACME”, role “Engineer”: "
                                          "“Engineer” is not a role: write admin or guest"),
    ("王丽，白水镇应急办，主任，管理员，值班\n", "zh", "第 1 行：读作 姓名“王丽”、单位“白水镇应急办”、职务“主任”、角色“管理员”"
                                         "——多出了“值班”，没有哪一列放它"),
    ("王丽，管理员\n", "zh", "第 1 行：读作 姓名“王丽”、单位“管理员”——“管理员”是角色，应写在第 4 项"),
    ("王丽 白水镇应急办 主任 管理员\n", "zh", "第 1 行：读作 姓名“王丽 白水镇应急办 主任 管理员”——姓名像是一整行"),
    ("Ann Lee; Parks; clerk\n", "en", "line 1: read as name “Ann Lee; Parks; clerk”: the name looks like a whole line"),
])
def test_a_members_line_that_cannot_be_taken_as_read_says_how_it_was_read(source, lang, expected):
    from charter.interfaces.spreadsheets import parse_members

    members, problems = parse_members(source, lang, header_optional=True)
    assert members == [] and len(problems) == 1 and problems[0].startswith(expected), problems


@pytest.mark.parametrize(("source", "lang", "expected"), [
    ("姓名,name,单位\n张三,Zhang,县水利局\n", "zh", "第 1 行：这几列说的是同一件事：姓名、name，请只留一列"),
    ("name,Name\nAnn,Bo\n", "en", "line 1: these columns say the same thing: name, Name; keep only one"),
])
def test_two_columns_for_one_answer_are_refused_not_one_silently_taken(source, lang, expected):
    from charter.interfaces.spreadsheets import parse_members

    assert parse_members(source, lang) == ([], [expected])


def test_a_tab_inside_a_cell_is_a_space_not_a_line_break():
    from charter.interfaces.spreadsheets import parse_members

    members, problems = parse_members('姓名,单位\n赵磊,"县委\t宣传部"\n', "zh")
    assert problems == [] and [(m.name, m.unit) for m in members] == [("赵磊", "县委 宣传部")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_unit_skeleton_names_every_rule_category(lang):
    from charter.core.resources import data_file
    from charter.schema.catalogue import builtin_catalogue

    skeleton = data_file(f"unit-skeleton/{lang}/unit.toml").read_text("utf-8")
    listed = re.search(r'# category = "posting" +# ([a-z ]+)', skeleton).group(1).split()
    assert listed == list(builtin_catalogue().categories.order)


def test_the_control_and_line_break_patterns_are_unicode_s_own_categories():
    """The answers' text checks use patterns for speed: they must match exactly the characters of
    Unicode's categories Cc (less tab and line feed) and Zl/Zp (with tab and line feed), in every plane."""
    import sys
    import unicodedata

    from charter.schema.answers import CONTROL_CHARS, LINE_BREAKS

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        category = unicodedata.category(char)
        assert bool(CONTROL_CHARS.match(char)) == (category == "Cc" and char not in "\t\n"), hex(code)
        assert bool(LINE_BREAKS.match(char)) == (category in ("Zl", "Zp") or char in "\t\n"), hex(code)


def test_a_typed_cell_parted_in_two_under_a_header_is_refused_not_cut_short():
    from charter.interfaces.spreadsheets import parse_members

    assert parse_members("姓名,单位\n张三,县委、县政府办\n", "zh", header_optional=True) == (
        [], ["第 2 行：读作 姓名“张三”、单位“县委”——多出了“县政府办”，没有哪一列放它（姓名、单位、职务、角色）；"
             "某一项本身带逗号或顿号时，请用英文双引号把它括起来"])
