"""The checker: patterns the field reports as formalism in work groups, each with a stable code.

Warnings, not errors: a charter with findings still renders. Codes never change meaning:
    mandatory-replies  no-quiet-hours  at-all-open  temporary-too-long  past-dissolution
    no-successor  no-review  vague-rule  group-cap
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..core.dates import long_date
from ..core.i18n import messages
from .answers import AnswersBase
from .catalogue import Catalogue

LARGE_GROUP = 30
TEMPORARY_DAYS = 180

_MANDATORY = re.compile(r"(必须|务必|一律|都要|均须|均要|请).{0,8}(回复|回)[“\"]?收到|(必须|务必|都要|均须).{0,6}欢迎"
                        r"|(must|should|everyone|all members).{0,30}(reply|respond|answer).{0,20}(received|noted|ok)"
                        r"|(must|should|everyone).{0,20}welcome", re.IGNORECASE)
_ALWAYS_ON = re.compile(r"24\s*小时|随时在线|全天候|时刻在线|24\s*/\s*7|24\s*hours|around the clock|at any time",
                        re.IGNORECASE)
_AT_ALL_FOR_ALL = re.compile(r"(任何人|所有成员|人人).{0,6}@所有人|anyone.{0,10}@all", re.IGNORECASE)
_VAGUE = re.compile(r"及时|适当|尽快|尽早|酌情|as soon as possible|asap|timely|promptly|appropriate(ly)?|"
                    r"in due course", re.IGNORECASE)
_CAP = re.compile(r"(不得|不超过|最多|限).{0,6}\d*\s*个?(工作)?群|群(的)?数量|"
                  r"(no more than|at most|limit(ed)? to|cap).{0,20}groups|number of groups", re.IGNORECASE)


@dataclass(frozen=True)
class Finding:
    code: str
    reason: str
    fix: str


def lint(answers: AnswersBase, catalogue: Catalogue, on: date) -> list[Finding]:
    lang, group = answers.lang, answers.group
    t = messages(lang)["lint"]
    chosen = {r.id for r in catalogue.chosen_rules(group.kind, answers.rules.on, answers.rules.off)}
    customs = [c.text for c in answers.rules.custom]
    findings = []

    def find(code: str, **values):
        findings.append(Finding(code, t[code]["reason"].format(**values), t[code]["fix"]))

    if any(_MANDATORY.search(text) for text in customs):
        find("mandatory-replies")
    if "posting.quiet-hours" not in chosen or any(_ALWAYS_ON.search(text) for text in customs):
        find("no-quiet-hours")
    people = len(answers.members) + 1
    if people >= LARGE_GROUP and ("posting.at-all" not in chosen or any(_AT_ALL_FOR_ALL.search(x) for x in customs)):
        find("at-all-open", members=people)
    if group.kind == "temporary" and group.dissolve_on and (group.dissolve_on - group.created).days > TEMPORARY_DAYS:
        find("temporary-too-long", days=(group.dissolve_on - group.created).days)
    if group.dissolve_on and group.dissolve_on < on and not answers.dissolved_on:
        find("past-dissolution", date=long_date(group.dissolve_on, lang))
    if answers.successor is None:
        find("no-successor")
    if group.kind == "standing" and "lifetime.review" not in chosen:
        find("no-review")
    for index, text in enumerate(customs, start=1):
        vague = _VAGUE.search(text)
        if vague and not re.search(r"\d|[一二两三四五六七八九十百]+\s*(天|日|小时|分钟|周|个月|次)", text):
            find("vague-rule", index=index, word=vague.group(0))
        if _CAP.search(text):
            find("group-cap", index=index)
    return findings
