"""Ready-to-send chat messages for the moments of a group's life, in the group's language."""

from __future__ import annotations

from datetime import date, timedelta

from ..core.dates import long_date
from ..core.errors import input_error
from ..schema.answers import AnswersBase
from ..schema.catalogue import fill_words
from ..schema.unit import Unit, catalogue_of
from .context import build_context, leader_address, person_detail, profile_words
from .templates import render_template

KINDS = ("welcome", "leave", "dissolve", "digest", "rules")


def _member(answers: AnswersBase, name: str):
    return next((m for m in answers.members if m.name == name), None)


def notice(answers: AnswersBase, unit: Unit | None, kind: str, member: str | None, on: date) -> str:
    """The message text. Each kind is a template (notice-<kind>.txt.j2) a unit can replace."""
    lang = answers.lang
    catalogue = catalogue_of(unit)
    context = build_context(answers, catalogue, unit=unit)
    templates = unit.templates if unit else None
    if kind == "rules":
        return render_template("announcement.txt.j2", context, templates, lang)
    if kind in ("welcome", "leave") and not member:
        raise input_error(lang, "notice_member", field="--member", kind=kind)
    params = answers.param_values(catalogue)
    words = profile_words(answers, catalogue)
    person = _member(answers, member) if member else None
    address = leader_address(person.name, person.title, lang) if person else None
    own = catalogue.words(answers.preset())
    # A leader gets the leader's wording, unless the profile words the leave notice its own way
    # (a parent's title says nothing about the group).
    if kind == "leave" and address and ("leave_leader" in own or "leave" not in own):
        kind_words = words["leave_leader"]
    else:
        kind_words = words[kind]
    values = {
        "group": answers.group.name,
        "owner": answers.owner.name,
        "member": member or "",
        "address": address or member or "",
        "member_detail": person_detail(person, lang) if person else "",
        "remark": params.get("remark_format", ""),
        "date": long_date({"leave": on + timedelta(days=int(params.get("leave_days") or 3)),
                           "dissolve": answers.due_date()}.get(kind, on), lang),
    }
    message = fill_words(kind_words, **values)
    return render_template(f"notice-{kind}.txt.j2", {**context, **values, "message": message}, templates, lang)
