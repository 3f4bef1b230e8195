"""`charter serve`: the questionnaire as a web form with a live preview, and the register.

Flask, because the pages are a handful of server-rendered Jinja forms that must work
without JavaScript, and Flask is Jinja's own home; Flask-WTF for CSRF; waitress to serve
(pure Python, threaded, runs on an office Windows PC as well as on a Linux host).
"""

from __future__ import annotations

import csv
import io
import ipaddress
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .answers import answers_model, validate_answers
from .dates import long_date
from .documents import render_documents, write_charter
from .errors import InputError
from .i18n import environment_lang, messages
from .members_csv import parse_members
from .notices import notice
from .output import ANSWERS_FILE, FILE_NAMES
from .questions import SECTIONS, Question, check_answer, lang_of, lifetime_cleanup
from .register import Entry, find_group, read_register, record_dissolution, today
from .render import builtin_templates
from .tree import get, merged, put
from .unit import Unit, catalogue_of, load_unit

MAX_REQUEST_BYTES = 1_000_000
DOWNLOADS = {ANSWERS_FILE, *FILE_NAMES.values()}


@dataclass
class FormState:
    """The questionnaire as a page: the answers so far, what was typed, what is wrong, and what to ask."""
    answers: dict
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[Question]]] = field(default_factory=list)
    model: object = None

    @property
    def lang(self) -> str:
        return lang_of(self.answers)

    def shown(self, question: Question):
        """What the field shows: what was typed, else the answer, else the question's default."""
        if question.key in self.raw:
            return self.raw[question.key]
        value = get(self.answers, question.key, question.default) if question.type != "checkbox" else question.default
        if question.type == "members":
            rows = io.StringIO()
            writer = csv.writer(rows)
            for member in self.answers.get("members", []):
                writer.writerow([member.get("name", ""), member.get("unit", ""), member.get("title", ""),
                                 member.get("role", "")])
            return rows.getvalue()
        if question.type == "confirm":
            return bool(value)
        return value.isoformat() if isinstance(value, date) else ("" if value is None else value)


def _posted(question: Question, form, state: FormState, model, on: date):
    """The answer posted for a question, checked as the terminal checks it; None and an error when wrong."""
    lang = state.lang
    if question.type == "confirm":
        return question.key in form, None
    if question.type == "checkbox":
        allowed = {value for value, _ in question.choices}
        return [value for value in form.getlist(question.key) if value in allowed], None
    raw = form.get(question.key, "")
    if question.type == "select":
        allowed = {value for value, _ in question.choices}
        return (raw, None) if raw in allowed else (None, messages(lang)["web"]["bad_choice"])
    if question.type == "members":
        state.raw[question.key] = raw
        members, problems = parse_members(raw, lang, header_optional=True)
        return [m.model_dump(exclude_defaults=True) for m in members], messages(lang)["semicolon"].join(problems) or None
    state.raw[question.key] = raw
    return check_answer(question, raw, state.answers, model, on)


def build_form(start: dict, unit: Unit | None, on: date, form=None) -> FormState:
    """Ask every section's questions in order, as the terminal does; with a posted form, take its answers.

    A question's answer is read only when its field was on the page that was posted (the
    `_shown` list): a question that appears because of an earlier answer starts from its default.
    """
    catalogue = catalogue_of(unit)
    model = answers_model(catalogue)
    state = FormState(answers=merged({}, start))
    shown = set(form.getlist("_shown")) if form is not None else set()
    for section, makers in SECTIONS:
        asked = []
        for make in makers:
            for question in make(state.answers, catalogue, on):
                if unit and unit.is_locked(question.key):
                    continue
                asked.append(question)
                if question.key not in shown:
                    continue
                value, problem = _posted(question, form, state, model, on)
                if problem:
                    state.errors[question.key] = problem
                    continue
                if question.store:
                    question.store(state.answers, value)
                elif question.type == "members":
                    state.answers["members"] = value
                else:
                    put(state.answers, question.key, value)
        lifetime_cleanup(state.answers)
        state.sections.append((section, asked))
    if not state.errors:
        _validate_whole(state, unit, catalogue)
    if form is None:  # a fresh form has nothing wrong yet, only things not answered yet
        state.errors.clear()
        state.general.clear()
    return state


def _validate_whole(state: FormState, unit: Unit | None, catalogue) -> None:
    keys = {q.key for _, questions in state.sections for q in questions}
    try:
        state.model = validate_answers(unit.apply(state.answers) if unit else state.answers, catalogue)
    except InputError as error:
        for problem in error.problems:
            if problem.path in keys:
                state.errors.setdefault(problem.path, problem.message)
            else:
                state.general.append(f"{problem.path}: {problem.message}" if problem.path else problem.message)


def _request_lang() -> str:
    asked = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"])
    return asked if asked in ("zh", "en") else environment_lang()


