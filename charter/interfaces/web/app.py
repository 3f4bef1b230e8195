"""`charter serve`: the questionnaire as a web form with a live preview, and the register.

Flask, because the pages are a handful of server-rendered Jinja forms that must work
without JavaScript, and Flask is Jinja's own home; Flask-WTF for CSRF; waitress to serve
(pure Python, threaded, runs on an office Windows PC as well as on a Linux host).
"""

from __future__ import annotations

import json
import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, abort, g, jsonify, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ...core.clock import today
from ...core.dotted import merged
from ...core.errors import InputError
from ...core.formats import ANSWERS_FILE
from ...core.i18n import SPEAKING, environment_lang, lang_or, messages, text
from ...core.resources import templates_dir
from ...register.entries import Entry, find_group, open_namesake
from ...render.documents import render_documents
from ...schema.answers import answers_from
from ...schema.unit import load_unit
from ..questions import Engine
from . import register_pages
from .forms import FormState, build_form
from .pool import Busy, Failed, RenderPool, TooSlow
from .security import Access, secure_headers

MAX_REQUEST_BYTES = 1_000_000
_KEPT_PREVIEWS = 64


class Previews:
    """Rendered previews by an unguessable token, the latest few kept: the form's frame loads
    one by URL, so its inline style is allowed there and nowhere else (the page's policy forbids it)."""

    def __init__(self):
        self._kept: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, html: str) -> str:
        token = secrets.token_urlsafe(16)
        with self._lock:
            self._kept[token] = html
            while len(self._kept) > _KEPT_PREVIEWS:
                self._kept.popitem(last=False)
        return token

    def get(self, token: str) -> str | None:
        with self._lock:
            return self._kept.get(token)


@dataclass
class Site:
    """What the routes share: where the register is, the unit, the render pool, and how a page is made."""
    out_dir: Path
    unit_dir: Path | None
    pool: RenderPool

    def __post_init__(self):
        self.unit = load_unit(self.unit_dir) if self.unit_dir else None
        self.previews = Previews()

    def engine(self) -> Engine:
        return Engine(self.unit, today())

    def page(self, template: str, lang: str, code: int = 200, **values):
        t = messages(lang)
        html = render_template(template, t=t, w=t["web"], lang=lang, unit=self.unit.plain() if self.unit else None,
                               **values)
        return html, code

    @staticmethod
    def lang() -> str:
        """The page's language: ?lang=, else the browser's, else the machine's."""
        asked = request.args.get("lang") or request.accept_languages.best_match(["zh", "en"])
        return lang_or(asked, environment_lang())

    def message(self, lang: str, code: int, message: str, headers: dict | None = None):
        html, code = self.page("message.html", lang, code, message=message)
        return html, code, headers or {}

    def without_server_paths(self, message: str) -> str:
        """A problem as a browser may see it: files named within the register (or the unit, by its
        folder's name), since where the server keeps them is not the visitor's business."""
        roots = {f"{root}{os.sep}": "" for root in _spellings(self.out_dir)}
        if self.unit_dir is not None:
            roots.update({f"{root}{os.sep}": f"{self.unit_dir.resolve().name}{os.sep}"
                          for root in _spellings(self.unit_dir)})
        for root in sorted(roots, key=len, reverse=True):
            message = message.replace(root, roots[root])
        return message

    def unit_left_behind(self, recorded: tuple[str, set[str]] | None, lang: str) -> str | None:
        """Why answers made with a unit this server does not use cannot start a form here: written
        without it, the charter would silently lose that unit's letterhead, rules and locks.
        `recorded` is the unit's name and every name it may go by (its folder's, its path)."""
        ours = self.unit.names | {self.unit.root.name} if self.unit else set()
        if recorded is None or recorded[1] & ours:
            return None
        return text(lang, "web.other_unit", unit=recorded[0],
                    ours=f"“{self.unit.info.name}”" if self.unit else text(lang, "web.no_unit"))

    def entry(self, folder: str) -> Entry:
        # Only a folder of the register, by its exact name (no link out of it): no path from the
        # request reaches the disk.
        names = {p.name for p in self.out_dir.iterdir() if not p.is_symlink() and (p / ANSWERS_FILE).is_file()} \
            if self.out_dir.is_dir() else set()
        if folder not in names:
            abort(404)
        return find_group(self.out_dir, folder, self.lang())


