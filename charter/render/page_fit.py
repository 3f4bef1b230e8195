"""Whether the printed charter fits one sheet: as set, or closer set, and with its roster or not;
and the largest type it fits at.

Within each setting the body type is the largest, in quarter points, that keeps the charter to its
sheet (up to 11 pt in Chinese as set, its lines a little further apart as it grows), so that a short
charter is read at arm's length and any charter ends near the foot of its page.
A charter longer than its sheet as set is set closer (charter.css.j2's `.tight`: smaller type and
spacing), and closer still as a last resort (`.tighter`, body 8 pt in English, 8.5 pt in Chinese);
so is one with its roster, which is listed under the rules when
all of it fits the sheet with them. When it does not, or there are more members than a sheet
should carry, the roster becomes an appendix page of its own rather than a second page with a few
rows and the signature on it. The page is measured as the poster is (poster_fit): each line an
upper bound, so a charter judged to fit does.

Every length here is in points on A4 (the template scales them all by the same factor on A3).
"""

from __future__ import annotations

from typing import NamedTuple

from .poster_fit import FACE_MARGIN, MM, PAPER, char_em, count_lines

MOST_MEMBERS_INLINE = 12  # past this many, the roster is an appendix however short the rules


class Setting(NamedTuple):
    """The page's sizes as charter.css.j2 sets them (keep in step with it)."""
    margins: float  # top and bottom
    body: dict  # lang: (size, leading)
    title_gap: float
    facts_pad: float  # above and below a row of the facts table
    heading_gap: float  # above and below a heading, and its rule
    rule_gap: float  # between two rules
    signature_gap: float
    footer_gap: float
    largest: dict | None = None  # lang: (size, leading) the body may grow to in this setting

    def at(self, lang: str, size: float) -> Setting:
        """This setting with its body at `size`, its leading in step (from the body's to the largest's)."""
        low, low_leading = self.body[lang]
        high, high_leading = (self.largest or self.body)[lang]
        share = (size - low) / (high - low) if high > low else 0.0
        return self._replace(body={**self.body, lang: (size, round(low_leading + share * (high_leading - low_leading), 3))})


AS_SET = Setting((10 + 11) * MM, {"zh": (9.5, 1.36), "en": (9.0, 1.3)}, 2 * MM, 0.6 * MM, 2.0 * MM + 0.4,
                 0.15 * MM, 4 * MM, 4 * MM, {"zh": (11.0, 1.45), "en": (10.5, 1.4)})
CLOSER = Setting((8 + 9) * MM, {"zh": (9.0, 1.25), "en": (8.5, 1.18)}, 1.2 * MM, 0.2 * MM, 1.0 * MM + 0.4,
                 0.0, 2 * MM, 1.5 * MM, {"zh": (9.5, 1.3), "en": (9.0, 1.24)})
CLOSEST = CLOSER._replace(body={"zh": (8.5, 1.22), "en": (8.0, 1.16)}, largest=None)  # the last resort: 8 pt at the least
SETTINGS = (AS_SET, CLOSER, CLOSEST)
STEP = 0.25  # the body grows by quarter points


def heading_pt(body_pt: float) -> float:
    """A section's heading: 10.5 pt, and a point over a body larger than that."""
    return max(10.5, body_pt + 1)
BODY_WIDTH, SIDE_MARGINS = 182 * MM, 14 * MM
LETTERHEAD, LOGO_LETTERHEAD = 13 * 1.3 + 4 * MM + 1.2, 10 * MM + 4 * MM + 1.2
TITLE_PT, FACTS_PT, DATES_PT, FACTS_GAPS = 17, 9, 10.5, (2 * MM, 4 * MM)
INDENT = 1.6  # the rules' numbers, in ems
ROSTER_PT, ROSTER_LEADING, ROSTER_ROW = 8, 1.12, 0.2 * MM + 0.3
ROSTER_COLUMNS, CELL_PAD = (0.22, 0.38, 0.22, 0.18), 3 * MM
FOOTER_PT = 8.5
SAFETY = 0.985  # line boxes a fallback face makes a little taller than counted
# Type grown past a setting's own size leaves this much of the sheet over: Writer lays the Word file
# out a little longer than WeasyPrint does the PDF, and both are to keep to one sheet.
GROWN_SAFETY = 0.95


def _width_em(texts, lang: str, size: float) -> float:
    return max((sum(char_em(c, lang) for c in text) for text in texts), default=0) * size


