"""What a user sees in the rendered files of the bundled examples."""

from __future__ import annotations

import subprocess
import tomllib

import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, pdf_fonts, pdf_pages, pdf_text, run_charter, squeeze
from icalendar import Calendar

ALL_FILES = ["charter.pdf", "charter.html", "charter.md", "announcement.txt", "charter.ics", "charter.toml",
             "poster.pdf"]

# A phrase from one rule of every category, in the words a reader sees.
RULE_PHRASES = {
    "zh": ["只用于上述用途", "由邀请人发一条介绍", "不刷“收到”", "天内自行退群", "接任群主",
           "解散前", "不移出本群"],
    "en": ["for the purpose above and nothing else", "whoever added them posts one introduction",
           "nobody replies “noted”", "For senior managers", "takes over as owner",
           "before the team is archived", "does not remove them"],
}


def test_demo_renders_every_example_in_every_format(demo_dir):
    assert sorted(p.name for p in demo_dir.iterdir()) == sorted(EXAMPLE_FOLDERS.values())
    for folder in EXAMPLE_FOLDERS.values():
        for name in ALL_FILES:
            assert (demo_dir / folder / name).stat().st_size > 0, f"{folder}/{name}"
        assert not [p for p in (demo_dir / folder).iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("stem, lang, lifetime", [
    ("county-media-event", "zh", "2026年12月31日"),
    ("township-office", "zh", "每6个月"),
    ("school-project-team", "en", "30 April 2027"),
])
def test_pdf_text_holds_name_lifetime_and_a_rule_of_every_category(example_folder, stem, lang, lifetime):
    text = pdf_text(example_folder(stem) / "charter.pdf")
    flat = squeeze(text)
    answers = tomllib.loads(next(EXAMPLES.rglob(f"{stem}.toml")).read_text("utf-8"))
    assert squeeze(answers["group"]["name"]) in flat
    assert squeeze(lifetime) in flat
    for phrase in RULE_PHRASES[lang]:
        assert squeeze(phrase) in flat, phrase


def test_standing_group_shows_review_cadence_and_next_review(example_folder):
    flat = squeeze(pdf_text(example_folder("township-office") / "charter.pdf"))
    assert "每6个月复核" in flat
    assert "2027年3月1日" in flat  # created 2026-09-01 plus six months


def test_chinese_pdf_embeds_a_cjk_font(example_folder):
    for stem in ("county-media-event", "township-office"):
        fonts = pdf_fonts(example_folder(stem) / "charter.pdf")
        cjk = [f for f in fonts if "CJK" in f["name"]]
        assert cjk and all(f["embedded"] for f in fonts), fonts


def test_english_pdf_uses_an_embedded_latin_font(example_folder):
    fonts = pdf_fonts(example_folder("school-project-team") / "charter.pdf")
    assert fonts and all(f["embedded"] for f in fonts)
    assert any("Liberation" in f["name"] for f in fonts), fonts


# Every bundled group is a typical one of its profile; the township prints its 15-name roster too.
@pytest.mark.parametrize("stem", [stem for stem in EXAMPLE_FOLDERS if stem != "township-office"])
def test_typical_charter_fits_one_a4_page(example_folder, stem):
    assert pdf_pages(example_folder(stem) / "charter.pdf") == 1


def test_roster_is_printed_only_when_asked(example_folder):
    with_roster = squeeze(pdf_text(example_folder("township-office") / "charter.pdf"))
    without = squeeze(pdf_text(example_folder("county-media-event") / "charter.pdf"))
    assert "成员名单" in with_roster and "华蕾" in with_roster
    assert "成员名单" not in without and "陈静" not in without


def test_custom_markdown_rule_is_rendered_in_its_section(example_folder):
    html = (example_folder("school-project-team") / "charter.html").read_text("utf-8")
    assert "Room bookings go in the shared sheet <strong>before</strong>" in html


def test_announcement_is_compact_plain_text(example_folder):
    for stem in EXAMPLE_FOLDERS:
        text = (example_folder(stem) / "announcement.txt").read_text("utf-8")
        assert "**" not in text and "#" not in text and "|" not in text and "<" not in text
    zh = (example_folder("county-media-event") / "announcement.txt").read_text("utf-8")
    assert len(zh) <= 1000
    assert "县融媒体中心外宣活动群" in zh and "2026年12月31日" in zh and "21:30" in zh


def test_markdown_has_the_sections_and_dates(example_folder):
    md = (example_folder("school-project-team") / "charter.md").read_text("utf-8")
    assert md.startswith("# Science Fair 2027 Team: group rules")
    assert "## 4. Posting" in md and "**30 April 2027**" in md
    # a custom rule keeps its emphasis, as in the HTML and PDF
    assert "Room bookings go in the shared sheet **before** they are mentioned" in md


def test_calendar_has_the_dissolution_day_with_three_alarms(example_folder):
    calendar = Calendar.from_ical((example_folder("county-media-event") / "charter.ics").read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["dtstart"].dt) == "2026-12-31"
    assert "县融媒体中心外宣活动群" in str(event["summary"])
    triggers = sorted(alarm["trigger"].dt.days for alarm in event.walk("VALARM"))
    assert triggers == [-30, -7, -1]


def test_standing_calendar_repeats_at_the_review_cadence(example_folder):
    calendar = Calendar.from_ical((example_folder("township-office") / "charter.ics").read_bytes())
    [event] = calendar.walk("VEVENT")
    assert str(event["dtstart"].dt) == "2027-03-01"
    assert event["rrule"]["FREQ"] == ["MONTHLY"] and event["rrule"]["INTERVAL"] == [6]


def test_rendered_answers_file_replays_to_the_same_charter(example_folder, tmp_path):
    replay = run_charter("render", example_folder("county-media-event") / "charter.toml", "--out", tmp_path)
    assert replay.returncode == 0, replay.stderr
    [folder] = tmp_path.iterdir()
    for name in ALL_FILES:
        assert (folder / name).read_bytes() == (example_folder("county-media-event") / name).read_bytes(), name


def test_format_and_paper_options(tmp_path):
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path,
                         "--format", "pdf,txt", "--paper", "A3")
    assert result.returncode == 0, result.stderr
    [folder] = tmp_path.iterdir()
    assert sorted(p.name for p in folder.iterdir()) == ["announcement.txt", "charter.pdf", "charter.toml"]
    info = subprocess.run(["pdfinfo", folder / "charter.pdf"], capture_output=True, text=True).stdout
    assert "841.89 x 1190.55" in info  # A3 in points
