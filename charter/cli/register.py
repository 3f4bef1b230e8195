"""Commands over the register: list, due, dissolve, renew, calendar, notice."""

from __future__ import annotations

import os
import sys
from datetime import date
from pathlib import Path

import click

from ..core.dates import long_date
from ..core.errors import input_error
from ..core.i18n import environment_lang, messages
from .base import _print_written, cli, dir_option


def _complete_group(ctx, param, incomplete: str):
    """Group names for shell completion: those of the register (--dir, else the default one)."""
    from click.shell_completion import CompletionItem

    from ..register.folders import group_folders, group_name_in
    from .base import _register_folder

    names = [group_name_in(folder) for folder in group_folders(ctx.params.get("out_dir") or _register_folder())]
    return [CompletionItem(name) for name in sorted(filter(None, names)) if incomplete.casefold() in name.casefold()]


@cli.command("list")
@dir_option
@click.option("--json", "as_json", is_flag=True, help="Print the register as JSON.")
def list_groups(out_dir: Path, as_json: bool):
    """List every group of the register, what needs attention first.

    Example: charter list --dir output
    """
    from ..core.clock import today
    from ..register.entries import by_attention, read_register
    from .views import notice_lines, register_json, register_table, unreadable_lines

    on = today()
    entries, unreadable = read_register(out_dir)
    entries = by_attention(entries, on)
    lang = environment_lang()  # a register may hold groups of both languages; the tool speaks the user's
    if as_json:
        click.echo(register_json(entries, on, unreadable))
    elif entries:
        click.echo(register_table(entries, on, lang))
    elif not unreadable:
        click.echo(messages(lang)["register"]["empty"].format(dir=out_dir))
    for line in notice_lines(entries) + unreadable_lines(unreadable, lang):
        click.echo(line, err=True)


def webhook_options(option: str, what: str):
    """--webhook/--notify [URL], --platform, --secret, --dry-run: how a message reaches the group's robot."""
    def decorate(command):
        for decorator in reversed([
            click.option(f"--{option}", "webhook", is_flag=False, flag_value="", default=None, metavar="[URL]",
                         help=f"Send {what} to a group robot's webhook. Without URL: CHARTER_WEBHOOK, or the one "
                              "saved with `charter webhook save` (safer: a URL typed here stays in the shell history)."),
            click.option("--platform", type=click.Choice(["wecom", "dingtalk", "feishu", "slack"]), default=None,
                         help="The robot's platform (default: from the URL's host)."),
            click.option("--secret", default=None, help="The robot's signing secret (DingTalk, Feishu); "
                                                         "or CHARTER_WEBHOOK_SECRET."),
            click.option("--dry-run", is_flag=True, help="Print what would be sent, send nothing."),
        ]):
            command = decorator(command)
        return command
    return decorate


def _robot(register: Path, webhook: str, platform: str | None, secret: str | None):
    """The robot given or saved, checked before anything is sent: its URL, platform and signing secret
    (a Webhook whose platform is always named)."""
    from ..interfaces.webhooks import address_problem, platform_of, redacted
    from ..register.webhook_settings import SETTINGS_FILE, Webhook, saved_webhook

    lang = environment_lang()
    hook = Webhook(webhook, secret, platform) if webhook else saved_webhook(register)
    if hook is None:
        raise input_error(lang, "no_webhook", field="--webhook")
    problem = address_problem(hook.url)
    if problem:
        where = "--webhook" if webhook else "CHARTER_WEBHOOK" if os.environ.get("CHARTER_WEBHOOK", "").strip() \
            else str(register / SETTINGS_FILE)
        raise input_error(lang, problem, field=where, url=redacted(hook.url))
    target = platform_of(hook.url, platform or hook.platform)
    if target is None:
        raise input_error(lang, "webhook_platform", field="--platform", host=redacted(hook.url))
    return Webhook(hook.url, secret or hook.secret or os.environ.get("CHARTER_WEBHOOK_SECRET") or None, target.name)


def _deliver(robot, text: str, dry_run: bool, sent=lambda part: None) -> None:
    """Send text to the robot (_robot), `sent` told of each part taken; exit 4 with the platform's own
    words when it refuses, or when a request outlives its deadline."""
    from ..interfaces.webhooks import PLATFORMS, WebhookError, deadline_seconds, redacted, send, split_message

    url, secret, target = robot.url, robot.secret, PLATFORMS[robot.platform]
    deadline = deadline_seconds()
    parts = split_message(text, target)
    r = messages(environment_lang())["register"]
    if dry_run:
        click.echo(r["webhook_dry_run"].format(platform=target.name, url=redacted(url), count=len(parts),
                                               signed=r["signed"] if secret else r["unsigned"]))
        for index, part in enumerate(parts, start=1):
            click.echo(f"--- {index}/{len(parts)} ---\n{part}")
        return
    try:
        count = send(url, text, target, secret, deadline=deadline, sent=sent)
    except WebhookError as error:
        if error.code == "timeout":
            click.echo(r["webhook_late"].format(platform=error.platform, seconds=error.message), err=True)
        else:
            click.echo(r["webhook_refused"].format(platform=error.platform, code=error.code, message=error.message),
                       err=True)
        sys.exit(4)
    click.echo(r["webhook_sent"].format(platform=target.name, count=count))


