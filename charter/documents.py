"""Answers to documents: the one path every command takes to make a charter's files."""

from __future__ import annotations

from pathlib import Path

import tomli_w

from .answers import AnswersBase, answers_to_data
from .catalogue import Catalogue, builtin_catalogue
from .context import build_context
from .output import ANSWERS_FILE, FILE_NAMES, FORMATS, group_folder, write_files
from .render import render_html, render_pdf, render_template


ANSWERS_HEADER = "# The answers this charter was made from. To change the charter, edit them and run:\n#   charter render <this file> --force\n"


def render_documents(answers: AnswersBase, formats=FORMATS, paper: str = "A4",
                     catalogue: Catalogue | None = None) -> dict[str, bytes]:
    """Every requested file's bytes, plus the answers as rendered; nothing is written."""
    context = build_context(answers, catalogue or builtin_catalogue(), paper)
    files: dict[str, bytes] = {}
    if "html" in formats or "pdf" in formats:
        html = render_html(context)
        if "html" in formats:
            files[FILE_NAMES["html"]] = html.encode("utf-8")
        if "pdf" in formats:
            files[FILE_NAMES["pdf"]] = render_pdf(html)
    if "md" in formats:
        files[FILE_NAMES["md"]] = render_template("charter.md.j2", context).encode("utf-8")
    if "txt" in formats:
        files[FILE_NAMES["txt"]] = render_template("announcement.txt.j2", context).encode("utf-8")
    if "ics" in formats:
        from .reminders import build_calendar  # icalendar is a slow import, needed for one format

        files[FILE_NAMES["ics"]] = build_calendar(answers)
    files[ANSWERS_FILE] = (ANSWERS_HEADER + tomli_w.dumps(answers_to_data(answers))).encode("utf-8")
    return files


def write_charter(answers: AnswersBase, out_dir: Path, formats=FORMATS, paper: str = "A4",
                  force: bool = False, catalogue: Catalogue | None = None, folder: Path | None = None) -> list[Path]:
    """Render and write into the group's folder (found under out_dir unless given); returns the files written."""
    folder = folder or group_folder(out_dir, answers.group.name)
    files = render_documents(answers, formats, paper, catalogue)
    return write_files(folder, files, force, answers.lang)
