"""Hostile input: escaped text, sanitised Markdown, a fetcher that serves only the assets, a sandbox."""

from __future__ import annotations

import http.server
import re
import threading

import pytest
from conftest import CHROMIUM, EXAMPLES, pdf_text, run_charter, squeeze
from jinja2.exceptions import SecurityError, UndefinedError

from charter.render.pdf import render_pdf
from charter.schema.catalogue import fill

EVENT = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src="file:///etc/passwd">'


def _render(tmp_path, source: str, formats: str = "pdf,html,md,txt"):
    answers = tmp_path / "hostile.toml"
    answers.write_text(source, encoding="utf-8")
    out = tmp_path / "out"
    result = run_charter("render", answers, "--out", out, "--format", formats)
    assert result.returncode == 0, result.stderr
    [folder] = out.iterdir()
    return folder


def _body(folder) -> str:
    """The HTML after the built-in style sheet, where user text can appear."""
    return re.split(r"<body[^>]*>", (folder / "charter.html").read_text("utf-8"), maxsplit=1)[1]


def test_markup_in_every_text_field_is_shown_as_text(tmp_path):
    source = (EVENT.replace('name = "县融媒体中心外宣活动群"', f"name = '群{SCRIPT}'")
              .replace('purpose = "统筹本次外宣活动的稿件报送与现场协调"', f"purpose = '{IMG} 用途'")
              .replace('name = "张华"', "name = '<b onmouseover=x>张华</b>'")
              .replace('quiet_start = "21:30"', 'quiet_start = "21:30"\nremark_format = "<i>单位</i>-{{ 7*7 }}"'))
    folder = _render(tmp_path, source)
    html = _body(folder)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=" in html
    assert "<i>单位</i>" not in html and "&lt;i&gt;单位&lt;/i&gt;-{{ 7*7 }}" in html
    assert "49" not in html  # a parameter is a value, never a template
    pdf = squeeze(pdf_text(folder / "charter.pdf"))
    assert squeeze(SCRIPT) in pdf and "<i>单位</i>-{{7*7}}" in pdf
    md = (folder / "charter.md").read_text("utf-8")
    assert "<script>" not in md and r"\<script\>" in md
    assert SCRIPT in (folder / "announcement.txt").read_text("utf-8")  # plain text: shown as typed


def test_custom_markdown_is_sanitised(tmp_path):
    hostile = ("请看 [链接](javascript:alert(1)) 和 <script>alert(2)</script>"
               "<img src=x onerror=alert(3)> ![图](file:///etc/passwd) "
               "<a href='http://example.com' onclick='x()'>外链</a> {{ 6*7 }} **加粗**")
    source = EVENT + f"\n[[rules.custom]]\ncategory = \"posting\"\ntext = '''{hostile}'''\n"
    folder = _render(tmp_path, source)
    html = _body(folder)
    for forbidden in ("javascript:", "<script", "onerror", "onclick", "file:///etc"):
        assert forbidden not in html, forbidden
    assert re.search(r"<img[^>]*src=", html) is None  # without a unit, no image source is allowed
    assert "<strong>加粗</strong>" in html and "{{ 6*7 }}" in html and "42" not in html
    assert "外链" in squeeze(pdf_text(folder / "charter.pdf"))
    md = (folder / "charter.md").read_text("utf-8")
    for forbidden in ("javascript:", "<script", "<img", "onerror", "onclick", "file:///etc", "alert(2)"):
        assert forbidden not in md, forbidden
    assert "**加粗**" in md and "[外链](http://example.com)" in md


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self):  # noqa: N802 (http.server's name)
        type(self).hits += 1
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args):
        pass