def _notify(register: Path, robot, events: dict[str, str], on: date, dry_run: bool, resend: bool) -> None:
    """The due reminder (events: each group's line by its event) sent to the robot, without what it
    was sent today already unless resend; each group recorded as sent once the part naming it is taken."""
    from ..register.sent import record_sent, sent_today

    r = messages(environment_lang())["register"]
    record = sent_today(register, on, robot.url)
    done = set() if resend else record.events
    todo = {event: line for event, line in events.items() if event not in done}
    if not todo:
        click.echo(r["notify_already"].format(count=len(events)))
        return

    def taken(part: str) -> None:
        lines = set(part.split("\n"))
        record_sent(record, [event for event, line in todo.items() if line in lines])

    head = r["notify_head"].format(date=on.isoformat(), count=len(todo))
    _deliver(robot, "\n".join([head, *todo.values()]), dry_run, sent=taken)


@cli.command()
@dir_option
@click.option("--within", type=click.IntRange(0, 3650), default=None,
              help="Days ahead to look (default: each group's own dissolution notice period).")
@click.option("--fail-if-any", is_flag=True, help="Exit 3 when any group is due or overdue, or cannot be read (for cron).")
@webhook_options("notify", "one message listing what is due and overdue (nothing is sent when nothing is, "
                           "nor what was sent to the same robot today)")
@click.option("--resend", is_flag=True, help="With --notify: send again what was already sent today.")
def due(out_dir: Path, within: int | None, fail_if_any: bool, webhook: str | None, platform: str | None,
        secret: str | None, dry_run: bool, resend: bool):
    """The groups to dissolve or review soon, or overdue, with what to do.

    Example: charter due --within 30 --fail-if-any
    """
    from ..core.clock import today
    from ..register.entries import by_attention, read_register
    from ..register.sent import due_event, unreadable_event
    from .views import due_lines, unreadable_lines

    on = today()
    entries, unreadable = read_register(out_dir)
    pending = by_attention([e for e in entries if e.status(on, within) in ("overdue", "due")], on)
    lang = environment_lang()
    named = click.get_current_context().get_parameter_source("out_dir") is not click.core.ParameterSource.DEFAULT
    lines = due_lines(pending, on, within, lang, out_dir if named else None)
    for line in lines:
        click.echo(line)
    if not pending:
        r = messages(lang)["register"]
        click.echo(r["none_due_notice"] if within is None else r["none_due"].format(within=within))
    for line in unreadable_lines(unreadable, lang):
        click.echo(line, err=True)
    if webhook is not None and (pending or unreadable):
        r = messages(lang)["register"]
        events = {due_event(e, on, within): line for e, line in zip(pending, lines)}
        events |= {unreadable_event(u): r["unreadable"].format(folder=u.shown_name) for u in unreadable}
        _notify(out_dir, _robot(out_dir, webhook, platform, secret), events, on, dry_run, resend)
    if fail_if_any and (pending or unreadable):
        sys.exit(3)


def _date_option(value: str | None, option: str, base: date | None = None) -> date | None:
    """The date an option gives; a relative one (+3m) counts from base, else from today."""
    from ..core.clock import EARLIEST, LATEST, today
    from ..core.dates import parse_date

    if value is None:
        return None
    parsed = parse_date(value, base or today())
    if parsed is None or not EARLIEST <= parsed <= LATEST:
        raise input_error(environment_lang(), "date_option", field=option, value=value[:40])
    return parsed


def _reason(value: str) -> str:
    """--reason checked as the history's reason field is, and named as the option the user typed."""
    from ..core.errors import InputError, Problem
    from ..schema.answers import Event
    from ..schema.validation import field_problem

    problem = field_problem(Event, "reason", value, environment_lang())
    if problem:
        raise InputError([Problem("--reason", problem)], lang=environment_lang())
    return value


