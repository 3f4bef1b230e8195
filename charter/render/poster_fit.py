"""The poster's type sizes and line breaks, chosen before the PDF is made: the rules as large as
the sheet allows, and ending just above the footer at its foot.

WeasyPrint lays out a page only in the renderer process; measuring there would mean laying the
poster out again for every size tried. The text is measured here instead, from the faces' widths: a
Chinese character is one em in any Chinese face, and Latin letters are given the widest advance of
the faces the templates name. Each measure is thus an upper bound, and the template breaks the lines
where this module does: a line measured to fit fits, and the poster is as tall as counted.

Every length here is in points on A4 (the template scales them all by the same factor on A3).
"""

from __future__ import annotations

import math
import unicodedata

MM = 72 / 25.4
# Arial's advance widths (Liberation Sans has the same), in thousandths of an em, space to ~.
_ARIAL = (278, 278, 355, 557, 557, 890, 667, 191, 334, 334, 390, 584, 278, 334, 278, 278, 557, 557, 557, 557,
    557, 557, 557, 557, 557, 557, 278, 278, 584, 584, 584, 557, 1016, 667, 667, 723, 723, 667, 611, 778, 723,
    278, 500, 667, 557, 834, 723, 778, 667, 778, 723, 667, 611, 723, 667, 944, 667, 667, 611, 278, 278, 278, 470,
    557, 334, 557, 557, 500, 557, 557, 278, 557, 557, 223, 223, 500, 223, 834, 557, 557, 557, 557, 334, 500, 278,
    557, 500, 723, 500, 500, 500, 334, 260, 334, 584)
# The same, bold.
_ARIAL_BOLD = (278, 334, 475, 557, 557, 890, 723, 238, 334, 334, 390, 584, 278, 334, 278, 278, 557, 557, 557,
    557, 557, 557, 557, 557, 557, 557, 334, 334, 584, 584, 584, 611, 976, 723, 723, 723, 723, 667, 611, 778, 723,
    278, 557, 723, 611, 834, 723, 778, 667, 778, 723, 667, 611, 723, 667, 944, 667, 667, 611, 334, 278, 334, 584,
    557, 334, 557, 611, 557, 611, 557, 334, 611, 611, 278, 278, 557, 278, 890, 611, 611, 611, 611, 390, 557, 334,
    611, 557, 778, 557, 557, 500, 390, 280, 390, 584)
# In a Chinese charter the Chinese face sets Latin letters and digits: the wider of its widths and Arial's.
_CJK_LATIN = (278, 323, 474, 557, 557, 921, 680, 278, 338, 338, 467, 584, 278, 347, 278, 392, 557, 557, 557, 557,
    557, 557, 557, 557, 557, 557, 278, 278, 584, 584, 584, 557, 1016, 667, 667, 723, 723, 667, 611, 778, 728,
    293, 535, 667, 557, 834, 723, 778, 667, 778, 723, 667, 611, 723, 667, 944, 667, 667, 611, 338, 392, 338, 555,
    559, 606, 563, 618, 510, 620, 557, 325, 564, 607, 275, 275, 552, 284, 926, 610, 606, 620, 620, 388, 500, 377,
    607, 521, 802, 500, 521, 500, 338, 270, 338, 584)
# The same, bold.
_CJK_LATIN_BOLD = (278, 370, 574, 590, 590, 963, 740, 325, 378, 378, 507, 590, 325, 370, 325, 387, 590, 590, 590,
    590, 590, 590, 590, 590, 590, 590, 334, 334, 590, 590, 590, 611, 1007, 723, 723, 723, 723, 667, 611, 778,
    757, 330, 568, 723, 611, 853, 749, 778, 667, 778, 723, 667, 625, 748, 667, 944, 667, 667, 613, 378, 387, 378,
    590, 567, 626, 591, 644, 557, 644, 581, 372, 611, 640, 304, 306, 604, 315, 964, 641, 626, 644, 644, 436, 557,
    421, 637, 576, 863, 562, 574, 511, 390, 296, 390, 590)
_TABLES = {("en", False): _ARIAL, ("en", True): _ARIAL_BOLD, ("zh", False): _CJK_LATIN, ("zh", True): _CJK_LATIN_BOLD}
_OTHER = 0.75  # a letter outside ASCII (é, –, ’): as wide as the widest lower-case letters
FACE_MARGIN = 1.02  # another machine's faces (Microsoft YaHei, Arial) may run a little wider
# Closing marks a line may not start with, and opening marks it may not end with: a line breaker
# carries the character beside them over with them. A break after one of _GOOD_END reads naturally.
_NO_START = set("，。、；：？！）》」』】〕”’,.;:?!)]}%")
_NO_END = set("（《「『【〔“‘([{")
_GOOD_END = set("，。、；：？！）》」』】〕”’,;:?!) -–—/")
_LONGEST = 150  # pieces: past this, a text's lines are left as they fall rather than evened out

