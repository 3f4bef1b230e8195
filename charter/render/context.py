"""From validated answers to what the templates show: plain data, every rule worded, every date written.

Templates (a unit's among them) get dicts, lists, strings, numbers and dates only, never a
model: an object with methods is something a hostile template could call.
"""

from __future__ import annotations

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from ..core.dates import long_date
from ..core.errors import input_error
from ..core.i18n import messages
from ..schema.answers import AnswersBase
from ..schema.catalogue import Catalogue, fill
from .markup import plain_text, sanitize_markdown

_ZH_NUMERALS = "一二三四五六七八九十"


def person_detail(person, lang: str) -> str:
    """（县委宣传部 科员） / " (Head of Science, Science Department)", or "" when neither is known."""
    detail = [p for p in (person.unit, person.title) if p]
    if not detail:
        return ""
    return f"（{' '.join(detail)}）" if lang == "zh" else f" ({', '.join(reversed(detail))})"


def person_label(person, lang: str) -> str:
    """李明（县委宣传部 科员） / Grace Okafor (Head of Science, Science Department)."""
    return "" if person is None else person.name + person_detail(person, lang)


def section_number(index: int, lang: str) -> str:
    return f"{_ZH_NUMERALS[index]}、" if lang == "zh" else f"{index + 1}."


def facts(answers: AnswersBase) -> dict:
    """The group's facts a rule text may name (catalogue.FACTS), already written in the charter's language."""
    lang, group = answers.lang, answers.group
    next_review = answers.next_review()
    return {
        "group_name": group.name,
        "kind_label": messages(lang)["kinds"][group.kind],
        "owner": answers.owner.name,
        "successor": answers.successor.name if answers.successor else "",
        "dissolve_on": long_date(group.dissolve_on, lang) if group.dissolve_on else "",
        "review_every_months": group.review_every_months or "",
        "next_review": long_date(next_review, lang) if next_review else "",
    }


def _worded(rule, values: dict, lang: str, brief: bool = False) -> str:
    try:
        return fill(rule.wording(lang, brief), values)
    except (TemplateError, SecurityError, RecursionError) as error:
        # a unit's rule text that names no parameter, or reaches for what it may not
        raise input_error(lang, "rule_text", field=f"rules.{rule.id}", detail=f"{type(error).__name__}: {error}") \
            from None


def build_sections(answers: AnswersBase, catalogue: Catalogue) -> list[dict]:
    lang, t = answers.lang, messages(answers.lang)
    values = {**catalogue.shown_params(answers.group.kind, lang, answers.rules.params.model_dump(exclude_none=True)),
              **facts(answers)}
    chosen = catalogue.chosen_rules(answers.group.kind, answers.rules.on, answers.rules.off)
    sections = []
    for category in catalogue.categories.order:
        items = []
        for rule in (r for r in chosen if r.category == category):
            full = _worded(rule, values, lang)
            items.append({"id": rule.id, "text": full, "brief": _worded(rule, values, lang, brief=True),
                          "html": Markup.escape(full), "announce": rule.announce})
        for index, custom in enumerate(answers.rules.custom):
            if custom.category == category:
                rendered = sanitize_markdown(custom.text)
                flat = plain_text(rendered)
                items.append({"id": f"custom-{index + 1}", "text": flat, "brief": flat, "html": rendered,
                              "announce": True})
        if items:
            number = section_number(len(sections), lang)
            title = t["categories"][category]
            sections.append({"id": category, "number": number, "title": title, "rules": items,
                             "heading": f"{number}{title}" if lang == "zh" else f"{number} {title}"})
    return sections


def _person(person) -> dict | None:
    return None if person is None else person.model_dump(mode="python")


def build_context(answers: AnswersBase, catalogue: Catalogue, paper: str = "A4", unit=None) -> dict:
    lang, group, t = answers.lang, answers.group, messages(answers.lang)
    group_facts = facts(answers)
    admins = [m for m in answers.members if m.role == "admin"]
    sections = build_sections(answers, catalogue)
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "paper": paper,
        "unit": unit.plain() if unit else None,
        "title": t["title"].format(name=group.name),
        "announcement_head": t["announcement_head"].format(name=group.name),
        "group": group.model_dump(mode="python"),
        "platform_label": t["platforms"][group.platform],
        "kind_label": group_facts["kind_label"],
        "created": long_date(group.created, lang),
        "dissolve_on": group_facts["dissolve_on"],
        "review": (t["review_value"].format(months=group.review_every_months, date=group_facts["next_review"])
                   if group.review_every_months else ""),
        "owner": person_label(answers.owner, lang),
        "owner_name": answers.owner.name,
        "successor": person_label(answers.successor, lang),
        "successor_person": _person(answers.successor),
        "admins": t["list_sep"].join(m.name for m in admins),
        "members": [_person(m) for m in answers.members],
        "show_roster": answers.show_roster,
        "sections": sections,
        "sections_by_id": {s["id"]: s for s in sections},
    }
