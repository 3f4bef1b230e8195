"""The questionnaire as a web form: a post is walked through the questions engine exactly as the
terminal walks its prompts, so the answers written are the answers posted.

The page shows every question a section may ask (the page's script hides those that do not
apply yet); each field's name is its answers-file key, and `_shown` lists the fields the
posted page had, so a field the page did not show keeps its answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...core.dates import long_date, weekday
from ...core.dotted import get, merged
from ...core.errors import InputError, input_error
from ...core.i18n import lang_or, messages, text
from ...core.tomlfile import parse_toml
from ...schema.answers import AnswersBase, answers_from
from ...schema.group import validate_for
from ..question import AS_ANSWERED, KEEP, Question, Shown, kind_of, lang_of, preset_of
from ..questions import SECTIONS, Engine
from ..rewording import catalogue_texts, locked, reword, rewordings
from ..spreadsheets import MEMBER_COLUMNS, parse_members

MAX_CUSTOM_RULES = 20
_CUSTOM_TEXT = Question("rules.custom.text", "textarea", "", schema_key="rules.custom.text")
_CUSTOM_FIELD = re.compile(r"^rules\.custom\.(\d+)\.")
REWORD = "rules.text."  # + a rule id: the field of the group's own wording of that rule
WORDED = "_worded."  # + a rule id: the catalogue's wording the page drew (posted unchanged: not an answer)


@dataclass
class FormState:
    """The questionnaire as a page: the answers posted, what was typed, what is wrong, and what to ask."""
    engine: Engine
    answers: dict
    max_members: int
    raw: dict[str, str] = field(default_factory=dict)  # what was typed where it could not be kept
    errors: dict[str, str] = field(default_factory=dict)  # field key -> message
    general: list[str] = field(default_factory=list)  # problems no single field shows
    sections: list[tuple[str, list[Question]]] = field(default_factory=list)
    model: AnswersBase | None = None
    namesake: str | None = None  # the folder of the open group this one would be a twin of
    tried: bool = False  # write was pressed: every problem is shown, reached or not
    worded: dict[str, str] = field(default_factory=dict)  # each offered rule as the catalogue words it now

    @property
    def lang(self) -> str:
        return lang_of(self.answers)

    @property
    def kind(self) -> str:
        return kind_of(self.answers)

    @property
    def profile(self) -> str:
        return preset_of(self.answers).profile

    @property
    def life(self) -> int | None:
        return preset_of(self.answers).lifetime_days

    def applies(self, question: Question) -> bool:
        return self.engine.applies(question, self.answers)

    def label(self, question: Question) -> str:
        """The question's words on a page: the terminal's keystroke hints have no place here."""
        t = messages(self.lang)
        category = question.key.removeprefix("rules.")
        if question.type == "checkbox" and category in t["categories"]:
            return t["categories"][category]
        return t["web"]["labels"].get(question.key, question.label)

    def shown(self, question: Question):
        """What the field shows: what was typed, else the answer, else the question's default."""
        if question.key in self.raw:
            return self.raw[question.key]
        if question.type in ("checkbox", "confirm"):
            return self.engine.current(question.key, self.answers) if question.key != "show_roster" \
                else bool(self.answers.get("show_roster"))
        if question.type == "members":
            return members_text(self.answers.get("members", []), self.lang)
        value = question.default
        return value.isoformat() if isinstance(value, date) else ("" if value is None else value)

    def custom_rules(self, question: Question) -> list[dict]:
        """The custom rules to show, each with what was typed, and one blank to add another."""
        kept = [{"category": rule.get("category", "enforcement"),  # a file leaves the default category out
                 "text": self.raw.get(f"rules.custom.{i}.text", rule["text"])}
                for i, rule in enumerate(question.default)]
        return kept + [{"category": "enforcement", "text": ""}] if len(kept) < MAX_CUSTOM_RULES else kept

    def rule_text(self, rule_id: str) -> str:
        """A rule's text as it stands for this group: its own wording, else the catalogue's."""
        return rewordings(self.answers).get(rule_id) or self.worded.get(rule_id, "")

    def reworded(self, rule_id: str) -> bool:
        return rule_id in rewordings(self.answers)

    def rule_locked(self, rule_id: str) -> bool:
        return locked(self.engine, rule_id)

    def summary(self) -> list[tuple[str, str]]:
        """Every problem as (the id of its field or "", "label: message"), in the page's order."""
        t = messages(self.lang)["web"]
        items = []
        for _, questions in self.sections:
            for question in questions:
                if question.key in self.errors:
                    items.append((question.dom_id, f"{self.label(question)}{t['colon']}{self.errors[question.key]}"))
                if question.type == "checkbox":
                    items += [(f"reword-{rule_id}", f"{label}{t['colon']}{self.errors[REWORD + rule_id]}")
                              for rule_id, label in question.choices if REWORD + rule_id in self.errors]
                if question.type == "custom_rules":
                    for key in sorted((k for k in self.errors if _CUSTOM_FIELD.match(k)), key=_custom_index):
                        number = _custom_index(key) + 1
                        items.append((f"custom-{number - 1}-text",
                                      f"{t['custom_rule'].format(number=number)}{t['colon']}{self.errors[key]}"))
        return items + [("", problem) for problem in self.general]


    def field_problems(self) -> list[dict]:
        """Each field's problem, for the page's script to show beside it as the answers are typed:
        the field's id, the id of its error, the message."""
        found = [{"input": q.dom_id, "error": f"error-{q.dom_id}", "message": self.errors[q.key]}
                 for _, questions in self.sections for q in questions if q.key in self.errors]
        found += [{"input": f"reword-{rule_id}", "error": f"error-reword-{rule_id}", "message": message}
                  for key, message in self.errors.items() if key.startswith(REWORD)
                  for rule_id in (key.removeprefix(REWORD),)]
        return found + [{"input": f"custom-{index}-text", "error": f"error-custom-{index}", "message": message}
                        for key, message in self.errors.items() if _CUSTOM_FIELD.match(key)
                        for index in (_custom_index(key),)]

    def understood(self, question: Question) -> str:
        """The date a date field's answer means, as the terminal says it: → 2027年3月7日，星期日."""
        value = get(self.answers, question.key)
        if question.key in self.errors or not isinstance(value, date):
            return ""
        return text(self.lang, "ask.date_understood", date=long_date(value, self.lang),
                    weekday=weekday(value, self.lang)).strip()

    def understood_dates(self) -> dict[str, str]:
        return {q.dom_id: self.understood(q) for _, questions in self.sections for q in questions if q.type == "date"}

    def quiet_unreached(self, form) -> None:
        """A redraw (the kind or the language changed) names no problem of a field left empty: the
        user has not got there yet. What was typed wrong is still said."""
        for key in [key for key in self.errors if not (form.get(key) or "").strip()]:
            del self.errors[key]


