"""Ready-to-send chat messages for the moments of a group's life, in the group's language."""

from __future__ import annotations

from datetime import date, timedelta

from .context import build_context, person_detail
from .dates import long_date
from .errors import input_error
from .i18n import messages
from .register import Entry
from .render import render_template

KINDS = ("welcome", "leave", "dissolve", "digest", "rules")


def _member_detail(entry: Entry, name: str) -> str:
    member = next((m for m in entry.answers.members if m.name == name), None)
    return person_detail(member, entry.answers.lang) if member else ""


def notice(entry: Entry, kind: str, member: str | None, on: date) -> str:
    """The message text. Each kind is a template (notice-<kind>.txt.j2) a unit can replace."""
    answers, lang = entry.answers, entry.answers.lang
    t = messages(lang)["notices"]
    context = build_context(answers, entry.catalogue, unit=entry.unit)
    templates = entry.unit.templates if entry.unit else None
    if kind == "rules":
        return render_template("announcement.txt.j2", context, templates, lang)
    if kind in ("welcome", "leave") and not member:
        raise input_error(lang, "notice_member", field="--member", kind=kind)
    params = answers.param_values(entry.catalogue)
    values = {
        "group": answers.group.name,
        "owner": answers.owner.name,
        "member": member or "",
        "member_detail": _member_detail(entry, member) if member else "",
        "remark": params.get("remark_format", ""),
        "date": long_date({"leave": on + timedelta(days=int(params.get("leave_days", 3))),
                           "dissolve": answers.due_date()}.get(kind, on), lang),
    }
    message = t[kind].format(**values)
    return render_template(f"notice-{kind}.txt.j2", {**context, **values, "message": message}, templates, lang)
