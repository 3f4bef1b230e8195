"""How charter.docx looks: the PDF's page, sizes and spacing (templates/charter.css.j2) in Word's terms.

A Word file is laid out again by whatever opens it (Word, WPS, LibreOffice), so the charter
that fits one A4 page as a PDF fits one there only when the Word file says what the CSS says:
the paper and margins, the sizes, exact line heights, the space around headings and rules,
the facts table's label columns as narrow as their labels. Every length here is the CSS's
A4 length; `scale` enlarges them all for A3, as it does the PDF.

The language tags matter as much: Word's proofing, WPS's and LibreOffice's choice of a
fallback face read them, and a Chinese charter tagged English is set in Japanese glyph forms
where 宋体 or 仿宋 is missing.
"""

from __future__ import annotations

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.parser import parse_xml
from docx.shared import Mm, Pt, RGBColor
from lxml import etree

from ..core.i18n import BABEL_LOCALES

PAPER_MM = {"A4": (210, 297), "A3": (297, 420), "Letter": (215.9, 279.4)}
MARGINS_MM = (10, 14, 11, 14)  # top, right, bottom, left: the CSS @page margin
CLOSER_MARGINS_MM = (8, 14, 9, 14)  # @page tight: a charter set closer to keep to its sheet
BODY_MM = 182  # body { max-width }: on Letter, wider than A4, the text keeps A4's measure
FOOTER_MM = 4  # the page number's distance from the page's foot, inside the bottom margin
LINE_HEIGHT = {"zh": 1.36, "en": 1.3}
BODY_PT = {"zh": 9.5, "en": 9}
EAST_ASIAN_LANG = "zh-CN"  # Chinese in an English charter (a name) is Simplified Chinese too
FACES = {  # role: (East Asian face, its Noto fallback, Latin face)
    "title": ("宋体", "Noto Serif CJK SC", "Times New Roman"),
    "heading": ("黑体", "Noto Sans CJK SC", "Arial"),
    "body": ("仿宋", "Noto Serif CJK SC", "Times New Roman"),
}
ENGLISH_FACE = "Arial"
GREY = RGBColor(0x66, 0x66, 0x66)
_AFTER_KERN = ("w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText",
               "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")
# What Word's schema puts after a paragraph's borders (w:pBdr) among its properties.
_AFTER_BORDER = ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
                 "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
                 "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
                 "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
                 "w:rPr", "w:sectPr", "w:pPrChange")


def locale(lang: str) -> str:
    """zh-CN / en-GB: the language the charter's dates and words are written in."""
    return BABEL_LOCALES[lang].replace("_", "-")


def page_setup(section, paper: str, scale: float, closer: bool = False) -> None:
    """The PDF's paper and margins; the text as wide as the PDF's (A4's measure on Letter)."""
    width, height = PAPER_MM.get(paper, PAPER_MM["A4"])
    top, right, bottom, left = (side * scale for side in (CLOSER_MARGINS_MM if closer else MARGINS_MM))
    section.page_width, section.page_height = Mm(width), Mm(height)
    section.top_margin, section.bottom_margin, section.left_margin = Mm(top), Mm(bottom), Mm(left)
    section.right_margin = Mm(width - left - min(BODY_MM * scale, width - left - right))
    section.header_distance, section.footer_distance = Mm(top / 2), Mm(FOOTER_MM * scale)


def text_width(section) -> int:
    """The width text runs in, in EMU, whatever page setup the document has."""
    return section.page_width - section.left_margin - section.right_margin


def page_numbers(section, lang: str, scale: float) -> None:
    """"1 / 1" at the foot of each page, as the PDF has it (Word fills in the fields)."""
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for index, field in enumerate(("PAGE", "NUMPAGES")):
        if index:
            font(paragraph.add_run(" / "), "body", lang, 8 * scale, color=GREY)
        simple = OxmlElement("w:fldSimple")
        simple.set(qn("w:instr"), f" {field} ")
        paragraph._p.append(simple)
        run = paragraph.add_run("1")
        font(run, "body", lang, 8 * scale, color=GREY)
        simple.append(run._r)


def languages(document, lang: str) -> None:
    """The document's default language, for text charter did not write (a unit's letterhead, an
    empty line): the group's language, and Simplified Chinese for East Asian text."""
    defaults = _child(document.styles.element, "w:docDefaults", first=True)
    _language(_child(_child(defaults, "w:rPrDefault", first=True), "w:rPr"), lang)


