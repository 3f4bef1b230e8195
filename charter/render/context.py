"""From validated answers to what the templates show: plain data, every rule worded, every date written.

Templates (a unit's among them) get dicts, lists, strings, numbers and dates only, never a
model: an object with methods is something a hostile template could call.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError
from markupsafe import Markup

from ..core.dates import long_date
from ..core.errors import input_error
from ..core.i18n import messages
from ..schema.answers import AnswersBase
from ..schema.catalogue import SHORT_GROUP_DAYS, Catalogue, Preset, Rule, fill, fill_words
from .markup import markdown_escape, plain_text, rule_markdown, sanitize_markdown
from .page_fit import page_fit
from .poster_fit import layout as poster_fit

_ZH_NUMERALS = "一二三四五六七八九十"
POSTER_RULES = 8  # the poster shows at most this many: the profile's first choices the group has, else its first rules
# A3 is A4 scaled by √2: the same layout, every size larger, for a wall read from further away.
PAPER_SCALE = {"A4": 1.0, "Letter": 1.0, "A3": 1.414}
# The words of a file-name pattern that stand for a part of the name, per language.
_FILE_PARTS = {"zh": {"日期": "date", "单位": "unit", "事项": "subject", "姓名": "name"},
               "en": {"date": "date", "organisation": "unit", "unit": "unit", "subject": "subject", "name": "name"}}


def person_detail(person, lang: str) -> str:
    """（县委宣传部 科员） / " (Head of Science, Science Department)", or "" when neither is known."""
    detail = [p for p in (person.unit, person.title) if p]
    if not detail:
        return ""
    if lang == "zh":
        return f"（{' '.join(detail)}）"
    shown = ", ".join(reversed(detail))
    return f", {shown}" if "(" in shown else f" ({shown})"  # no brackets within brackets


# Two-character surnames, for addressing a leader as 欧阳局长 rather than 欧局长.
_DOUBLE_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒",
                    "夏侯", "令狐", "端木", "独孤", "南宫", "西门")


def leader_address(name: str, title: str, lang: str) -> str | None:
    """How a leader is addressed (宋局长 / Carol Hughes), or None when the title is not a leader's."""
    titles = messages(lang)["notices"]["leader_titles"]
    if lang == "en":
        return name if any(word in title.split() for word in titles) else None
    held = next((t for t in titles if title.rstrip().endswith(t)), None)
    if held is None:
        return None
    surname = name[:2] if name.startswith(_DOUBLE_SURNAMES) else name[:1]
    return surname + held


def person_label(person, lang: str) -> str:
    """李明（县委宣传部 科员） / Grace Okafor (Head of Science, Science Department)."""
    return "" if person is None else person.name + person_detail(person, lang)


def person_brief(person, lang: str) -> str:
    """李明（科员） / Grace Okafor (Head of Science): the name and title only, for a poster read from afar."""
    if person is None:
        return ""
    if not person.title:
        return person.name
    if lang == "zh":
        return f"{person.name}（{person.title}）"
    return f"{person.name}, {person.title}" if "(" in person.title else f"{person.name} ({person.title})"


def section_number(index: int, lang: str) -> str:
    return f"{_ZH_NUMERALS[index]}、" if lang == "zh" else f"{index + 1}."


def facet_words(catalogue: Catalogue, preset: Preset) -> dict:
    """The notices and document words a group's facets (organisations, audience, profile) word
    their own way, over the common ones."""
    t = messages(preset.lang)
    common = {key: t[key] for key in ("file_subject", "records_what", "records_place")}
    return {**t["notices"], **common, **catalogue.words(preset)}


def profile_words(answers: AnswersBase, catalogue: Catalogue) -> dict:
    return facet_words(catalogue, answers.preset())


def usual_posted_at(catalogue: Catalogue, preset: Preset, platform: str, owner: str) -> str:
    """Where the full rules usually are: the group's facets' place (a duty-room wall) with a copy where
    the platform keeps files, else one of them; else the office's board. An office's board is no
    place for members of several organisations, who never pass it, nor for a group of a few days:
    theirs are where the platform keeps files, else in a file the owner posts in the group."""
    t = messages(preset.lang)
    kept = (catalogue.platforms.get(platform) or catalogue.platforms["other"]).posted_at
    online = getattr(kept, preset.lang) if kept else ""
    if preset.organisations == "several" or preset.short:
        return online or t["rules_posted_in_group"]
    place = fill_words(catalogue.words(preset).get("rules_posted_at", ""), owner=owner)
    if place and online:
        return t["posted_both"].format(place=place, online=online)
    return place or online or t["rules_posted_at"]


