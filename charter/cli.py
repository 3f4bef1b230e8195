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
from .i18n import environment_lang

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
@click.option("--force", is_flag=True, help="Replace this group's existing charter.")
def render(answers: Path, out_dir: Path, formats: str, paper: str, force: bool):
    """Render the charter from an ANSWERS file (TOML).

    Example: charter render examples/county-media-event.toml --out output
    """
    from .answers import load_answers
    from .documents import write_charter

    chosen = _formats(formats)
    model = load_answers(answers)
    written = write_charter(model, out_dir, chosen, paper, force)
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
def new(out_dir: Path, resume: bool, from_file: Path | None):
    """Found a group's charter by answering questions in the terminal.

    Example: charter new --out output
    """
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise input_error(environment_lang(), "not_a_terminal_new")
    from .questionnaire import Interrupted, new_charter

    signal.signal(signal.SIGHUP, _hang_up)
    try:
        new_charter(out_dir, resume=resume, from_file=from_file, echo=click.echo)
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
    from .answers import load_answers
    from .documents import write_charter
    from .examples import example_files

    for path in example_files():
        model = load_answers(path)
        # The examples are ours to refresh: running demo twice replaces them.
        written = write_charter(model, out_dir, force=True)
        click.echo(f"{model.group.name}:")
        _print_written(written)


@cli.command()
@click.argument("answers", type=click.Path(dir_okay=False, path_type=Path))
def check(answers: Path):
    """Validate an ANSWERS file; exit 0 when valid, 2 with every problem when not.

    Example: charter check examples/township-office.toml
    """
    from .answers import load_answers

    model = load_answers(answers)
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


def main() -> None:
    cli(prog_name="charter")