def _spellings(folder: Path) -> set[str]:
    return {str(folder.absolute()), str(folder.resolve())}


def create_app(out_dir: Path, unit_dir: Path | None = None, access: Access = Access(),
               pool: RenderPool | None = None) -> Flask:
    # absolute: Flask reads a relative file name from its own package folder, not the working one
    site = Site(Path(out_dir).absolute(), unit_dir, pool or RenderPool())
    web = templates_dir() / "web"
    app = Flask(__name__, template_folder=str(web), static_folder=str(web / "static"))
    app.config.update(SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
                      WTF_CSRF_TIME_LIMIT=None, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)
    app.extensions["charter"] = site
    CSRFProtect(app)
    app.jinja_env.filters["when_json"] = lambda when: json.dumps(
        [{"key": c.key, "values": sorted(c.values, key=str)} for c in when], ensure_ascii=False)

    _guard(app, site, access)
    _form_routes(app, site)
    register_pages.add_routes(app, site, pool_message)
    _error_pages(app, site)
    return app


def _guard(app: Flask, site: Site, access: Access) -> None:
    """Every request: in the page's language, from an allowed host with the password if one is set;
    every response with the security headers."""
    @app.before_request
    def speak_the_pages_language():
        # messages made below the web (a register folder that cannot be read) in the page's words
        g.speaking = SPEAKING.set(site.lang())

    @app.teardown_request
    def stop_speaking(error=None):
        if "speaking" in g:
            SPEAKING.reset(g.speaking)

    @app.before_request
    def check_access():
        if not access.allows_host(request.host):
            return site.message(site.lang(), 400, text(site.lang(), "web.unknown_host", host=request.host[:100]))
        given = request.authorization.password if request.authorization else None
        if not access.allows_password(given):
            lang = site.lang()
            return site.message(lang, 401, text(lang, "web.password_needed"),
                                {"WWW-Authenticate": 'Basic realm="charter", charset="UTF-8"'})

    @app.after_request
    def headers(response):
        secure_headers(response, preview=request.endpoint == "preview_page")
        return response