def create_app(out_dir: Path, unit_dir: Path | None = None) -> Flask:
    unit = load_unit(unit_dir) if unit_dir else None
    out_dir = Path(out_dir)
    app = Flask(__name__, template_folder=str(builtin_templates() / "web"))
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                      WTF_CSRF_TIME_LIMIT=None)
    CSRFProtect(app)

    def start_answers() -> dict:
        lang = _request_lang()
        base = merged({"lang": unit.info.lang if unit and "lang" not in request.args else lang},
                      unit.defaults if unit else {})
        return base

    def page(template: str, lang: str, status: int = 200, **values):
        t = messages(lang)
        return render_template(template, t=t, w=t["web"], lang=lang, unit=unit.info if unit else None,
                               **values), status

    def preview_html(state: FormState) -> str | None:
        if state.model is None:
            return None
        return render_documents(state.model, formats=("html",), unit=unit)["charter.html"].decode("utf-8")

    def entry_for(folder: str) -> Entry:
        # Only a folder of the register, by its exact name: no path from the request reaches the disk.
        names = {p.name for p in out_dir.iterdir() if (p / ANSWERS_FILE).is_file()} if out_dir.is_dir() else set()
        if folder not in names:
            abort(404)
        return find_group(out_dir, str(out_dir / folder), _request_lang())

    @app.get("/")
    def form_page():
        state = build_form(start_answers(), unit, today())
        return page("form.html", state.lang, state=state, preview=preview_html(state))

    @app.post("/")
    def form_submit():
        state = build_form(start_answers(), unit, today(), request.form)
        if request.form.get("action") == "write" and state.model is not None and not state.errors:
            written = write_charter(state.model, out_dir, unit=unit, new_folder=True)
            return redirect(url_for("group_page", folder=written[0].parent.name, written=1), code=303)
        status = 200 if request.form.get("action") != "write" else 422
        return page("form.html", state.lang, status, state=state, preview=preview_html(state))

    @app.post("/preview")
    def preview():
        state = build_form(start_answers(), unit, today(), request.form)
        html = preview_html(state)
        if html is None:
            problems = [*state.errors.values(), *state.general]
            return page("preview-errors.html", state.lang, 422, problems=problems)
        return html, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/groups")
    def groups_page():
        entries, unreadable = read_register(out_dir)
        on = today()
        entries.sort(key=lambda e: e.attention_key(on))
        lang = _request_lang()
        rows = [(e, e.status(on), long_date(e.answers.due_date(), lang)) for e in entries]
        return page("groups.html", lang, rows=rows, unreadable=unreadable)

    @app.get("/groups/<folder>")
    def group_page(folder: str):
        entry = entry_for(folder)
        lang, on = entry.answers.lang, today()
        member = request.args.get("member") or None
        texts = {kind: notice(entry, kind, None, on) for kind in ("rules", "dissolve", "digest")}
        if member:
            texts.update({kind: notice(entry, kind, member, on) for kind in ("welcome", "leave")})
        files = [name for name in FILE_NAMES.values() if (entry.folder / name).is_file()] + [ANSWERS_FILE]
        return page("group.html", lang, entry=entry, status=entry.status(on), files=files, texts=texts,
                    member=member, written=bool(request.args.get("written")))

    @app.get("/groups/<folder>/files/<name>")
    def download(folder: str, name: str):
        entry = entry_for(folder)
        if name not in DOWNLOADS or not (entry.folder / name).is_file():
            abort(404)
        return send_file(entry.folder / name, as_attachment=True, download_name=name)

    @app.post("/groups/<folder>/dissolve")
    def dissolve(folder: str):
        entry = entry_for(folder)
        record_dissolution(entry, today(), request.form.get("reason", "")[:200])
        return redirect(url_for("group_page", folder=folder), code=303)

    @app.errorhandler(InputError)
    def bad_input(error: InputError):
        return page("message.html", error.lang, 400, message=error.report())

    @app.errorhandler(CSRFError)
    def bad_csrf(error):
        return page("message.html", _request_lang(), 400, message=messages(_request_lang())["web"]["csrf"])

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return page("message.html", _request_lang(), 413, message=messages(_request_lang())["web"]["too_large"])

    @app.errorhandler(404)
    def not_found(error):
        return page("message.html", _request_lang(), 404, message=messages(_request_lang())["web"]["not_found"])

    @app.errorhandler(Exception)
    def crashed(error):
        if isinstance(error, HTTPException):
            return error
        app.logger.exception("request failed")  # the server goes on; this request gets a page saying so
        return page("message.html", _request_lang(), 500,
                    message=messages(_request_lang())["web"]["server_error"].format(detail=type(error).__name__))

    return app


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(app: Flask, host: str, port: int) -> None:
    from waitress import serve as waitress_serve

    waitress_serve(app, host=host, port=port, threads=4, max_request_body_size=MAX_REQUEST_BYTES)
