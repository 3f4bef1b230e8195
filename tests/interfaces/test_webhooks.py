"""Notices sent to group robots, against local servers that check what each platform checks.

Each server implements its platform's documented contract (the message's shape, its size
limit, the signature, the rate limit, 429 with Retry-After) and answers with the platform's
own error codes, so a client that gets any of it wrong is refused here as it would be there.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import EXAMPLES, run_charter

from charter.interfaces.webhooks import PLATFORMS, Throttle, split_message

TOKEN = "tok-3f9c2a"
SECRET = "SEC-5b1e0d"


class Robot(BaseHTTPRequestHandler):
    """One platform's robot endpoint; `platform`, `received`, `answers` are set per server."""

    def log_message(self, *args):
        pass

    def _answer(self, status: int, body, headers: dict | None = None):
        data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        server = self.server
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        server.requests.append(time.monotonic())
        check = getattr(self, f"_{server.platform}")
        check(url.path, query, raw)

    def _too_fast(self) -> bool:
        recent = [t for t in self.server.requests if time.monotonic() - t < 60]
        return len(recent) > 20

    def _wecom(self, path, query, raw):
        if path != "/cgi-bin/webhook/send" or query.get("key") != TOKEN:
            return self._answer(200, {"errcode": 93000, "errmsg": "invalid webhook url"})
        if self._too_fast():
            return self._answer(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
        body = json.loads(raw)
        if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
            return self._answer(200, {"errcode": 40008, "errmsg": "invalid message type"})
        content = body["text"]["content"]
        if len(content.encode("utf-8")) > 2048:
            return self._answer(200, {"errcode": 40058, "errmsg": "content exceed max length 2048"})
        self.server.received.append(content)
        self._answer(200, {"errcode": 0, "errmsg": "ok"})

    def _dingtalk(self, path, query, raw):
        if path != "/robot/send" or query.get("access_token") != TOKEN:
            return self._answer(200, {"errcode": 300001, "errmsg": "token is not exist"})
        stamp = query.get("timestamp", "")
        expected = base64.b64encode(hmac.new(SECRET.encode(), f"{stamp}\n{SECRET}".encode(), hashlib.sha256)
                                    .digest()).decode()
        if not stamp.isdigit() or abs(time.time() * 1000 - int(stamp)) > 3_600_000 or query.get("sign") != expected:
            return self._answer(200, {"errcode": 310000, "errmsg": "sign not match"})
        body = json.loads(raw)
        if body.get("msgtype") != "text" or not isinstance(body.get("text", {}).get("content"), str):
            return self._answer(200, {"errcode": 40035, "errmsg": "缺少参数 json"})
        self.server.received.append(body["text"]["content"])
        self._answer(200, {"errcode": 0, "errmsg": "ok"})

    def _feishu(self, path, query, raw):
        if path != f"/open-apis/bot/v2/hook/{TOKEN}":
            return self._answer(404, {"code": 19001, "msg": "param invalid: incoming webhook access token invalid"})
        if len(raw) > 20 * 1024:
            return self._answer(400, {"code": 9499, "msg": "Bad Request"})
        body = json.loads(raw)
        stamp = str(body.get("timestamp", ""))
        expected = base64.b64encode(hmac.new(f"{stamp}\n{SECRET}".encode(), b"", hashlib.sha256).digest()).decode()
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > 3600 or body.get("sign") != expected:
            return self._answer(200, {"code": 19021, "msg": "sign match fail or timestamp is not within one hour"})
        if body.get("msg_type") != "text" or not isinstance(body.get("content", {}).get("text"), str):
            return self._answer(200, {"code": 19002, "msg": "params error, msg_type need"})
        self.server.received.append(body["content"]["text"])
        self._answer(200, {"code": 0, "msg": "success", "data": {}})

    def _slack(self, path, query, raw):
        if path != f"/services/T0/B0/{TOKEN}":
            return self._answer(403, "invalid_token")
        if self.server.throttle_next:
            self.server.throttle_next -= 1
            return self._answer(429, "rate_limited", {"Retry-After": "1"})
        body = json.loads(raw)
        if not isinstance(body.get("text"), str) or set(body) != {"text"}:
            return self._answer(400, "invalid_payload")
        self.server.received.append(body["text"])
        self._answer(200, "ok")


PATHS = {"wecom": f"/cgi-bin/webhook/send?key={TOKEN}", "dingtalk": f"/robot/send?access_token={TOKEN}",
         "feishu": f"/open-apis/bot/v2/hook/{TOKEN}", "slack": f"/services/T0/B0/{TOKEN}"}


@pytest.fixture
def local_server():
    """Starts loopback HTTP servers with the given handler and attributes; stops them after the test."""
    servers = []

    def start(handler, **attributes):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        for name, value in attributes.items():
            setattr(server, name, value)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()


@pytest.fixture
def robot(local_server):
    def start(platform: str, throttle_next: int = 0):
        server = local_server(Robot, platform=platform, received=[], requests=[], throttle_next=throttle_next)
        return server, f"http://127.0.0.1:{server.server_port}{PATHS[platform]}"

    return start


@pytest.fixture(scope="module")
def register(tmp_path_factory):
    out = tmp_path_factory.mktemp("register")
    for example in ("county-media-event", "school-project-team"):
        result = run_charter("render", EXAMPLES / f"{example}.toml", "--out", out, "--format", "txt")
        assert result.returncode == 0, result.stderr
    return out


def _notice(register, *args, env=None, timeout=120):
    return run_charter("notice", "外宣活动", "rules", "--dir", register, *args, env=env, timeout=timeout)


@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu", "slack"])
def test_a_notice_reaches_each_platform_as_it_expects(register, robot, platform):
    server, url = robot(platform)
    printed = _notice(register).stdout.rstrip("\n")
    sent = _notice(register, "--webhook", url, "--platform", platform, "--secret", SECRET)
    assert sent.returncode == 0, sent.stderr
    assert "\n".join(server.received) == printed
    assert TOKEN not in sent.stdout + sent.stderr and SECRET not in sent.stdout + sent.stderr


@pytest.mark.parametrize("platform, code", [("dingtalk", "310000"), ("feishu", "19021")])
def test_a_wrong_signature_is_refused_with_the_platforms_own_code(register, robot, platform, code):
    server, url = robot(platform)
    refused = _notice(register, "--webhook", url, "--platform", platform, "--secret", "SEC-wrong")
    assert refused.returncode == 4 and code in refused.stderr and "Traceback" not in refused.stderr
    assert TOKEN not in refused.stderr and not server.received


def test_a_wrong_key_is_refused(register, robot):
    server, url = robot("wecom")
    refused = _notice(register, "--webhook", url.replace(TOKEN, "tok-wrong"), "--platform", "wecom")
    assert refused.returncode == 4 and "93000" in refused.stderr and "tok-wrong" not in refused.stderr


def test_a_long_message_is_split_at_line_breaks_to_fit(register, robot):
    server, url = robot("wecom")
    text = "\n".join(f"第{n}条：{'统筹防汛宣传稿件报送' * 6}" for n in range(60))
    parts = split_message(text, PLATFORMS["wecom"])
    assert len(parts) > 1 and "\n".join(parts) == text
    assert all(len(p.encode()) <= 2048 and not p.startswith("\n") for p in parts)
    one_line = "很" * 5000  # no line break at all: cut between characters
    assert "".join(split_message(one_line, PLATFORMS["wecom"])) == one_line
    # and a real notice longer than the limit goes out in parts the server accepts
    long_group = run_charter("notice", "外宣活动", "rules", "--dir", register, "--webhook", url, "--platform", "wecom",
                             env={"CHARTER_WEBHOOK_SECRET": ""})
    assert long_group.returncode == 0 and server.received


def test_429_is_retried_after_retry_after(register, robot):
    server, url = robot("slack", throttle_next=1)
    start = time.monotonic()
    sent = _notice(register, "--webhook", url, "--platform", "slack")
    assert sent.returncode == 0, sent.stderr
    assert time.monotonic() - start >= 1 and len(server.requests) == 2 and len(server.received) == 1


def test_the_rate_limit_is_kept_before_the_platform_enforces_it(robot):
    """The local WeCom server refuses a 21st message within a minute (the control), and the
    client's throttle, on a fake clock, waits before the 21st."""
    from charter.interfaces.webhooks import _post, build_request

    server, url = robot("wecom")
    codes = []
    for n in range(21):
        target, body = build_request(PLATFORMS["wecom"], url, f"消息{n}", None, time.time())
        codes.append(json.loads(_post(target, body)[1])["errcode"])
    assert codes[:20] == [0] * 20 and codes[20] == 45009

    now, waits, sent_at = [0.0], [], []
    throttle = Throttle(20, clock=lambda: now[0], sleep=lambda s: (waits.append(s), now.__setitem__(0, now[0] + s)))
    for _ in range(45):
        throttle.wait()
        sent_at.append(now[0])
        now[0] += 0.1
    assert waits and abs(waits[0] - 58.0) < 1e-6  # the 21st waits for the first to leave the minute
    assert all(sum(start <= t < start + 60 for t in sent_at) <= 20 for start in sent_at)


def test_dry_run_sends_nothing_and_shows_no_credential(register, robot):
    server, url = robot("dingtalk")
    shown = _notice(register, "--webhook", url, "--platform", "dingtalk", "--secret", SECRET, "--dry-run")
    assert shown.returncode == 0 and "1/1" in shown.stdout and "群规" in shown.stdout
    assert not server.requests and TOKEN not in shown.stdout and SECRET not in shown.stdout


def test_the_webhook_from_the_environment_and_from_the_saved_settings(register, robot, tmp_path):
    server, url = robot("feishu")
    env = {"CHARTER_WEBHOOK": url, "CHARTER_WEBHOOK_SECRET": SECRET, "CHARTER_WEBHOOK_PLATFORM": "feishu"}
    assert _notice(register, "--webhook", env=env).returncode == 0 and len(server.received) == 1

    saved = run_charter("webhook", "save", url, "--secret", SECRET, "--platform", "feishu", "--dir", register,
                        env={"UMASK_PROBE": "1"})
    assert saved.returncode == 0, saved.stderr
    settings = register / ".charter-settings.toml"
    assert stat.S_IMODE(settings.stat().st_mode) == 0o600
    assert _notice(register, "--webhook").returncode == 0 and len(server.received) == 2
    # the credentials live in that one file and nowhere else in the register
    for path in register.rglob("*"):
        if path.is_file() and path != settings:
            data = path.read_bytes()
            assert TOKEN.encode() not in data and SECRET.encode() not in data, path
    listed = run_charter("list", "--dir", register)
    assert listed.returncode == 0 and ".charter-settings" not in listed.stdout + listed.stderr


def test_no_webhook_anywhere_is_bad_input(register, tmp_path):
    import shutil

    register = shutil.copytree(register, tmp_path / "r", ignore=shutil.ignore_patterns(".charter-settings.toml"))
    missing = _notice(register, "--webhook", env={"CHARTER_WEBHOOK": ""})
    assert missing.returncode == 2 and "--webhook" in missing.stderr
    unknown = _notice(register, "--webhook", f"http://127.0.0.1:9/{TOKEN}")
    assert unknown.returncode == 2 and "--platform" in unknown.stderr and TOKEN not in unknown.stderr


def test_due_notify_sends_one_message_when_something_is_due(register, robot):
    server, url = robot("wecom")
    quiet = run_charter("due", "--dir", register, "--notify", url, "--platform", "wecom",
                        env={"CHARTER_TODAY": "2026-11-26"})
    assert quiet.returncode == 0 and not server.received
    due = run_charter("due", "--dir", register, "--notify", url, "--platform", "wecom", "--fail-if-any",
                      env={"CHARTER_TODAY": "2026-12-30"})
    assert due.returncode == 3 and len(server.received) == 1
    assert "外宣活动" in server.received[0] and server.received[0].startswith("【提醒】")


def test_settings_file_is_private_whatever_the_umask(tmp_path):
    from charter.register.webhook_settings import Webhook, save_webhook

    old = os.umask(0)
    try:
        path = save_webhook(tmp_path, Webhook("https://oapi.dingtalk.com/robot/send?access_token=x", "s"))
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


class Tricky(BaseHTTPRequestHandler):
    """A server that answers every POST with whatever `answer` says (status, headers, body)."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append(self.path)
        status, headers, body = self.server.answer
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST


@pytest.fixture
def tricky(local_server):
    def start(status: int, headers: dict, body: bytes):
        server = local_server(Tricky, answer=(status, headers, body), requests=[])
        return server, f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key={TOKEN}"

    return start


def test_a_redirect_is_not_followed_and_the_key_never_leaves(register, tricky):
    thief, thief_url = tricky(200, {}, b'{"errcode": 0}')
    robot, url = tricky(302, {"Location": thief_url.replace("/cgi-bin", "/steal/cgi-bin")}, b"")
    refused = _notice(register, "--webhook", url, "--platform", "wecom")
    assert refused.returncode == 4 and "302" in refused.stderr
    assert not thief.requests


def test_a_long_retry_after_is_a_refusal_not_a_day_of_waiting(register, tricky):
    robot, url = tricky(429, {"Retry-After": "100000"}, b"slow down")
    start = time.monotonic()
    refused = _notice(register, "--webhook", url, "--platform", "slack", timeout=30)
    assert refused.returncode == 4 and "429" in refused.stderr and time.monotonic() - start < 10


def test_an_answer_is_shown_short_and_without_the_key(register, tricky):
    robot, url = tricky(500, {}, f"<html>boom /cgi-bin/webhook/send?key={TOKEN} {'x' * 100000}</html>".encode())
    refused = _notice(register, "--webhook", url, "--platform", "wecom")
    assert refused.returncode == 4 and TOKEN not in refused.stderr and len(refused.stderr) < 600


@pytest.mark.parametrize("platform", ["wecom", "dingtalk", "feishu"])
@pytest.mark.parametrize(("status", "headers", "body"), [
    (502, {}, b'{"message": "Bad Gateway"}'),  # a gateway in front of the platform, in JSON
    (429, {"Retry-After": "3600"}, b"{}"),  # too long to wait, and no errcode in the body
])
def test_an_http_error_with_a_json_body_is_a_refusal_not_a_sent_message(register, tricky, platform, status,
                                                                         headers, body):
    robot, url = tricky(status, headers, body)
    refused = _notice(register, "--webhook", url, "--platform", platform, timeout=30)
    assert refused.returncode == 4 and str(status) in refused.stderr, refused.stdout + refused.stderr
    assert "已发送" not in refused.stdout


def test_the_signing_secret_is_not_shown_when_the_platform_repeats_it(register, tricky):
    robot, url = tricky(200, {}, b'{"errcode": 310000, "errmsg": "bad sign for SEC_abcdef123"}')
    refused = _notice(register, "--webhook", url, "--platform", "dingtalk", "--secret", "SEC_abcdef123")
    assert refused.returncode == 4 and "310000" in refused.stderr and "SEC_abcdef123" not in refused.stderr


def test_only_web_addresses_are_robots(register, tmp_path):
    for url in ("file:///etc/passwd", "ftp://example.com/x", "/etc/passwd"):
        sent = _notice(register, "--webhook", url, "--platform", "slack")
        assert sent.returncode == 2 and "root:" not in sent.stdout + sent.stderr
        saved = run_charter("webhook", "save", url, "--platform", "wecom", "--dir", tmp_path)
        assert saved.returncode == 2 and not (tmp_path / ".charter-settings.toml").exists()


@pytest.mark.skipif(os.getuid() != 0, reason="giving a file to another user needs root")
def test_someone_elses_settings_in_a_shared_register_are_not_used(register, tmp_path):
    import shutil

    shared = shutil.copytree(register, tmp_path / "shared", ignore=shutil.ignore_patterns(".charter-settings.toml"))
    from charter.register.webhook_settings import Webhook, save_webhook

    planted = save_webhook(shared, Webhook("https://hooks.slack.com/services/T/B/theirs", None, "slack"))
    os.chown(planted, 65534, 65534)
    used = _notice(shared, "--webhook", env={"CHARTER_WEBHOOK": ""})
    assert used.returncode == 2 and ".charter-settings.toml" in used.stderr