def _form_routes(app: Flask, site: Site) -> None:
    """The form: a new charter (or one started from a group or an uploaded file), its live preview,
    and writing it."""
    def start_answers() -> dict:
        if site.unit is None:
            return {"lang": site.lang()}
        lang = site.unit.info.lang if "lang" not in request.args else site.lang()
        return merged({"lang": lang}, site.unit.defaults)

    def posted_form() -> FormState:
        return build_form(start_answers(), site.engine(), site.pool.limits.members, request.form)

    def preview_url(state: FormState) -> str | None:
        if state.model is None:
            return None
        html = render_documents(state.model, formats=("html",), unit=site.unit)["charter.html"].decode("utf-8")
        return url_for("preview_page", token=site.previews.keep(html))

    def form_page(state: FormState, code: int = 200, notice: str | None = None):
        return site.page("form.html", state.lang, code, state=state, preview=preview_url(state), notice=notice)

    @app.get("/")
    def form_start():
        start = start_answers()
        source = request.args.get("from")
        if source:
            entry = site.entry(source)
            problem = site.unit_left_behind(register_pages.units_of(entry), site.lang())
            if problem:
                state = build_form(start, site.engine(), site.pool.limits.members)
                state.general = [problem]
                return form_page(state, 409)
            start = answers_from(entry.answers, today())
        return form_page(build_form(start, site.engine(), site.pool.limits.members))

    @app.post("/load")
    def form_load():
        upload = request.files.get("answers_file")
        lang = site.lang()
        start = start_answers()
        problems = []
        if upload is None or not upload.filename:
            problems = [text(lang, "web.choose_file")]
        else:
            try:
                start, recorded = site.pool.read_upload(upload.read(), upload.filename, site.unit_dir, lang, today())
                problem = site.unit_left_behind(recorded, lang)
                if problem:
                    start, problems = start_answers(), [problem]
            except (Busy, TooSlow, Failed) as error:
                problems = [pool_message(lang, error)]
            except InputError as error:
                at = messages(error.lang)["errors"]["at_line"]
                problems = [" ".join(filter(None, [upload.filename, at.format(line=p.line) if p.line else "",
                                                   p.brief()])) for p in error.problems]
        state = build_form(start, site.engine(), site.pool.limits.members)
        state.general = problems
        return form_page(state, 400 if problems else 200)

    @app.post("/")
    def form_submit():
        state = posted_form()
        action = request.form.get("action")
        if action not in ("write", "version"):
            state.quiet_unreached(request.form)
            return form_page(state)
        state.tried = True
        if state.model is None or state.errors:
            return form_page(state, 422)
        # a copy of a group, its name unchanged, is a new version of it or gets a name of its own
        namesake = open_namesake(site.out_dir, state.model.group.name)
        if namesake and not (action == "version" and request.form.get("_version_of") == namesake.name):
            state.namesake = namesake.name
            state.errors["group.name"] = text(state.lang, "web.same_name", folder=namesake.name)
            return form_page(state, 409)
        try:
            folder = site.pool.write_new(state.answers, site.unit_dir, site.out_dir, namesake and namesake.name)
        except (Busy, TooSlow, Failed) as error:
            return form_page(state, 503, pool_message(state.lang, error))
        return redirect(url_for("group_page", folder=folder, done="written"), code=303)

    @app.post("/preview")
    def preview():
        state = posted_form()
        url = preview_url(state)
        if url is None:
            problems = [message for _, message in state.summary()]
            html, _ = site.page("preview-problems.html", state.lang, problems=problems)
            url = url_for("preview_page", token=site.previews.keep(html))
        # each problem beside its field too, and each date as it is understood (the frame may be far below)
        return jsonify(url=url, ok=state.model is not None, problems=state.field_problems(),
                       dates=state.understood_dates())

    @app.get("/preview/<token>")
    def preview_page(token: str):
        html = site.previews.get(token)
        if html is None:
            html, _ = site.page("preview-problems.html", site.lang(), problems=[])
        return html, 200, {"Content-Type": "text/html; charset=utf-8"}


def _error_pages(app: Flask, site: Site) -> None:
    """Every failure as a page in the user's language, without the server's paths or a traceback."""
    @app.errorhandler(InputError)
    def bad_input(error: InputError):
        return site.message(error.lang, 400, site.without_server_paths(error.report()))

    @app.errorhandler(CSRFError)
    def bad_csrf(error):
        return site.message(site.lang(), 400, text(site.lang(), "web.csrf"))

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error):
        return site.message(site.lang(), 413, text(site.lang(), "web.too_large"))

    @app.errorhandler(404)
    def not_found(error):
        return site.message(site.lang(), 404, text(site.lang(), "web.not_found"))

    @app.errorhandler(405)
    def wrong_method(error):
        return site.message(site.lang(), 405, text(site.lang(), "web.not_found"))

    @app.errorhandler(Exception)
    def crashed(error):
        if isinstance(error, HTTPException):
            return error
        app.logger.exception("request failed")  # the server goes on; this request gets a page saying so
        return site.message(site.lang(), 500, text(site.lang(), "web.server_error", detail=type(error).__name__))


def pool_message(lang: str, error: Exception) -> str:
    if isinstance(error, Busy):
        return text(lang, "web.busy")
    if isinstance(error, TooSlow):
        return text(lang, "web.too_slow", seconds=int(error.args[0]))
    return error.machine or text(lang, "web.server_error", detail=error.detail)