def example_person(answers: AnswersBase):
    """Whom a newcomer's example speaks as: an ordinary member who leads nobody, from another unit
    than the owner's where there is one (a guest next); never the successor when someone else is listed."""
    successor = answers.successor.name if answers.successor else None
    people = [m for m in answers.members if m.name != successor]

    def fitness(member) -> tuple[int, int, int]:
        return ({"member": 0, "guest": 1, "admin": 2}.get(member.role, 3),
                leader_address(member.name, member.title, answers.lang) is not None,
                member.unit == answers.owner.unit)
    if people:
        return min(people, key=fitness)
    return answers.members[0] if answers.members else answers.owner


def example_who(person, lang: str) -> str:
    """How a newcomer names themselves: 县水利局计划股宋立新 / Song Lixin, Planning Officer, Water Bureau."""
    unit = "" if person.unit and person.unit in person.title else person.unit  # 语文教研组 in 语文教研组长
    if lang == "zh":
        return f"{unit}{person.title}{person.name}"
    unit = unit.split(",")[0]  # "Northway Homes, Resident Liaison": the organisation
    if person.title and unit:
        return f"{person.name}, {person.title} at {unit}"
    return ", ".join(part for part in (person.name, person.title or unit) if part)


def file_example(answers: AnswersBase, pattern: str, subject: str) -> str:
    """A file name in the group's own pattern: its date, an example unit and person, the profile's
    subject; "" when the pattern names none of those parts or no unit is known for it."""
    person = example_person(answers)
    unit = person.unit or answers.owner.unit
    stem, dot, extension = subject.rpartition(".")
    # a unit written "Northfield Borough Council, Highways" would put a comma in the file name
    values = {"date": answers.group.created.strftime("%Y%m%d"), "unit": unit.split(",")[0].split("，")[0],
              "subject": stem, "name": person.name}
    named = [word for word in _FILE_PARTS[answers.lang] if word in pattern.lower()]
    if not named or (not unit and any(_FILE_PARTS[answers.lang][word] == "unit" for word in named)):
        return ""
    name = pattern
    for word in named:
        start = name.lower().find(word)
        if start >= 0:
            name = name[:start] + values[_FILE_PARTS[answers.lang][word]] + name[start + len(word):]
    return f"{name}{dot}{extension}"


def usual_records(words: dict, owner: str) -> dict[str, str]:
    """Who usually keeps which records where (the facts records_keeper, _what, _place): the owner,
    the facets' usual records, their usual place."""
    return {"records_keeper": owner, "records_what": words["records_what"], "records_place": words["records_place"]}


_DETERMINERS = {"the", "a", "an", "our", "their", "its", "his", "her", "my", "your", "all", "each", "every", "any",
                "this", "these", "that", "those"}


def as_english_noun(text: str) -> str:
    """A founder's "Sign-off log" or "Shared drive folder X" read into a sentence: "the Sign-off log",
    "the Shared drive folder X" (a capital may be a name's: Riverside Church office); a phrase with
    its own article ("Our drive": "our drive") or none to take (Nadia's folder, 2026 files) as written."""
    first, space, rest = text.partition(" ")
    if not first.replace("-", "").isalpha():
        return text
    if first.lower() in _DETERMINERS:
        return f"{first.lower()}{space}{rest}"
    return f"the {text}"


def records(answers: AnswersBase, words: dict) -> dict[str, str]:
    """Who keeps which records where: each part as the answers give it, else as usual (in English,
    what and where as parts of a sentence)."""
    given = answers.group.records
    shown = {fact: (given and getattr(given, fact.removeprefix("records_"))) or usual
             for fact, usual in usual_records(words, answers.owner.name).items()}
    if answers.lang == "en" and given:
        for fact in ("records_what", "records_place"):
            if getattr(given, fact.removeprefix("records_")):
                shown[fact] = as_english_noun(shown[fact])
    return shown


