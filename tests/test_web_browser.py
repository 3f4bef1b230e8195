"""End to end in a real browser: Debian's Chromium, driven by Playwright, against `charter serve`."""

from __future__ import annotations

import shutil
import threading

import pytest
from conftest import pdf_text, squeeze
from playwright.sync_api import expect, sync_playwright
from waitress.server import create_server

from charter.interfaces.web import create_app

# The flags a machine with a closed network needs (no background connections, no first-run work).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                 "--disable-background-networking", "--disable-component-update"]


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    app = create_app(tmp_path / "out")
    httpd = create_server(app, host="127.0.0.1", port=0, threads=2)
    thread = threading.Thread(target=httpd.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.effective_port}"
    httpd.close()


@pytest.fixture
def browser():
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: run `make test`, which installs it"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def test_fill_watch_the_preview_submit_and_download_the_pdf(server, browser, tmp_path):
    page = browser.new_page(locale="zh-CN", accept_downloads=True)
    page.goto(server + "/")
    expect(page.locator("legend").first).to_have_text("1/5 语言")

    page.fill("#group-name", "汛期值班群")
    page.fill("#group-purpose", "汛期值班安排和雨情通报")
    page.fill("#group-dissolve_on", "2026-12-31")
    page.fill("#owner-name", "陈刚")
    page.fill("#owner-unit", "县应急管理局")
    page.fill("#members", "刘洋,县水利局,干事,管理员\n")
    preview = page.frame_locator("#preview")
    expect(preview.locator("h1")).to_have_text("汛期值班群群规", timeout=15_000)
    expect(preview.locator("body")).to_contain_text("2026年12月31日")

    page.fill("#group-name", "汛期防汛值班群")  # the preview follows the answers
    expect(preview.locator("h1")).to_have_text("汛期防汛值班群群规", timeout=15_000)

    page.click("#write")
    expect(page.locator("p.ok")).to_have_text("群规已生成。")
    expect(page.locator("#notice-rules")).to_contain_text("【群公告】汛期防汛值班群群规")
    with page.expect_download() as download_info:
        page.click("text=charter.pdf")
    saved = tmp_path / "downloaded.pdf"
    download_info.value.save_as(saved)
    text = squeeze(pdf_text(saved))
    assert "汛期防汛值班群群规" in text and "2026年12月31日" in text and "陈刚" in text
