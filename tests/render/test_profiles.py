"""Charters that fit the group: each profile's rules and words, the announcement, valid Markdown,
the notice-board poster (font sizes read from the PDF), A3, short groups and their calendar."""

from __future__ import annotations

import json
import re
import tomllib
from html.parser import HTMLParser
from statistics import mode

import markdown
import pdfplumber
import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, pdf_text, run_charter, squeeze
from icalendar import Calendar

from charter.core.i18n import messages
from charter.render.documents import render_documents
from charter.schema.catalogue import KINDS, builtin_catalogue
from charter.schema.validation import validate_answers

SOURCES = {stem: next(EXAMPLES.rglob(f"{stem}.toml")) for stem in EXAMPLE_FOLDERS}
ANSWERS = {stem: tomllib.loads(path.read_text("utf-8")) for stem, path in SOURCES.items()}


def profile_of(stem: str) -> str:
    return ANSWERS[stem]["group"].get("profile", "office")


# ── every profile has its example, in each language ──────────────────────────────
def test_every_profile_has_a_bundled_example_in_each_language():
    found = {(profile_of(stem), ANSWERS[stem]["lang"]) for stem in ANSWERS}
    assert found >= {(profile, lang) for profile in builtin_catalogue().profiles for lang in ("zh", "en")}


def test_schema_shows_the_profile_with_the_catalogue_choices():
    result = run_charter("schema")
    schema = json.loads(result.stdout)
    group = next(d for name, d in schema["$defs"].items() if name.startswith("Group"))
    assert group["properties"]["profile"]["enum"] == ["office", "duty", "home-school", "broadcast"]
    assert group["properties"]["profile"]["default"] == "office"


# ── what each profile's charter says ────────────────────────────────────────────
PHRASES = {  # stem: (what the charter says, what it must not say)
    "county-flood-duty": (["随时发布", "不当班的人员不必盯群", "【交班】", "发现险情", "涉密文件", "身份证号", "可以原文转发",
                           "0571-8888 1234"], ["不发工作消息", "要点汇总（", "仍不改的，移出本群"]),
    "class-parents": (["作业不在群里布置", "不在群里公布成绩和排名", "每个家庭一般两位家人入群", "孩子离开本班（转学、毕业或退出）后",
                       "孩子姓名+称呼", "打电话沟通"], ["调岗", "单位-姓名-职务", "涉密文件", "仍不改的移出本群"]),
    "bureau-notices": (["只发布通知", "不回复“收到”", "私信发通知的人", "经授权的领导", "考试前的试卷", "学生和家长的身份证号"],
                       ["新成员回一句", "不刷“收到”"]),
    # a group of a few days ends before anyone moves on: no rule for leaving it
    "inspection-visit": (["工作结束当天", "收尾消息"], ["解散前3天", "自行退群"]),
    "county-media-event": (["“我是县融媒体中心记者赵磊", "20261125-县融媒体中心-工作安排.docx", "需要确认时用接龙",
                            "领导同志调离的"], ["已读回执", "I'm Sam Lee"]),
    "council-flood-duty": (["at any hour", "you do not need to watch the group", "@team or @channel", "[Handover]"],
                           ["No work messages between", "red packets"]),
    "year7-parents": (["Homework is not set through this group", "Up to two adults from each family",
                       "Your name (Child's mum, dad or carer)"], ["Anyone who changes jobs", "senior managers"]),
    "agency-notices": (["is for notices, not discussion", "@channel or @here", "not even “noted”", "comes from your account"],
                       ["red packets", "set your display name in the group"]),
    "school-project-team": (["an emoji reaction", "Reply in the thread", "comes from your account", "For senior managers"],
                            ["red packets", "@all", "Made with charter"]),
}