def facts(answers: AnswersBase, catalogue: Catalogue, chosen: list[Rule]) -> dict:
    """The group's facts a rule text may name (catalogue.FACTS), already written in the charter's language."""
    lang, group = answers.lang, answers.group
    t = messages(lang)
    next_review = answers.next_review()
    person = example_person(answers)
    days = answers.lifetime_days()
    preset = answers.preset()
    words = profile_words(answers, catalogue)
    pattern = str(answers.param_values(catalogue).get("file_name_pattern", ""))
    admins = answers.admins()
    return {
        "group_name": group.name,
        "kind_label": t["kinds"][group.kind],
        "owner": answers.owner.name,
        "successor": person_label(answers.successor, lang),
        "admins": t["list_sep"].join(m.name for m in admins),
        "admin_count": len(admins),
        # without a successor, the first admin stands in: a charter never leaves the owner's place empty
        "acting": "" if answers.successor or not admins else admins[0].name,
        "dissolve_on": long_date(group.dissolve_on, lang) if group.dissolve_on else "",
        "review_every_months": group.review_every_months or "",
        "next_review": long_date(next_review, lang) if next_review else "",
        "platform": group.platform,
        "profile": group.profile,
        **catalogue.platform_facts(group.platform, lang),
        "short_group": "yes" if days is not None and days <= SHORT_GROUP_DAYS else "",
        "round_the_clock": "yes" if catalogue.round_the_clock.found_in(" ".join(preset.about), lang) else "",
        "audience": catalogue.audience_of(preset),
        "several": "yes" if preset.organisations == "several" else "",
        "urgent_contact": group.urgent_contact,
        **records(answers, words),
        "rules_posted_at": group.rules_posted_at or usual_posted_at(catalogue, preset, group.platform, answers.owner.name),
        "example_name": person.name,
        "example_unit": person.unit,
        "example_who": example_who(person, lang),
        "file_example": file_example(answers, pattern, words["file_subject"]),
        "digest": "yes" if any(rule.id == "posting.digest" for rule in chosen) else "",
        "lifetime_days": days or 0,
    }


def _worded(rule, values: dict, lang: str, brief: bool = False) -> str:
    try:
        return fill(rule.wording(lang, brief), values)
    except (TemplateError, SecurityError, RecursionError) as error:
        # a unit's rule text that names no parameter, or reaches for what it may not
        raise input_error(lang, "rule_text", field=f"rules.{rule.id}", detail=f"{type(error).__name__}: {error}") \
            from None


def _wordings(rule, values: dict, lang: str, reworded: str | None) -> tuple[str, str]:
    """A rule's full and brief text: the group's own wording for both where it rewords the rule
    (one text the owner wrote, not a brief the owner never saw), else the catalogue's."""
    full = _worded(rule, values, lang)
    if reworded and reworded != full:
        return reworded, reworded
    return full, _worded(rule, values, lang, brief=True)


def _rule_values(answers: AnswersBase, catalogue: Catalogue, group_facts: dict) -> dict:
    return {**catalogue.shown_params(answers.preset(), answers.given_params()), **group_facts}


def catalogue_wordings(answers: AnswersBase, catalogue: Catalogue, rule_ids: Iterable[str]) -> dict[str, str]:
    """These rules as the catalogue words them for this group: what a wording of the group's own
    (rules.text) replaces."""
    chosen = catalogue.chosen_rules(answers.preset(), answers.rules.on, answers.rules.off)
    values = _rule_values(answers, catalogue, facts(answers, catalogue, chosen))
    rules = {rule.id: rule for rule in catalogue.rules}
    return {rule_id: _worded(rules[rule_id], values, answers.lang) for rule_id in rule_ids if rule_id in rules}


