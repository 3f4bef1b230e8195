"""The charter as a Word document (charter.docx), for offices that finish their notices in Word or WPS.

Built with python-docx from the same template context as the PDF, in the PDF's order and
words: letterhead, title, the facts table, each section with its numbered rules, the roster
when it is printed, the signature line, the page number; on the PDF's paper, in its sizes
(word_style), so that it runs to as many pages as the PDF where Word, WPS or LibreOffice
opens it. Chinese text is set in the faces Word and WPS know (宋体 for the title, 黑体 for
headings, 仿宋 for the body), each with a Noto CJK SC face named as its fallback. A unit may
give its own Word template, `templates/charter.docx` (its 红头 letterhead, page setup,
styles): the charter is written after what the template's body holds, on the template's page.

The same answers give the same bytes: the document's dates are the group's creation date
and the zip entries carry a fixed time.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.shared import Mm, Pt, RGBColor

from .page_fit import SETTINGS
from .word_style import (
    BODY_PT,
    estimated_width,
    fallback_faces,
    font,
    languages,
    locale,
    page_numbers,
    page_setup,
    rule_below,
    spacing,
    table_frame,
    text_width,
)
from .word_template import word_template

SIZES = {"title": 17, "letterhead": 13, "heading": 10.5, "facts": 9, "lifetime": 10.5, "roster": 8.5,
         "contact": 8.5}  # pt on A4, as charter.css.j2 sets them
RED = RGBColor(0xB0, 0x00, 0x00)
BLACK = RGBColor(0x00, 0x00, 0x00)
LABEL = RGBColor(0x44, 0x44, 0x44)
CONTACT = RGBColor(0x33, 0x33, 0x33)
ROSTER_COLUMNS = (0.22, 0.38, 0.22, 0.18)  # the CSS's widths of the roster's four columns on paper


class _Writer:
    """Paragraphs and tables in the charter's language at the page's scale, `width` EMU wide."""

    def __init__(self, document, lang: str, scale: float, width: int, leading: float | None = None):
        self.document, self.lang, self.scale, self.width, self.leading = document, lang, scale, width, leading

    def size(self, role: str) -> float:
        return (BODY_PT[self.lang] if role == "body" else SIZES[role]) * self.scale

    def paragraph(self, text: str, role: str, bold: bool = False, align=None, color: RGBColor | None = None,
                  before: float = 0, after: float = 0):
        """A paragraph of one run; `role` names its size (SIZES) and its faces' role; margins in mm."""
        paragraph = self.document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        spacing(paragraph, self.size(role), self.lang, before * self.scale, after * self.scale, self.leading)
        faces = role if role in ("title", "heading") else "body"
        font(paragraph.add_run(text), faces, self.lang, self.size(role), bold, color)
        return paragraph

    def cell(self, cell, text: str, role: str, bold: bool = False, color: RGBColor | None = None) -> None:
        paragraph = cell.paragraphs[0]
        spacing(paragraph, self.size(role), self.lang, leading=self.leading)
        font(paragraph.add_run(text), "body", self.lang, self.size(role), bold, color)

    def letterhead(self, name: str) -> None:
        """The unit's name in red over a red rule, as the PDF's letterhead (its logo aside)."""
        paragraph = self.document.add_paragraph()
        rule_below(paragraph, 1.2 * self.scale, "B00000", space_pt=4 * self.scale)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        spacing(paragraph, self.size("letterhead"), self.lang, after_mm=2.5 * self.scale)
        font(paragraph.add_run(name), "heading", self.lang, self.size("letterhead"), True, RED)

    def heading(self, text: str) -> None:
        """A section heading in Word's own Heading 1 (the navigation pane, a table of contents and a
        screen reader see the sections), in black with the PDF's thin rule under it."""
        paragraph = self.document.add_paragraph()
        style = next((s for s in self.document.styles if s.name == "Heading 1" and s.type == WD_STYLE_TYPE.PARAGRAPH),
                     None)
        if style is not None:  # a unit's Word template may lack it (or have a character style of that name)
            paragraph.style = style
        rule_below(paragraph, 0.4 * self.scale, "999999")
        spacing(paragraph, self.size("heading"), self.lang, 1.6 * self.scale, 0.4 * self.scale, self.leading)
        font(paragraph.add_run(text), "heading", self.lang, self.size("heading"), True, BLACK)

    def rule(self, number: int, text: str) -> None:
        """A numbered rule, its number hanging in the margin of the text as the PDF's list has it."""
        paragraph = self.paragraph(f"{number}.\t{text}", "body", after=0.15)
        indent = Pt(1.6 * self.size("body"))
        paragraph.paragraph_format.left_indent, paragraph.paragraph_format.first_line_indent = indent, -indent


