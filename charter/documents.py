"""Answers to documents: the one path every command takes to make a charter's files."""

from __future__ import annotations

import os
from pathlib import Path

import tomli_w

from .answers import AnswersBase, answers_to_data
from .context import build_context
from .output import ANSWERS_FILE, FILE_NAMES, FORMATS, folder_name, group_folder, write_files, write_new_folder
from .render import render_html, render_pdf, render_template
from .unit import Unit, catalogue_of, embed_rule_images, embedded_asset, linked_asset


ANSWERS_HEADER = "# The answers this charter was made from. To change the charter, edit them and run:\n#   charter render <this file> --force\n"


def render_documents(answers: AnswersBase, formats=FORMATS, paper: str = "A4", unit: Unit | None = None) -> dict[str, bytes]:
    """Every requested file's bytes, plus the answers as rendered; nothing is written."""
    context = build_context(answers, catalogue_of(unit), paper, unit)
    templates = unit.templates if unit else None
    files: dict[str, bytes] = {}
    html_file = None
    if "html" in formats:
        # The HTML file carries its images inside it; the PDF reads them from the unit's assets.
        html_file = embed_rule_images(render_html({**context, "asset": embedded_asset(unit)}, templates), unit)
        files[FILE_NAMES["html"]] = html_file.encode("utf-8")
    if "pdf" in formats:
        if unit is None:
            html_pdf = html_file or render_html({**context, "asset": embedded_asset(None)}, templates)
        else:
            html_pdf = render_html({**context, "asset": linked_asset(unit)}, templates)
        files[FILE_NAMES["pdf"]] = render_pdf(html_pdf, unit.root if unit else None, (unit.assets,) if unit else ())
    if "md" in formats:
        files[FILE_NAMES["md"]] = render_template("charter.md.j2", context, templates, answers.lang).encode("utf-8")
    if "txt" in formats:
        files[FILE_NAMES["txt"]] = render_template("announcement.txt.j2", context, templates, answers.lang).encode("utf-8")
    if "ics" in formats:
        from .reminders import build_calendar  # icalendar is a slow import, needed for one format

        files[FILE_NAMES["ics"]] = build_calendar(answers, unit=unit)
    files[ANSWERS_FILE] = answers_file(answers)
    return files


def answers_file(answers: AnswersBase) -> bytes:
    """The answers as the charter.toml that replays them."""
    return (ANSWERS_HEADER + tomli_w.dumps(answers_to_data(answers))).encode("utf-8")


def write_charter(answers: AnswersBase, out_dir: Path, formats=FORMATS, paper: str = "A4", force: bool = False,
                  unit: Unit | None = None, folder: Path | None = None, new_folder: bool = False) -> list[Path]:
    """Render and write into the group's folder (found under out_dir unless given); returns the files written.

    With a unit, the answers written record it (its folder relative to the group folder, and
    its version), so a later render uses the same unit or says that it changed. With new_folder,
    the charter always gets a folder no one else has (as a web form submission needs).
    """
    if new_folder:
        folder = out_dir / folder_name(answers.group.name)  # its depth is all the unit's relative path needs
    else:
        folder = folder or group_folder(out_dir, answers.group.name)
    if unit is not None:
        answers = answers.model_copy(update={"unit": Path(os.path.relpath(unit.root, folder.resolve())).as_posix(),
                                             "unit_name": unit.info.name, "unit_version": unit.info.version})
    files = render_documents(answers, formats, paper, unit)
    if new_folder:
        folder = write_new_folder(out_dir, answers.group.name, files, answers.lang)
        return [folder / name for name in files]
    return write_files(folder, files, force, answers.lang)