def _child(parent, tag: str, first: bool = False, before: tuple[str, ...] = ()):
    """`parent`'s `tag` element, added when it has none: first, or before the elements Word's
    schema puts after it (Word refuses a file whose properties are out of order), else last."""
    child = parent.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        later = next((element for element in parent if element.tag in {qn(name) for name in before}), None)
        if first:
            parent.insert(0, child)
        elif later is not None:
            later.addprevious(child)
        else:
            parent.append(child)
    return child


def _language(properties, lang: str) -> None:
    tag = _child(properties, "w:lang", before=("w:eastAsianLayout", "w:specVanish", "w:oMath"))
    tag.set(qn("w:val"), locale(lang))
    tag.set(qn("w:eastAsia"), EAST_ASIAN_LANG)


def font(run, role: str, lang: str, size: float, bold: bool = False, color: RGBColor | None = None) -> None:
    """A run in the role's faces at `size` pt, tagged with the charter's language."""
    east, _, latin = FACES[role]
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = latin if lang == "zh" else ENGLISH_FACE
    if color is not None:
        run.font.color.rgb = color
    properties = run._element.get_or_add_rPr()
    properties.get_or_add_rFonts().set(qn("w:eastAsia"), east)
    # kerning, as the PDF is set: without it a line the PDF fits can run a word over in Word
    _child(properties, "w:kern", before=_AFTER_KERN).set(qn("w:val"), "2")
    _language(properties, lang)


def spacing(paragraph, size: float, lang: str, before_mm: float = 0, after_mm: float = 0,
            leading: float | None = None) -> None:
    """The CSS's line height (exact, so a face with tall ascenders does not push lines apart; closer
    when the page is set closer) and margins; none of the template's own space after each paragraph."""
    form = paragraph.paragraph_format
    form.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    form.line_spacing = Pt(round(size * (leading or LINE_HEIGHT[lang]), 1))
    form.space_before, form.space_after = Mm(before_mm), Mm(after_mm)


def rule_below(paragraph, width_pt: float, color: str, space_pt: float = 0) -> None:
    """A line under the paragraph (the CSS's border-bottom of a heading or the letterhead)."""
    frame = _child(paragraph._p.get_or_add_pPr(), "w:pBdr", before=_AFTER_BORDER)
    frame.append(_line("w:bottom", width_pt, color, space_pt))


def _line(side: str, width_pt: float, color: str, space_pt: float = 0):
    line = OxmlElement(side)
    for name, value in (("val", "single"), ("sz", str(max(2, round(width_pt * 8)))), ("space", str(round(space_pt))),
                        ("color", color)):
        line.set(qn(f"w:{name}"), value)
    return line


def table_frame(table, widths: list[int], padding_mm: tuple[float, float, float, float],
                lines: tuple[float, str] | None = None) -> None:
    """Fixed column widths (EMU), the cells' padding (top, right, bottom, left) and, when
    asked, a thin line under every row (width in pt, colour), as the roster has on paper."""
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width
        for cell in column.cells:
            cell.width = width
    properties = table._tbl.tblPr
    margins = _child(properties, "w:tblCellMar", before=("w:tblLook", "w:tblCaption", "w:tblDescription"))
    for side, millimetres in zip(("top", "right", "bottom", "left"), padding_mm):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(round(millimetres * 56.7)))  # twentieths of a point
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    if lines is not None:
        borders = _child(properties, "w:tblBorders", before=("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
        for side in ("w:bottom", "w:insideH"):
            borders.append(_line(side, *lines))


def fallback_faces(document) -> None:
    """Name a Noto SC face as each CJK face's alternative in the font table (w:altName), which Word,
    WPS and LibreOffice consult when the face itself is missing: Simplified Chinese forms."""
    part = next((p for p in document.part.package.iter_parts() if p.partname == "/word/fontTable.xml"), None)
    if part is None:
        return
    table = parse_xml(part.blob)  # python-docx's parser: entities are not expanded
    known = {face.get(qn("w:name")) for face in table.findall(qn("w:font"))}
    for east, fallback, _ in FACES.values():
        if east in known:
            continue
        face = OxmlElement("w:font")
        face.set(qn("w:name"), east)
        for name, value in (("altName", fallback), ("charset", "86")):  # 86: GB2312
            element = OxmlElement(f"w:{name}")
            element.set(qn("w:val"), value)
            face.append(element)
        table.append(face)
        known.add(east)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def estimated_width(text: str, size: float) -> float:
    """About how wide `text` is set at `size` pt, in pt: a CJK character is an em, the rest about half."""
    return sum(size if ord(char) >= 0x2E80 else size / 2 for char in text)
