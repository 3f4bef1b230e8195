"""The answers file's schema: the pydantic models every answers file and every form validates into."""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias, cast

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, create_model
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from ..core.clock import EARLIEST, LATEST
from ..core.dates import add_months
from ..core.dotted import Tree
from .catalogue import DEFAULT_PROFILE, Catalogue, Kind, Param, ParamValue, Preset, builtin_catalogue
from .organisations import Organisations, organisations_of

Lang = Literal["zh", "en"]
Platform = Literal["wechat", "wecom", "dingtalk", "feishu", "qq", "slack", "teams", "other"]
Role = Literal["owner", "admin", "member", "guest"]


# Bidi embeddings, overrides and isolates reorder the text after them, so a name could
# make the printed rules read differently from what was typed (right-to-left script
# itself is fine).
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


# Unicode's control characters (category Cc) are exactly these, and its line and paragraph
# separators (Zl, Zp) exactly U+2028 and U+2029: a pattern checks them at C speed, which counts
# when a register of thousands of groups is read.
CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # all but tab and line feed
LINE_BREAKS = re.compile("[\n\t\u2028\u2029]")


def _no_control_chars(value: str) -> str:
    # Line breaks and tabs are how people write; other control characters only ever
    # come from a paste gone wrong and would print as nothing or as boxes.
    if CONTROL_CHARS.search(value):
        raise PydanticCustomError("control_chars", "contains control characters")
    if BIDI_CONTROLS.search(value):
        raise PydanticCustomError("bidi_controls", "contains text-direction control characters")
    return value


def _one_line(value: str) -> str:
    # A name is printed in tables, file names and calendar titles, where a line break breaks them
    # (U+2028 and U+2029 are line breaks too).
    if LINE_BREAKS.search(value):
        raise PydanticCustomError("line_break", "must be one line")
    return value


_INVISIBLE = ("Cf", "Zs", "Zl", "Zp", "Mn", "Me")
# letters and symbols that print as nothing: Hangul fillers (the usual "blank" chat nickname),
# the Braille blank, Khmer inherent vowels, the Mongolian vowel separator
_BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800\u17b4\u17b5\u180e")


def _visible(value: str) -> str:
    # A zero-width space passes "not empty" but prints as nothing: a name nobody can read.
    if value and all(unicodedata.category(c) in _INVISIBLE or c in _BLANK_LOOKING for c in value):
        raise PydanticCustomError("string_too_short", "should have at least 1 character", {"min_length": 1})
    return value


def _printable(value: str) -> str:
    return _visible(_no_control_chars(value))


def _printable_line(value: str) -> str:
    return _one_line(_printable(value))


# Text a person types: trimmed, then measured, then checked to print (a name on one line).
_PRINTABLE = AfterValidator(_printable)
_ONE_LINE = AfterValidator(_printable_line)


def _length(max_length: int, min_length: int = 1) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=min_length, max_length=max_length)


Name: TypeAlias = Annotated[str, _length(40), _ONE_LINE]
Label: TypeAlias = Annotated[str, _length(60, min_length=0), _ONE_LINE]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Person(StrictModel):
    name: Name
    unit: Label = ""
    title: Label = ""


class Member(Person):
    role: Role = "member"


# Dates a work group can have: far-off years only ever come from a typo, and near 9999 the
# calendar arithmetic itself overflows.
Day = Annotated[date, Field(ge=EARLIEST, le=LATEST)]


def _no_hidden_marks(value: str) -> str:
    # A phone number or a place is read, dialled and copied: a zero-width space or a direction mark
    # inside one (invisible format characters) breaks tap-to-call and the copy.
    if any(unicodedata.category(c) == "Cf" for c in value):
        raise PydanticCustomError("hidden_marks", "contains invisible formatting characters")
    return value


Place: TypeAlias = Annotated[str, _length(80, min_length=0), _ONE_LINE, AfterValidator(_no_hidden_marks)]