def _facts(context: dict) -> list[list[str]]:
    """The facts table's rows as the PDF has them: a label and a value across the table, or two pairs."""
    t = context["t"]
    rows = [[t["purpose"], context["group"]["purpose"]],
            [t["kind"], context["type_label"], t["platform"],
             context["platform_label"]],
            [t["owner"], context["owner"], t["successor"], context["successor"]]]
    if context["admins"]:
        rows.append([t["admins"], context["admins"]])
    if context["urgent_contact"]:
        rows.append([t["urgent_contact"], context["urgent_contact"]])
    rows.append([t["effective"], context["created"]] + ([context["end_date"], context["dissolve_on"]]
                                                       if context["dissolve_on"] else [t["review"], context["review"]]))
    return rows


def _facts_widths(rows: list[list[str]], size: float, lifetime: float, width: int) -> list[int]:
    """Each label column as wide as its longest label (the PDF's `width: 1%; nowrap`), the rest
    shared by the two value columns as their longest values would share it (the last row's
    date is set larger)."""
    def widest(column: int) -> float:
        return max(estimated_width(row[column], lifetime if row is rows[-1] and column == 3 else size)
                   for row in rows if len(row) == 4)

    pad = Mm(2) + Pt(2)  # the cells' right padding, and what the estimate may fall short by
    labels = [Pt(widest(0)) + pad, Pt(widest(2)) + pad]
    left = width - sum(labels)
    first = max(left // 4, min(left * 3 // 4, int(left * widest(1) / (widest(1) + widest(3)))))
    return [labels[0], first, labels[1], left - first]


def _facts_table(writer: _Writer, context: dict) -> None:
    rows = _facts(context)
    table = writer.document.add_table(rows=len(rows), cols=4)
    table_frame(table, _facts_widths(rows, writer.size("facts"), writer.size("lifetime"), writer.width), (0.3, 2, 0.3, 0))
    last = len(rows) - 1
    for index, (row, values) in enumerate(zip(table.rows, rows)):
        cells = row.cells if len(values) == 4 else [row.cells[0], row.cells[1].merge(row.cells[3])]
        for column, (cell, value) in enumerate(zip(cells, values)):
            if column % 2 == 0:
                writer.cell(cell, value, "facts", color=LABEL)
            elif index == last and column == 3:  # the dissolution or review date, which the group works towards
                writer.cell(cell, value, "lifetime", bold=True)
            else:
                writer.cell(cell, value, "facts")


def _roster(writer: _Writer, context: dict, heading: str) -> None:
    t = context["t"]
    writer.heading(heading)
    rows = [[t["roster_name"], t["roster_unit"], t["roster_title"], t["roster_role"]]]
    rows += [[m["name"], m["unit"], m["title"], t["roles"][m["role"]]] for m in context["members"]]
    table = writer.document.add_table(rows=len(rows), cols=4)
    table_frame(table, [int(writer.width * share) for share in ROSTER_COLUMNS], (0.4, 1.5, 0.4, 1.5),
                lines=(0.3 * writer.scale, "BBBBBB"))
    header = table.rows[0]._tr.get_or_add_trPr()
    header.append(OxmlElement("w:tblHeader"))  # repeated on each page the roster runs onto, as the PDF's is
    for index, (row, values) in enumerate(zip(table.rows, rows)):
        for cell, value in zip(row.cells, values):
            writer.cell(cell, value, "roster", bold=index == 0)


def _signature(writer: _Writer, t: dict) -> None:
    """The owner's signature and the date, each on a line to write on: underlined tabs, so that
    the text is the PDF's (no underscores) and the lines end where the PDF's do."""
    paragraph = writer.paragraph(f"{t['signature']}{t['colon']}", "body", before=4)
    stops = paragraph.paragraph_format.tab_stops
    size = writer.size("body")
    stops.add_tab_stop(Pt(estimated_width(paragraph.text, size)) + Mm(45 * writer.scale))
    stops.add_tab_stop(writer.width - Mm(30 * writer.scale), WD_TAB_ALIGNMENT.RIGHT)
    stops.add_tab_stop(writer.width)
    for text, underline in (("\t", True), ("\t", False), (f"{t['date_label']}{t['colon']}", False), ("\t", True)):
        run = paragraph.add_run(text)
        font(run, "body", writer.lang, size)
        run.font.underline = underline


def render_docx(context: dict, unit_templates: Path | None = None, lang: str = "zh") -> bytes:
    """charter.docx for the template context; with a unit's Word template, written after its body."""
    lang, t, scale = context["lang"], context["t"], context["scale"]
    template = word_template(unit_templates, lang)
    document = template or Document()
    page = document.sections[-1]
    if template is None:  # a unit's Word template keeps its page: its letterhead is designed for it
        page_setup(page, context["paper"], scale, closer=context["tight"] > 0)
        page_numbers(page, lang, scale)
    languages(document, lang)
    fallback_faces(document)
    # set closer, as the PDF is when its page needs it (page_fit): the same sizes in the same ratio
    size, leading = context["body_pt"], context["leading"]
    writer = _Writer(document, lang, scale * size / SETTINGS[0].body[lang][0], text_width(page),
                     leading if (context["tight"], size) != (0, SETTINGS[0].body[lang][0]) else None)
    unit = context["unit"]
    if unit and template is None:  # a unit's Word template brings its own letterhead
        writer.letterhead(unit["name"])
    writer.paragraph(context["title"], "title", True, WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _facts_table(writer, context)
    for section in context["sections"]:
        writer.heading(section["heading"])
        for number, rule in enumerate(section["rules"], start=1):
            writer.rule(number, rule["text"])
    writer.paragraph(f"{t['posted_at']}{t['colon']}{context['rules_posted_at']}", "body", before=1.6)
    roster = context["show_roster"] and context["members"]
    if roster and not context["roster_appendix"]:
        _roster(writer, context, t["roster"])
    if t["signature"]:
        _signature(writer, t)
    if unit and unit.get("contact"):
        writer.paragraph(unit["contact"], "contact", align=WD_ALIGN_PARAGRAPH.CENTER, before=4, color=CONTACT)
    if roster and context["roster_appendix"]:  # as the PDF has it: a page of its own, after the signature
        document.add_page_break()
        _roster(writer, context, t["roster_appendix"])
    created = datetime.combine(context["group"]["created"], datetime.min.time(), tzinfo=timezone.utc)
    properties = document.core_properties
    properties.title, properties.author, properties.language = context["title"], "charter", locale(lang)
    properties.created = properties.modified = created
    properties.last_modified_by, properties.revision = "charter", 1
    return _reproducible(document)


def _reproducible(document) -> bytes:
    """The .docx with every zip entry at one fixed time, in name order: the same document, the same bytes."""
    first = io.BytesIO()
    document.save(first)
    second = io.BytesIO()
    with zipfile.ZipFile(first) as source, zipfile.ZipFile(second, "w", zipfile.ZIP_DEFLATED) as target:
        for name in sorted(source.namelist(), key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, source.read(name))
    return second.getvalue()
