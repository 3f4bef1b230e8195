"""What one question is, and how answers given so far are read: the types the questions engine,
the terminal and the web form share."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..core.dotted import get
from ..core.i18n import environment_lang, lang_or
from ..schema.catalogue import DEFAULT_PROFILE, KINDS, Preset
from ..schema.organisations import organisations_of

KEEP = object()  # from answer_for: leave this answer as it is
AS_ANSWERED = "as answered"


@dataclass(frozen=True)
class When:
    """A question applies when the answer to `key` is (or, for a list, holds) one of `values`."""
    key: str
    values: frozenset


@dataclass(frozen=True)
class Question:
    key: str  # the answers-file field, e.g. group.dissolve_on
    type: str  # text | textarea | select | confirm | date | int | checkbox | members | custom_rules
    label: str  # the question, in the answers' language
    hint: str = ""  # an example or the accepted forms
    choices: list[tuple[Any, str]] = field(default_factory=list)
    default: Any = None
    schema_key: str | None = None  # the field whose schema rules apply, when not `key`
    optional: bool = False  # an empty answer removes the key
    required: bool = False  # the answers file cannot do without it
    examples: list[str] = field(default_factory=list)  # offered to pick from, then edit
    when: tuple[When, ...] = ()  # applies when any of these holds; () always
    accepts: frozenset = frozenset()  # answers taken beyond the choices shown (another profile's rule switched on)
    implied: Any = None  # what the answers mean when the key is absent: an answer equal to it is not kept

    @property
    def dom_id(self) -> str:
        return self.key.replace(".", "-")


@dataclass(frozen=True)
class Shown:
    """The language and kind a question's default was shown for: an answer equal to that default
    was not edited, so it follows the new default when the language or kind changes."""
    lang: str
    kind: str
    profile: str | None = None  # None: the profile the answers have now
    # the days of life the defaults were drawn for (a day count is fitted to it); AS_ANSWERED: the answers' own
    life: int | None | str = AS_ANSWERED


def lang_of(answers: dict) -> str:
    return lang_or(answers.get("lang"), environment_lang())


def kind_of(answers: dict) -> str:
    kind = get(answers, "group.kind")
    return kind if kind in KINDS else "temporary"


def units_in(answers: dict) -> tuple[str, ...]:
    """The units of the people listed so far."""
    people = [answers.get("owner"), answers.get("successor"), *answers.get("members", [])]
    return tuple(str(p.get("unit") or "") for p in people if isinstance(p, dict))


def organisations_in(answers: dict) -> str:
    """One organisation or several: the answer, else as the units of the people listed so far suggest."""
    return get(answers, "group.organisations") or organisations_of(units_in(answers))


def preset_of(answers: dict, shown: Shown | None = None) -> Preset:
    """What the defaults shown for these answers depend on (as shown, when `shown` says)."""
    created, dissolve = get(answers, "group.created"), get(answers, "group.dissolve_on")
    days = (dissolve - created).days if isinstance(created, date) and isinstance(dissolve, date) else None
    if shown is not None and shown.life != AS_ANSWERED:
        days = shown.life
    return Preset(shown.kind if shown else kind_of(answers), shown.lang if shown else lang_of(answers),
                  (shown and shown.profile) or get(answers, "group.profile", DEFAULT_PROFILE), days,
                  get(answers, "group.audience"), organisations_in(answers),  # type: ignore[arg-type]
                  (str(get(answers, "group.name", "")), str(get(answers, "group.purpose", ""))), units_in(answers))