class Records(StrictModel):
    """Who keeps the group's records, which ones, and where; each left out is the usual one."""
    keeper: Annotated[str, _length(40, min_length=0), _ONE_LINE] = Field(
        default="", description="the person who saves them, so that nobody else need (the owner when not given)")
    what: Label = Field(default="", description="which records: duty logs, the issues list, the project files")
    place: Place = Field(default="", description="where they are kept: an archive, a shared drive, a folder")


class Group(StrictModel):
    name: Annotated[str, _length(60), _ONE_LINE]
    purpose: Annotated[str, _length(2000), _PRINTABLE]
    platform: Platform = "wechat"
    kind: Kind
    profile: str = Field(default=DEFAULT_PROFILE, description="what the group is for; the catalogue's profiles")
    audience: str | None = Field(default=None, description=(
        "who the members are (government, school, parents, health, residents, company or a unit's own); "
        "when not given, the profile's usual members, else those the group's name or purpose suggests, "
        "else government staff (zh) or a company team (en)"))
    organisations: Organisations | None = Field(default=None, description=(
        "whether the members come from one organisation or several; when not given, several if the "
        "people listed name more than one unit"))
    urgent_contact: Place = Field(default="", description=(
        "how to reach someone at once: a phone number, a duty room; printed first wherever urgency is"))
    records: Records | None = Field(default=None, description=(
        "who keeps which records where; when not given, the owner keeps the group's usual records in the usual place"))
    rules_posted_at: Place = Field(default="", description=(
        "where the full rules can be read; named by the page, the poster and the announcement alike"))
    created: Day
    dissolve_on: Day | None = None
    review_every_months: Annotated[int, Field(ge=1, le=24)] | None = None


# Markdown nests quotes, lists and emphasis without end, and python-markdown recurses for each
# level: 200 `>` or a thousand `*` ended a render in a RecursionError. A rule needs a few levels.
MAX_MARKDOWN_NESTING = 8
_DEEP_MARKDOWN = re.compile(r"^(?:[ \t]*(?:>|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))){%d}|[*_]{%d}"
                            % (MAX_MARKDOWN_NESTING + 1, 2 * MAX_MARKDOWN_NESTING + 1), re.MULTILINE)


def _shallow_markdown(value: str) -> str:
    if _DEEP_MARKDOWN.search(value):
        raise PydanticCustomError("markdown_too_deep", "Markdown nested more than {depth} levels",
                                  {"depth": MAX_MARKDOWN_NESTING})
    return value


class CustomRule(StrictModel):
    category: str = "enforcement"
    text: Annotated[str, _length(4000), _PRINTABLE, AfterValidator(_shallow_markdown)] = Field(
        description="Markdown; raw HTML is removed; quotes and lists nested at most 8 levels.")


# Caps a real group stays far below, stated in the schema: past them a file is refused before
# anything is rendered (20,000 rules of one's own once took a minute to lay out).
MAX_CUSTOM_RULES = 50
MAX_MEMBERS = 5000
MAX_RULE_IDS = 200
MAX_EVENTS = 1000
RuleId = Annotated[str, StringConstraints(max_length=80)]  # an unknown id is named by the catalogue's check
Recorded: TypeAlias = Annotated[str, _length(1000, min_length=0), _ONE_LINE]
# A group's own wording of a catalogue rule: printed as written, never filled in as a rule text is.
RuleText: TypeAlias = Annotated[str, _length(2000), _ONE_LINE]  # one line, as every rule is: a numbered list stays one


class RulesBase(StrictModel):
    off: list[RuleId] = Field(default=[], max_length=MAX_RULE_IDS, description="ids of rules switched off")
    on: list[RuleId] = Field(default=[], max_length=MAX_RULE_IDS, description="ids of rules switched on")
    custom: list[CustomRule] = Field(default=[], max_length=MAX_CUSTOM_RULES, description="rules of your own")
    text: dict[RuleId, RuleText] = Field(default={}, max_length=MAX_RULE_IDS, description=(
        "rule id -> this group's own wording of that rule, in place of the catalogue's; plain text, "
        "printed as written ({{ }} included), also in the announcement and on the poster"))


