"""Ready-to-send chat messages for the moments of a group's life, in the group's language."""

from __future__ import annotations

from datetime import date, timedelta

from ..core.dates import long_date
from ..core.errors import input_error
from ..core.i18n import messages
from ..schema.answers import AnswersBase
from ..schema.unit import Unit, catalogue_of
from .context import build_context, person_detail
from .templates import render_template

KINDS = ("welcome", "leave", "dissolve", "digest", "rules")


def _member_detail(answers: AnswersBase, name: str) -> str:
    member = next((m for m in answers.members if m.name == name), None)
    return person_detail(member, answers.lang) if member else ""


def notice(answers: AnswersBase, unit: Unit | None, kind: str, member: str | None, on: date) -> str:
    """The message text. Each kind is a template (notice-<kind>.txt.j2) a unit can replace."""
    lang = answers.lang
    t = messages(lang)["notices"]
    catalogue = catalogue_of(unit)
    context = build_context(answers, catalogue, unit=unit)
    templates = unit.templates if unit else None
    if kind == "rules":
        return render_template("announcement.txt.j2", context, templates, lang)
    if kind in ("welcome", "leave") and not member:
        raise input_error(lang, "notice_member", field="--member", kind=kind)
    params = answers.param_values(catalogue)
    values = {
        "group": answers.group.name,
        "owner": answers.owner.name,
        "member": member or "",
        "member_detail": _member_detail(answers, member) if member else "",
        "remark": params.get("remark_format", ""),
        "date": long_date({"leave": on + timedelta(days=int(params.get("leave_days", 3))),
                           "dissolve": answers.due_date()}.get(kind, on), lang),
    }
    message = t[kind].format(**values)
    return render_template(f"notice-{kind}.txt.j2", {**context, **values, "message": message}, templates, lang)
