"""The command line: a thin shell over the functions that make and check charters."""

from __future__ import annotations

import json
import os
import signal
import sys
from datetime import date
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
@click.option("--strict", is_flag=True, help="Exit 2 when there are warnings, too.")
@click.option("--json", "as_json", is_flag=True, help="Print the findings as JSON.")
def check(answers: Path, unit_dir: Path | None, strict: bool, as_json: bool):
    """Validate an ANSWERS file, then warn about formalism in its rules.

    Exit 0 when valid (warnings included), 2 with every problem when not; with --strict,
    warnings exit 2 too. Codes: mandatory-replies, no-quiet-hours, at-all-open,
    temporary-too-long, past-dissolution, no-successor, no-review, vague-rule, group-cap.

    Example: charter check examples/township-office.toml --strict
    """
    from .lint import lint
    from .register import today
    from .unit import catalogue_of, load_group

    model, unit, notices = load_group(answers, unit_dir)
    for notice in notices:
        click.echo(notice, err=True)
    findings = lint(model, catalogue_of(unit), today())
    if as_json:
        click.echo(json.dumps({"file": str(answers), "valid": True,
                               "warnings": [f.__dict__ for f in findings]}, ensure_ascii=False, indent=2))
    else:
        t = messages(model.lang)["lint"]
        click.echo(f"{answers}: OK ({model.group.name}, {model.group.kind}, {len(model.members)} members)")
        click.echo(t["header"].format(source=answers, count=len(findings)) if findings
                   else t["clean"].format(source=answers))
        for finding in findings:
            click.echo(f"  [{finding.code}] {finding.reason}\n      → {finding.fix}")
    if strict and findings:
        sys.exit(2)


dir_option = click.option("--dir", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_OUT,
                          show_default=True, help="The register: the folder of group folders.")


@cli.command("list")
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON.")
def list_groups(out_dir: Path, as_json: bool):
    """List every group of the register, what needs attention first.

    Example: charter list --dir output
    """
    from .dates import long_date
    from .register import read_register, today

    on = today()
    entries, unreadable = read_register(out_dir)
    entries.sort(key=lambda e: e.attention_key(on))
    if as_json:
        click.echo(json.dumps([{
            "group": e.answers.group.name, "folder": str(e.folder), "platform": e.answers.group.platform,
            "kind": e.answers.group.kind, "owner": e.answers.owner.name,
            "created": e.answers.group.created.isoformat(), "date": e.answers.due_date().isoformat(),
            "status": e.status(on)} for e in entries], ensure_ascii=False, indent=2))
        return
    lang = environment_lang()  # a register may hold groups of both languages; the tool speaks the user's
    t = messages(lang)
    r = t["register"]
    if not entries:
        click.echo(r["empty"].format(dir=out_dir))
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(r["col_group"], r["col_platform"], r["col_kind"], r["col_owner"], r["col_created"],
                      r["col_date"], r["col_status"])
        styles = {"overdue": "bold red", "due": "yellow", "active": "", "dissolved": "dim"}
        for e in entries:
            status = e.status(on)
            table.add_row(e.answers.group.name, t["platforms"][e.answers.group.platform],
                          t["kinds"][e.answers.group.kind], e.answers.owner.name,
                          long_date(e.answers.group.created, lang), long_date(e.answers.due_date(), lang),
                          r[f"status_{status}"], style=styles[status])
        Console(width=None if sys.stdout.isatty() else 160).print(table)
    for item in unreadable:
        click.echo(r["unreadable"].format(folder=item.folder) + "\n" + item.problem, err=True)


@cli.command()
@dir_option
@click.option("--within", type=click.IntRange(0, 3650), default=None,
              help="Days ahead to look (default: each group's own dissolution notice period).")
@click.option("--fail-if-any", is_flag=True, help="Exit 3 when any group is due or overdue (for cron).")
def due(out_dir: Path, within: int | None, fail_if_any: bool):
    """The groups to dissolve or review soon, or overdue, with what to do.

    Example: charter due --within 30 --fail-if-any
    """
    from .dates import long_date
    from .register import read_register, today

    on = today()
    entries, _ = read_register(out_dir)
    pending = sorted((e for e in entries if e.status(on, within) in ("overdue", "due")),
                     key=lambda e: e.attention_key(on))
    for e in pending:
        r = messages(e.answers.lang)["register"]
        todo = r["todo_dissolve"] if e.answers.group.dissolve_on else r["todo_review"]
        click.echo(todo.format(name=e.answers.group.name, status=r[f"status_{e.status(on, within)}"],
                               date=long_date(e.answers.due_date(), e.answers.lang)))
    if not pending:
        r = messages(environment_lang())["register"]
        click.echo(r["none_due_notice"] if within is None else r["none_due"].format(within=within))
    if fail_if_any and pending:
        sys.exit(3)