if TYPE_CHECKING:
    class _Rules(RulesBase):
        """The rules table of every model answers_model builds: the catalogue's parameters are a
        model of their own, made at run time."""
        params: BaseModel


class Event(StrictModel):
    """Something that happened to the group after its charter was written."""
    event: Literal["dissolved", "renewed"]
    on: Day
    reason: Annotated[str, _length(200, min_length=0), _PRINTABLE] = ""
    until: Day | None = Field(default=None, description="renewed: the new dissolution or next review date")


# What a render records of its unit in the charter.toml it writes (not answers a user gives).
RENDER_RECORD = ("unit", "unit_name", "unit_version", "unit_path", "unit_locked")


class AnswersBase(StrictModel):
    lang: Lang = "zh"
    unit: Recorded | None = Field(default=None, description="the unit folder, relative to this file")
    unit_name: Recorded | None = Field(default=None, description="the unit's name when last rendered")
    unit_version: Recorded | None = Field(default=None, description="the unit's version when last rendered")
    unit_path: Recorded | None = Field(default=None, description="the unit folder's absolute path when last rendered")
    unit_locked: dict[str, Any] | None = Field(default=None, description="the unit's locked answers when last rendered")
    show_roster: bool = False
    group: Group
    owner: Person
    successor: Person | None = None
    members: list[Member] = Field(default=[], max_length=MAX_MEMBERS)
    history: list[Event] = Field(default=[], max_length=MAX_EVENTS)
    if TYPE_CHECKING:
        rules: _Rules  # added by answers_model, with the catalogue's parameters

    @property
    def dissolved_on(self) -> date | None:
        return next((e.on for e in reversed(self.history) if e.event == "dissolved"), None)

    def next_review(self) -> date | None:
        """A standing group's next review: the date its last renewal set, else N months after creation."""
        if self.group.review_every_months is None:
            return None
        renewed = [e.until for e in self.history if e.event == "renewed" and e.until]
        return renewed[-1] if renewed else add_months(self.group.created, self.group.review_every_months)

    def due_date(self) -> date:
        """The date the group needs its owner: its dissolution, or its next review."""
        due = self.group.dissolve_on or self.next_review()
        assert due is not None, "validation requires dissolve_on or review_every_months"
        return due

    def lifetime_days(self) -> int | None:
        """How many days the group lives from its creation; None for a standing group."""
        return (self.group.dissolve_on - self.group.created).days if self.group.dissolve_on else None

    def admins(self) -> list[Member]:
        return [m for m in self.members if m.role == "admin"]

    def organisations(self) -> Organisations:
        """One organisation or several: the answer, else several when the people listed name more than one unit."""
        if self.group.organisations:
            return self.group.organisations
        return organisations_of(p.unit for p in (self.owner, self.successor, *self.members) if p is not None)

    def preset(self) -> Preset:
        return Preset(self.group.kind, self.lang, self.group.profile, self.lifetime_days(),
                      self.group.audience, self.organisations(),
                      (self.group.name, self.group.purpose),
                      tuple(p.unit for p in (self.owner, self.successor, *self.members) if p is not None))

    def given_params(self) -> dict[str, int | str]:
        return self.rules.params.model_dump(exclude_none=True)

    def param_values(self, catalogue: Catalogue) -> dict[str, ParamValue]:
        """Every parameter: the answer where given, the default for this group otherwise."""
        return {**catalogue.param_defaults(self.preset()), **self.given_params()}


TIME_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"


