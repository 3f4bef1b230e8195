"""From validated answers to what the templates show: every rule worded, every date written."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

import markdown
import nh3
from markupsafe import Markup

from .answers import AnswersBase
from .catalogue import Catalogue
from .dates import long_date
from .i18n import messages

# What a custom rule's Markdown may become: text structure, links, and images from the
# unit's assets/ folder; nothing that runs, loads from elsewhere or styles.
_ALLOWED_TAGS = {"p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "code", "blockquote", "a", "img"}
_ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
_ALLOWED_SCHEMES = {"http", "https", "mailto"}
UNIT_ASSET_SRC = re.compile(r"^assets/[\w\-./]+$")


def _only_unit_assets(tag: str, attribute: str, value: str) -> str | None:
    """An image's source must be a file under the unit's assets/ (the PDF fetcher checks it again)."""
    if tag == "img" and attribute == "src":
        return value if UNIT_ASSET_SRC.match(value) and ".." not in value else None
    return value


@dataclass(frozen=True)
class RuleItem:
    id: str
    text: str  # plain text, for Markdown and the announcement
    brief: str  # the shorter plain text the group announcement uses
    html: Markup  # safe to put in HTML as it is
    announce: bool = True  # shown in the group announcement


@dataclass(frozen=True)
class Section:
    id: str
    number: str
    title: str
    rules: list[RuleItem]

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}" if self.number.endswith("、") else f"{self.number} {self.title}"


def person_detail(person, lang: str) -> str:
    """（县委宣传部 科员） / " (Head of Science, Science Department)", or "" when neither is known."""
    detail = [p for p in (person.unit, person.title) if p]
    if not detail:
        return ""
    return f"（{' '.join(detail)}）" if lang == "zh" else f" ({', '.join(reversed(detail))})"


def person_label(person, lang: str) -> str:
    """李明（县委宣传部 科员） / Grace Okafor (Head of Science, Science Department)."""
    return "" if person is None else person.name + person_detail(person, lang)


_ZH_NUMERALS = "一二三四五六七八九十"


def section_number(index: int, lang: str) -> str:
    return f"{_ZH_NUMERALS[index]}、" if lang == "zh" else f"{index + 1}."


def sanitize_markdown(source: str) -> Markup:
    """User-written Markdown as HTML with raw HTML, scripts and unsafe links removed."""
    rendered = markdown.markdown(source, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(rendered, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, url_schemes=_ALLOWED_SCHEMES,
                      attribute_filter=_only_unit_assets, link_rel="noopener noreferrer")
    return Markup(clean)


def plain_text(fragment: str) -> str:
    return " ".join(html.unescape(nh3.clean(fragment, tags=set())).split())


def facts(answers: AnswersBase) -> dict:
    """The group's facts a rule text may name, already written in the charter's language."""
    lang, group, t = answers.lang, answers.group, messages(answers.lang)
    next_review = answers.next_review()
    return {
        "group_name": group.name,
        "kind_label": t["kinds"][group.kind],
        "owner": answers.owner.name,
        "successor": answers.successor.name if answers.successor else "",
        "dissolve_on": long_date(group.dissolve_on, lang) if group.dissolve_on else "",
        "review_every_months": group.review_every_months or "",
        "next_review": long_date(next_review, lang) if next_review else "",
    }


def build_sections(answers: AnswersBase, catalogue: Catalogue) -> list[Section]:
    lang, t = answers.lang, messages(answers.lang)
    values = {name: catalogue.params[name].shown(value, lang)
              for name, value in answers.param_values(catalogue).items()}
    values.update(facts(answers))
    chosen = catalogue.chosen_rules(answers.group.kind, answers.rules.on, answers.rules.off)
    sections = []
    for category in catalogue.categories.order:
        items = []
        for rule in (r for r in chosen if r.category == category):
            full = catalogue.fill(rule.wording(lang), values)
            items.append(RuleItem(rule.id, full, catalogue.fill(rule.wording(lang, brief=True), values),
                                  Markup.escape(full), rule.announce))
        for index, custom in enumerate(answers.rules.custom):
            if custom.category == category:
                rendered = sanitize_markdown(custom.text)
                flat = plain_text(rendered)
                items.append(RuleItem(f"custom-{index + 1}", flat, flat, rendered))
        if items:
            sections.append(Section(category, section_number(len(sections), lang),
                                    t["categories"][category], items))
    return sections


def build_context(answers: AnswersBase, catalogue: Catalogue, paper: str = "A4", unit=None) -> dict:
    lang, group, t = answers.lang, answers.group, messages(answers.lang)
    group_facts = facts(answers)
    admins = [m for m in answers.members if m.role == "admin"]
    return {
        "lang": lang,
        "html_lang": "zh-CN" if lang == "zh" else "en",
        "t": t,
        "paper": paper,
        "unit": unit.info if unit else None,
        "title": t["title"].format(name=group.name),
        "announcement_head": t["announcement_head"].format(name=group.name),
        "group": group,
        "platform_label": t["platforms"][group.platform],
        "kind_label": group_facts["kind_label"],
        "created": long_date(group.created, lang),
        "dissolve_on": group_facts["dissolve_on"],
        "review": (t["review_value"].format(months=group.review_every_months, date=group_facts["next_review"])
                   if group.review_every_months else ""),
        "owner": person_label(answers.owner, lang),
        "owner_name": answers.owner.name,
        "successor": person_label(answers.successor, lang),
        "admins": t["list_sep"].join(m.name for m in admins),
        "members": answers.members,
        "show_roster": answers.show_roster,
        "sections": build_sections(answers, catalogue),
    }