def build_sections(answers: AnswersBase, catalogue: Catalogue, group_facts: dict, chosen: list[Rule]) -> list[dict]:
    lang, t = answers.lang, messages(answers.lang)
    values = _rule_values(answers, catalogue, group_facts)
    sections: list[dict] = []
    for category in catalogue.categories.order:
        items = []
        for rule in (r for r in chosen if r.category == category):
            full, brief = _wordings(rule, values, lang, answers.rules.text.get(rule.id))
            items.append({"id": rule.id, "text": full, "brief": brief,
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


def successor_shown(answers: AnswersBase, lang: str, brief: bool = False) -> str:
    """Who takes over, never a blank: the successor, else the first admin standing in, else who names one."""
    t = messages(lang)
    shown = person_brief if brief else person_label
    if answers.successor:
        return shown(answers.successor, lang)
    admins = answers.admins()
    return t["acting"].format(name=shown(admins[0], lang)) if admins else t["successor_unset"]


def _person(person) -> dict | None:
    return None if person is None else person.model_dump(mode="python")


def poster_rules(sections: list[dict], catalogue: Catalogue, profile: str) -> list[dict]:
    """The rules the poster shows: the profile's choice among those the group has, in its order."""
    rules = {rule["id"]: rule for s in sections for rule in s["rules"]}
    wanted = catalogue.profile(profile).poster
    if wanted:
        return [rules[i] for i in wanted if i in rules][:POSTER_RULES]
    return [rule for rule in rules.values() if rule["announce"]][:POSTER_RULES]


def poster_facts(context: dict) -> list[dict]:
    """The lines of the poster's facts box: who owns the group, who takes over, whom to call at once,
    and until when. `kind` is how the value is set: a date, an urgent contact, or plain."""
    t = context["t"]
    dated = {"label": context["end_date"], "value": context["dissolve_on"], "kind": "date"} \
        if context["dissolve_on"] else {"label": t["next_review"], "value": context["next_review"], "kind": "date"}
    # a phone number read off a wall is not split across two lines: its groups are held by no-break spaces
    number = re.sub(r"(?<=\d) (?=[\d(])|(?<=\)) (?=\d)", "\u00a0", context["urgent_contact"])
    urgent = [{"label": t["urgent_contact"], "value": number, "kind": "urgent"}] if number else []
    return [{"label": t["owner"], "value": context["owner_brief"], "kind": ""},
            {"label": t["successor"], "value": context["successor_brief"], "kind": ""}, *urgent, dated]


def poster_footer(context: dict) -> list[str]:
    """The lines at the poster's foot: where the full rules are, in force since when, the unit's contact."""
    t, unit = context["t"], context["unit"]
    return [f"{t['full_rules']}{t['colon']}{context['rules_posted_at']}",
            f"{t['effective']}{t['colon']}{context['created']}",
            *([unit["contact"]] if unit and unit.get("contact") else [])]


POSTER_LEAST_PT = 16  # smaller than this, a rule is not read from two metres: the poster shows fewer rules


def poster_layout(context: dict) -> dict:
    """The poster's facts and footer, its rules, and the type sizes and line breaks that fill the sheet
    with them (see poster_fit): a line added to either is measured with the rest. Rules too long to
    be read from afar at this size (a group's own long wording) leave the poster from the last,
    most important first kept; the page and the announcement still hold them all."""
    unit, colon, facts = context["unit"], context["t"]["colon"], poster_facts(context)
    rules = context["poster_rules"]
    while True:
        sizes = poster_fit(lang=context["lang"], paper=context["paper"], title=context["poster_title"],
                           letterhead=bool(unit), logo=bool(unit and unit.get("logo")),
                           facts=[f"{fact['label']}{colon}{fact['value']}" for fact in facts],
                           rules=[rule["brief"] for rule in rules], footer=poster_footer(context))
        if sizes["rules_pt"] >= POSTER_LEAST_PT or len(rules) <= 1:
            return {**sizes, "facts": facts, "rules": rules}
        rules = rules[:-1]


def build_context(answers: AnswersBase, catalogue: Catalogue, paper: str = "A4", unit=None) -> dict:
    lang, group, t = answers.lang, answers.group, messages(answers.lang)
    chosen = catalogue.chosen_rules(answers.preset(), answers.rules.on, answers.rules.off)
    group_facts = facts(answers, catalogue, chosen)
    sections = build_sections(answers, catalogue, group_facts, chosen)
    context = {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "paper": paper,
        "scale": PAPER_SCALE.get(paper, 1.0),
        "profile": group.profile,
        "profile_label": catalogue.profile(group.profile).label(lang),
        "rules_posted_at": group_facts["rules_posted_at"],
        "urgent_contact": group.urgent_contact,
        "end_date": group_facts["end_date"],
        "poster_rules": poster_rules(sections, catalogue, group.profile),
        "unit": unit.plain() if unit else None,
        "title": t["title"].format(name=group.name),
        "announcement_head": t["announcement_head"].format(name=group.name),
        "group": group.model_dump(mode="python"),
        "platform_label": t["platforms"][group.platform],
        "kind_label": group_facts["kind_label"],
        # a class's group lives as long as the class: its kind says nothing to parents
        "type_label": catalogue.profile(group.profile).label(lang) + (
            f" · {group_facts['kind_label']}" if catalogue.profile(group.profile).kind_shown else ""),
        "created": long_date(group.created, lang),
        "dissolve_on": group_facts["dissolve_on"],
        "next_review": group_facts["next_review"],
        "poster_title": t["poster_title"].format(name=group.name),
        "review": (t["review_value"].format(months=group.review_every_months, date=group_facts["next_review"])
                   if group.review_every_months else ""),
        "owner": person_label(answers.owner, lang),
        "owner_name": answers.owner.name,
        "successor": successor_shown(answers, lang),
        "successor_person": _person(answers.successor),
        "owner_brief": person_brief(answers.owner, lang),
        "successor_brief": successor_shown(answers, lang, brief=True),
        "admins": group_facts["admins"],
        "members": [_person(m) for m in answers.members],
        "show_roster": answers.show_roster,
        "sections": sections,
        "sections_by_id": {s["id"]: s for s in sections},
        "announced": [rule for s in sections for rule in s["rules"] if rule["announce"]],
    }
    return {**context, "poster": poster_layout(context), **page_fit(context)}
