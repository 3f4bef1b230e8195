"""The rule catalogue: rule texts and their parameters, loaded from data files."""

from __future__ import annotations

import string
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any, Literal, TypeAlias

from jinja2 import FunctionLoader, StrictUndefined, Template, TemplateError, TemplateRuntimeError, meta
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..core.resources import data_file
from ..core.sandbox import CharterSandbox, bytecode_cache
from .organisations import Organisations

Kind = Literal["temporary", "project", "standing"]
KINDS: tuple[str, ...] = ("temporary", "project", "standing")
DEFAULT_PROFILE = "office"
SHORT_GROUP_DAYS = 7  # a group this short wraps up on its last day and keeps no quiet hours by default
# A parameter's value; None where a unit's parameter has no default.
ParamValue: TypeAlias = int | str | None


@dataclass(frozen=True)
class Preset:
    """What a group's default rules and parameters depend on: its lifetime kind, what it is for
    (its profile), its language, how many days it lives (None: a standing group), who its members
    are (None: the profile's or the language's usual audience) and whether they come from one
    organisation or several."""
    kind: str
    lang: str = "zh"
    profile: str = DEFAULT_PROFILE
    lifetime_days: int | None = None
    audience: str | None = None
    organisations: Organisations = "one"
    about: tuple[str, ...] = ()  # the group's name and purpose: their words suggest who its members are
    units: tuple[str, ...] = ()  # the units of the people listed, which say it first

    @property
    def short(self) -> bool:
        return self.lifetime_days is not None and self.lifetime_days <= SHORT_GROUP_DAYS


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Data):
    zh: str
    en: str