@cli.command()
@click.argument("group", shell_complete=_complete_group)
@dir_option
@click.option("--on", "on_date", default=None, help="The day it was dissolved (default: today).")
@click.option("--reason", default="", help="Why, in a few words.")
def dissolve(group: str, out_dir: Path, on_date: str | None, reason: str):
    """Record that GROUP (its folder, or a unique part of its name) was dissolved. Nothing is deleted.

    Example: charter dissolve 外宣活动 --reason 活动结束
    """
    from ..core.clock import today
    from ..pipeline import record_dissolution
    from ..register.entries import find_group

    entry = find_group(out_dir, group, environment_lang())
    on = _date_option(on_date, "--on") or today()
    record_dissolution(entry, on, _reason(reason))
    lang = environment_lang()
    click.echo(messages(lang)["register"]["dissolved"].format(
        name=entry.answers.group.name, on=long_date(on, lang), folder=entry.folder))


@cli.command()
@click.argument("group", shell_complete=_complete_group)
@dir_option
@click.option("--until", "until", required=True,
              help="The new dissolution date (or the next review date); +6m or 3个月后 counts from the current one.")
@click.option("--reason", required=True, help="Why the group lives on, in a few words.")
def renew(group: str, out_dir: Path, until: str, reason: str):
    """Give GROUP a new dissolution or review date; the charter is rendered again, the earlier one kept.

    Example: charter renew 外宣活动 --until 2027-03-31 --reason 活动延期
    """
    from ..core.clock import today
    from ..pipeline import record_renewal
    from ..register.entries import find_group

    entry = find_group(out_dir, group, environment_lang())
    new_date = _date_option(until, "--until", entry.answers.due_date())
    for line in entry.notices:  # the renewed charter takes what its unit sets now
        click.echo(line, err=True)
    written = record_renewal(entry, new_date, _reason(reason), today())
    lang = environment_lang()
    click.echo(messages(lang)["register"]["renewed"].format(name=entry.answers.group.name,
                                                            until=long_date(new_date, lang)))
    _print_written(written)


@cli.command()
@dir_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True), default=None,
              help="Write the calendar to this file (a regular file, in a folder that exists) instead of printing "
                   "it; - prints it.")
@click.option("--alarms", default="30,7,1", show_default=True, help="Days before each date to remind.")
def calendar(out_dir: Path, output: str | None, alarms: str):
    """One calendar (iCalendar) with every open group's dissolution or review date.

    Example: charter calendar -o groups.ics
    """
    from ..core.files import write_named_file
    from ..register.entries import read_register
    from ..render.calendar import register_calendar
    from .views import unreadable_lines

    lang = environment_lang()
    try:
        alarm_days = tuple(sorted({int(part) for part in alarms.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise input_error(lang, "alarms", field="--alarms", value=alarms[:40]) from None
    if not alarm_days or not all(0 <= days <= 365 for days in alarm_days):
        raise input_error(lang, "alarms", field="--alarms", value=alarms[:40])
    if output is None and sys.stdout.isatty():  # hundreds of lines of iCalendar help no one on a screen
        raise input_error(lang, "calendar_terminal", field="--output")
    entries, unreadable = read_register(out_dir)
    for line in unreadable_lines(unreadable, lang):
        click.echo(line, err=True)
    groups = [(e.answers, e.unit) for e in entries if not e.answers.dissolved_on]
    content = register_calendar(groups, messages(lang)["register"]["calendar_name"], alarm_days)
    if output in (None, "-"):
        click.echo(content.decode("utf-8"), nl=False)
        return
    write_named_file(output, content, "--output", lang)
    click.echo(messages(lang)["register"]["calendar_written"].format(path=output, count=len(groups)))


@cli.command()
@click.argument("group", shell_complete=_complete_group)
@click.argument("kind", type=click.Choice(["welcome", "leave", "dissolve", "digest", "rules"]))
@dir_option
@click.option("--member", default=None, help="The member it is about (welcome, leave).")
@webhook_options("webhook", "the notice into the group")
def notice(group: str, kind: str, out_dir: Path, member: str | None, webhook: str | None, platform: str | None,
           secret: str | None, dry_run: bool):
    """Print a ready-to-paste message for GROUP: welcome, leave, dissolve, digest or rules; or send it
    to the group's robot (WeCom, DingTalk, Feishu, Slack) with --webhook.

    Example: charter notice 外宣活动 welcome --member 张华
    """
    from ..core.clock import today
    from ..register.entries import find_group
    from ..render.notices import notice as make_notice

    lang = environment_lang()
    entry = find_group(out_dir, group, lang)
    if entry.answers.dissolved_on:
        raise input_error(lang, "notice_dissolved", name=entry.answers.group.name,
                          on=long_date(entry.answers.dissolved_on, lang))
    text = make_notice(entry.answers, entry.unit, kind, member, today()).rstrip("\n")
    if webhook is None:
        click.echo(text)
    else:
        _deliver(_robot(out_dir, webhook, platform, secret), text, dry_run)
