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
from .markup import markdown_escape, plain_text, rule_markdown, sanitize_markdown
from .page_fit import page_fit
from .poster_fit import layout as poster_fit

_ZH_NUMERALS = "一二三四五六七八九十"
SHORT_GROUP_DAYS = 7  # a group this short wraps up on its last day instead of giving notice
POSTER_RULES = 8  # a profile that names no poster rules gets its first rules, this many
# A3 is A4 scaled by √2: the same layout, every size larger, for a wall read from further away.
PAPER_SCALE = {"A4": 1.0, "Letter": 1.0, "A3": 1.414}
# The words of a file-name pattern that stand for a part of the name, per language.
_FILE_PARTS = {"zh": ("日期", "单位", "事项", "姓名"), "en": ("date", "unit", "subject", "name")}


def person_detail(person, lang: str) -> str:
    """（县委宣传部 科员） / " (Head of Science, Science Department)", or "" when neither is known."""
    detail = [p for p in (person.unit, person.title) if p]
    if not detail:
        return ""
    return f"（{' '.join(detail)}）" if lang == "zh" else f" ({', '.join(reversed(detail))})"


def person_label(person, lang: str) -> str:
    """李明（县委宣传部 科员） / Grace Okafor (Head of Science, Science Department)."""
    return "" if person is None else person.name + person_detail(person, lang)


def person_brief(person, lang: str) -> str:
    """李明（科员） / Grace Okafor (Head of Science): the name and title only, for a poster read from afar."""
    if person is None:
        return ""
    return person.name + ((f"（{person.title}）" if lang == "zh" else f" ({person.title})") if person.title else "")


def section_number(index: int, lang: str) -> str:
    return f"{_ZH_NUMERALS[index]}、" if lang == "zh" else f"{index + 1}."


def profile_words(answers: AnswersBase, catalogue: Catalogue) -> dict:
    """The notices and document words this group's profile words its own way, over the common ones."""
    t = messages(answers.lang)
    own = catalogue.profile(answers.group.profile).words.get(answers.lang, {})
    return {**t["notices"], "announcement_more": t["announcement_more"], "file_subject": t["file_subject"], **own}


def example_person(answers: AnswersBase):
    """Whom a rule's example speaks as: the first admin, else the first member, else the owner."""
    by_role = [m for m in answers.members if m.role == "admin"] + [m for m in answers.members if m.role == "member"]
    return by_role[0] if by_role else answers.owner


def file_example(answers: AnswersBase, pattern: str, subject: str) -> str:
    """A file name in the group's own pattern: its date, an example unit and person, the profile's
    subject; "" when the pattern names none of those parts or no unit is known for it."""
    person = example_person(answers)
    unit = person.unit or answers.owner.unit
    stem, dot, extension = subject.rpartition(".")
    values = dict(zip(_FILE_PARTS[answers.lang], (answers.group.created.strftime("%Y%m%d"), unit, stem, person.name)))
    named = [part for part in values if part in pattern.lower()]
    if not named or (not unit and _FILE_PARTS[answers.lang][1] in named):
        return ""
    name = pattern
    for part in named:
        start = name.lower().index(part)
        name = name[:start] + values[part] + name[start + len(part):]
    return f"{name}{dot}{extension}"


def facts(answers: AnswersBase, catalogue: Catalogue) -> dict:
    """The group's facts a rule text may name (catalogue.FACTS), already written in the charter's language."""
    lang, group = answers.lang, answers.group
    t = messages(lang)
    next_review = answers.next_review()
    person = example_person(answers)
    days = answers.lifetime_days()
    pattern = str(answers.param_values(catalogue).get("file_name_pattern", ""))
    return {
        "group_name": group.name,
        "kind_label": t["kinds"][group.kind],
        "owner": answers.owner.name,
        "successor": answers.successor.name if answers.successor else "",
        "admins": t["list_sep"].join(m.name for m in answers.members if m.role == "admin"),
        "dissolve_on": long_date(group.dissolve_on, lang) if group.dissolve_on else "",
        "review_every_months": group.review_every_months or "",
        "next_review": long_date(next_review, lang) if next_review else "",
        "platform": group.platform,
        "profile": group.profile,
        **catalogue.platform_facts(group.platform, lang),
        "short_group": "yes" if days is not None and days <= SHORT_GROUP_DAYS else "",
        "example_name": person.name,
        "example_unit": person.unit,
        "file_example": file_example(answers, pattern, profile_words(answers, catalogue)["file_subject"]),
    }


def _worded(rule, values: dict, lang: str, brief: bool = False) -> str:
    try:
        return fill(rule.wording(lang, brief), values)
    except (TemplateError, SecurityError, RecursionError) as error:
        # a unit's rule text that names no parameter, or reaches for what it may not
        raise input_error(lang, "rule_text", field=f"rules.{rule.id}", detail=f"{type(error).__name__}: {error}") \
            from None