@pytest.fixture
def counting_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _CountingHandler.hits = 0
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_pdf_renderer_fetches_nothing_outside_the_assets(counting_server, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    html = f"""<html><head>
      <link rel="stylesheet" href="{counting_server}/x.css">
      <link rel="attachment" href="file://{secret}">
      <link rel="attachment" href="file:///etc/passwd">
      <style>@import url("{counting_server}/y.css"); body {{ background: url("{counting_server}/bg.png") }}</style>
      </head><body>
      <img src="file:///etc/passwd"><img src="{counting_server}/a.png">
      <img src="data:image/svg+xml;base64,PHN2Zy8+">
      <iframe src="file://{secret}"></iframe><object data="file://{secret}"></object>
      <a rel="attachment" href="file://{secret}">a</a>
      <p>body text</p></body></html>"""
    pdf = render_pdf(html, "en")
    assert _CountingHandler.hits == 0
    assert b"TOP-SECRET-LINE" not in pdf and b"root:x:" not in pdf
    assert b"/EmbeddedFile" not in pdf


def test_rule_texts_render_in_a_sandbox():
    for hostile in ("{{ ''.__class__.__mro__[1].__subclasses__() }}",
                    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
                    "{{ quiet_start.__class__.__base__.__subclasses__() }}"):
        with pytest.raises((SecurityError, UndefinedError)):
            fill(hostile, {"quiet_start": "21:00"})


def test_the_same_page_without_the_fetcher_would_reach_the_server(counting_server):
    """The control for the test above: WeasyPrint's default fetcher does make the request."""
    from weasyprint import HTML

    HTML(string=f'<link rel="stylesheet" href="{counting_server}/x.css"><p>x</p>').write_pdf()
    assert _CountingHandler.hits == 1


def test_fetcher_serves_files_under_its_roots_only(tmp_path):
    from weasyprint.urls import URLFetchingError

    from charter.render.fetcher import AssetFetcher

    assets = tmp_path / "assets"
    assets.mkdir()
    (assets / "logo.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>", encoding="utf-8")
    (tmp_path / "outside.txt").write_text("no", encoding="utf-8")
    (assets / "link.txt").symlink_to(tmp_path / "outside.txt")
    fetcher = AssetFetcher([assets])
    assert fetcher.fetch((assets / "logo.svg").as_uri()).read().startswith(b"<svg")
    for url in ((tmp_path / "outside.txt").as_uri(), (assets / "link.txt").as_uri(),
                (assets / ".." / "outside.txt").as_uri(), "file:///etc/passwd",
                "http://127.0.0.1:1/x", "data:text/plain,hello", "ftp://example.com/x"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)


@pytest.mark.parametrize("template", [
    '{% extends "builtin/charter.html.j2" %}{% block footer %}<img src="@SERVER@/track.png">'
    '<style>@import url("@SERVER@/x.css");</style><iframe src="@SERVER@/frame"></iframe>{% endblock %}',
    '<html><body><img src="@SERVER@/track.png"><p>a page of its own</p></body></html>',  # no head at all
    # before the template's <head>: a script and a picture, which once came ahead of the policy
    '<script>fetch("@SERVER@/script")</script><img src="@SERVER@/track.png"><!DOCTYPE html>'
    '<html><head><title>t</title></head><body><p>x</p></body></html>',
    # a comment that once swallowed the policy put after the first "<head>"
    '<!-- <head> --><html><head><script>fetch("@SERVER@/script")</script></head>'
    '<body><img src="@SERVER@/track.png"></body></html>',
    # a refresh would leave for another address, which no policy governs; however it is written
    '<html><head><meta content="0;url=@SERVER@/away" http-equiv="Refresh"></head>'
    '<body><img src="@SERVER@/track.png"></body></html>',
    '<meta content="0;url=@SERVER@/a"http-equiv="refresh"><img src="@SERVER@/track.png">',
    '<meta/http-equiv="refresh"/content="0;url=@SERVER@/b"><img src="@SERVER@/track.png">',
    '<meta http-equiv="&#114;efresh" content="0;url=@SERVER@/c"><img src="@SERVER@/track.png">',
])
def test_the_html_file_loads_nothing_from_elsewhere_in_a_browser(counting_server, tmp_path, template):
    """A unit template can put remote links in charter.html; the file's own policy keeps a browser
    from loading them. The control (the same page without the policy) does reach the server."""
    import shutil

    from playwright.sync_api import sync_playwright

    from charter.render.documents import FILE_POLICY

    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    (unit / "templates" / "charter.html.j2").write_text(template.replace("@SERVER@", counting_server), "utf-8")
    result = run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit,
                         "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 0, result.stderr
    page_file = next((tmp_path / "out").rglob("charter.html"))
    control = tmp_path / "control.html"
    control.write_text(page_file.read_text("utf-8").replace(FILE_POLICY, "default-src * 'unsafe-inline'"), "utf-8")
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
            "--disable-background-networking", "--disable-component-update"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page()
        page.goto(page_file.as_uri(), wait_until="domcontentloaded")
        page.wait_for_timeout(500)
        assert _CountingHandler.hits == 0
        page.goto(control.as_uri(), wait_until="commit")
        page.wait_for_timeout(500)
        assert _CountingHandler.hits > 0
        browser.close()


def test_a_templates_frames_load_nothing_not_even_a_connection(tmp_path):
    """A frame the policy refuses still had Chromium open a connection to its address."""
    from charter.render.documents import confined

    page = confined('<p>x</p><iframe src="http://127.0.0.1:9/o" hidden></iframe><OBJECT data="http://x/"></OBJECT>'
                    '<embed/src="http://x/"><p>iframe and object, as words</p>')
    assert not re.search(r"<(iframe|object|embed)\b", page, re.IGNORECASE)
    assert "<p>iframe and object, as words</p>" in page