def _date_option(value: str | None) -> date | None:
    from .dates import parse_date
    from .register import today

    if value is None:
        return None
    parsed = parse_date(value, today())
    if parsed is None:
        raise click.BadParameter(f"not a date: {value} (2026-12-31, +30d, 3个月后)")
    return parsed


@cli.command()
@click.argument("group")
@dir_option
@click.option("--on", "on_date", default=None, help="The day it was dissolved (default: today).")
@click.option("--reason", default="", help="Why, in a few words.")
def dissolve(group: str, out_dir: Path, on_date: str | None, reason: str):
    """Record that GROUP (its folder, or a unique part of its name) was dissolved. Nothing is deleted.

    Example: charter dissolve 外宣活动 --reason 活动结束
    """
    from .register import find_group, record_dissolution, today

    entry = find_group(out_dir, group, environment_lang())
    on = _date_option(on_date) or today()
    record_dissolution(entry, on, reason)
    click.echo(messages(entry.answers.lang)["register"]["dissolved"].format(
        name=entry.answers.group.name, on=on.isoformat(), folder=entry.folder))


@cli.command()
@click.argument("group")
@dir_option
@click.option("--until", "until", required=True, help="The new dissolution date (or the next review date).")
@click.option("--reason", required=True, help="Why the group lives on, in a few words.")
def renew(group: str, out_dir: Path, until: str, reason: str):
    """Give GROUP a new dissolution or review date; the charter is rendered again, the earlier one kept.

    Example: charter renew 外宣活动 --until 2027-03-31 --reason 活动延期
    """
    from .register import find_group, record_renewal, today

    entry = find_group(out_dir, group, environment_lang())
    new_date = _date_option(until)
    written = record_renewal(entry, new_date, reason, today())
    click.echo(messages(entry.answers.lang)["register"]["renewed"].format(
        name=entry.answers.group.name, until=new_date.isoformat()))
    _print_written(written)


@cli.command()
@dir_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the calendar here instead of printing it.")
@click.option("--alarms", default="30,7,1", show_default=True, help="Days before each date to remind.")
def calendar(out_dir: Path, output: Path | None, alarms: str):
    """One calendar (iCalendar) with every open group's dissolution or review date.

    Example: charter calendar -o groups.ics
    """
    from .register import read_register
    from .reminders import register_calendar

    try:
        alarm_days = tuple(sorted({int(part) for part in alarms.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise click.BadParameter(f"not a list of days: {alarms}", param_hint="--alarms") from None
    entries, _ = read_register(out_dir)
    groups = [(e.answers, e.unit) for e in entries if not e.answers.dissolved_on]
    lang = environment_lang()
    content = register_calendar(groups, messages(lang)["register"]["calendar_name"], alarm_days)
    if output is None:
        click.echo(content.decode("utf-8"), nl=False)
        return
    from .output import write_file

    write_file(output, content)
    click.echo(messages(lang)["register"]["calendar_written"].format(path=output, count=len(groups)))


@cli.command()
@click.argument("group")
@click.argument("kind", type=click.Choice(["welcome", "leave", "dissolve", "digest", "rules"]))
@dir_option
@click.option("--member", default=None, help="The member it is about (welcome, leave).")
def notice(group: str, kind: str, out_dir: Path, member: str | None):
    """Print a ready-to-paste message for GROUP: welcome, leave, dissolve, digest or rules.

    Example: charter notice 外宣活动 welcome --member 张华
    """
    from .notices import notice as make_notice
    from .register import find_group, today

    entry = find_group(out_dir, group, environment_lang())
    click.echo(make_notice(entry, kind, member, today()).rstrip("\n"))


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


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@unit_option
@out_option
def serve(host: str, port: int, unit_dir: Path | None, out_dir: Path):
    """Serve the questionnaire as a web page, with a live preview and the register.

    Example: charter serve --unit examples/units/county-propaganda --out output
    """
    from .web import create_app, is_loopback, serve as run

    app = create_app(out_dir, unit_dir)
    if not is_loopback(host):
        click.echo(f"warning: listening on {host}: anyone who can reach this address can write charters "
                   f"into {out_dir.resolve()}. Use --host 127.0.0.1 to keep it on this machine.", err=True)
    click.echo(f"charter serve: http://{host}:{port}/  (Ctrl-C stops it)")
    run(app, host, port)


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