def param_field(param: Param) -> tuple[Any, FieldInfo]:
    kind: Any  # a type built from the parameter's own limits and choices
    if param.type == "int":
        kind = Annotated[int, Field(ge=param.min, le=param.max)]
    elif param.type == "time":
        kind = Annotated[str, StringConstraints(pattern=TIME_PATTERN)]
    elif param.type == "choice":
        kind = Literal[tuple(param.choices)]
    else:
        kind = Annotated[str, _length(param.max_length or 80), _PRINTABLE]
    # Field() is typed as its default (so that `x: int = Field(default=1)` checks); it returns a FieldInfo
    return kind | None, cast(FieldInfo, Field(default=None, description=param.en))


def answers_model(catalogue: Catalogue) -> type[AnswersBase]:
    """The answers schema for a catalogue: its parameters become typed, checked fields.

    Built once per distinct set of parameters (a unit loaded again gives an equal catalogue,
    which must not build, and keep, another model)."""
    known = _by_catalogue.get(id(catalogue))
    if known is not None and known[0] is catalogue:  # the same object: no need to write its key again
        return known[1]
    key = json.dumps({"params": {name: param.model_dump(mode="json") for name, param in catalogue.params.items()},
                      "profiles": sorted(catalogue.profiles), "audiences": sorted(catalogue.audiences)}, sort_keys=True)
    if key not in _models:
        _models[key] = _build_answers_model(catalogue)
    if len(_by_catalogue) > 64:
        _by_catalogue.clear()
    _by_catalogue[id(catalogue)] = (catalogue, _models[key])
    return _models[key]


_models: dict[str, type[AnswersBase]] = {}
_by_catalogue: dict[int, tuple[Catalogue, type[AnswersBase]]] = {}


def _build_answers_model(catalogue: Catalogue) -> type[AnswersBase]:
    fields: dict[str, Any] = {name: param_field(p) for name, p in catalogue.params.items()}
    params = create_model("Params", __base__=StrictModel, **fields)
    rules = create_model("Rules", __base__=RulesBase, params=(params, params()))
    # The profiles are the catalogue's, a unit's among them.
    profiles: Any = Literal[tuple(catalogue.profiles)]
    audiences: Any = Literal[tuple(catalogue.audiences)]
    group = create_model("Group", __base__=Group, profile=(profiles, Field(
        default=DEFAULT_PROFILE, description=Group.model_fields["profile"].description)),
        audience=(audiences | None, Field(default=None, description=Group.model_fields["audience"].description)))
    return create_model("Answers", __base__=AnswersBase, group=(group, ...), rules=(rules, rules()))


def answers_schema(catalogue: Catalogue | None = None) -> dict[str, Any]:
    schema = answers_model(catalogue or builtin_catalogue()).model_json_schema()
    schema["title"] = "charter answers file"
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def answers_to_data(answers: AnswersBase) -> Tree:
    """The answers as plain TOML-ready data: what was chosen, without the defaults (lang always)."""
    data = answers.model_dump(mode="python", exclude_none=True, exclude_defaults=True)
    # all of it, for the register, but for the facts left to their usual values
    group = answers.group.model_dump(mode="python", exclude_none=True)
    records = {key: value for key, value in group.pop("records", {}).items() if value}
    data["group"] = {key: value for key, value in group.items() if value != ""} | ({"records": records} if records else {})
    if "unit_locked" in data:  # the record of a render, last: not where someone editing the answers looks
        data["unit_locked"] = data.pop("unit_locked")
    return {"lang": answers.lang, **data}


def answers_from(model: AnswersBase, today: date) -> Tree:
    """Another group's answers as the start of a new group's: what it chose, created today."""
    answers = answers_to_data(model)
    for recorded in ("history", *RENDER_RECORD):
        answers.pop(recorded, None)
    answers["group"]["created"] = today
    if answers["group"].get("dissolve_on") and answers["group"]["dissolve_on"] <= today:
        del answers["group"]["dissolve_on"]
    return answers
