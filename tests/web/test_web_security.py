"""charter serve's guards: headers, Host allow-list, password, and the bounded render pool."""

from __future__ import annotations

import base64
import http.client
import os
import re
import socket
import subprocess
import threading
import time
import urllib.parse
import urllib.request

import pytest
from conftest import CHARTER
from test_web import GOOD, ZH, post_form
from waitress.server import create_server

from charter.interfaces.web import Access, Limits, RenderPool, create_app, is_loopback
from charter.interfaces.web.security import host_name


@pytest.fixture
def client(tmp_path, monkeypatch, render_pool):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    return create_app(tmp_path / "out", pool=render_pool).test_client()


def test_every_page_has_a_strict_policy_and_no_inline_script_or_style(client):
    post_form(client, GOOD, action="write")
    for path in ("/", "/groups", "/groups/防汛宣传群", "/groups/防汛宣传群/renew", "/groups/防汛宣传群/dissolve", "/nowhere"):
        response = client.get(path, headers=ZH)
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy and "unsafe-inline" not in policy, path
        assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        page = response.get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), path  # every script is a file
        assert "<style" not in page and " style=" not in page and " on" + "click=" not in page, path
    assert client.get("/static/app.js").status_code == 200


def test_the_session_cookie_is_same_site(client):
    client.get("/", headers=ZH)
    cookie = client.get_cookie("session")
    assert cookie is not None and cookie.same_site == "Lax" and cookie.http_only


@pytest.mark.parametrize("host, bound, allowed, ok", [
    ("localhost:8000", "127.0.0.1", (), True),
    ("127.0.0.1:8000", "127.0.0.1", (), True),
    ("[::1]:8000", "::1", (), True),
    ("evil.example:8000", "127.0.0.1", (), False),  # DNS rebinding: another site's name pointed at loopback
    ("charter.office.lan", "0.0.0.0", ("charter.office.lan",), True),
    ("other.office.lan", "0.0.0.0", ("charter.office.lan",), False),
    ("192.168.1.10:8000", "0.0.0.0", (), True),  # listening everywhere: an address typed as numbers
    ("192.168.1.10:8000", "127.0.0.1", (), False),
])
def test_requests_for_another_host_are_refused(tmp_path, render_pool, host, bound, allowed, ok):
    app = create_app(tmp_path, access=Access(bound, frozenset(allowed)), pool=render_pool)
    response = app.test_client().get("/", headers={"Host": host, **ZH})
    assert response.status_code == (200 if ok else 400)
    assert ok or "这个服务不接受用" in response.get_data(as_text=True)


def test_host_names_and_loopback():
    assert host_name("Example.ORG:80") == "example.org" and host_name("[::1]:8000") == "::1"
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_a_password_guards_every_page(tmp_path, render_pool):
    client = create_app(tmp_path, access=Access(password="花园 2026"), pool=render_pool).test_client()
    refused = client.get("/groups", headers=ZH)
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Basic")
    assert "需要密码" in refused.get_data(as_text=True)
    wrong = base64.b64encode("x:花园".encode()).decode()
    assert client.get("/groups", headers={"Authorization": f"Basic {wrong}"}).status_code == 401
    right = base64.b64encode("anyone:花园 2026".encode()).decode()
    assert client.get("/groups", headers={"Authorization": f"Basic {right}"}).status_code == 200


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("charter serve did not start")


def test_serve_off_loopback_needs_a_password_and_then_asks_for_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CHARTER_SERVE_PASSWORD"}
    refused = subprocess.run([str(CHARTER), "serve", "--host", "0.0.0.0", "--out", str(tmp_path)], capture_output=True,
                             text=True, timeout=60, env={**env, "LANG": "zh_CN.UTF-8"})
    assert refused.returncode == 2 and "必须设密码" in refused.stderr and "Traceback" not in refused.stderr
    port = _free_port()
    child = subprocess.Popen([str(CHARTER), "serve", "--host", "0.0.0.0", "--port", str(port), "--out", str(tmp_path)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             env={**env, "CHARTER_SERVE_PASSWORD": "s3cret"})
    try:
        _wait_for(port)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/")
        assert connection.getresponse().status == 401
        request = urllib.request.Request(f"http://127.0.0.1:{port}/groups",
                                         headers={"Authorization": "Basic " + base64.b64encode(b"u:s3cret").decode()})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and response.version == 11
    finally:
        child.terminate()
        child.wait(timeout=10)


# A roster that takes well over the test pool's two seconds to lay out (about 2.3 ms a member).
BIG_ROSTER = "\n".join(f"成员{i},县水利局,干事," for i in range(2000))


def test_big_renders_run_in_the_pool_while_pages_still_answer_and_a_render_past_its_limit_stops(tmp_path, monkeypatch):
    """Two 2,000-member charters fill a one-worker pool; the form and the register answer meanwhile;
    the render past its time limit is stopped with a message, and the pool writes again afterwards."""
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    pool = RenderPool(Limits(workers=1, seconds=2, queue=4, members=2000)).start()
    app = create_app(tmp_path / "out", pool=pool)
    server = create_server(app, host="127.0.0.1", port=0, threads=8)

    def run():
        try:
            server.run()
        except OSError:  # its socket closed under it when the test is over
            pass

    listener = threading.Thread(target=run, daemon=True)
    listener.start()
    app.config["WTF_CSRF_ENABLED"] = False
    big = {**GOOD, "members": BIG_ROSTER, "show_roster": "yes"}
    results = []
    try:
        client = app.test_client()
        writers = [threading.Thread(target=lambda: results.append(post_form(client, big, action="write")))
                   for _ in range(2)]
        for writer in writers:
            writer.start()
        time.sleep(0.5)
        base = f"http://127.0.0.1:{server.effective_port}"
        for path in ("/", "/groups"):
            with urllib.request.urlopen(base + path, timeout=10) as response:
                assert response.status == 200
        assert results == []  # the pages answered while both big writes were still waiting or rendering
        for writer in writers:
            writer.join(timeout=60)
        assert [r.status_code for r in results] == [503, 503]
        assert "超过 2 秒" in results[0].get_data(as_text=True) and "成员0" in results[0].get_data(as_text=True)
        assert not (tmp_path / "out" / "防汛宣传群").exists()  # nothing half-written
        assert post_form(client, GOOD, action="write").status_code == 303
        for path in ("/groups/防汛宣传群", "/groups/防汛宣传群/renew", "/groups/防汛宣传群/dissolve"):
            with urllib.request.urlopen(base + urllib.parse.quote(path), timeout=10) as response:
                assert response.status == 200 and response.reason == "OK"  # a status line urllib accepts
    finally:
        server.close()
        listener.join(timeout=10)
        pool.close()


def test_the_web_caps_the_roster(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    client = create_app(tmp_path / "out", pool=RenderPool(Limits(members=3))).test_client()
    page = post_form(client, {**GOOD, "members": "甲\n乙\n丙\n丁\n"}, action="write").get_data(as_text=True)
    assert "网页上最多录入 3 名成员（现在 4 名）" in page and 'href="#members"' in page
    assert not (tmp_path / "out").exists()


def test_a_full_queue_says_busy_and_keeps_the_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    pool = RenderPool(Limits(queue=1))
    client = create_app(tmp_path / "out", pool=pool).test_client()
    assert pool._slots.acquire(blocking=False)  # one write under way fills this queue
    response = post_form(client, GOOD, action="write")
    page = response.get_data(as_text=True)
    assert response.status_code == 503 and "同时生成的群规太多" in page and 'value="防汛宣传群"' in page
