"""What the commands print: tables and JSON of the register, the checker's findings, batch results."""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date
from pathlib import Path

import click

from ..core.dates import long_date
from ..core.errors import visible
from ..core.formats import ANSWERS_FILE
from ..core.i18n import messages
from ..register.entries import Entry, Unreadable, printable

STATUS_STYLES = {"overdue": {"fg": "red", "bold": True}, "due": {"fg": "yellow"}, "active": {},
                 "dissolved": {"dim": True}}


def console(file=None):
    from rich.console import Console

    # A pipe gets a fixed width, so scripts see whole rows.
    return Console(file=file, width=None if sys.stdout.isatty() else 160)


def register_json(entries: list[Entry], on: date, unreadable: list[Unreadable] = ()) -> str:
    """Every group, then every folder that cannot be read (status "unreadable", with the file and why)."""
    rows = [{
        "group": e.answers.group.name, "folder": printable(str(e.folder)), "platform": e.answers.group.platform,
        "kind": e.answers.group.kind, "owner": e.answers.owner.name,
        "created": e.answers.group.created.isoformat(), "date": e.answers.due_date().isoformat(),
        "status": e.status(on), **({"notices": list(e.notices)} if e.notices else {})} for e in entries]
    rows += [{"group": None, "folder": item.shown, "file": printable(str(item.folder / ANSWERS_FILE)),
              "status": "unreadable", "problem": item.problem} for item in unreadable]
    return json.dumps(rows, ensure_ascii=False, indent=2)


def register_table(entries: list[Entry], on: date, lang: str) -> str:
    """The register as aligned columns, the status coloured on a terminal. Written by hand, not with
    rich: a register of thousands of groups takes milliseconds here and seconds in rich.Table."""
    from rich.cells import cell_len

    t = messages(lang)
    r = t["register"]
    header = [r["col_group"], r["col_platform"], r["col_kind"], r["col_owner"], r["col_created"], r["col_date"],
              r["col_status"]]
    names = Counter(e.answers.group.name for e in entries)
    rows = [([_told_apart(e, names, r), t["platforms"][e.answers.group.platform], t["kinds"][e.answers.group.kind],
              e.answers.owner.name, long_date(e.answers.group.created, lang), long_date(e.answers.due_date(), lang),
              r[f"status_{status}"]], status) for e in entries for status in (e.status(on),)]
    widths = [max(cell_len(cells[i]) for cells in [header, *(row for row, _ in rows)]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(cell + " " * (width - cell_len(cell)) for cell, width in zip(cells, widths)).rstrip()

    lines = [click.style(line(header), bold=True), line(["─" * width for width in widths])]
    lines += [click.style(line(cells), **STATUS_STYLES[status]) for cells, status in rows]
    return "\n".join(lines)


def _told_apart(entry: Entry, names: Counter, r: dict) -> str:
    """The group's name, with its folder when another group of the register has the same name."""
    name = entry.answers.group.name
    if names[name] > 1:
        return r["same_name"].format(name=name, folder=printable(entry.folder.name))
    return name


def unreadable_lines(unreadable: list[Unreadable], lang: str) -> list[str]:
    r = messages(lang)["register"]
    return [r["unreadable"].format(folder=item.shown) + "\n" + item.problem for item in unreadable]


def notice_lines(entries: list[Entry]) -> list[str]:
    """What changed in each group's unit since its charter was rendered."""
    return [f"{e.answers.group.name}: {notice}" for e in entries for notice in e.notices]


def due_lines(pending: list[Entry], on: date, within: int | None, lang: str, register: Path | None = None) -> list[str]:
    """What to do about each group, in the user's language; the commands it names carry --dir when
    the register was named, so that each one selects the group it was printed for."""
    r = messages(lang)["register"]
    named = f' --dir "{register}"' if register is not None else ""
    lines = []
    for e in pending:
        todo = r["todo_dissolve"] if e.answers.group.dissolve_on else r["todo_review"]
        lines.append(todo.format(name=e.answers.group.name, folder=e.folder.name, status=r[f"status_{e.status(on, within)}"],
                                 date=long_date(e.answers.due_date(), lang), dir=named))
    return lines


def findings_json(source: Path, findings) -> str:
    return json.dumps({"file": str(source), "valid": True, "warnings": [f.__dict__ for f in findings]},
                      ensure_ascii=False, indent=2)


def findings_lines(source: Path, answers, findings, lang: str) -> list[str]:
    """The verdict in the user's language; each finding in the answers' own, as the checker words it."""
    t = messages(lang)
    lines = [t["lint"]["valid"].format(source=source, name=answers.group.name, kind=t["kinds"][answers.group.kind],
                                       count=len(answers.members)),
             t["lint"]["header"].format(source=source, count=len(findings)) if findings
             else t["lint"]["clean"].format(source=source)]
    lines += [f"  [{f.code}] {f.reason}\n      → {f.fix}" for f in findings]
    return lines


def batch_table(outcomes, lang: str):
    from rich.table import Table
    from rich.text import Text

    t = messages(lang)["ask"]
    table = Table(t["batch_line"], t["batch_group"], t["batch_status"], t["batch_detail"])
    for outcome in outcomes:
        style = {"written": "", "skipped": "yellow", "failed": "red"}[outcome.status]
        # a row's words as the file has them: "[/x]" is not rich markup, and a failed row's
        # control characters (U+202E) are shown as codes rather than let loose on the terminal
        table.add_row(str(outcome.line), Text(visible(outcome.group)), t[f"batch_{outcome.status}"],
                      Text(visible(outcome.detail)), style=style)
    return table


def batch_summary(outcomes, lang: str) -> tuple[str, dict]:
    counts = {status: sum(o.status == status for o in outcomes) for status in ("written", "skipped", "failed")}
    return messages(lang)["ask"]["batch_summary"].format(total=len(outcomes), **counts), counts


def doctor_lines(checks) -> list[str]:
    width = max(len(c.name) for c in checks)
    lines = []
    for c in checks:
        mark = "ok  " if c.ok and not c.warning else ("warn" if c.ok else "FAIL")
        lines.append(f"[{mark}] {c.name.ljust(width)}  {c.value}")
        if c.warning:
            lines.append(f"       {' ' * width}  fix: {c.warning}")
    return lines
