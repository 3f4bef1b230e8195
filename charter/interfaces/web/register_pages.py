"""The register in the browser: the list of groups (search, sort), a group's page with its files
and ready-to-send notices, and its renewal and dissolution, each confirmed on a page of its own
(no script needed) and recorded by the register's own functions."""

from __future__ import annotations

from dataclasses import replace

from flask import abort, redirect, request, send_file, url_for

from ...core.clock import today
from ...core.dates import long_date, parse_date
from ...core.errors import InputError
from ...core.formats import ANSWERS_FILE, FILE_NAMES
from ...core.i18n import messages, text
from ...pipeline import record_dissolution
from ...register.entries import Entry, by_attention, read_register
from ...register.folders import register_file
from ...render.notices import notice
from .pool import Busy, Failed, TooSlow

DOWNLOADS = (*FILE_NAMES.values(), ANSWERS_FILE)
SORTS = ("status", "date", "created")
GROUP_NOTICES = ("rules", "dissolve", "digest")
MEMBER_NOTICES = ("welcome", "leave")
DONE = ("written", "renewed", "dissolved")
DISSOLVED_HIDES = (FILE_NAMES["txt"], FILE_NAMES["ics"])


def _matches(entry, query: str) -> bool:
    words = (entry.answers.group.name, entry.answers.owner.name, entry.folder.name)
    return not query or any(query.casefold() in word.casefold() for word in words)


def _sorted(entries, sort: str, on):
    if sort == "date":
        return sorted(entries, key=lambda e: (e.answers.due_date(), e.answers.group.name))
    if sort == "created":
        return sorted(entries, key=lambda e: (e.answers.group.created, e.answers.group.name), reverse=True)
    return by_attention(entries, on)


def _notice_labels(entry: Entry) -> dict[str, str]:
    """Each notice's heading key: a duty group's digest is a shift hand-over, and is named so."""
    return {kind: "handover" if kind == "digest" and entry.answers.group.profile == "duty" else kind
            for kind in GROUP_NOTICES + MEMBER_NOTICES}


def units_of(entry: Entry) -> tuple[str, set[str]] | None:
    """A register group's unit: its name, and every name it goes by; None without one."""
    if entry.unit is None:
        return None
    return entry.unit.info.name, entry.unit.names


def add_routes(app, site, pool_message) -> None:
    @app.get("/groups")
    def groups_page():
        lang, on = site.lang(), today()
        entries, unreadable = read_register(site.out_dir)
        unreadable = [replace(item, problem=site.without_server_paths(item.problem)) for item in unreadable]
        query = request.args.get("q", "").strip()[:100]
        sort = request.args.get("sort") if request.args.get("sort") in SORTS else "status"
        shown = _sorted([e for e in entries if _matches(e, query)], sort, on)
        rows = [(e, e.status(on), long_date(e.answers.due_date(), lang), long_date(e.answers.group.created, lang))
                for e in shown]
        return site.page("groups.html", lang, rows=rows, total=len(entries), unreadable=unreadable, query=query,
                         sort=sort, sorts=SORTS)

    @app.get("/groups/<folder>")
    def group_page(folder: str):
        entry = site.entry(folder)
        lang, on = entry.answers.lang, today()
        names = [m.name for m in entry.answers.members]
        member = request.args.get("member") if request.args.get("member") in names else None
        kinds = GROUP_NOTICES + (MEMBER_NOTICES if member else ())
        # a dissolved group gets no more messages: no announcement, no "will be dissolved on"
        texts = {} if entry.answers.dissolved_on else {
            kind: notice(entry.answers, entry.unit, kind, member, on) for kind in kinds}
        # a dissolved group's files are its record; what is pasted into or reminds of the group is not offered
        offered = [n for n in DOWNLOADS if not (entry.answers.dissolved_on and n in DISSOLVED_HIDES)]
        files = [name for name in offered if register_file(site.out_dir, entry.folder, name)]
        done = request.args.get("done") if request.args.get("done") in DONE else None
        return site.page("group.html", lang, entry=entry, status=entry.status(on), files=files, texts=texts,
                         member=member, done=done, due=long_date(entry.answers.due_date(), lang),
                         created=long_date(entry.answers.group.created, lang),
                         dissolved=entry.answers.dissolved_on and long_date(entry.answers.dissolved_on, lang),
                         labels=_notice_labels(entry),
                         copy_refused=site.unit_left_behind(units_of(entry), lang))

    @app.get("/groups/<folder>/files/<name>")
    def download(folder: str, name: str):
        entry = site.entry(folder)
        path = register_file(site.out_dir, entry.folder, name) if name in DOWNLOADS else None
        if path is None:
            abort(404)
        # named for the group, so that a clerk's downloads folder tells them apart (Werkzeug adds
        # the RFC 5987 filename* for a Chinese name)
        return send_file(path, as_attachment=True, download_name=f"{entry.folder.name}-{name}")

    def open_group(folder: str):
        """The group, still open: a dissolved one is shown its page again, never dissolved twice."""
        entry = site.entry(folder)
        if entry.answers.dissolved_on:
            abort(redirect(url_for("group_page", folder=entry.folder.name), code=303))
        return entry

    @app.route("/groups/<folder>/dissolve", methods=["GET", "POST"])
    def dissolve(folder: str):
        entry = open_group(folder)
        if request.method == "POST":
            record_dissolution(entry, today(), request.form.get("reason", "").strip()[:200])
            return redirect(url_for("group_page", folder=folder, done="dissolved"), code=303)
        return site.page("dissolve.html", entry.answers.lang, entry=entry)

    @app.route("/groups/<folder>/renew", methods=["GET", "POST"])
    def renew(folder: str):
        entry = open_group(folder)
        lang, on = entry.answers.lang, today()
        values = {"until": request.form.get("until", ""), "reason": request.form.get("reason", "").strip()[:200]}
        current = long_date(entry.answers.due_date(), lang)
        if request.method == "GET":
            return site.page("renew.html", lang, entry=entry, values=values, error=None, current=current)
        until = parse_date(values["until"], entry.answers.due_date())  # +3m: three months more
        error, code = (None if until else text(lang, "errors.date_unreadable")), 422
        if until:
            try:
                site.pool.renew(entry.folder, until, values["reason"], on)
            except InputError as problem:
                error = messages(lang)["semicolon"].join(p.message for p in problem.problems)
            except (Busy, TooSlow, Failed) as problem:
                error, code = pool_message(lang, problem), 503
        if error:
            return site.page("renew.html", lang, code, entry=entry, values=values, error=error, current=current)
        return redirect(url_for("group_page", folder=folder, done="renewed"), code=303)
