"""A unit's own profiles and audiences, checked as answers are: each parameter default a value the
parameter allows, each audience named one that exists, each word printable (on one line where it is
printed in a line of the announcement). A unit folder may come from anyone."""

from __future__ import annotations

import re
from collections.abc import Mapping

from pydantic import TypeAdapter, ValidationError

from ..core.errors import Problem
from ..core.i18n import text
from ..core.tomlfile import Loc, line_of
from .answers import BIDI_CONTROLS, CONTROL_CHARS, LINE_BREAKS, param_field
from .catalogue import Catalogue, Facet, Rule
from .validation import error_message

AUDIENCE_ID = re.compile(r"^[a-z][a-z0-9-]{0,39}$")
# The words printed inside a line of the announcement, the poster's footer or a rule.
ONE_LINE_WORDS = ("rules_posted_at", "records_what", "records_place", "file_subject")


def facet_problems(facets: Mapping[str, Mapping[str, Facet]], rules: list[Rule], catalogue: Catalogue,
                   lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    """Every problem of a unit's profiles and audiences (facets: "profiles" and "audiences", by name)."""
    problems: list[Problem] = []
    for table, named in facets.items():
        for name, facet in named.items():
            where: Loc = (table, name)
            if table == "audiences" and not AUDIENCE_ID.match(name):
                problems.append(Problem(f"{table}.{name}", text(lang, "errors.audience_id"), line_of(lines, where)))
            problems += _params(facet, catalogue, where, lines, lang)
            problems += _words(facet, where, lines, lang)
            audience = getattr(facet, "audience", None)
            if audience is not None and audience not in catalogue.audiences:
                problems.append(_unknown_audience(f"{table}.{name}.audience", audience, catalogue,
                                                  line_of(lines, (*where, "audience")), lang))
    for index, rule in enumerate(rules):
        for audience in rule.audiences:
            if audience not in catalogue.audiences:
                problems.append(_unknown_audience(f"rules[{index}].audiences", audience, catalogue,
                                                  line_of(lines, ("rules", index, "audiences")), lang))
    return problems


def _unknown_audience(field: str, audience: str, catalogue: Catalogue, line: int | None, lang: str) -> Problem:
    return Problem(field, text(lang, "errors.unknown_audience", audience=audience[:60],
                               expected=", ".join(catalogue.audiences)), line)


def _params(facet: Facet, catalogue: Catalogue, where: Loc, lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    tables = {"params": facet.params, "params_zh": facet.params_zh, "params_en": facet.params_en,
              **{f"params_several.{language}": values for language, values in facet.params_several.items()}}
    problems: list[Problem] = []
    for table, values in tables.items():
        for name, value in values.items():
            field = ".".join((*map(str, where), table, name))
            line = line_of(lines, (*where, *table.split("."), name))
            param = catalogue.params.get(name)
            if param is None:
                problems.append(Problem(field, text(lang, "errors.extra_forbidden"), line))
                continue
            try:
                TypeAdapter(param_field(param)[0]).validate_python(value)
            except ValidationError as error:
                problems.append(Problem(field, error_message(lang, error.errors()[0]), line))
    return problems


def _words(facet: Facet, where: Loc, lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    problems: list[Problem] = []
    labels = {"zh": facet.zh, "en": facet.en, "help_zh": facet.help_zh, "help_en": facet.help_en}
    words = {**labels, **{f"words.{language}.{key}": value for language, by_key in facet.words.items()
                          for key, value in by_key.items()}}
    for key, value in words.items():
        one_line = key in labels or key.rsplit(".", 1)[-1] in ONE_LINE_WORDS
        if CONTROL_CHARS.search(value) or BIDI_CONTROLS.search(value) or (one_line and LINE_BREAKS.search(value)):
            problems.append(Problem(".".join((*map(str, where), key)), text(lang, "errors.unprintable_word"),
                                    line_of(lines, (*where, *key.split(".")))))
    return problems
