"""The charter as a Word document (charter.docx), for offices that finish their notices in Word or WPS.

Built with python-docx from the same template context as the PDF: letterhead, title, the
facts table, each section with its numbered rules, the roster when it is printed, the
signature line. Chinese text is set in the faces Word and WPS know (宋体 for the title,
黑体 for headings, 仿宋 for the body), each with a Noto CJK face named as its fallback, so
a machine without them substitutes a real CJK face rather than boxes. A unit may give its own
Word template, `templates/charter.docx` (its 红头 letterhead, page setup, styles): the
charter is written after what the template's body holds.

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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Pt, RGBColor
from lxml import etree

from .word_template import word_template

FACES = {  # role: (East Asian face, its Noto fallback, Latin face)
    "title": ("宋体", "Noto Serif CJK SC", "Times New Roman"),
    "heading": ("黑体", "Noto Sans CJK SC", "Arial"),
    "body": ("仿宋", "Noto Serif CJK SC", "Times New Roman"),
}
ENGLISH_FACES = {"title": "Arial", "heading": "Arial", "body": "Arial"}
SIZES = {"zh": {"title": 22, "heading": 14, "body": 12, "small": 10.5},
         "en": {"title": 20, "heading": 13, "body": 11, "small": 9.5}}
RED = RGBColor(0xB0, 0x00, 0x00)
BLACK = RGBColor(0x00, 0x00, 0x00)


def _font(run, role: str, lang: str, size: float, bold: bool = False) -> None:
    east, _, latin = FACES[role]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = latin if lang == "zh" else ENGLISH_FACES[role]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east)


def _paragraph(document, text: str, role: str, lang: str, size: float, bold: bool = False, align=None,
               color: RGBColor | None = None):
    paragraph = document.add_paragraph()
    if role == "heading" and color is None:
        _as_heading(document, paragraph)
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(text)
    _font(run, role, lang, size, bold)
    if color is not None or role == "heading":
        run.font.color.rgb = color or BLACK  # not the style's theme blue
    return paragraph


def _as_heading(document, paragraph) -> None:
    """A section heading in Word's own Heading 1, so the navigation pane, a table of contents and a
    screen reader see the charter's sections; spaced as the body (not the style's 24 pt before)."""
    style = next((s for s in document.styles if s.name == "Heading 1" and s.type == WD_STYLE_TYPE.PARAGRAPH), None)
    if style is None:  # a unit's Word template without it (or with a character style of that name)
        return
    paragraph.style = style
    paragraph.paragraph_format.space_before = document.styles["Normal"].paragraph_format.space_before or Pt(0)


def _fallback_faces(document) -> None:
    """Name a Noto face as each CJK face's alternative in the font table (w:altName), which Word,
    WPS and LibreOffice consult when the face itself is missing."""
    part = next((p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:
        return
    table = parse_xml(part.blob)  # python-docx's parser: entities are not expanded
    known = {font.get(qn("w:name")) for font in table.findall(qn("w:font"))}
    for east, fallback, _ in FACES.values():
        if east in known:
            continue
        font = etree.SubElement(table, qn("w:font"), {qn("w:name"): east})
        etree.SubElement(font, qn("w:altName"), {qn("w:val"): fallback})
        etree.SubElement(font, qn("w:charset"), {qn("w:val"): "86"})  # GB2312
        known.add(east)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _table(document, rows: list[list[str]], lang: str, size: float, header: bool = False) -> None:
    table = document.add_table(rows=0, cols=len(rows[0]))
    if "Table Grid" in [style.name for style in document.styles]:  # a unit's template may not have it
        table.style = "Table Grid"
    for index, cells in enumerate(rows):
        row = table.add_row()
        for cell, value in zip(row.cells, cells):
            run = cell.paragraphs[0].add_run(value)
            _font(run, "body", lang, size, bold=header and index == 0)


def _facts(context: dict) -> list[list[str]]:
    t = context["t"]
    rows = [[t["purpose"], context["group"]["purpose"]], [t["kind"], context["kind_label"]],
            [t["platform"], context["platform_label"]], [t["owner"], context["owner"]],
            [t["successor"], context["successor"] or "—"]]
    if context["admins"]:
        rows.append([t["admins"], context["admins"]])
    rows.append([t["effective"], context["created"]])
    rows.append([t["dissolve_on"], context["dissolve_on"]] if context["dissolve_on"] else [t["review"], context["review"]])
    return rows


def render_docx(context: dict, unit_templates: Path | None = None, lang: str = "zh") -> bytes:
    """charter.docx for the template context; with a unit's Word template, written after its body."""
    lang, t = context["lang"], context["t"]
    size = SIZES[lang]
    template = word_template(unit_templates, lang)
    document = template or Document()
    _fallback_faces(document)
    unit = context["unit"]
    if unit and template is None:  # a unit's Word template brings its own letterhead
        _paragraph(document, unit["name"], "heading", lang, size["heading"] + 4, True, WD_ALIGN_PARAGRAPH.CENTER, RED)
    _paragraph(document, context["title"], "title", lang, size["title"], True, WD_ALIGN_PARAGRAPH.CENTER)
    _table(document, _facts(context), lang, size["small"])
    for section in context["sections"]:
        _paragraph(document, section["heading"], "heading", lang, size["heading"], True)
        for number, rule in enumerate(section["rules"], start=1):
            _paragraph(document, f"{number}. {rule['text']}", "body", lang, size["body"])
    if context["show_roster"] and context["members"]:
        _paragraph(document, t["roster"], "heading", lang, size["heading"], True)
        header = [t["roster_name"], t["roster_unit"], t["roster_title"], t["roster_role"]]
        _table(document, [header] + [[m["name"], m["unit"], m["title"], t["roles"][m["role"]]]
                                     for m in context["members"]], lang, size["small"], header=True)
    _paragraph(document, f"{t['signature']}{t['colon']}________    {t['date_label']}{t['colon']}________",
               "body", lang, size["body"])
    if unit and unit.get("contact"):
        _paragraph(document, unit["contact"], "body", lang, size["small"], align=WD_ALIGN_PARAGRAPH.CENTER)
    created = datetime.combine(context["group"]["created"], datetime.min.time(), tzinfo=timezone.utc)
    properties = document.core_properties
    properties.title, properties.author, properties.language = context["title"], "charter", context["html_lang"]
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
