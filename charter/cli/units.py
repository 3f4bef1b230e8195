"""Commands for a unit's administrator: serve the web form, create and check unit folders."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..core.i18n import environment_lang
from .base import cli, out_option, unit_option


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME",
              help="A further host name the pages may be opened by (repeatable), e.g. charter.office.lan.")
@click.option("--password-file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="File whose first line is the password (else CHARTER_SERVE_PASSWORD); required off loopback.")
@click.option("--workers", type=click.IntRange(1, 16), default=None, help="Charters written at once (default: up to 2).")
@unit_option
@out_option
def serve(host: str, port: int, allow_hosts: tuple[str, ...], password_file: Path | None, workers: int | None,
          unit_dir: Path | None, out_dir: Path):
    """Serve the questionnaire as a web page, with a live preview and the register.

    Example: charter serve --unit examples/units/county-propaganda --out output
    """
    from ..core.i18n import text
    from ..interfaces.web import Access, Limits, RenderPool, bind, create_app, is_loopback, password_from, run

    password = password_from(password_file)
    if not is_loopback(host) and password is None:
        click.echo(text(environment_lang(), "web.needs_password", host=host), err=True)
        sys.exit(2)
    access = Access(host.lower(), frozenset(name.lower() for name in allow_hosts), password)
    pool = RenderPool(Limits(workers=workers) if workers else Limits())
    app = create_app(out_dir, unit_dir, access, pool)
    server = bind(app, host, port)
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else f"[{host}]" if ":" in host else host  # IPv6 in brackets
    click.echo(text(environment_lang(), "web.serving", url=f"http://{shown}:{port}/"))
    run(app, server)


@cli.group()
def unit():
    """Create and check a unit folder (letterhead, defaults, locked answers, rules, templates)."""


@unit.command("init")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="Language of the unit's comments, and of messages and help "
                   "(default: the CHARTER_LANG variable, else the locale).")
def unit_init(folder: Path, lang: str | None):
    """Create a unit FOLDER with a commented unit.toml, a template and an assets folder.

    Example: charter unit init units/my-bureau --lang zh
    """
    from ..interfaces.unit_init import init_unit

    for path in init_unit(folder, lang or environment_lang()):
        click.echo(f"  {path}")


@unit.command("check")
@click.argument("folder", type=click.Path(file_okay=False, exists=True, path_type=Path))
def unit_check(folder: Path):
    """Check a unit FOLDER: its unit.toml, its templates, and the bundled examples rendered with it.

    Example: charter unit check examples/units/county-propaganda
    """
    from ..render.unit_check import check_unit

    reports = check_unit(folder)
    for report in reports:
        click.echo(report, err=True)
    if reports:
        sys.exit(2)
    click.echo(f"{folder}: OK")
