"""`charter serve`: the questionnaire as a web form with a live preview, and the register.

Flask, because the pages are a handful of server-rendered Jinja forms that must work
without JavaScript, and Flask is Jinja's own home; Flask-WTF for CSRF; waitress to serve
(pure Python, threaded, runs on an office Windows PC as well as on a Linux host).

The form is a view over the questions engine: the page shows every question a section may
ask (JavaScript hides those that do not apply yet), and a post is walked through the engine
exactly as the terminal walks its prompts, so the answers written are the answers posted.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import json
import secrets
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask, abort, redirect, render_template, request, send_file, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..core.clock import today
from ..core.dates import long_date
from ..core.errors import InputError
from ..core.i18n import environment_lang, lang_or, messages
from ..core.resources import templates_dir
from ..core.tree import merged
from ..register.changes import record_dissolution
from ..register.groups import Entry, by_attention, find_group, read_register
from ..register.writing import Placement, write_charter
from ..render.documents import ANSWERS_FILE, FILE_NAMES, render_documents
from ..render.notices import notice
from ..schema.answers import AnswersBase
from ..schema.unit import load_unit
from .questions import KEEP, SECTIONS, Engine, Question, Shown, kind_of, lang_of
from .spreadsheets import parse_members
from .terminal import answers_from

MAX_REQUEST_BYTES = 1_000_000
DOWNLOADS = {ANSWERS_FILE, *FILE_NAMES.values()}
MAX_CUSTOM_RULES = 20


@dataclass
class FormState:
    """The questionnaire as a page: the answers posted, what was typed, what is wrong, and what to ask."""
    engine: Engine
    answers: dict
    raw: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    sections: list[tuple[str, list[Question]]] = field(default_factory=list)
    model: AnswersBase | None = None

    @property
    def lang(self) -> str:
        return lang_of(self.answers)

    @property
    def kind(self) -> str:
        return kind_of(self.answers)

    def applies(self, question: Question) -> bool:
        return self.engine.applies(question, self.answers)

    def shown(self, question: Question):
        """What the field shows: what was typed, else the answer, else the question's default."""
        if question.key in self.raw:
            return self.raw[question.key]
        if question.type in ("checkbox", "confirm"):
            return self.engine.current(question.key, self.answers) if question.key != "show_roster" \
                else bool(self.answers.get("show_roster"))
        if question.type == "members":
            return members_text(self.answers.get("members", []), self.lang)
        value = question.default
        return value.isoformat() if isinstance(value, date) else ("" if value is None else value)


def members_text(members: list[dict], lang: str) -> str:
    """Members as the form's textarea shows them: one CSV line each, roles in words."""
    roles = messages(lang)["roles"]
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    for member in members:
        writer.writerow([member.get("name", ""), member.get("unit", ""), member.get("title", ""),
                         roles.get(member.get("role", "member"), "") if member.get("role", "member") != "member" else ""])
    return rows.getvalue()


def _posted_custom_rules(form, question: Question, state: FormState) -> list[dict]:
    rules = []
    for index in range(MAX_CUSTOM_RULES):
        body = form.get(f"rules.custom.{index}.text")
        if body is None:
            break
        if not body.strip():
            continue
        value, problem = state.engine.check(Question("rules.custom.text", "textarea", "", schema_key="rules.custom.text"),
                                            body, state.answers)
        category = form.get(f"rules.custom.{index}.category", "enforcement")
        if category not in {c for c, _ in question.choices}:
            category = "enforcement"
        if problem:
            state.errors[f"rules.custom.{index}.text"] = problem
            state.raw[f"rules.custom.{index}.text"] = body
        rules.append({"category": category, "text": value if value else body})
    return rules


def _answer_from_form(form, state: FormState, shown_keys: set[str]):
    """answer_for for the engine: the posted value of a question, checked as the terminal checks it."""
    def answer_for(question: Question):
        if question.key not in shown_keys:
            return KEEP  # the page that was posted did not have this field
        if question.type == "confirm":
            return question.key in form
        if question.type == "checkbox":
            allowed = {value for value, _ in question.choices}
            return [value for value in form.getlist(question.key) if value in allowed]
        if question.type == "members":
            raw = form.get(question.key, "")
            members, problems = parse_members(raw, state.lang, header_optional=True)
            if problems:
                state.raw[question.key] = raw
                state.errors[question.key] = messages(state.lang)["semicolon"].join(problems)
                return KEEP
            return [m.model_dump(exclude_defaults=True) for m in members]
        if question.type == "custom_rules":
            return _posted_custom_rules(form, question, state)
        raw = form.get(question.key, "")
        value, problem = state.engine.check(question, raw, state.answers)
        if problem:
            state.raw[question.key] = raw
            state.errors[question.key] = problem
            return KEEP
        return value
    return answer_for