# The poster template's sizes (keep in step with poster.html.j2).
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDES = 12 * MM, 10 * MM, 16 * MM
LETTERHEAD = 20 * 1.3 + 2 * MM + 2 + 5 * MM + 4
LOGO_LETTERHEAD = 12 * MM + 2 * MM + 2 + 5 * MM + 8
TITLE_LEADING, TITLE_SIZES, TITLE_MIN = 1.2, (34, 32, 30, 28), 28
KIND = 17 * 1.3 + 8 * MM + 2
FACTS_PT, FACTS_LEADING = 22, 1.3
FACTS_BOX = 2 * 2.5 + 2 * 3 * MM + 7 * MM  # borders, padding and the space after the box
FACTS_LINE_GAP = 1 * MM
FACTS_INSET = 2 * 2.5 + 2 * 5 * MM
RULES_LEADING, RULE_GAP = 1.35, 0.3  # a rule's lines, and the least space after a rule, in ems of its size
RULES_INDENT = 1.6  # the numbers' column, in ems
# From the largest to the least the rules are set at; under 20 pt only when they cannot fit at 20.
RULES_MAX, RULES_LEAST = 34.0, 10.0
FOOTER_PT, FOOTER_LEADING = 16, 1.25
FOOTER_BOX = 2.5 * MM + 1  # the rule above the footer and the space under it
FOOTER_GAP = 4 * MM  # at least this between the last rule and the footer
PAPER = {"A4": (210 * MM, 297 * MM), "A3": (210 * MM, 297 * MM), "Letter": (215.9 * MM, 279.4 * MM)}

Piece = tuple[str, float, float]  # a piece of text no line breaks inside, its width and its trailing space's


def char_em(char: str, lang: str, bold: bool = False) -> float:
    """How wide one character is at most, in ems of its size."""
    width = unicodedata.east_asian_width(char)
    if width in "WF" or (lang == "zh" and width == "A"):  # the Chinese face sets “ ” — full width
        return 1.0
    code = ord(char)
    return (_TABLES["zh" if lang == "zh" else "en", bold][code - 32] / 1000 if 32 <= code < 127 else _OTHER) \
        * FACE_MARGIN


def tokens(text: str, lang: str, bold: bool = False) -> list[Piece]:
    """The text as the pieces a line may break between: each wide character alone, a Latin word with
    the space after it, closing marks with what they follow and opening marks with what follows them."""
    pieces: list[list] = []
    for char in text:
        em = char_em(char, lang, bold)
        if char == " ":
            if pieces:
                pieces[-1][2] += em
            continue
        last = pieces[-1] if pieces else None
        wide = unicodedata.east_asian_width(char) in "WF"
        joins = last is not None and not last[2] and (
            char in _NO_START or last[0][-1] in _NO_END or (last[0][-1] == "-" and char.isdigit())  # 0794-8268
            or not (wide or unicodedata.east_asian_width(last[0][-1]) in "WF" or last[0][-1] in "-–—/"))
        if joins and last is not None:
            last[0] += char
            last[1] += em
        else:
            pieces.append([char, em, 0.0])
    return [(text, em, space) for text, em, space in pieces]


def _joined(pieces: list[Piece]) -> str:
    return "".join(text + " " * bool(space) for text, _, space in pieces).rstrip()


def line_count(pieces: list[Piece], width: float) -> int:
    """How many lines a greedy line breaker makes of the pieces, in lines `width` ems wide: the fewest
    there can be (every piece no wider than a line)."""
    count, used = 0, width
    for _, em, space in pieces:
        if used + em > width:
            count, used = count + 1, 0.0
        used += em + space
    return count


def _narrow(pieces: list[Piece], width: float, lang: str, bold: bool) -> list[Piece]:
    """The pieces, one wider than a line (a 40-letter name) cut where it fills a line, as
    overflow-wrap: anywhere would."""
    result = []
    for text, em, space in pieces:
        while em > width:
            cut, used = 0, 0.0
            while used + char_em(text[cut], lang, bold) <= width:
                used, cut = used + char_em(text[cut], lang, bold), cut + 1
            cut = max(cut, 1)  # a line holds one character at least, however narrow
            result.append((text[:cut], used, 0.0))
            text, em = text[cut:], em - used
        result.append((text, em, space))
    return result


