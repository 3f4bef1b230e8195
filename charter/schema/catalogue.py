"""The rule catalogue: rule texts and their parameters, loaded from data files."""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Literal

from jinja2 import StrictUndefined, TemplateError, TemplateRuntimeError, meta
from pydantic import BaseModel, ConfigDict, Field

from ..core.resources import data_file
from ..core.sandbox import CharterSandbox

Kind = Literal["temporary", "project", "standing"]
KINDS: tuple[str, ...] = ("temporary", "project", "standing")


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
    choices: dict[str, Choice] = {}

    def default_for(self, kind: str, lang: str) -> int | str:
        if kind in self.by_kind:
            return self.by_kind[kind]
        per_lang = self.default_zh if lang == "zh" else self.default_en
        return per_lang if per_lang is not None else self.default

    def label(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en

    def shown(self, value: int | str, lang: str) -> int | str:
        """The value as a rule text says it: a choice by its words, anything else as is."""
        if self.type == "choice":
            choice = self.choices[value]
            return choice.zh if lang == "zh" else choice.en
        return value


class Rule(_Data):
    id: str = Field(pattern=r"^[a-z]+\.[a-z0-9-]+$")
    category: str
    kinds: tuple[Kind, ...] = ()
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

    def params_named(self, lang: str) -> set[str]:
        """The names the rule's texts in a language use (parameters and facts)."""
        return names_in(self.wording(lang)) | names_in(self.wording(lang, brief=True))


class Categories(_Data):
    order: tuple[str, ...]


class Catalogue(_Data):
    categories: Categories
    params: dict[str, Param]
    rules: tuple[Rule, ...]

    def rule_ids(self) -> list[str]:
        return [rule.id for rule in self.rules]

    def chosen_rules(self, kind: str, on: list[str], off: list[str]) -> list[Rule]:
        """The rules a group has: its kind's defaults, plus those switched on, less those switched off."""
        return [r for r in self.rules if (kind in r.kinds or r.id in on) and r.id not in off]

    def param_defaults(self, kind: str, lang: str) -> dict[str, int | str]:
        return {name: param.default_for(kind, lang) for name, param in self.params.items()}

    def shown_params(self, kind: str, lang: str, given: dict) -> dict[str, int | str]:
        """Every parameter as a rule text says it: the given value or the default, choices in words."""
        values = {**self.param_defaults(kind, lang), **given}
        return {name: self.params[name].shown(value, lang) for name, value in values.items() if name in self.params}


# The group's facts a rule text may name besides the parameters (see catalogue.toml).
FACTS = ("group_name", "kind_label", "owner", "successor", "dissolve_on", "review_every_months", "next_review")


# Rule texts are plain text (escaped later by whichever document shows them). A unit's rule
# text is as untrusted as its templates: the same sandbox, and a name no parameter has is an
# error rather than a blank in the printed rule.
_rule_env = CharterSandbox(autoescape=False, keep_trailing_newline=False, undefined=StrictUndefined)


@cache
def compiled_rule(source: str):
    return _rule_env.from_string(source)


@cache
def names_in(source: str) -> frozenset[str]:
    return frozenset(meta.find_undeclared_variables(_rule_env.parse(source)))


def fill(source: str, values: dict) -> str:
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