@pytest.mark.parametrize("stem", list(PHRASES))
def test_each_profile_words_its_own_rules(example_folder, stem):
    flat = squeeze(pdf_text(example_folder(stem) / "charter.pdf"))
    said, unsaid = PHRASES[stem]
    for phrase in said:
        assert squeeze(phrase) in flat, phrase
    for phrase in unsaid:
        assert squeeze(phrase) not in flat, phrase


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_no_tool_footer_on_the_charter_or_the_announcement(example_folder, stem):
    for text in (pdf_text(example_folder(stem) / "charter.pdf"),
                 (example_folder(stem) / "announcement.txt").read_text("utf-8")):
        assert "charter" not in text.lower()


# ── the announcement ─────────────────────────────────────────────────────────────
def _check_announcement(text: str, answers: dict, lang: str, due: str) -> None:
    head = "\n".join(text.splitlines()[:6])
    for fact in (answers["group"]["name"], answers["owner"]["name"], answers["successor"]["name"], due):
        assert fact in head, fact
    if lang == "zh":
        assert len(text) <= 600, len(text)
    else:
        assert len(text.encode("utf-8")) <= 2000, len(text.encode("utf-8"))
    last = text.strip().splitlines()[-1]
    if answers["group"].get("profile") == "home-school":  # parents never see the office wall
        assert "办公室" not in last and "notice board" not in last and "wall" not in last


def _default_rules(answers: dict) -> dict:
    return {key: value for key, value in answers.items() if key != "rules"}


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_announcement_opens_with_the_key_facts_and_fits_the_apps(example_folder, stem):
    text = (example_folder(stem) / "announcement.txt").read_text("utf-8")
    rendered = tomllib.loads((example_folder(stem) / "charter.toml").read_text("utf-8"))
    due = re.search(r"(解散日期|归档日期|复核周期|Closes on|Archive date|Review)[：:] ?(.+)", text).group(2)
    assert "rules" in ANSWERS[stem] or _check_announcement(text, rendered, rendered["lang"], due) is None
    if "rules" not in ANSWERS[stem]:
        return
    # With rules of its own the example may be longer; with the defaults it must fit.
    model = validate_answers(_default_rules(rendered))
    short = render_documents(model, formats=("txt",))["announcement.txt"].decode("utf-8")
    _check_announcement(short, rendered, rendered["lang"], due)


@pytest.mark.parametrize("profile", list(builtin_catalogue().profiles))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_announcement_of_every_profile_and_kind_fits(profile, kind, lang):
    base = ANSWERS["county-media-event" if lang == "zh" else "school-project-team"]
    group = {**base["group"], "profile": profile, "kind": kind, "platform": "qq" if lang == "zh" else "slack"}
    if kind == "standing":
        group.pop("dissolve_on")
        group["review_every_months"] = 6
    elif kind == "temporary":
        group["dissolve_on"] = group["created"].replace(day=28)
    answers = {**_default_rules(base), "group": group}
    text = render_documents(validate_answers(answers), formats=("txt",))["announcement.txt"].decode("utf-8")
    due = text.splitlines()[2].split("：" if lang == "zh" else ": ", 1)[1]
    _check_announcement(text, answers, lang, due)


# ── charter.md is Markdown ───────────────────────────────────────────────────────
class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.cells, self._in = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("h2", "td"):
            self._in = tag
            (self.headings if tag == "h2" else self.cells).append("")

    def handle_endtag(self, tag):
        self._in = None if tag == self._in else self._in

    def handle_data(self, data):
        if self._in:
            target = self.headings if self._in == "h2" else self.cells
            target[-1] += data


def _parsed(html: str) -> _Headings:
    parser = _Headings()
    parser.feed(html)
    return parser


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_markdown_parses_to_the_facts_table_and_every_heading(example_folder, stem):
    md = (example_folder(stem) / "charter.md").read_text("utf-8")
    from_md = _parsed(markdown.markdown(md, extensions=["tables"]))
    from_html = _parsed((example_folder(stem) / "charter.html").read_text("utf-8"))
    # a roster too long for the printed page is headed as its appendix there; Markdown has no pages
    t = messages(ANSWERS[stem]["lang"])
    headings = [squeeze(t["roster"] if h == t["roster_appendix"] else h) for h in from_html.headings]
    assert [squeeze(h) for h in from_md.headings] == headings and len(headings) >= 7
    cells = [squeeze(c) for c in from_md.cells]
    answers = ANSWERS[stem]
    for fact in (answers["owner"]["name"], answers["successor"]["name"], answers["group"]["purpose"]):
        assert any(squeeze(fact) in cell for cell in cells), fact
    dates = [c for c in cells if re.search(r"\d{4}年|\d[A-Z][a-z]+\d{4}", c)]
    assert len(dates) == 2, cells  # in force from, and the dissolution or review


