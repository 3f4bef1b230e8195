"""Whether the people of a group come from one organisation or several, as far as their units tell.

A unit is often written with its section: 县教育局财务股, 县人民医院急诊科, Westmoor District
Council Electoral Services, or the section alone (财务股, 语文组, Finance team) when everyone
knows whose it is. Sections of one organisation are one organisation: the rules for several
(share only what all may see, each organisation answers for its own people) would be wrong
for them. When unsure the answer leans to several, whose rules are the safer ones to have
(部 ends a section of a company and a whole department of a county's party committee alike, so
it is not taken for a section).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Literal, TypeAlias

Organisations: TypeAlias = Literal["one", "several"]

# What ends the name of an organisation (a bureau, a school, a company), as opposed to a section of one.
_ZH_ORGANISATION_END = ("委员会", "居委会", "村委会", "政府", "街道", "公司", "集团", "医院", "卫生院", "保健院",
                        "学校", "中学", "小学", "幼儿园", "大学", "学院", "中心", "大队", "支队", "局", "委", "院",
                        "校", "所", "站", "馆", "厂", "社", "会", "行", "镇", "乡", "村", "社区", "厅", "署")
_ZH_SECTION_END = re.compile(r"(股|科|室|处|组|办|班|队|单元|年级|车间|门诊|病区)$")
_EN_ORGANISATION = re.compile(
    r"^(.*?\b(council|ltd|limited|plc|llp|llc|inc|school|academy|college|university|trust|hospital|surgery|"
    r"practice|pharmacy|church|police|constabulary|authority|association|company|agency|charity|ministry|"
    r"centre|center|club)\b\.?)", re.IGNORECASE)
_EN_SECTION = re.compile(r"\b(team|department|dept|unit|office|desk|section|ward|year|class|group|services?)\b",
                         re.IGNORECASE)


@lru_cache(maxsize=4096)
def organisation_of(unit: str) -> str | None:
    """The organisation a unit names, in a form to compare; None for a section named without it."""
    unit = " ".join(unit.split())
    if not unit:
        return None
    if re.search(r"[\u4e00-\u9fff]", unit):
        # the first place the name could end with the rest a section of it (县财政局|社保股, not 县财政局社|保股);
        # an organisation's name has a place or a name before its last word (校医室 is no school)
        ends = sorted({i + len(end) for end in _ZH_ORGANISATION_END for i in _starts(unit, end) if i + len(end) >= 3})
        for end in ends:
            if end == len(unit) or _ZH_SECTION_END.search(unit[end:]):
                return unit[:end]
        return None if _ZH_SECTION_END.search(unit) else unit
    named = _EN_ORGANISATION.match(unit)
    if named:
        return named.group(1).rstrip(".").casefold()
    return None if _EN_SECTION.search(unit) else unit.casefold()


def _starts(text: str, word: str) -> list[int]:
    return [m.start() for m in re.finditer(re.escape(word), text)]


def organisations_of(units: Iterable[str]) -> Organisations:
    """Several when the units listed name more than one organisation, else one."""
    return "several" if len({o for o in map(organisation_of, set(units)) if o is not None}) > 1 else "one"
