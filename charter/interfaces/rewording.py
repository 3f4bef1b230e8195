"""A group's own wording of a catalogue rule (rules.text): how the terminal and the web form show
and keep it, the same way in both."""

from __future__ import annotations

from ..core.dotted import get
from ..core.errors import InputError
from ..core.i18n import text
from ..render.context import catalogue_wordings
from ..schema.catalogue import fill
from ..schema.validation import field_problem
from .question import lang_of
from .questions import Engine


def rewordings(answers: dict) -> dict[str, str]:
    """The group's own wordings, by rule id (a copy: reword() is the one way to change them)."""
    found = get(answers, "rules.text")
    return dict(found) if isinstance(found, dict) else {}


def catalogue_texts(engine: Engine, answers: dict, rule_ids: list[str]) -> dict[str, str]:
    """These rules as the catalogue words them for the group now; while the answers do not
    validate yet, with what is known so far (the rest left empty, as a tick's label is)."""
    rules = answers.get("rules")
    plain = {**answers, "rules": {k: v for k, v in rules.items() if k != "text"}} if isinstance(rules, dict) else answers
    try:
        return catalogue_wordings(engine.validate(plain), engine.catalogue, rule_ids)
    except InputError:
        lang = lang_of(answers)
        values = engine.rule_values(answers, lang)
        return {rule.id: fill(rule.wording(lang), values) for rule in engine.catalogue.rules if rule.id in rule_ids}


def locked(engine: Engine, rule_id: str) -> bool:
    return engine.unit is not None and rule_id in engine.unit.locked_rules


def reword(engine: Engine, answers: dict, rule_id: str, typed: str, catalogue_text: str) -> str | None:
    """Keep what the owner typed as the group's wording of a rule, or why it cannot be kept. Nothing
    typed, or the catalogue's own wording, goes back to the catalogue's text (which then follows
    the catalogue's improvements)."""
    lang = lang_of(answers)
    if locked(engine, rule_id):
        return text(lang, "errors.rule_locked", rule=rule_id, unit=engine.unit.info.name)  # type: ignore[union-attr]
    value = typed.replace("\r\n", "\n").strip()
    kept = rewordings(answers)
    if not value or value == catalogue_text:
        kept.pop(rule_id, None)
    else:
        problem = field_problem(engine.model, "rules.text", {rule_id: value}, lang)
        if problem:
            return problem
        kept[rule_id] = value
    if kept:
        answers.setdefault("rules", {})["text"] = kept
    elif isinstance(answers.get("rules"), dict):
        answers["rules"].pop("text", None)
        if not answers["rules"]:
            del answers["rules"]
    return None