def build_form(start: dict, engine: Engine, form=None) -> FormState:
    """Walk every section through the engine; with a posted form, its answers are the answers."""
    state = FormState(engine, merged({}, start))
    if form is not None:
        shown_keys = set(form.getlist("_shown"))
        shown = Shown(lang_or(form.get("_lang"), state.lang), form.get("_kind") or state.kind)
        answer_for = _answer_from_form(form, state, shown_keys)
        for section in SECTIONS:
            engine.walk(section, state.answers, answer_for, shown)
    state.sections = [(section, engine.questions(section, state.answers)) for section in SECTIONS]
    if not state.errors:
        _validate_whole(state)
    if form is None:  # a fresh form has nothing wrong yet, only things not answered yet
        state.errors.clear()
        state.general.clear()
    return state


def _validate_whole(state: FormState) -> None:
    keys = {q.key for _, questions in state.sections for q in questions if state.applies(q)}
    try:
        state.model = state.engine.validate(state.answers)
    except InputError as error:
        for problem in error.problems:
            if problem.path in keys:
                state.errors.setdefault(problem.path, problem.message)
            else:
                state.general.append(problem.brief())


def _request_lang() -> str:
    asked = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"])
    return lang_or(asked, environment_lang())


def create_app(out_dir: Path, unit_dir: Path | None = None) -> Flask:
    unit = load_unit(unit_dir) if unit_dir else None
    out_dir = Path(out_dir)
    app = Flask(__name__, template_folder=str(templates_dir() / "web"))
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                      WTF_CSRF_TIME_LIMIT=None)
    CSRFProtect(app)
    app.jinja_env.filters["when_json"] = lambda when: json.dumps(
        [{"key": c.key, "values": sorted(c.values, key=str)} for c in when], ensure_ascii=False)

    def start_answers() -> dict:
        if unit is None:
            return {"lang": _request_lang()}
        lang = unit.info.lang if "lang" not in request.args else _request_lang()
        return merged({"lang": lang}, unit.defaults)

    def page(template: str, lang: str, status: int = 200, **values):
        t = messages(lang)
        return render_template(template, t=t, w=t["web"], lang=lang, unit=unit.plain() if unit else None,
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
        start = start_answers()
        source = request.args.get("from")
        if source:
            start = answers_from(entry_for(source).answers, today())
        state = build_form(start, Engine(unit, today()))
        return page("form.html", state.lang, state=state, preview=preview_html(state))

    @app.post("/")
    def form_submit():
        state = build_form(start_answers(), Engine(unit, today()), request.form)
        if request.form.get("action") == "write" and state.model is not None and not state.errors:
            written = write_charter(state.model, unit, out_dir, Placement.FRESH)
            return redirect(url_for("group_page", folder=written[0].parent.name, written=1), code=303)
        status = 200 if request.form.get("action") != "write" else 422
        return page("form.html", state.lang, status, state=state, preview=preview_html(state))

    @app.post("/preview")
    def preview():
        state = build_form(start_answers(), Engine(unit, today()), request.form)
        html = preview_html(state)
        if html is None:
            problems = [*state.errors.values(), *state.general]
            return page("preview-errors.html", state.lang, 422, problems=problems)
        return html, 200, {"Content-Type": "text/html; charset=utf-8"}

    @app.get("/groups")
    def groups_page():
        entries, unreadable = read_register(out_dir)
        on = today()
        lang = _request_lang()
        rows = [(e, e.status(on), long_date(e.answers.due_date(), lang)) for e in by_attention(entries, on)]
        return page("groups.html", lang, rows=rows, unreadable=unreadable)

    @app.get("/groups/<folder>")
    def group_page(folder: str):
        entry = entry_for(folder)
        lang, on = entry.answers.lang, today()
        member = request.args.get("member") or None
        texts = {kind: notice(entry.answers, entry.unit, kind, None, on) for kind in ("rules", "dissolve", "digest")}
        if member:
            texts.update({kind: notice(entry.answers, entry.unit, kind, member, on) for kind in ("welcome", "leave")})
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
