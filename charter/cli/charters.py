"""Commands that make and check charters: render, new, demo, check, schema, doctor, batch."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click

from ..core.errors import input_error
from ..core.i18n import environment_lang
from .base import (
    _formats,
    _print_written,
    cli,
    format_option,
    out_option,
    paper_option,
    pdf_variant_option,
    unit_option,
)


@cli.command()
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@out_option
@format_option
@paper_option
@pdf_variant_option
@unit_option
@click.option("--force", is_flag=True, help="Replace this group's existing charter.")
def render(answers: Path, out_dir: Path, formats: str, paper: str, pdf_variant: str | None, unit_dir: Path | None,
           force: bool):
    """Render the charter from an ANSWERS file (TOML).

    Example: charter render examples/county-media-event.toml --out output
    """
    from ..pipeline import Placement, write_charter
    from ..schema.group import load_group

    chosen = _formats(formats)

    model, unit, notices = load_group(answers, unit_dir)
    for notice in notices:
        click.echo(notice, err=True)
    written = write_charter(model, unit, out_dir, Placement.REPLACE if force else Placement.NEW, formats=chosen,
                            paper=paper, pdf_variant=pdf_variant)
    click.echo(f"{model.group.name}:")
    _print_written(written)


def _hang_up(signum, frame):
    # A closed terminal is handled like Ctrl-C: the questionnaire saves its draft first.
    raise KeyboardInterrupt


@cli.command()
@out_option
@click.option("--resume", is_flag=True, help="Continue the saved draft.")
@click.option("--from", "from_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Start from an existing answers file (next year's charter, a sister group's).")
@unit_option
def new(out_dir: Path, resume: bool, from_file: Path | None, unit_dir: Path | None):
    """Found a group's charter by answering questions in the terminal.

    Example: charter new --out output
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise input_error(environment_lang(), "not_a_terminal_new")
    from ..interfaces.terminal import Interrupted, new_charter

    if hasattr(signal, "SIGHUP"):  # not on Windows
        signal.signal(signal.SIGHUP, _hang_up)
    try:
        new_charter(out_dir, resume=resume, from_file=from_file, unit_dir=unit_dir, echo=click.echo)
    except Interrupted:
        sys.exit(130)
    except KeyboardInterrupt:
        sys.exit(130)


@cli.command()
@out_option
def demo(out_dir: Path):
    """Render every bundled example into the output folder, without questions.

    Example: charter demo
    """
    from ..core.i18n import environment_lang, text
    from ..core.resources import example_files
    from ..pipeline import Placement, write_charter
    from ..register.entries import still_as_made
    from ..register.folders import group_folder
    from ..schema.group import load_group

    for path in example_files():
        model, unit, _ = load_group(path)
        folder = group_folder(out_dir, model.group.name)
        # An example is refreshed while it is as demo made it; once renewed, dissolved or edited it is
        # someone's charter, and demo leaves it alone.
        if (folder / "charter.toml").exists() and not still_as_made(folder, model):
            click.echo(text(environment_lang(), "register.demo_kept", name=model.group.name, folder=folder))
            continue
        written = write_charter(model, unit, out_dir, Placement.REPLACE)
        click.echo(f"{model.group.name}:")
        _print_written(written)


@cli.command()
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@unit_option
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings, too.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(answers: Path, unit_dir: Path | None, strict: bool, as_json: bool):
    """Validate an ANSWERS file, then warn about formalism in its rules.

    Exit 0 when valid (warnings included), 2 with every problem when not; with --strict,
    warnings exit 2 too. Codes: mandatory-replies, no-quiet-hours, at-all-open,
    temporary-too-long, past-dissolution, no-successor, no-review, vague-rule, group-cap,
    off-shift-watch, not-a-member.

    Example: charter check examples/township-office.toml --strict
    """
    from ..core.clock import today
    from ..schema.group import load_group
    from ..schema.lint import lint
    from ..schema.unit import catalogue_of
    from .views import findings_json, findings_lines

    model, unit, notices = load_group(answers, unit_dir)
    for notice in notices:
        click.echo(notice, err=True)
    findings = lint(model, catalogue_of(unit), today())
    if as_json:
        click.echo(findings_json(answers, findings))
    else:
        click.echo("\n".join(findings_lines(answers, model, findings, environment_lang())))
    if strict and findings:
        sys.exit(2)


@cli.command()
def schema():
    """Print the JSON Schema of the answers file, for editors that check TOML.

    Example: charter schema > charter.schema.json
    """
    from ..schema.answers import answers_schema

    click.echo(json.dumps(answers_schema(), ensure_ascii=False, indent=2))


@cli.command()
def doctor():
    """Report what this machine can render; exit 1 when a Chinese PDF cannot be made correctly.

    Example: charter doctor
    """
    from ..render.doctor import run_checks
    from .views import doctor_lines

    checks = run_checks()
    click.echo("\n".join(doctor_lines(checks)))
    if not all(c.ok for c in checks):
        sys.exit(1)


@cli.command()
@click.argument("groups", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--unit", "unit_dir", type=click.Path(file_okay=False, exists=True, path_type=Path), required=True,
              help="The unit whose defaults, locked answers, rules and templates every group gets.")
@out_option
@click.option("--jobs", type=click.IntRange(1, 64), default=None, help="Worker processes (default: the cores).")
@format_option
@paper_option
@click.option("--force", is_flag=True, help="Replace charters that exist instead of skipping them.")
def batch(groups: Path, unit_dir: Path, out_dir: Path, jobs: int | None, formats: str, paper: str, force: bool):
    """Render one charter per row of a GROUPS CSV with a unit's defaults; exit 2 when any row failed.

    Columns (either language): name/群名称, purpose/用途, kind/类型, dissolve_on/解散日期,
    review_every_months/复核周期, owner/群主, owner_unit/群主单位, successor/接任群主;
    optional platform/平台, created/建群日期, owner_title/群主职务.

    Example: charter batch examples/units/county-groups.csv --unit examples/units/county-propaganda
    """
    from rich.markup import escape
    from rich.progress import Progress

    from ..core.clock import today
    from ..core.i18n import text
    from ..interfaces.batch import BatchInterrupted, read_groups, run_batch
    from ..schema.unit import load_unit
    from .views import batch_summary, batch_table, console

    unit = load_unit(unit_dir)  # a broken unit stops here, before any row
    lang = unit.info.lang
    chosen = _formats(formats)
    rows = read_groups(groups, lang, today())
    out = console()
    try:
        with Progress(console=out, transient=True) as progress:
            task = progress.add_task(escape(str(groups)), total=len(rows))
            outcomes = run_batch(rows, unit_dir, out_dir, jobs or os.cpu_count() or 1, chosen, paper, force,
                                 advance=lambda outcome: progress.advance(task))
    except BatchInterrupted as stopped:  # what was done is shown, then the exit code of an interruption
        out.print(batch_table(stopped.outcomes, lang))
        click.echo(text(lang, "errors.batch_interrupted", done=len(stopped.outcomes),
                        left=stopped.total - len(stopped.outcomes)), err=True)
        sys.exit(130)
    out.print(batch_table(outcomes, lang))
    summary, counts = batch_summary(outcomes, lang)
    out.print(summary)
    if counts["failed"]:
        sys.exit(2)
