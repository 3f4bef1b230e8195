"""Whether the printed charter, its roster and the signature line fit one sheet together.

The roster is listed under the rules when all of it fits the page with them (as printed with a
roster, closer set: charter.css.j2's `.with-roster`); when it does not, or there are more members
than a sheet should carry, it becomes an appendix page of its own rather than a second page with a
few rows and the signature on it. The page is measured as the poster is (poster_fit): each line an
upper bound, so a charter judged to fit does.

Every length here is in points on A4 (the template scales them all by the same factor on A3).
"""

from __future__ import annotations

from .poster_fit import MM, PAPER, char_em, count_lines

MOST_MEMBERS_INLINE = 12  # past this many, the roster is an appendix however short the rules
# The page's sizes with a roster (keep in step with charter.css.j2).
MARGINS = (8 + 9) * MM
BODY_WIDTH, SIDE_MARGINS = 182 * MM, 14 * MM
BODY = {"zh": (9.0, 1.25), "en": (8.5, 1.18)}  # size and leading
LETTERHEAD, LOGO_LETTERHEAD = 13 * 1.3 + 4 * MM + 1.2, 10 * MM + 4 * MM + 1.2
TITLE_PT, TITLE_GAP = 17, 1.2 * MM
FACTS_PT, DATES_PT, FACTS_PAD, FACTS_GAPS = 9, 10.5, 0.2 * MM, (2 * MM, 4 * MM)
HEADING_PT, HEADING_GAP = 10.5, 1.0 * MM + 0.4
INDENT = 1.6  # the rules' numbers, in ems
ROSTER_PT, ROSTER_LEADING, ROSTER_ROW = 8, 1.12, 0.2 * MM + 0.3
ROSTER_COLUMNS, CELL_PAD = (0.22, 0.38, 0.22, 0.18), 3 * MM
SIGNATURE_GAP, FOOTER_PT, FOOTER_GAP = 2 * MM, 8.5, 2 * MM
SAFETY = 0.985  # line boxes a fallback face makes a little taller than counted


def _width_em(texts, lang: str, size: float) -> float:
    return max((sum(char_em(c, lang) for c in text) for text in texts), default=0) * size


def roster_fits(context: dict) -> bool:
    """Whether the charter with its roster (a dozen members at most) fits one sheet."""
    members = context["members"]
    if len(members) > MOST_MEMBERS_INLINE:
        return False
    lang, t, unit = context["lang"], context["t"], context["unit"]
    size, leading = BODY[lang]
    page_w, page_h = PAPER.get(context["paper"], PAPER["A4"])
    width = min(BODY_WIDTH, page_w - 2 * SIDE_MARGINS)

    def height(text: str, pt: float, wide: float, lead: float = leading, bold: bool = False) -> float:
        return count_lines(text, lang, wide / pt, bold) * pt * lead

    used = (LOGO_LETTERHEAD if unit and unit.get("logo") else LETTERHEAD if unit else 0)
    used += height(context["title"], TITLE_PT, width, bold=True) + TITLE_GAP
    # The facts table: a column of labels on each side, the values beside them.
    left = _width_em([t["purpose"], t["kind"], t["owner"], t["admins"], t["effective"]], lang, FACTS_PT) \
        + FACTS_GAPS[0]
    right = _width_em([t["platform"], t["successor"], t["dissolve_on"], t["review"]], lang, FACTS_PT) \
        + FACTS_GAPS[0]
    value = (width - left - right) / 2 - FACTS_GAPS[1]
    rows = [[(context["group"]["purpose"], width - left - FACTS_GAPS[1])],
            [(context["owner"], value), (context["successor"] or "—", value)],
            [(context["kind_label"], value)]]
    if context["admins"]:
        rows.append([(context["admins"], width - left - FACTS_GAPS[1])])
    used += sum(max(height(text, FACTS_PT, wide) for text, wide in row) + FACTS_PAD for row in rows)
    used += height(context["dissolve_on"] or context["review"], DATES_PT, value, bold=True) + FACTS_PAD
    for section in context["sections"]:
        used += height(section["heading"], HEADING_PT, width) + HEADING_GAP
        used += sum(height(rule["text"], size, width - INDENT * size) for rule in section["rules"])
    # The roster: its heading, the row of column names, and a row a member.
    columns = [share * width - CELL_PAD for share in ROSTER_COLUMNS]
    used += height(t["roster"], HEADING_PT, width) + HEADING_GAP
    for row in [[t["roster_name"], t["roster_unit"], t["roster_title"], t["roster_role"]],
                *([m["name"], m["unit"], m["title"], t["roles"][m["role"]]] for m in members)]:
        used += max(height(text, ROSTER_PT, wide, ROSTER_LEADING) for text, wide in zip(row, columns)) + ROSTER_ROW
    used += SIGNATURE_GAP + size * leading
    if unit and unit.get("contact"):
        used += FOOTER_GAP + height(unit["contact"], FOOTER_PT, width)
    return used <= (page_h - MARGINS) * SAFETY