def build_sections(answers: AnswersBase, catalogue: Catalogue, group_facts: dict) -> list[dict]:
    lang, t = answers.lang, messages(answers.lang)
    values = {**catalogue.shown_params(answers.preset(), answers.given_params()), **group_facts}
    chosen = catalogue.chosen_rules(answers.preset(), answers.rules.on, answers.rules.off)
    sections: list[dict] = []
    for category in catalogue.categories.order:
        items = []
        for rule in (r for r in chosen if r.category == category):
            full = _worded(rule, values, lang)
            items.append({"id": rule.id, "text": full, "brief": _worded(rule, values, lang, brief=True),
                          "html": Markup.escape(full), "markdown": markdown_escape(full), "announce": rule.announce})
        for index, custom in enumerate(answers.rules.custom):
            if custom.category == category:
                rendered = sanitize_markdown(custom.text)
                flat = plain_text(rendered)
                items.append({"id": f"custom-{index + 1}", "text": flat, "brief": flat, "html": rendered,
                              "markdown": rule_markdown(rendered), "announce": True})
        if items:
            number = section_number(len(sections), lang)
            title = t["categories"][category]
            sections.append({"id": category, "number": number, "title": title, "rules": items,
                             "heading": f"{number}{title}" if lang == "zh" else f"{number} {title}"})
    return sections


def _person(person) -> dict | None:
    return None if person is None else person.model_dump(mode="python")


def poster_rules(sections: list[dict], catalogue: Catalogue, profile: str) -> list[dict]:
    """The rules the poster shows: the profile's choice among those the group has, in its order."""
    rules = {rule["id"]: rule for s in sections for rule in s["rules"]}
    wanted = catalogue.profile(profile).poster
    if wanted:
        return [rules[i] for i in wanted if i in rules]
    return [rule for rule in rules.values() if rule["announce"]][:POSTER_RULES]


def poster_facts(context: dict) -> list[dict]:
    """The lines of the poster's facts box: who owns the group, who takes over, and until when."""
    t = context["t"]
    dated = {"label": t["dissolve_on"], "value": context["dissolve_on"], "date": True} if context["dissolve_on"] \
        else {"label": t["next_review"], "value": context["next_review"], "date": True}
    return [{"label": t["owner"], "value": context["owner_brief"], "date": False},
            {"label": t["successor"], "value": context["successor_brief"] or "—", "date": False}, dated]


def poster_footer(context: dict) -> list[str]:
    """The lines at the poster's foot: in force since when, where the rest is, and the unit's contact."""
    t, unit = context["t"], context["unit"]
    return [f"{t['effective']}{t['colon']}{context['created']}", t["poster_more"],
            *([unit["contact"]] if unit and unit.get("contact") else [])]


def poster_layout(context: dict) -> dict:
    """The poster's facts and footer, and the type sizes and line breaks that fill the sheet with
    them (see poster_fit): a line added to either is measured with the rest."""
    unit, colon, facts = context["unit"], context["t"]["colon"], poster_facts(context)
    sizes = poster_fit(lang=context["lang"], paper=context["paper"], title=context["poster_title"],
                       letterhead=bool(unit), logo=bool(unit and unit.get("logo")),
                       facts=[f"{fact['label']}{colon}{fact['value']}" for fact in facts],
                       rules=[rule["brief"] for rule in context["poster_rules"]], footer=poster_footer(context))
    return {**sizes, "facts": facts}


def build_context(answers: AnswersBase, catalogue: Catalogue, paper: str = "A4", unit=None) -> dict:
    lang, group, t = answers.lang, answers.group, messages(answers.lang)
    group_facts = facts(answers, catalogue)
    sections = build_sections(answers, catalogue, group_facts)
    words = profile_words(answers, catalogue)
    context = {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "paper": paper,
        "scale": PAPER_SCALE.get(paper, 1.0),
        "profile": group.profile,
        "profile_label": catalogue.profile(group.profile).label(lang),
        "announcement_more": words["announcement_more"].format(owner=answers.owner.name),
        "poster_rules": poster_rules(sections, catalogue, group.profile),
        "unit": unit.plain() if unit else None,
        "title": t["title"].format(name=group.name),
        "announcement_head": t["announcement_head"].format(name=group.name),
        "group": group.model_dump(mode="python"),
        "platform_label": t["platforms"][group.platform],
        "kind_label": group_facts["kind_label"],
        "created": long_date(group.created, lang),
        "dissolve_on": group_facts["dissolve_on"],
        "next_review": group_facts["next_review"],
        "poster_title": t["poster_title"].format(name=group.name),
        "review": (t["review_value"].format(months=group.review_every_months, date=group_facts["next_review"])
                   if group.review_every_months else ""),
        "owner": person_label(answers.owner, lang),
        "owner_name": answers.owner.name,
        "successor": person_label(answers.successor, lang),
        "successor_person": _person(answers.successor),
        "owner_brief": person_brief(answers.owner, lang),
        "successor_brief": person_brief(answers.successor, lang),
        "admins": group_facts["admins"],
        "members": [_person(m) for m in answers.members],
        "show_roster": answers.show_roster,
        "sections": sections,
        "sections_by_id": {s["id"]: s for s in sections},
        "announced": [rule for s in sections for rule in s["rules"] if rule["announce"]],
    }
    return {**context, "poster": poster_layout(context), **page_fit(context)}
