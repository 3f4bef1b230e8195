"""The command group, its error handling and the options several commands share."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import __version__
from ..core.errors import InputError, MachineError, input_error
from ..core.formats import DEFAULT_FORMATS
from ..core.i18n import environment_lang, text
from ..render.pdf import PDF_VARIANTS


class CharterGroup(click.Group):
    """Bad input exits 2 with its message; anything else exits 1 without a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(error.report(), err=True)
            ctx.exit(2)
        except MachineError as error:
            click.echo(f"charter: {error}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt:  # Ctrl-C: every file charter writes is whole or absent, so just say so
            click.echo("\n" + text(environment_lang(), "errors.interrupted"), err=True)
            ctx.exit(130)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as error:  # the last resort: say what broke, keep the terminal clean
            if os.environ.get("CHARTER_DEBUG"):
                raise
            click.echo(f"charter: unexpected error: {type(error).__name__}: {error}\n"
                       "Run again with CHARTER_DEBUG=1 to see where it happened.", err=True)
            ctx.exit(1)


def _formats(value: str) -> tuple[str, ...]:
    from ..core.formats import FORMATS

    chosen = tuple(dict.fromkeys(part.strip().lower() for part in value.split(",") if part.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise input_error(environment_lang(), "bad_format", value=",".join(unknown) or value, expected=",".join(FORMATS))
    return chosen


def _print_written(paths: list[Path]) -> None:
    for path in paths:
        click.echo(f"  {path}")


format_option = click.option("--format", "formats", default=",".join(DEFAULT_FORMATS), show_default=True,
                             help="Comma-separated formats: pdf, html, md, txt, ics, poster (poster.pdf), "
                                  "docx (Word).")
pdf_variant_option = click.option(
    "--pdf-variant", type=click.Choice(PDF_VARIANTS), default=None,
    help="An archival PDF (PDF/A-2b, PDF/A-3b) or an accessible, tagged one (PDF/UA-1).")
paper_option = click.option("--paper", type=click.Choice(["A4", "A3", "Letter"]), default="A4",
                            show_default=True, help="Paper size of the PDF and Word files.")
unit_option = click.option("--unit", "unit_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
                           help="A unit folder: its letterhead, defaults, locked answers, rules and templates.")
def _register_folder() -> Path:
    from ..core.user_settings import default_register

    return default_register()


def _register_source(ctx, param) -> str:
    """Where the register's path came from, as the user named it: the option, CHARTER_HOME or the settings file."""
    from ..core.user_settings import settings_path

    if ctx.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT:
        return param.opts[0]
    return "CHARTER_HOME" if os.environ.get("CHARTER_HOME", "").strip() else str(settings_path())


def _register_path(ctx, param, value: Path) -> Path:
    """A register path the file system can hold: a name past its limit is bad input, not a crash later."""
    from ..core.files import NAME_MAX, overlong_name

    name = overlong_name(value)
    if name is not None:
        raise input_error(environment_lang(), "name_too_long", field=_register_source(ctx, param),
                          name=name[:40] + "…", limit=NAME_MAX)
    return value


REGISTER_DEFAULT = "output, or CHARTER_HOME, or `register` in the settings file"
out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                          default=_register_folder, show_default=REGISTER_DEFAULT, callback=_register_path,
                          help="The register: the folder that holds one folder per group.")


@click.group(cls=CharterGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="charter")
def cli():
    """Write the rules of a work chat group: PDF for the notice board, HTML, Markdown,
    the group announcement text and calendar reminders."""


def _existing_register(ctx, param, value: Path) -> Path:
    """A register that was named (--dir, CHARTER_HOME, the settings file) and is not there is a
    mistake to report; only the default `output` may be missing, meaning "no groups yet"."""
    from ..core.user_settings import DEFAULT_REGISTER

    value = _register_path(ctx, param, value)
    named = ctx.get_parameter_source(param.name) is not click.core.ParameterSource.DEFAULT
    if not value.is_dir() and (named or value != DEFAULT_REGISTER):
        raise input_error(environment_lang(), "no_register", field=_register_source(ctx, param), dir=value)
    return value


dir_option = click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                          default=_register_folder, show_default=REGISTER_DEFAULT, callback=_existing_register,
                          help="The register: the folder of group folders.")