def lines(pieces: list[Piece], width: float, lang: str, bold: bool = False) -> list[str]:
    """The pieces over as few lines `width` ems wide as hold them, broken so that the lines are even
    and, in Chinese, after a mark where one reads naturally: no word or two left alone on a line."""
    pieces = _narrow(pieces, width, lang, bold)
    count, n = line_count(pieces, width), len(pieces)
    if count <= 1 or n > _LONGEST:
        return [_joined(pieces)]
    ends = [0.0]
    for _, em, space in pieces:
        ends.append(ends[-1] + em + space)
    penalty = (0.25 * width) ** 2 if lang == "zh" else 0.0

    def cost(i: int, j: int) -> float:  # pieces i..j-1 on one line
        used = ends[j] - ends[i] - pieces[j - 1][2]
        if used > width:
            return math.inf
        return (width - used) ** 2 + (0.0 if j == n or pieces[j - 1][0][-1] in _GOOD_END else penalty)

    # best[k][j]: the least cost of pieces[:j] over k lines, and where the k-th line starts
    best = [[(math.inf, 0)] * (n + 1) for _ in range(count + 1)]
    best[0][0] = (0.0, 0)
    for k in range(1, count + 1):
        for j in range(k, n + 1):
            best[k][j] = min(((best[k - 1][i][0] + cost(i, j), i) for i in range(k - 1, j)
                              if best[k - 1][i][0] < math.inf), default=(math.inf, 0))
    if best[count][n][0] == math.inf:
        return [_joined(pieces)]
    result, j = [], n
    for k in range(count, 0, -1):
        i = best[k][j][1]
        result.append(_joined(pieces[i:j]))
        j = i
    return result[::-1]


def title_lines(title: str, lang: str, width_pt: float) -> tuple[float, list[str]]:
    """The title's size and its lines: one line at the largest size that holds it, else the smallest
    size over as few even lines as hold it, broken between words."""
    pieces = tokens(title, lang, bold=True)
    for size in TITLE_SIZES:
        if sum(em + space for _, em, space in pieces) - pieces[-1][2] <= width_pt / size:
            return size, [title]
    return TITLE_MIN, lines(pieces, width_pt / TITLE_MIN, lang, bold=True)


def count_lines(text: str, lang: str, width: float, bold: bool = False) -> int:
    """How many lines `width` ems wide the text takes, at most."""
    return line_count(_narrow(tokens(text, lang, bold), width, lang, bold), width)


def _height(texts: list[str], lang: str, size: float, leading: float, width_pt: float) -> float:
    return sum(count_lines(text, lang, width_pt / size) for text in texts) * size * leading


def layout(*, lang: str, paper: str, title: str, letterhead: bool, logo: bool, facts: list[str],
           rules: list[str], footer: list[str]) -> dict:
    """The poster's sizes and lines: the title's, the rules' and the space between them (so that the
    rules end just above the footer, which stands at the foot of the sheet), and the footer's."""
    page_w, page_h = PAPER.get(paper, PAPER["A4"])
    width = page_w - 2 * MARGIN_SIDES
    title_pt, title_split = title_lines(title, lang, width)
    head = (LOGO_LETTERHEAD if logo else LETTERHEAD if letterhead else 0) + len(title_split) * title_pt * TITLE_LEADING
    head += KIND + FACTS_BOX + (len(facts) + 1) * FACTS_LINE_GAP
    head += _height(facts, lang, FACTS_PT, FACTS_LEADING, width - FACTS_INSET)
    footer_pieces = [_narrow(tokens(text, lang), width / FOOTER_PT, lang, False) for text in footer]
    footer_h = FOOTER_BOX + sum(line_count(p, width / FOOTER_PT) for p in footer_pieces) * FOOTER_PT * FOOTER_LEADING
    room = page_h - MARGIN_TOP - MARGIN_BOTTOM - head - footer_h - FOOTER_GAP
    pieces = [tokens(rule, lang) for rule in rules]

    def measure(size: float) -> tuple[float, float]:
        """The rules' width in ems at this size, and their height with the least space between them."""
        em = (width - RULES_INDENT * size) / size
        count = sum(line_count(_narrow(rule, em, lang, False), em) for rule in pieces)
        return em, (count * RULES_LEADING + (len(rules) - 1) * RULE_GAP) * size

    # The largest size, in quarter points, at which the rules fit (they take more room the larger they are).
    low, high = 0, int((RULES_MAX - RULES_LEAST) * 4)  # steps down from RULES_MAX
    while low < high:
        middle = (low + high) // 2
        low, high = (low, middle) if measure(RULES_MAX - middle / 4)[1] <= room else (middle + 1, high)
    while low < int((RULES_MAX - RULES_LEAST) * 4) and measure(RULES_MAX - low / 4)[1] > room:
        low += 1  # not quite monotonic: a size smaller can break a rule into a line more
    size = RULES_MAX - low / 4
    em, height = measure(size)
    # What room is left is shared out between the rules, so that the last of them ends by the footer.
    spare = max(room - height, 0) / max(len(rules) - 1, 1)
    return {"title_pt": title_pt, "title_lines": title_split, "rules_pt": size,
            "rule_lines": [lines(rule, em, lang) for rule in pieces],
            "rule_gap_pt": round(min(size * RULE_GAP + spare, size * 1.5), 2),
            "footer_lines": [lines(p, width / FOOTER_PT, lang) for p in footer_pieces], "footer_pt": FOOTER_PT}