def _custom_index(key: str) -> int:
    return int(_CUSTOM_FIELD.match(key).group(1))


def members_text(members: list[dict], lang: str) -> str:
    """Members as the form's textarea shows them: a header row, then one CSV line each, roles in
    words (with the header, a member named like a column is still a member)."""
    if not members:
        return ""
    words = messages(lang)
    roles = words["roles"]
    rows = [[words["columns"][column] for column in MEMBER_COLUMNS]]
    for member in members:
        role = member.get("role", "member")
        rows.append([member.get("name", ""), member.get("unit", ""), member.get("title", ""),
                     "" if role == "member" else roles[role]])
    return "".join(",".join(map(_typed_cell, row)) + "\n" for row in rows)


def _typed_cell(value: str) -> str:
    # quoted wherever the form would read a separator (， and 、 too) or a quote
    if any(c in value for c in ',，、"'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _posted(form, key: str, default: str | None = "") -> str | None:
    """A posted text as typed: browsers send a textarea's line breaks as CRLF."""
    value = form.get(key, default)
    return value.replace("\r\n", "\n") if value is not None else None


def _posted_custom_rules(form, question: Question, state: FormState) -> list[dict]:
    """The custom rules posted as rules.custom.N.text/category, blanks left out, each checked."""
    categories = {c for c, _ in question.choices}
    rules = []
    for index in range(MAX_CUSTOM_RULES + 1):
        body = _posted(form, f"rules.custom.{index}.text", None)
        if body is None:
            break
        if not body.strip():
            continue
        category = form.get(f"rules.custom.{index}.category", "enforcement")
        value, problem = state.engine.check(_CUSTOM_TEXT, body, state.answers)
        if problem:
            state.errors[f"rules.custom.{len(rules)}.text"] = problem
            state.raw[f"rules.custom.{len(rules)}.text"] = body
        rules.append({"category": category if category in categories else "enforcement", "text": value or body})
    return rules[:MAX_CUSTOM_RULES]


def _members(form, question: Question, state: FormState):
    raw = _posted(form, question.key)
    members, problems = parse_members(raw, state.lang, header_optional=True)
    if not problems and len(members) > state.max_members:
        problems = [text(state.lang, "web.too_many_members", limit=state.max_members, count=len(members))]
    if problems:
        state.raw[question.key] = raw
        state.errors[question.key] = messages(state.lang)["semicolon"].join(problems)
        return KEEP
    return [m.model_dump(exclude_defaults=True) for m in members]


def _answer_from_form(form, state: FormState, shown_keys: set[str]):
    """answer_for for the engine: the posted value of a question, checked as the terminal checks it."""
    def answer_for(question: Question):
        if question.key not in shown_keys:
            return KEEP  # the page that was posted did not have this field
        if question.type == "confirm":
            return question.key in form
        if question.type == "checkbox":
            allowed = {value for value, _ in question.choices} | question.accepts
            return [value for value in form.getlist(question.key) if value in allowed]
        if question.type == "members":
            return _members(form, question, state)
        if question.type == "custom_rules":
            return _posted_custom_rules(form, question, state)
        raw = _posted(form, question.key)
        value, problem = state.engine.check(question, raw, state.answers)
        if problem and question.required and not raw.strip():  # "cannot read this date" says too little
            problem = text(state.lang, "errors.string_too_short")
        if problem:
            state.raw[question.key] = raw
            state.errors[question.key] = problem
            return KEEP
        return value
    return answer_for


def build_form(start: dict, engine: Engine, max_members: int, form=None) -> FormState:
    """Walk every section through the engine; with a posted form, its answers are the answers."""
    state = FormState(engine, merged({}, start), max_members)
    # The kind the page shows selected is the kind the questions follow, with or without script.
    state.answers.setdefault("group", {}).setdefault("kind", kind_of(state.answers))
    if form is not None:
        shown_keys = set(form.getlist("_shown"))
        # the language, kind, profile and days of life the posted page drew its defaults and ticks for
        life = form.get("_life")
        shown = Shown(lang_or(form.get("_lang"), state.lang), form.get("_kind") or state.kind,
                      form.get("_profile") or None,
                      AS_ANSWERED if life is None else int(life) if life.isdigit() else None)
        answer_for = _answer_from_form(form, state, shown_keys)
        for section in SECTIONS:
            engine.walk(section, state.answers, answer_for, shown)
        _keep_hidden_parameters(form, state, shown_keys, shown)
    state.sections = [(section, engine.questions(section, state.answers)) for section in SECTIONS]
    # the rules the page ticks, whose wording it shows beside them (a wording changes no question)
    state.worded = catalogue_texts(engine, state.answers, [rule_id for _, questions in state.sections for q in questions
                                                           if q.type == "checkbox" for rule_id, _ in q.choices])
    if form is not None:
        _posted_rewordings(form, state)
    if not state.errors:
        _validate_whole(state)
    if form is None:  # a fresh form has nothing wrong yet, only things not answered yet
        state.errors.clear()
        state.general.clear()
    return state


def _keep_hidden_parameters(form, state: FormState, shown_keys: set[str], shown: Shown) -> None:
    """A parameter none of whose rules is ticked is not asked, but the answers still hold it (the
    terminal keeps it too): the page carries it hidden, and it is kept as posted when valid."""
    for question in state.engine.questions("rules", state.answers):
        if question.key.startswith("rules.params.") and question.key in shown_keys and not state.applies(question):
            value, problem = state.engine.check(question, _posted(form, question.key), state.answers)
            if problem is None:
                state.engine.apply(question, value, state.answers, shown)


def _posted_rewordings(form, state: FormState) -> None:
    """Each rule's wording as posted, where it differs from what the page showed (a text the page
    drew for other answers so far, left as it was, is no wording of the owner's)."""
    for key in [key for key in form if key.startswith(REWORD)]:
        rule_id, typed = key.removeprefix(REWORD), _posted(form, key)
        if rule_id not in state.worded or typed == _posted(form, WORDED + rule_id, typed):
            continue
        problem = reword(state.engine, state.answers, rule_id, typed, state.worded[rule_id])
        if problem:
            state.raw[key] = typed
            state.errors[key] = problem


def _validate_whole(state: FormState) -> None:
    """Checks across answers (a dissolution date before creation): each by its field where the page has one."""
    keys = {q.key for _, questions in state.sections for q in questions if state.applies(q)}
    try:
        state.model = state.engine.validate(state.answers)
    except InputError as error:
        for problem in error.problems:
            path = re.sub(r"\[(\d+)\]", r".\1", problem.path)
            key = "members" if path.startswith("members.") else path
            if key in keys or _CUSTOM_FIELD.match(key):
                state.errors.setdefault(key, problem.message)
            else:
                state.general.append(problem.message)


def answers_from_upload(content: bytes, name: str, engine: Engine,
                        lang: str) -> tuple[dict, tuple[str, set[str]] | None]:
    """An uploaded answers file as the start of a new charter, as `charter new --from` takes one,
    and the unit it was made with: its name and the names it may go by (None without one);
    InputError names the line of what is wrong."""
    try:
        source_text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise input_error(lang, "unreadable", source=name, detail="UTF-8") from None
    data = parse_toml(source_text, name)
    names = {str(data[key]) for key in ("unit_name", "unit_path") if data.get(key)}
    if data.get("unit"):
        names.add(Path(str(data["unit"])).name)  # a bundled unit by name, or its folder's name
    called = str(data.get("unit_name") or Path(str(data.get("unit"))).name)
    answers = answers_from(validate_for(data, engine.unit, name, source_text, strict=True), engine.today)
    return answers, (called, names) if names else None