def _fits(context: dict, setting: Setting, roster: bool, safety: float = SAFETY) -> bool:
    """Whether the charter (with its roster, or without) fits one sheet in this setting."""
    lang, t, unit = context["lang"], context["t"], context["unit"]
    size, leading = setting.body[lang]
    page_w, page_h = PAPER.get(context["paper"], PAPER["A4"])
    width = min(BODY_WIDTH, page_w - 2 * SIDE_MARGINS)

    # English in Arial's own widths (char_em's margin for other faces is for the poster, whose lines
    # break where measured): a line of Latin letters measured with it would often count one line more.
    stretch = FACE_MARGIN if lang == "en" else 1.0

    def height(text: str, pt: float, wide: float, lead: float = leading, bold: bool = False) -> float:
        return count_lines(text, lang, wide / pt * stretch, bold) * pt * lead

    used = (LOGO_LETTERHEAD if unit and unit.get("logo") else LETTERHEAD if unit else 0)
    used += height(context["title"], TITLE_PT, width, bold=True) + setting.title_gap
    # The facts table: a column of labels on each side, the values beside them.
    left = _width_em([t["purpose"], t["kind"], t["owner"], t["admins"], t["urgent_contact"], t["effective"]], lang,
                     FACTS_PT) \
        + FACTS_GAPS[0]
    right = _width_em([t["platform"], t["successor"], t["dissolve_on"], t["review"]], lang, FACTS_PT) \
        + FACTS_GAPS[0]
    value = (width - left - right) / 2 - FACTS_GAPS[1]
    rows = [[(context["group"]["purpose"], width - left - FACTS_GAPS[1])],
            [(context["owner"], value), (context["successor"] or "—", value)],
            [(context["type_label"], value)]]
    rows += [[(text, width - left - FACTS_GAPS[1])] for text in (context["admins"], context["urgent_contact"]) if text]
    used += sum(max(height(text, FACTS_PT, wide) for text, wide in row) + setting.facts_pad for row in rows)
    used += height(context["dissolve_on"] or context["review"], DATES_PT, value, bold=True) + setting.facts_pad
    for section in context["sections"]:
        used += height(section["heading"], heading_pt(size), width) + setting.heading_gap
        used += sum(height(rule["text"], size, width - INDENT * size) + setting.rule_gap for rule in section["rules"])
    if roster:  # its heading, the row of column names, and a row a member
        columns = [share * width - CELL_PAD for share in ROSTER_COLUMNS]
        used += height(t["roster"], heading_pt(size), width) + setting.heading_gap
        for row in [[t["roster_name"], t["roster_unit"], t["roster_title"], t["roster_role"]],
                    *([m["name"], m["unit"], m["title"], t["roles"][m["role"]]] for m in context["members"])]:
            used += max(height(text, ROSTER_PT, wide, ROSTER_LEADING) for text, wide in zip(row, columns)) \
                + ROSTER_ROW
    # where the rules are posted, under them; then the line to sign on
    used += setting.heading_gap + height(f"{t['posted_at']}{t['colon']}{context['rules_posted_at']}", size, width)
    if t["signature"]:
        used += setting.signature_gap + size * leading
    if unit and unit.get("contact"):
        used += setting.footer_gap + height(unit["contact"], FOOTER_PT, width)
    return used <= (page_h - setting.margins) * safety


def _largest(context: dict, setting: Setting, roster: bool) -> Setting | None:
    """The setting at the largest body that fits the sheet; None when not even its smallest does."""
    lang = context["lang"]
    if not _fits(context, setting, roster):
        return None
    size, top = setting.body[lang][0], (setting.largest or setting.body)[lang][0]
    while size + STEP <= top and _fits(context, setting.at(lang, size + STEP), roster, GROWN_SAFETY):
        size += STEP
    return setting.at(lang, size)


def page_fit(context: dict) -> dict:
    """How the charter is printed: as set (`tight` 0), closer (1) or closest (2), at the largest body
    (`body_pt`, `leading`) that keeps it to one sheet, and its roster under the rules or as an appendix
    page (`roster_appendix`)."""
    roster = bool(context["show_roster"] and context["members"])

    def printed(level: int, setting: Setting, appendix: bool) -> dict:
        size, leading = setting.body[context["lang"]]
        return {"tight": level, "roster_appendix": appendix, "body_pt": size, "leading": leading,
                "heading_pt": heading_pt(size)}

    if roster and len(context["members"]) <= MOST_MEMBERS_INLINE:  # listed under the rules, set closer
        for level in (1, 2):
            if chosen := _largest(context, SETTINGS[level], True):
                return printed(level, chosen, False)
    for level in (0, 1):
        if chosen := _largest(context, SETTINGS[level], False):
            return printed(level, chosen, roster)
    return printed(2, CLOSEST, roster)
