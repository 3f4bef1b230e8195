"""The checker: patterns the field reports as formalism in work groups, each with a stable code.

Warnings, not errors: a charter with findings still renders. Codes never change meaning:
    mandatory-replies  no-quiet-hours  at-all-open  temporary-too-long  past-dissolution
    no-successor  no-review  vague-rule  group-cap  off-shift-watch  not-a-member  tight-for-its-life
    no-urgent-contact  posted-in-announcement
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..core.dates import long_date
from ..core.i18n import messages
from .answers import AnswersBase
from .catalogue import Catalogue, Rule
from .timing import DIGEST, uneasy_timings

LARGE_GROUP = 30
TEMPORARY_DAYS = 180

_MANDATORY = re.compile(r"(回复|回)\s*[“\"「]?\s*(收到|已阅|好的)|(必须|务必|都要|均须).{0,6}欢迎"
                        r"|(要|需要|须|应|应当|得)(发|说|表示|致)?\s*欢迎"
                        r"|(reply|respond|answer)\w*\s+(with\s+)?[\"“']?(received|noted|ok|got it)"
                        r"|(must|should|everyone).{0,20}welcome", re.IGNORECASE)
# What turns a demand into its opposite just before it: 不必回复“收到”, "no need to reply noted".
_NEGATED = re.compile(r"(不|无需|不必|不用|不要|别|勿|禁止|严禁|不准|不许|不得|避免"
                      r"|\b(no need to|don't|do not|never|nobody|no one|not|no))\W{0,3}$",
                      re.IGNORECASE)
_ALWAYS_ON = re.compile(r"24\s*小时|随时在线|全天候|时刻在线|24\s*/\s*7|24\s*hours|around the clock|at any time",
                        re.IGNORECASE)
# In a duty group someone is always on duty; asking everyone to watch at all hours is the formality.
_ALL_ALWAYS_ON = re.compile(r"(所有人|全体|全员|每个人|每位成员|大家|everyone|all members|every member).{0,12}"
                            r"(24\s*小时|随时|全天候|时刻|24\s*/\s*7|24\s*hours|around the clock|at all times|at any time)",
                            re.IGNORECASE)
_AT_ALL_FOR_ALL = re.compile(r"(任何人|所有成员|人人).{0,6}@(所有人|全体成员)|anyone.{0,10}@(all|channel|here|team)",
                             re.IGNORECASE)
_VAGUE = re.compile(r"及时|适当|尽快|尽早|酌情|as soon as possible|asap|timely|promptly|appropriate(ly)?|"
                    r"in due course", re.IGNORECASE)
# A cap on how many groups there are (not on the people in one: 每个家庭最多两人入群 is no cap).
_CAP = re.compile(r"(只|仅|不得超过|不超过|最多|至多|限)(能|可|可以)?(建|开|设|保留|组建)?\s*[一二两三四五六七八九十\d]+\s*个"
                  r"[^，。；,;人入进退拉]{0,8}?群|群(的)?数量"
                  r"|(only|just|no more than|at most|up to|limit(ed)? to|capped at)\s+(one|a single|two|three|\d+)\s+"
                  r"([\w'’-]+\s+){0,2}(groups?|chats?|channels?)\b"
                  r"|(one|a single)\s+([\w'’-]+\s+)?(group|chat|channel)\s+(per|for each|in each)\b|number of groups",
                  re.IGNORECASE)


# Where the full rules cannot be: the announcement carries their short form.
_IN_ANNOUNCEMENT = re.compile(r"群公告|\bannouncement\b", re.IGNORECASE)


def _demands(pattern: re.Pattern[str], text: str) -> bool:
    """The pattern is in the text, and not just after a word that negates it."""
    return any(not _NEGATED.search(text[:m.start()]) for m in pattern.finditer(text))


def _naming(rules: Iterable[Rule], lang: str, name: str) -> bool:
    """Some rule's text uses this parameter or fact (quiet_start: the rule sets quiet hours)."""
    return any(name in rule.params_named(lang) for rule in rules)


