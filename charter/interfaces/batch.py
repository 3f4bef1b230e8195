"""Batch rendering: one charter per row of a CSV of groups, all with one unit's defaults."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, as_completed, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from pathlib import Path

from ..core.dates import parse_date
from ..core.errors import InputError, MachineError
from ..core.formats import ANSWERS_FILE, DEFAULT_FORMATS
from ..core.i18n import environment_lang, messages, text
from ..pipeline import Placement, write_charter
from ..register.folders import group_folder
from ..schema.group import validate_for
from ..schema.unit import load_unit
from .spreadsheets import table_rows

COLUMNS = {
    "name": "name", "群名称": "name", "群名": "name",
    "purpose": "purpose", "用途": "purpose", "本群用途": "purpose",
    "kind": "kind", "类型": "kind",
    "platform": "platform", "平台": "platform",
    "created": "created", "建群日期": "created",
    "dissolve_on": "dissolve_on", "解散日期": "dissolve_on",
    "review_every_months": "review_every_months", "复核周期": "review_every_months", "复核周期（月）": "review_every_months",
    "owner": "owner", "群主": "owner",
    "owner_unit": "owner_unit", "群主单位": "owner_unit",
    "owner_title": "owner_title", "群主职务": "owner_title",
    "successor": "successor", "接任群主": "successor",
}


def _words(table: str) -> dict[str, str]:
    """Each choice by its code and by its name in either language: 临时群, 临时, temporary…"""
    words = {}
    for lang in ("zh", "en"):
        for code, word in messages(lang)[table].items():
            words[code] = words[word.lower()] = words[word.lower().removesuffix("群")] = code
    return words


@dataclass(frozen=True)
class Row:
    line: int
    answers: dict | None  # None when the row cannot become answers
    problem: str = ""
    group: str = ""  # the group it names, when it cannot become answers for another reason


@dataclass(frozen=True)
class Outcome:
    line: int
    group: str
    status: str  # written | skipped | failed
    detail: str


def read_groups(path: Path, lang: str, today: date) -> list[Row]:
    """The rows of a groups CSV or Excel workbook as answers (without the unit's defaults, which come later)."""
    rows, bad = table_rows(path, COLUMNS, lang)
    if rows is None:
        return [Row(1, None, text(lang, "errors.csv_line_encoding" if 1 in bad else "errors.batch_header"))]
    kinds, platforms = _words("kinds"), _words("platforms")
    result = [Row(line, None, text(lang, "errors.csv_line_encoding")) for line in bad]
    for line, fields in rows:
        cells = {key: value for key, value in fields.items() if value}
        group = {"name": cells.get("name", ""), "purpose": cells.get("purpose", ""),
                 "kind": kinds.get(cells.get("kind", "").lower(), cells.get("kind", "")),
                 "created": _date(cells.get("created"), today) or today}
        if "platform" in cells:
            group["platform"] = platforms.get(cells["platform"].lower(), cells["platform"])
        if "dissolve_on" in cells:
            group["dissolve_on"] = _date(cells["dissolve_on"], today) or cells["dissolve_on"]
        if "review_every_months" in cells:
            group["review_every_months"] = cells["review_every_months"]
        answers = {"group": group, "owner": {"name": cells.get("owner", "")}}
        for key in ("unit", "title"):
            if f"owner_{key}" in cells:
                answers["owner"][key] = cells[f"owner_{key}"]
        if "successor" in cells:
            answers["successor"] = {"name": cells["successor"]}
        result.append(Row(line, answers))
    return _without_repeats(sorted(result, key=lambda row: row.line), lang)


def _without_repeats(rows: list[Row], lang: str) -> list[Row]:
    """A group named by an earlier row too is a failed row naming that line: rendering both would
    have one overwrite the other, each reported as written."""
    first: dict[str, int] = {}
    result = []
    for row in rows:
        name = (row.answers or {}).get("group", {}).get("name", "")
        if name and name in first:
            row = Row(row.line, None, text(lang, "errors.batch_repeat", line=first[name]), name)
        elif name:
            first[name] = row.line
        result.append(row)
    return result


def _date(value: str | None, today: date) -> date | None:
    return parse_date(value, today) if value else None


@cache
def _unit(folder: str):
    return load_unit(Path(folder))


def _row_name(row: Row) -> str:
    return (row.answers or {}).get("group", {}).get("name", "") or row.group


def render_row(row: Row, unit_dir: Path, out_dir: Path, formats: tuple[str, ...], paper: str,
               force: bool) -> Outcome:
    """One group's charter; any bad input becomes a failed outcome, never an exception."""
    unit = _unit(str(unit_dir))
    name = _row_name(row)
    if row.answers is None:
        return Outcome(row.line, name, "failed", row.problem)
    try:
        answers = validate_for(row.answers, unit)
        folder = group_folder(out_dir, answers.group.name)
        if (folder / ANSWERS_FILE).exists() and not force:
            return Outcome(row.line, name, "skipped", str(folder))
        written = write_charter(answers, unit, out_dir, Placement.REPLACE, folder, formats, paper)
        return Outcome(row.line, name, "written", str(written[0].parent))
    except InputError as error:  # a unit's file (a font too big) is named: the row is not its cause
        detail = "; ".join(p.brief() for p in error.problems)
        return Outcome(row.line, name, "failed", f"{error.source}: {detail}" if error.source else detail)
    except MachineError:
        raise  # this machine cannot make a PDF: every row alike, said once
    except Exception as error:  # noqa: BLE001 - one row's failure never stops the others
        return Outcome(row.line, name, "failed", text(environment_lang(), "errors.unexpected_row",
                                                      kind=type(error).__name__))


class BatchInterrupted(Exception):
    """Ctrl-C during a batch: the rows done so far (each written whole or not at all)."""

    def __init__(self, outcomes: list[Outcome], total: int):
        self.outcomes, self.total = outcomes, total
        super().__init__(f"{len(outcomes)} of {total} rows done")


def _warm_worker() -> None:
    """Import WeasyPrint once per worker, before the first row, not inside the first render. Ctrl-C
    is the batch's to handle: a worker finishes the row it is on, and no more are given out."""
    from ..render.limits import cap_memory
    from ..render.weasy import load

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    load()
    cap_memory()


@contextmanager
def _ctrl_c_held():
    """Ctrl-C held back while the helper processes start, and given back after. They inherit the
    blocked signal; this process notes a Ctrl-C meanwhile (another of its threads, the progress
    bar's, may be the one the signal reaches) and raises it at the end."""
    pressed = []
    previous = signal.signal(signal.SIGINT, lambda *_: pressed.append(True))
    masked = hasattr(signal, "pthread_sigmask")  # not on Windows, where spawned workers do not share Ctrl-C
    if masked:
        from multiprocessing import resource_tracker

        # started first: starting it later unblocks SIGINT in this process, whatever was blocked
        resource_tracker.ensure_running()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        signal.signal(signal.SIGINT, previous)
    if pressed:
        raise KeyboardInterrupt


# The forkserver listens on a Unix socket in a folder of the temporary folder; a socket's path takes
# at most 107 bytes, so a long TMPDIR stopped every batch ("AF_UNIX path too long").
_SOCKET_PATH_MAX = 107
_SOCKET_PATH_ADDED = len("/pymp-xxxxxxxx/listener-xxxxxxxx")


def start_method() -> str:
    """forkserver: workers start from a clean process, not from this one with its threads (the
    progress bar has one), which a plain fork could leave holding a lock. Windows has no
    forkserver, and a temporary folder with a long path leaves no room for its socket: spawn,
    which starts clean too."""
    room = len(os.fsencode(tempfile.gettempdir())) + _SOCKET_PATH_ADDED <= _SOCKET_PATH_MAX
    return "forkserver" if room and "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def run_batch(rows: list[Row], unit_dir: Path, out_dir: Path, jobs: int, formats=DEFAULT_FORMATS, paper: str = "A4",
              force: bool = False, advance=lambda outcome: None) -> list[Outcome]:
    """Render every row, with `jobs` worker processes; calls advance(outcome) as each row ends.
    Ctrl-C stops it between rows (the rows being rendered finish) and raises BatchInterrupted."""
    outcomes = []
    if jobs <= 1:
        try:
            for row in rows:
                outcomes.append(render_row(row, unit_dir, out_dir, formats, paper, force))
                advance(outcomes[-1])
        except KeyboardInterrupt:
            raise BatchInterrupted(outcomes, len(rows)) from None
        return sorted(outcomes, key=lambda outcome: outcome.line)
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["charter.interfaces.batch"])
    # The helper processes start with Ctrl-C held back (they inherit the mask), and this process
    # takes it only once they are up and a first row is done: one while they import, or start,
    # would print their tracebacks over the batch's own answer.
    render = partial(render_row, unit_dir=unit_dir, out_dir=out_dir, formats=formats, paper=paper, force=force)
    left = _in_pool(rows, jobs, context, render, outcomes, advance, len(rows))
    # A worker that dies (the kernel's out-of-memory killer, a library that aborts) takes the pool
    # with it, and which row it was on is not known: each row left is tried again alone.
    for row in left:
        if _in_pool([row], 1, context, render, outcomes, advance, len(rows)):
            outcomes.append(Outcome(row.line, _row_name(row), "failed", text(environment_lang(), "errors.batch_crashed")))
            advance(outcomes[-1])
    return sorted(outcomes, key=lambda outcome: outcome.line)


def _in_pool(rows: list[Row], jobs: int, context, render, outcomes: list[Outcome], advance, total: int) -> list[Row]:
    """The rows rendered by `jobs` worker processes, their outcomes added to `outcomes` as each ends;
    returns the rows left undone because a worker died."""
    pool, futures = None, []
    try:
        with _ctrl_c_held():  # until the helpers are up: one stopped while starting prints its traceback
            pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_warm_worker)
            futures = [pool.submit(render, row) for row in rows]
            wait(futures, return_when=FIRST_COMPLETED)
        for future in as_completed(futures):
            if isinstance(future.exception(), BrokenProcessPool):
                continue
            outcomes.append(future.result())
            advance(outcomes[-1])
    except KeyboardInterrupt:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
        finished = [f.result() for f in futures if f.done() and not f.cancelled() and f.exception() is None]
        raise BatchInterrupted(sorted([*outcomes, *finished], key=lambda outcome: outcome.line), total) from None
    pool.shutdown(wait=True)
    return [row for row, future in zip(rows, futures) if isinstance(future.exception(), BrokenProcessPool)]
