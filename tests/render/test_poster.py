"""The notice-board poster fills its sheet: the rules as large as fits, ending just above a footer
that is readable from two metres, and a title broken between words (sizes and places read from the PDF)."""

from __future__ import annotations

import io
import re
import statistics
import tomllib

import pdfplumber
import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, run_charter, squeeze

from charter.render import context as context_module
from charter.render import poster_fit as fit
from charter.render.context import build_context
from charter.render.documents import render_documents
from charter.schema.catalogue import builtin_catalogue
from charter.schema.unit import load_unit
from charter.schema.validation import validate_answers

SOURCES = {stem: next(EXAMPLES.rglob(f"{stem}.toml")) for stem in EXAMPLE_FOLDERS}
RULE = re.compile(r"\d+\. ?")
ZH_LONG = ("青石县防汛抗旱指挥部办公室与县应急管理局联合值守" * 3)[:59] + "群"  # 60, the most a name may have
EN_LONG = "Riverside County Council Emergency Flood Duty and Rota Teams"  # 60 too


def _size(line) -> float:
    return line["chars"][0]["size"]


def poster_lines(path) -> tuple[float, float, list[dict]]:
    """The page's width and height and its lines of text, top to bottom."""
    with pdfplumber.open(path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        return page.width, page.height, page.extract_text_lines()


def parts(path) -> dict:
    """The poster's rules' lines, its footer's lines and its title's lines, told apart by their size."""
    width, height, lines = poster_lines(path)
    first = next(i for i, line in enumerate(lines) if RULE.match(line["text"]))
    size = _size(lines[first])
    rules = [line for line in lines[first:] if abs(_size(line) - size) < 0.05]
    footer = [line for line in lines[first:] if line["top"] > rules[-1]["bottom"]]
    title_size = max(_size(line) for line in lines)
    title = [line for line in lines if abs(_size(line) - title_size) < 0.05]
    return {"width": width, "height": height, "rules": rules, "footer": footer, "title": title, "size": size}


def poster_rules(answers: dict) -> tuple[list[str], str]:
    """The rules the poster shows (as the answers word them), and their language."""
    context = build_context(validate_answers(answers), builtin_catalogue())
    return [rule["brief"] for rule in context["poster_rules"]], context["lang"]


def fits_at(found: dict, rules: tuple[list[str], str], size: float) -> bool:
    """Whether the rules, in poster_fit's measure, would fit the room the poster gives them at `size`
    (its lines at the least spacing between the rules)."""
    texts, lang = rules
    em = (found["width"] - 2 * fit.MARGIN_SIDES * found["scale"] - fit.RULES_INDENT * size) / size
    lines = sum(fit.count_lines(text, lang, em) for text in texts)
    need = (lines * fit.RULES_LEADING + (len(texts) - 1) * fit.RULE_GAP) * size
    # from the first rule's line (its text starts half its leading lower) to the footer's rule (its
    # text starts its padding and half its leading lower), less the space kept above the footer
    above = (fit.FOOTER_BOX + (fit.FOOTER_LEADING - 1) / 2 * fit.FOOTER_PT + fit.FOOTER_GAP) * found["scale"]
    room = found["footer"][0]["top"] - above - found["rules"][0]["top"] + (fit.RULES_LEADING - 1) / 2 * found["size"]
    return need <= room + 1  # a point for rounding


def check_fills_the_sheet(found: dict, rules: tuple[list[str], str], scale: float = 1.0,
                          bottom: float = 0.85) -> None:
    lines, footer, height = found["rules"], found["footer"], found["height"]
    found["scale"] = scale
    assert lines[-1]["bottom"] >= bottom * height  # the last rule ends in the sheet's bottom 15 %
    assert footer and lines[-1]["bottom"] < footer[0]["top"]  # above the footer
    assert all(char["size"] >= 16 * scale - 0.05 for line in footer for char in line["chars"])
    for least in (22, 20):  # under 22 pt only when the rules do not fit at 22, under 20 only when not at 20
        assert found["size"] >= least * scale - 0.05 or not fits_at(found, rules, least * scale)


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_the_rules_fill_the_poster_down_to_its_footer(example_folder, stem):
    found = parts(example_folder(stem) / "poster.pdf")
    check_fills_the_sheet(found, poster_rules(tomllib.loads(SOURCES[stem].read_text("utf-8"))))
    assert found["size"] >= 20  # every bundled poster's rules fit at 20 pt at least
    assert len(found["title"]) == 1  # every bundled group's name fits one line


@pytest.fixture(scope="module")
def long_names(tmp_path_factory):
    """The longest names a group may have, in Chinese (on A3) and in English (on A4)."""
    out = tmp_path_factory.mktemp("long")
    folders = {}
    for stem, name, paper in (("county-flood-duty", ZH_LONG, "A3"), ("council-flood-duty", EN_LONG, "A4")):
        source = SOURCES[stem].read_text("utf-8")
        old = tomllib.loads(source)["group"]["name"]
        (out / f"{stem}.toml").write_text(source.replace(f'name = "{old}"', f'name = "{name}"'), "utf-8")
        result = run_charter("render", out / f"{stem}.toml", "--out", out / stem, "--format", "poster",
                             "--paper", paper)
        assert result.returncode == 0, result.stderr
        folders[stem] = (next((out / stem).rglob("poster.pdf")), name, 1.414 if paper == "A3" else 1.0,
                         poster_rules(tomllib.loads((out / f"{stem}.toml").read_text("utf-8"))))
    return folders


@pytest.mark.parametrize("stem", ["county-flood-duty", "council-flood-duty"])
def test_a_long_title_breaks_between_words_into_even_lines(long_names, stem):
    path, name, scale, rules = long_names[stem]
    found = parts(path)
    title = [line["text"] for line in found["title"]]
    assert len(title) >= 2 and "".join(title).replace(" ", "").startswith(name.replace(" ", ""))
    assert min(len(line.strip()) for line in title) > 2
    assert all(_size(line) >= 28 * scale - 0.05 for line in found["title"])
    if stem == "council-flood-duty":  # English breaks only between words
        words = name.split()
        assert all(word in words for line in title for word in line.split())
    check_fills_the_sheet(found, rules, scale)


def test_a_facts_line_more_is_measured_with_the_rest(monkeypatch, tmp_path):
    """Room for one more line in the facts box (an urgent contact's number): the rules shrink to keep
    to one page and to end above the footer."""
    data = tomllib.loads(SOURCES["council-flood-duty"].read_text("utf-8"))
    answers = validate_answers(data)
    plain = context_module.poster_facts
    contact = {"label": "Urgent", "value": "Duty desk 01632 960 000 (24 hours)", "kind": "urgent"}
    monkeypatch.setattr(context_module, "poster_facts", lambda context: [*plain(context), contact])
    (tmp_path / "poster.pdf").write_bytes(render_documents(answers, formats=("poster",))["poster.pdf"])
    found = parts(tmp_path / "poster.pdf")
    assert any("Duty desk 01632" in line["text"] for line in poster_lines(tmp_path / "poster.pdf")[2])
    check_fills_the_sheet(found, poster_rules(data))


# ── the charter with its roster stays one page ───────────────────────────────────
def _with_roster(stem: str, count: int) -> dict:
    """The example's answers with its roster printed, its members padded (or cut) to `count`."""
    answers = tomllib.loads(SOURCES[stem].read_text("utf-8"))
    zh = answers["lang"] == "zh"
    members = answers.get("members", [])[:count]
    members += [{"name": f"成员{n:02d}" if zh else f"Member Name {n:02d}",
                 "unit": "县应急管理局应急值守科" if zh else "Emergency Planning Office",
                 "title": "科员" if zh else "Officer"} for n in range(len(members), count)]
    return {**answers, "show_roster": True, "members": members}


def _render_pdf(stem: str, answers: dict) -> list[str]:
    """The charter's pages' text (a unit's example with its unit)."""
    unit = load_unit(EXAMPLES / "units" / "county-propaganda") if "propaganda" in stem else None
    pdf = render_documents(validate_answers(answers), formats=("pdf",), unit=unit)["charter.pdf"]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return [page.extract_text() for page in document.pages]


# The charters whose rules leave room for a dozen members under them on the one sheet.
ROOM_FOR_A_DOZEN = set(EXAMPLE_FOLDERS) - {"county-propaganda-group", "council-flood-duty"}


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_the_charter_with_a_dozen_members_is_one_page_or_its_roster_an_appendix(stem):
    """Never a second page holding a few rows and the signature: the rules, a dozen members and the
    signature on one sheet, or (rules too long for that) the rules and signature on page 1 and the
    roster on a page of its own under its appendix heading."""
    answers = _with_roster(stem, 12)
    pages = _render_pdf(stem, answers)
    zh = answers["lang"] == "zh"
    first = squeeze(pages[0])
    assert squeeze("群主签名") in first if zh else "signature" not in first.lower()  # English signs nothing
    assert squeeze("完整群规" if zh else "Full rules") in first
    if stem in ROOM_FOR_A_DOZEN:
        assert len(pages) == 1 and all(squeeze(member["name"]) in first for member in answers["members"])
    else:
        assert len(pages) == 2 and squeeze(pages[1]).startswith(squeeze("附：成员名单" if zh else "Appendix: members"))
        assert all(squeeze(member["name"]) in squeeze(pages[1]) for member in answers["members"])


@pytest.mark.parametrize("stem", ["county-flood-duty", "council-flood-duty"])
def test_a_long_roster_is_an_appendix_page(stem):
    answers = _with_roster(stem, 40)
    zh = answers["lang"] == "zh"
    pages = [squeeze(page) for page in _render_pdf(stem, answers)]
    assert len(pages) == 2
    # page 1: every rule (the last section's last one too) and the signature line; no member there
    assert squeeze("对群规有疑问或建议" if zh else "Questions or suggestions about these rules") in pages[0]
    assert squeeze("群主签名" if zh else "Full rules") in pages[0]
    assert squeeze(answers["members"][-1]["name"]) not in pages[0]
    heading = squeeze("附：成员名单" if zh else "Appendix: members")
    assert pages[1].startswith(heading)
    assert all(squeeze(member["name"]) in pages[1] for member in answers["members"])


# ── a footer line of 40 Chinese characters or 80 Latin letters; a unit's poster template ──
@pytest.mark.parametrize("stem, line", [
    ("county-media-event", "完整群规张贴在县融媒体中心三楼公告栏和一楼大厅值班室门口，请自行查看并遵照执行"),  # 40
    ("school-project-team", "The full rules are posted on the staff-room notice board beside the office door."),
])
def test_a_long_footer_line_is_broken_evenly_and_measured(monkeypatch, tmp_path, stem, line):
    data = tomllib.loads(SOURCES[stem].read_text("utf-8"))
    answers = validate_answers(data)
    plain = context_module.poster_footer
    monkeypatch.setattr(context_module, "poster_footer", lambda context: [*plain(context), line])
    (tmp_path / "poster.pdf").write_bytes(render_documents(answers, formats=("poster",))["poster.pdf"])
    found = parts(tmp_path / "poster.pdf")
    check_fills_the_sheet(found, poster_rules(data), bottom=0.8)  # a footer of four lines takes the bottom 14 % itself
    shown = [footer["text"] for footer in found["footer"]]
    assert "".join(shown).replace(" ", "").endswith(line.replace(" ", ""))
    broken = shown[-2:]  # the long line, in two lines of about the same length
    assert min(map(len, broken)) >= 0.6 * max(map(len, broken))


def test_a_unit_poster_template_that_extends_the_builtin_keeps_working(tmp_path):
    unit = tmp_path / "unit"
    (unit / "templates").mkdir(parents=True)
    (unit / "unit.toml").write_text('[unit]\nname = "县应急管理局"\nlang = "zh"\n', "utf-8")
    (unit / "templates" / "poster.html.j2").write_text(
        '{% extends "builtin/poster.html.j2" %}{% block extra_styles %}h1 { color: #b00; }{% endblock %}'
        '{% block footer %}<footer><div>本局值班电话：0571-0000000</div></footer>{% endblock %}', "utf-8")
    result = run_charter("render", SOURCES["county-flood-duty"], "--unit", unit, "--out", tmp_path / "out",
                         "--format", "poster")
    assert result.returncode == 0, result.stderr
    _, _, lines = poster_lines(next((tmp_path / "out").rglob("poster.pdf")))
    texts = [line["text"] for line in lines]
    assert "县应急管理局" in texts[0] and any("本局值班电话" in text for text in texts)
    assert sum(bool(RULE.match(text)) for text in texts) == 8 and "本局值班电话" in texts[-1]


def test_a_charter_a_little_longer_than_its_page_is_set_closer_on_one_page():
    """Six rules of one's own take the charter past its page as set: set closer, it keeps to one,
    its body not under 8 pt."""
    answers = tomllib.loads(SOURCES["county-media-event"].read_text("utf-8"))
    text = "外出采访和现场直播前，在群里报备时间、地点、带队人和联系电话；结束后报平安，遇到突发情况先电话报告带队领导。"
    rules = answers.get("rules", {})
    answers["rules"] = {**rules, "custom": rules.get("custom", []) + [{"category": "posting", "text": text}] * 6}
    pdf = render_documents(validate_answers(answers), formats=("pdf",))["charter.pdf"]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        assert len(document.pages) == 1
        body = statistics.mode(round(char["size"], 1) for char in document.pages[0].chars)
        assert squeeze(document.pages[0].extract_text()).count(squeeze(text)) == 6
    assert 8 <= body < 9.5


def test_rules_reworded_at_length_leave_the_poster_rather_than_shrink_it_or_run_to_a_second_sheet(tmp_path):
    """Eight poster rules reworded to 270 characters each: the poster stays one sheet, its rules at
    16 pt at least, the first (most important) of them kept; the page still holds every one."""
    answers = tomllib.loads(SOURCES["county-flood-duty"].read_text("utf-8"))
    chosen = builtin_catalogue().profile("duty").poster
    answers["rules"] = {"text": {rule: f"{rule}：" + "这条规则改写得很长，" * 27 for rule in chosen}}
    files = render_documents(validate_answers(answers), formats=("pdf", "poster"))
    (tmp_path / "poster.pdf").write_bytes(files["poster.pdf"])
    found = parts(tmp_path / "poster.pdf")  # one page, or parts() fails
    assert found["size"] >= context_module.POSTER_LEAST_PT
    shown = squeeze("".join(line["text"] for line in found["rules"]))
    assert chosen[0] in shown and chosen[-1] not in shown
    with pdfplumber.open(io.BytesIO(files["charter.pdf"])) as pdf:
        page_text = squeeze("".join(page.extract_text() for page in pdf.pages))
    assert all(rule in page_text for rule in chosen)


@pytest.mark.parametrize("stem", list(EXAMPLE_FOLDERS))
def test_the_charter_is_set_as_large_as_its_sheet_allows(example_folder, stem):
    """One sheet, its body never under 8 pt, and its last line near the foot of the page: a short
    charter is set larger rather than leaving a third of the sheet empty."""
    with pdfplumber.open(example_folder(stem) / "charter.pdf") as document:
        first = document.pages[0]
        body = statistics.mode(round(char["size"], 2) for char in first.chars)
        words = [w for w in first.extract_words() if w["bottom"] < first.height * 0.96]  # not the page number
        end = max(w["bottom"] for w in words) / first.height
        pages = len(document.pages)
    assert body >= 8
    if tomllib.loads(SOURCES[stem].read_text("utf-8")).get("show_roster"):
        return  # its roster is an appendix page (test_a_long_roster_is_an_appendix_page)
    assert pages == 1 and end >= 0.8, (pages, end, body)


def test_a_short_charter_is_set_larger_than_a_long_one(example_folder):
    sizes = {}
    for stem in ("class-parents", "council-flood-duty"):
        with pdfplumber.open(example_folder(stem) / "charter.pdf") as document:
            sizes[stem] = statistics.mode(round(char["size"], 2) for char in document.pages[0].chars)
    assert sizes["class-parents"] > 9.5 > sizes["council-flood-duty"]


def test_a_phone_number_on_the_poster_is_never_split_across_lines():
    answers = tomllib.loads(SOURCES["county-flood-duty"].read_text("utf-8"))
    answers["group"]["urgent_contact"] = "县应急管理局值班室 0571-8888 1234，防汛抗旱指挥部办公室 0571-8777 6543（24小时）"
    pdf = render_documents(validate_answers(answers), formats=("poster",))["poster.pdf"]
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        lines = [line["text"] for line in document.pages[0].extract_text_lines()]
    for number in ("0571-8888 1234", "0571-8777 6543"):
        assert any(number in line.replace("\u00a0", " ") for line in lines), (number, lines)