# ── the poster ───────────────────────────────────────────────────────────────────
def _lines(path):
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        # sizes to 0.1 pt: 28 pt reads as 27.99976
        return [(line["text"], [round(c["size"], 1) for c in line["chars"] if c["text"].strip()])
                for line in page.extract_text_lines()]


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_poster_is_one_page_of_large_type(example_folder, stem):
    lines = _lines(example_folder(stem) / "poster.pdf")
    answers = ANSWERS[stem]
    sizes = [size for _, line in lines for size in line]
    title = next(line for text, line in lines if squeeze(answers["group"]["name"])[:6] in squeeze(text))
    assert min(title) >= 28
    for name in (answers["owner"]["name"], answers["successor"]["name"]):
        assert min(next(line for text, line in lines if name in text)) >= 20, name
    date_line = next(line for text, line in lines if re.search(r"(解散日期|归档日期|下次复核|Closes on|Archive date|Next review)", text))
    assert min(date_line) >= 20
    rules = [line for text, line in lines if re.match(r"\d+\.", text)]
    assert 6 <= len(rules) <= 10 and min(min(line) for line in rules) >= 16
    assert sum(size < 14 for size in sizes) / len(sizes) <= 0.03


def test_a_long_unbroken_name_wraps_inside_the_poster(tmp_path):
    name = "县融媒体" + "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 2
    owner = "Wolfeschlegelsteinhausenbergerdorffsmith"  # 40 letters, the most a name may have
    source = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
    source = source.replace('name = "县融媒体中心外宣活动群"', f'name = "{name}"').replace('name = "李明"', f'name = "{owner}"')
    (tmp_path / "long.toml").write_text(source, "utf-8")
    result = run_charter("render", tmp_path / "long.toml", "--out", tmp_path / "out", "--format", "poster")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next((tmp_path / "out").rglob("poster.pdf"))) as pdf:
        [page] = pdf.pages
        assert all(0 <= char["x0"] and char["x1"] <= page.width for char in page.chars)
        shown = squeeze(page.extract_text())
    assert squeeze(name) in shown and owner in shown


