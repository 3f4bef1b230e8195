"""The command line: a thin shell over the functions that make and check charters."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click

from . import __version__
from .errors import InputError, input_error
from .i18n import environment_lang, messages

DEFAULT_OUT = Path("output")


class CharterGroup(click.Group):
    """Bad input exits 2 with its message; anything else exits 1 without a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(error.report(), err=True)
            ctx.exit(2)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the last resort: say what broke, keep the terminal clean
            if os.environ.get("CHARTER_DEBUG"):
                raise
            click.echo(f"charter: unexpected error: {type(error).__name__}: {error}\n"
                       "Run again with CHARTER_DEBUG=1 to see where it happened.", err=True)
            ctx.exit(1)


def _formats(value: str) -> tuple[str, ...]:
    from .output import FORMATS

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise input_error(environment_lang(), "bad_format", value=",".join(unknown) or value, expected=",".join(FORMATS))
    return chosen


def _print_written(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"  {path}")


format_option = click.option("--format", "formats", default="pdf,html,md,txt,ics", show_default=True,
                             help="Comma-separated formats: pdf, html, md, txt, ics.")
paper_option = click.option("--paper", type=click.Choice(["A4", "A3", "Letter"]), default="A4",
                            show_default=True, help="Paper size of the PDF.")
unit_option = click.option("--unit", "unit_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                           help="A unit folder: its letterhead, defaults, locked answers, rules and templates.")
out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                          default=DEFAULT_OUT, show_default=True, help="Folder that holds one folder per group.")


@click.group(cls=CharterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="charter")
def cli():
    """Write the rules of a work chat group: PDF for the notice board, HTML, Markdown,
    the group announcement text and calendar reminders."""


@cli.command()
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@out_option
@format_option
@paper_option
@unit_option
@click.option("--force", is_flag=True, help="Replace this group's existing charter.")
def render(answers: Path, out_dir: Path, formats: str, paper: str, unit_dir: Path | None, force: bool):
    """Render the charter from an ANSWERS file (TOML).

    Example: charter render examples/county-media-event.toml --out output
    """
    from .documents import write_charter
    from .unit import load_group

    chosen = _formats(formats)
    model, unit, notices = load_group(answers, unit_dir)
    for notice in notices:
        click.echo(notice, err=True)
    written = write_charter(model, out_dir, chosen, paper, force, unit)
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
    from .questionnaire import Interrupted, new_charter

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
    from .documents import write_charter
    from .examples import example_files
    from .unit import load_group

    for path in example_files():
        model, unit, _ = load_group(path)
        # The examples are ours to refresh: running demo twice replaces them.
        written = write_charter(model, out_dir, force=True, unit=unit)
        click.echo(f"{model.group.name}:")
        _print_written(written)


@cli.command()
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
@unit_option
def check(answers: Path, unit_dir: Path | None):
    """Validate an ANSWERS file; exit 0 when valid, 2 with every problem when not.

    Example: charter check examples/township-office.toml
    """
    from .unit import load_group

    model, _, notices = load_group(answers, unit_dir)
    for notice in notices:
        click.echo(notice, err=True)
    click.echo(f"{answers}: OK ({model.group.name}, {model.group.kind}, {len(model.members)} members)")


@cli.command()
def schema():
    """Print the JSON Schema of the answers file, for editors that check TOML.

    Example: charter schema > charter.schema.json
    """
    from .answers import answers_schema

    click.echo(json.dumps(answers_schema(), ensure_ascii=False, indent=2))


@cli.command()
def doctor():
    """Report what this machine can render; exit 1 when a Chinese PDF cannot be made correctly.

    Example: charter doctor
    """
    from .doctor import run_checks

    checks = run_checks()
    width = max(len(c.name) for c in checks)
    for c in checks:
        mark = "ok  " if c.ok and not c.warning else ("warn" if c.ok else "FAIL")
        click.echo(f"[{mark}] {c.name.ljust(width)}  {c.value}")
        if c.warning:
            click.echo(f"       {' ' * width}  fix: {c.warning}")
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
    from datetime import date

    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from .batch import read_groups, run_batch
    from .unit import load_unit

    unit = load_unit(unit_dir)  # a broken unit stops here, before any row
    lang = unit.info.lang
    t = messages(lang)["ask"]
    rows = read_groups(groups, lang, date.today())
    console = Console(width=None if sys.stdout.isatty() else 160)
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task(str(groups), total=len(rows))
        outcomes = run_batch(rows, unit_dir, out_dir, jobs or os.cpu_count() or 1, _formats(formats), paper, force,
                             advance=lambda outcome: progress.advance(task))
    table = Table(t["batch_line"], t["batch_group"], t["batch_status"], t["batch_detail"])
    for outcome in outcomes:
        style = {"written": "", "skipped": "yellow", "failed": "red"}[outcome.status]
        table.add_row(str(outcome.line), outcome.group, t[f"batch_{outcome.status}"], outcome.detail, style=style)
    console.print(table)
    counts = {status: sum(o.status == status for o in outcomes) for status in ("written", "skipped", "failed")}
    console.print(t["batch_summary"].format(total=len(outcomes), **counts))
    if counts["failed"]:
        sys.exit(2)


@cli.group()
def unit():
    """Create and check a unit folder (letterhead, defaults, locked answers, rules, templates)."""


@unit.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help="Language of the unit's comments.")
def unit_init(folder: Path, lang: str | None):
    """Create a unit FOLDER with a commented unit.toml, a template and an assets folder.

    Example: charter unit init units/my-bureau --lang zh
    """
    from .unit import init_unit

    for path in init_unit(folder, lang or environment_lang()):
        click.echo(f"  {path}")


@unit.command("check")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def unit_check(folder: Path):
    """Check a unit FOLDER: its unit.toml, its templates, and the bundled examples rendered with it.

    Example: charter unit check examples/units/county-propaganda
    """
    from .unit import check_unit

    reports = check_unit(folder)
    for report in reports:
        click.echo(report, err=True)
    if reports:
        sys.exit(2)
    click.echo(f"{folder}: OK")


def main() -> None:
    cli(prog_name="charter")