@dataclass(frozen=True)
class Finding:
    code: str
    reason: str
    fix: str


def lint(answers: AnswersBase, catalogue: Catalogue, on: date) -> list[Finding]:
    lang, group, preset = answers.lang, answers.group, answers.preset()
    t = messages(lang)["lint"]
    chosen_rules = catalogue.chosen_rules(preset, answers.rules.on, answers.rules.off)
    chosen = {r.id for r in chosen_rules}
    by_design = [r for r in catalogue.rules if catalogue.on_by_default(r, preset)]
    # The group's own words are checked, catalogue rules it rewords among them (their catalogue
    # wording is what the group chose by ticking it, and is not).
    own = [c.text for c in answers.rules.custom]
    reworded = {rule_id: text for rule_id, text in answers.rules.text.items() if rule_id in chosen}
    customs = own + list(reworded.values())
    findings: list[Finding] = []

    def find(code: str, variant: str | None = None, **values: Any) -> None:
        entry = t[code][variant] if variant else t[code]
        findings.append(Finding(code, entry["reason"].format(**values), entry["fix"].format(**values)))

    if any(_demands(_MANDATORY, text) for text in customs):
        find("mandatory-replies")
    if _naming(by_design, lang, "quiet_start"):
        if not _naming(chosen_rules, lang, "quiet_start") or any(_ALWAYS_ON.search(text) for text in customs):
            find("no-quiet-hours")
    # A profile without quiet hours (duty: alerts at any hour) still lets people off shift rest.
    elif ({r.id for r in by_design} - chosen) & {"posting.off-shift"} or any(_ALL_ALWAYS_ON.search(x) for x in customs):
        find("off-shift-watch")
    people = len(answers.members) + 1
    if people >= LARGE_GROUP and (not _naming(chosen_rules, lang, "at_all")
                                  or any(_AT_ALL_FOR_ALL.search(x) for x in customs)):
        find("at-all-open", members=people)
    if group.kind == "temporary" and group.dissolve_on and (group.dissolve_on - group.created).days > TEMPORARY_DAYS:
        find("temporary-too-long", days=(group.dissolve_on - group.created).days)
    if group.dissolve_on and group.dissolve_on < on and not answers.dissolved_on:
        find("past-dissolution", date=long_date(group.dissolve_on, lang))
    if answers.successor is None:
        admins = answers.admins()
        find("no-successor", "acting" if admins else None, name=admins[0].name if admins else "")
    if group.profile == "duty" and not group.urgent_contact:
        find("no-urgent-contact")
    if _IN_ANNOUNCEMENT.search(group.rules_posted_at):
        find("posted-in-announcement")
    members = {m.name for m in answers.members}
    # Only a listed member can be made owner in the app; an empty list means nobody was listed.
    if members and answers.successor is not None and answers.successor.name not in members:
        find("not-a-member", name=answers.successor.name)
    for member in answers.members:
        if member.role == "owner" and member.name != answers.owner.name:
            find("not-a-member", name=member.name)
    for timing in uneasy_timings(answers, catalogue):
        if timing.fits:  # one that cannot fit is refused before any check
            param = catalogue.params[timing.param]
            find("tight-for-its-life", "digest" if timing.param == DIGEST else "days", label=param.label(lang),
                 value=param.shown(timing.value, lang), life=timing.life, limit=timing.limit)
    if group.kind == "standing" and "lifetime.review" not in chosen:
        find("no-review")
    written = [(None, index, text) for index, text in enumerate(own, start=1)]
    for variant, index, text in written + [("reworded", rule_id, text) for rule_id, text in reworded.items()]:
        vague = _VAGUE.search(text)
        if vague and not re.search(r"\d|[一二两三四五六七八九十百]+\s*(天|日|小时|分钟|周|个月|次)", text):
            find("vague-rule", variant, index=index, word=vague.group(0))
        if _demands(_CAP, text):
            find("group-cap", variant, index=index)
    return findings