def test_a_long_unbroken_member_name_wraps_inside_its_roster_column(tmp_path):
    """The roster's columns have set widths (so a long roster lays out fast): a name that is one
    40-letter word must wrap inside its column, not run over the unit beside it."""
    name = "Bartholomewsmithsonianwilliamsonjohnsonx"
    source = (EXAMPLES / "township-office.toml").read_text("utf-8").replace('name = "吴晓梅"', f'name = "{name}"')
    (tmp_path / "long.toml").write_text(source, "utf-8")
    result = run_charter("render", tmp_path / "long.toml", "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next((tmp_path / "out").rglob("charter.pdf"))) as pdf:
        page, unit_header = next((page, word) for page in pdf.pages for word in page.extract_words()
                                 if word["text"] == "单位")  # the roster's "unit" column, where it starts
        letters = [char for char in page.chars if char["text"].isascii() and char["text"].isalpha()
                   and unit_header["top"] < char["top"] < unit_header["top"] + 40]
        assert "".join(char["text"] for char in letters) == name  # every letter, in two lines
        assert max(char["x1"] for char in letters) < unit_header["x0"]



def test_the_longest_unbroken_words_stay_inside_the_page(tmp_path):
    """Facts table, rules that name people, and roster: a 40-letter name or a 60-letter unit wraps."""
    people = f'name = "{"W" * 40}"\nunit = "{"W" * 60}"\ntitle = "{"W" * 60}"\n'
    (tmp_path / "wide.toml").write_text(
        'lang = "en"\nshow_roster = true\n[group]\nname = "Wide"\npurpose = "Long words"\nplatform = "wechat"\n'
        'kind = "temporary"\ncreated = 2026-11-25\ndissolve_on = 2026-12-31\n'
        f'[owner]\n{people}[successor]\n{people}' + f"[[members]]\n{people}" * 3, "utf-8")
    result = run_charter("render", tmp_path / "wide.toml", "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next((tmp_path / "out").rglob("charter.pdf"))) as pdf:
        margin = 14 / 25.4 * 72  # the page's side margins, 14 mm
        outside = [char["text"] for page in pdf.pages for char in page.chars
                   if char["x0"] < margin - 1 or char["x1"] > page.width - margin + 1]
        letters = sum(char["text"] == "W" for page in pdf.pages for char in page.chars)
    assert outside == [] and letters > 40 * 5


def test_a_roster_row_is_never_split_over_two_pages(tmp_path):
    """Rows of two lines (long units and titles) over several pages: each member's name and title on one page."""
    members = "".join(f'[[members]]\nname = "成员{n:03d}"\nunit = "县委宣传部新闻科网络舆情信息第{n:03d}工作组办公室"\n'
                      f'title = "网络舆情信息监测与研判工作第{n:03d}号联络员"\n' for n in range(150))
    (tmp_path / "long.toml").write_text(
        'lang = "zh"\nshow_roster = true\n[group]\nname = "舆情工作群"\npurpose = "舆情信息报送"\nplatform = "wechat"\n'
        'kind = "temporary"\ncreated = 2026-11-25\ndissolve_on = 2026-12-31\n'
        '[owner]\nname = "李明"\nunit = "县委宣传部"\ntitle = "科长"\n' + members, "utf-8")
    result = run_charter("render", tmp_path / "long.toml", "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    with pdfplumber.open(next((tmp_path / "out").rglob("charter.pdf"))) as pdf:
        pages = [squeeze(page.extract_text()) for page in pdf.pages]
    assert len(pages) > 3
    for n in range(150):
        # (the first member is also named in the rules' examples, on the first page)
        # (a title wraps in its column: its last line, "NNN号联络员", stays whole; the roster's is the
        # last page naming it, the newcomer's example on page 1 names one member too)
        title_page = max(i for i, text in enumerate(pages) if f"{n:03d}号联络员" in text)
        assert f"成员{n:03d}" in pages[title_page], n


# ── A3 scales up ─────────────────────────────────────────────────────────────────
@pytest.fixture(scope="module")
def a3(tmp_path_factory):
    out = tmp_path_factory.mktemp("a3")
    result = run_charter("render", SOURCES["class-parents"], "--out", out, "--paper", "A3", "--format", "pdf,poster")
    assert result.returncode == 0, result.stderr
    return out / EXAMPLE_FOLDERS["class-parents"]


def _body_size(path) -> float:
    with pdfplumber.open(path) as pdf:
        return mode(round(c["size"], 1) for page in pdf.pages for c in page.chars)


@pytest.mark.parametrize("name", ["charter.pdf", "poster.pdf"])
def test_a3_is_the_a4_page_scaled_up(example_folder, a3, name):
    a4 = _body_size(example_folder("class-parents") / name)
    assert _body_size(a3 / name) == pytest.approx(a4 * 1.414, rel=0.02)
    with pdfplumber.open(a3 / name) as pdf:
        assert len(pdf.pages) == 1 and round(pdf.pages[0].width) == 842


# ── short groups ─────────────────────────────────────────────────────────────────
def test_a_three_day_group_has_no_alarm_before_it_exists(example_folder):
    calendar = Calendar.from_ical((example_folder("inspection-visit") / "charter.ics").read_bytes())
    [event] = calendar.walk("VEVENT")
    assert sorted(alarm["trigger"].dt.days for alarm in event.walk("VALARM")) == [-1]


# ── notices worded for the person ────────────────────────────────────────────────
@pytest.mark.parametrize("group, member, starts, avoids", [
    ("防汛", "宋立新", "宋局长：您好", "我会把您移出"),
    ("防汛", "邓玉兰", "邓玉兰您好", "宋局长"),
    ("家校群", "李欣然妈妈", "李欣然妈妈您好：孩子已不在本班", "岗位"),
    ("Riverside", "Carol Hughes", "Dear Carol Hughes", "I will remove you"),
])
def test_leave_notice_is_worded_for_a_leader_or_a_parent(demo_dir, group, member, starts, avoids):
    result = run_charter("notice", "--dir", demo_dir, group, "leave", "--member", member)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(starts) and avoids not in result.stdout


def test_duty_digest_is_a_shift_handover(demo_dir):
    result = run_charter("notice", "--dir", demo_dir, "防汛", "digest")
    assert result.stdout.startswith("【交班】") and "已接班" in result.stdout


# ── a unit adds a profile ────────────────────────────────────────────────────────
UNIT_WITH_PROFILE = """
[unit]
name = "县住建局"
lang = "zh"

[profiles.site]
zh = "工地群"
en = "Site group"
off = ["greeting.one-line-intro"]
on = ["posting.hazard-report"]
poster = ["posting.hazard-report", "security.confidential"]

[profiles.site.params]
leave_days = 1
"""


def test_a_unit_adds_a_profile_of_its_own(tmp_path):
    unit = tmp_path / "unit"
    unit.mkdir()
    (unit / "unit.toml").write_text(UNIT_WITH_PROFILE, encoding="utf-8")
    source = SOURCES["county-media-event"].read_text("utf-8").replace('kind = "temporary"',
                                                                      'kind = "temporary"\nprofile = "site"')
    answers = tmp_path / "site.toml"
    answers.write_text(source, encoding="utf-8")
    result = run_charter("render", answers, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf,poster")
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "out" / EXAMPLE_FOLDERS["county-media-event"]
    flat = squeeze(pdf_text(folder / "charter.pdf"))
    assert "工地群" in flat and "发现险情" in flat and "当天自行退群" in flat and "新成员回一句" not in flat
    assert squeeze("险情先电话") in squeeze(pdf_text(folder / "poster.pdf"))
    # Without the unit, the profile is unknown: the field is named, nothing is written.
    bare = run_charter("render", answers, "--out", tmp_path / "bare")
    assert bare.returncode == 2 and "group.profile" in bare.stderr and "office, duty, home-school, broadcast" in bare.stderr
    assert not (tmp_path / "bare").exists()


# ── the web form: changing the profile ───────────────────────────────────────────
def test_changing_the_profile_in_the_web_form_gives_the_new_profiles_rules(tmp_path, monkeypatch):
    from charter.interfaces.web import create_app

    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    app = create_app(tmp_path / "out")
    app.config["TESTING"] = True
    client = app.test_client()
    zh = {"Accept-Language": "zh-CN"}
    page = client.get("/", headers=zh).get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    shown = re.findall(r'name="_shown" value="([^"]+)"', page)
    ticked = re.findall(r'name="(rules\.[a-z]+)" value="([^"]+)"[^>]*checked', page)
    assert ticked and shown
    form = {"csrf_token": token, "_shown": shown, "_kind": "temporary", "lang": "zh", "group.name": "防汛值守群",
            "group.platform": "wechat", "group.kind": "temporary", "group.profile": "duty",
            "group.purpose": "汛期值守", "group.created": "2026-11-25", "group.dissolve_on": "2026-12-31",
            "owner.name": "陈刚", "action": "update"}
    for key, value in ticked:  # the office ticks the page showed, posted unchanged
        form.setdefault(key, []).append(value)
    page = client.post("/", data=form, headers=zh).get_data(as_text=True)
    ticked_now = {value for _, value in re.findall(r'name="(rules\.[a-z]+)" value="([^"]+)"[^>]*checked', page)}
    assert {"posting.alerts-any-hour", "posting.off-shift", "posting.handover"} <= ticked_now
    assert "posting.quiet-hours" not in ticked_now