class Param(_Data):
    type: Literal["int", "time", "text", "choice"]
    zh: str
    en: str
    default: int | str | None = None
    default_zh: str | None = None
    default_en: str | None = None
    by_kind: dict[Kind, int | str] = {}
    min: int | None = None
    max: int | None = None
    max_length: int | None = None
    # A number of days that must fit the group's life: the default is at most a
    # lifetime_share-th of the days the group lives (a 3-day group's notice is 1 day, not 3).
    lifetime_share: int | None = None
    choices: dict[str, Choice] = {}

    def default_for(self, kind: str, lang: str) -> ParamValue:
        if kind in self.by_kind:
            return self.by_kind[kind]
        per_lang = self.default_zh if lang == "zh" else self.default_en
        return per_lang if per_lang is not None else self.default

    def fitted(self, value: ParamValue, lifetime_days: int | None) -> ParamValue:
        if not (self.lifetime_share and lifetime_days and isinstance(value, int)):
            return value
        return max(self.min or 1, min(value, lifetime_days // self.lifetime_share))

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def shown(self, value: ParamValue, lang: str) -> ParamValue:
        """The value as a rule text says it: a choice by its words, anything else as is."""
        if self.type == "choice":
            # a choice's value is one of its names; None (a unit's choice without a default) is a KeyError
            choice = self.choices[value]  # type: ignore[index]
            return choice.zh if lang == "zh" else choice.en
        return value


class Rule(_Data):
    id: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    category: str
    kinds: tuple[Kind, ...] = ()
    profiles: tuple[str, ...] = ()  # a profile's own rule: offered to these profiles only; () to all
    audiences: tuple[str, ...] = ()  # worded for these members only (school staff, parents …); () for all
    organisations: tuple[Organisations, ...] = ()  # for groups of one organisation or of several; () both
    # "short": on by default only for a group of a week or less; "long": only for the others
    lifetime: Literal["any", "short", "long"] = "any"
    zh: str
    en: str
    brief_zh: str | None = None
    brief_en: str | None = None
    announce: bool = True  # False: the owner's own task, left out of the group announcement

    def wording(self, lang: str, brief: bool = False) -> str:
        full = self.zh if lang == "zh" else self.en
        if not brief:
            return full
        return (self.brief_zh if lang == "zh" else self.brief_en) or full

    def params_named(self, lang: str) -> frozenset[str]:
        """The names the rule's texts in a language use (parameters and facts)."""
        return names_in(self.wording(lang)) | names_in(self.wording(lang, brief=True))


class Categories(_Data):
    order: tuple[str, ...]


def plain_placeholders(text: str) -> str:
    """A catalogue word is filled with str.format: only plain {name} placeholders, so that a unit's
    words can reach no attribute ({owner.__class__}) and ask for no padding ({owner:>999999999})."""
    for _, field, spec, conversion in string.Formatter().parse(text):
        if field is not None and (not field.isidentifier() or spec or conversion):
            raise ValueError(f"{{{field}}}: only plain placeholders such as {{owner}} may be used")
    return text


def fill_words(text: str, **values: object) -> str:
    """A word with its placeholders filled; one it does not know is left as written."""
    return text.format_map(_Known(values))


class _Known(dict[str, object]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Facet(_Data):
    """A fact about a group that shapes its defaults: what it is for (a profile), who its members are
    (an audience), whether they come from one organisation or several. Which rules it turns off and
    on, its parameter defaults and its own words (keys of messages/notices.toml and document.toml)."""
    zh: str
    en: str
    help_zh: str = ""
    help_en: str = ""
    off: tuple[str, ...] = ()
    on: tuple[str, ...] = ()
    params: dict[str, int | str] = {}
    params_zh: dict[str, int | str] = {}
    params_en: dict[str, int | str] = {}
    # its parameter defaults when the members come from several organisations (display names with the unit)
    params_several: dict[Literal["zh", "en"], dict[str, int | str]] = {}
    words: dict[Literal["zh", "en"], dict[str, str]] = {}

    @model_validator(mode="after")
    def _words_with_plain_placeholders(self) -> Facet:
        for by_key in self.words.values():
            for word in by_key.values():
                plain_placeholders(word)
        return self

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def help(self, lang: str) -> str:
        return (self.help_zh if lang == "zh" else self.help_en) or self.label(lang)

    def params_for(self, lang: str, organisations: str) -> dict[str, int | str]:
        several = self.params_several.get(lang, {}) if organisations == "several" else {}  # type: ignore[call-overload]
        return {**self.params, **(self.params_zh if lang == "zh" else self.params_en), **several}


class Profile(Facet):
    """What a group is for (an office's work, duty, parents, notices), with the rules its poster shows."""
    poster: tuple[str, ...] = ()  # the rules the notice-board poster shows, most important first
    audience: str | None = None  # whom a group of this profile is for, unless its answers say
    kind_shown: bool = True  # whether the page and poster name the group's kind beside the profile


class Hints(_Data):
    """Words in a group's name or purpose, by language."""
    zh: tuple[str, ...] = ()
    en: tuple[str, ...] = ()

    def found_in(self, text: str, lang: str) -> bool:
        return any(hint.lower() in text.lower() for hint in getattr(self, lang))


class Audience(Facet):
    """Who a group's members are, and the words in a group's name or purpose that suggest them."""
    hints: Hints = Hints()


class PlatformWords(_Data):
    """How a platform names what the rules talk about, in each language."""
    at_all: Choice  # everyone-mention: @所有人, @channel …
    confirm: Choice  # how a reader confirms without a reply chain: 接龙, read receipts, a reaction
    group_word: Choice  # what the platform calls the place: group, channel
    end: Choice  # how it ends: dissolve, archive
    ended: Choice
    end_date: Choice  # the label of the day it ends
    posted_at: Choice | None = None  # where the full rules usually are on this platform (not a fact: see usual_posted_at)
    # the emergency numbers where the platform is used: an English group on WeCom is in China
    emergency: Choice = Choice(zh="120、110或119", en="999")


class Catalogue(_Data):
    categories: Categories
    params: dict[str, Param]
    profiles: dict[str, Profile]
    platforms: dict[str, PlatformWords]
    audiences: dict[str, Audience]
    organisations: dict[Organisations, Facet]
    default_audience: Choice  # by language, for a profile that names none
    round_the_clock: Hints = Hints()  # words of work that goes on day and night (a ward's rota, a cutover)
    rules: tuple[Rule, ...]

    def rule_ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def profile(self, name: str) -> Profile:
        return self.profiles.get(name) or self.profiles[DEFAULT_PROFILE]

    def audience_of(self, preset: Preset) -> str:
        """Who the members are: the answer, else the profile's usual audience, else the one the
        group's name or purpose suggests (学校, volunteers …), else the language's."""
        usual = self.profile(preset.profile).audience
        name, purpose = (*preset.about, "", "")[:2]
        suggested = self._suggested((name,), preset.lang) or self._suggested(preset.units, preset.lang, most=True) \
            or self._suggested((purpose,), preset.lang)
        for audience in (preset.audience, usual, suggested, getattr(self.default_audience, preset.lang)):
            if audience in self.audiences:
                return audience
        return next(iter(self.audiences))

    def _suggested(self, texts: tuple[str, ...], lang: str, most: bool = False) -> str | None:
        hints = tuple((name, tuple(getattr(audience.hints, lang))) for name, audience in self.audiences.items())
        # asked for every rule of a render: a roster of thousands is counted once
        return _suggested(hints, tuple(text for text in texts if text), most)

    def facets(self, preset: Preset) -> tuple[Facet, ...]:
        """The group's facets, the most specific last: its organisations, its audience, its profile."""
        return (self.organisations[preset.organisations], self.audiences[self.audience_of(preset)],
                self.profile(preset.profile))

    def fits(self, rule: Rule, preset: Preset) -> bool:
        """The rule is worded for groups like this one (its profile, members and organisations)."""
        return ((not rule.profiles or preset.profile in rule.profiles)
                and (not rule.audiences or self.audience_of(preset) in rule.audiences)
                and (not rule.organisations or preset.organisations in rule.organisations))

    def offered(self, preset: Preset, switched_on: list[str] | tuple[str, ...] = ()) -> list[Rule]:
        """The rules a group like this can choose from: those worded for it, and any other the group
        has switched on (an answers file may name any rule)."""
        extra = {*(i for facet in self.facets(preset) for i in facet.on), *switched_on}
        return [r for r in self.rules if self.fits(r, preset) or r.id in extra]

    def on_by_default(self, rule: Rule, preset: Preset) -> bool:
        facets = self.facets(preset)
        if any(rule.id in facet.off for facet in facets):
            return False
        if any(rule.id in facet.on for facet in facets):
            return True
        lifetime_fits = rule.lifetime == "any" or (rule.lifetime == "short") == preset.short
        return preset.kind in rule.kinds and lifetime_fits and self.fits(rule, preset)

    def chosen_rules(self, preset: Preset, on: list[str], off: list[str]) -> list[Rule]:
        """The rules a group has: its kind's and facets' defaults, plus those switched on, less
        those switched off."""
        return [r for r in self.rules if (r.id in on or self.on_by_default(r, preset)) and r.id not in off]

    def param_defaults(self, preset: Preset) -> dict[str, ParamValue]:
        own: dict[str, int | str] = {}
        for facet in self.facets(preset):
            own.update(facet.params_for(preset.lang, preset.organisations))
        return {name: param.fitted(own[name] if name in own else param.default_for(preset.kind, preset.lang),
                                   preset.lifetime_days)
                for name, param in self.params.items()}

    def words(self, preset: Preset) -> dict[str, str]:
        """The words the group's facets say their own way, the most specific winning."""
        lang: Any = preset.lang  # "zh" or "en", as every Preset is made
        return {key: value for facet in self.facets(preset) for key, value in facet.words.get(lang, {}).items()}

    def shown_params(self, preset: Preset, given: Mapping[str, ParamValue]) -> dict[str, ParamValue]:
        """Every parameter as a rule text says it: the given value or the default, choices in words."""
        values = {**self.param_defaults(preset), **given}
        return {name: self.params[name].shown(value, preset.lang)
                for name, value in values.items() if name in self.params}

    def platform_facts(self, platform: str, lang: str) -> dict[str, str]:
        """The platform's words a rule text uses (at_all, confirm)."""
        words = self.platforms.get(platform) or self.platforms["other"]
        return {name: getattr(choice, lang) for name, choice in words if name in FACTS}


# The group's facts a rule text may name besides the parameters (see catalogue.toml).
FACTS = ("group_name", "kind_label", "owner", "successor", "dissolve_on", "review_every_months", "next_review",
         "platform", "profile", "admins", "admin_count", "acting", "at_all", "confirm", "group_word", "end", "ended",
         "end_date", "emergency", "short_group", "round_the_clock", "audience", "several", "urgent_contact", "records_keeper", "records_what",
         "records_place", "rules_posted_at", "example_name", "example_unit", "example_who", "file_example",
         "digest", "lifetime_days")


# Rule texts are plain text (escaped later by whichever document shows them). A unit's rule
# text is as untrusted as its templates: the same sandbox, and a name no parameter has is an
# error rather than a blank in the printed rule.
# A rule text is its own template name, so the bytecode cache keeps its compiled code too. The
# loader knows only the rule texts being compiled: `{% include %}` in one finds nothing else.
_rule_texts: set[str] = set()
_rule_env = CharterSandbox(autoescape=False, keep_trailing_newline=False, undefined=StrictUndefined,
                           loader=FunctionLoader(lambda name: (name, None, lambda: True) if name in _rule_texts else None),
                           bytecode_cache=bytecode_cache(), cache_size=0)


@cache
def compiled_rule(source: str) -> Template:
    _rule_texts.add(source)
    try:
        return _rule_env.get_template(source)
    finally:
        _rule_texts.discard(source)


@cache
@lru_cache(maxsize=64)
def _suggested(hints: tuple[tuple[str, tuple[str, ...]], ...], texts: tuple[str, ...], most: bool) -> str | None:
    """The audience the texts suggest most often (the first in the catalogue on a tie); with `most`,
    only one that at least half of them suggest. The group's name says it first, then the units of
    most of its people, and only then its purpose (a gas company's names the residents it serves)."""
    lowered = [text.lower() for text in texts]
    votes = Counter(name for text in lowered for name, words in hints if any(w.lower() in text for w in words))
    if not votes:
        return None
    best = max((name for name, _ in hints), key=lambda name: votes[name])
    return best if not most or votes[best] * 2 >= len(texts) else None


def names_in(source: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(_rule_env.parse(source)))


def fill(source: str, values: Mapping[str, Any]) -> str:
    """A rule text with its parameters and the group's facts (plain values) filled in (within the
    sandbox's budget). Whatever a rule text breaks is a TemplateError, the rule's fault."""
    try:
        return compiled_rule(source).render(**values)
    except (TemplateError, RecursionError):
        raise
    except Exception as error:  # 1/0, int("x"), a memory error: the text's doing
        raise TemplateRuntimeError(f"{type(error).__name__}: {error}") from None


@cache
def builtin_catalogue() -> Catalogue:
    return Catalogue.model_validate(tomllib.loads(data_file("catalogue.toml").read_text("utf-8")))
