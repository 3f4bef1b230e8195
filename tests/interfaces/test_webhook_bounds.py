"""Webhooks at their edges: URLs refused before they are saved or used, no secret in any error,
a deadline on each whole request, and `due --notify` sending nothing twice in a day. The local
platform servers are those of test_webhooks.py."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import subprocess
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

import pytest
from conftest import CHARTER, run_charter
from test_webhooks import Robot, local_server, register, robot  # noqa: F401  (fixtures used here)

SECRETS = ("USERSECRET1", "PASSSECRET2", "T0PATHSECRET3", "B0PATHSECRET4", "PATHSECRET5", "QUERYSECRET6",
           "TOKENSECRET7", "FRAGSECRET8", "SIGNSECRET9")
SECRET_PATH = (f"/services/{SECRETS[2]}/{SECRETS[3]}/{SECRETS[4]}?key={SECRETS[5]}&access_token={SECRETS[6]}"
               f"#{SECRETS[7]}")


def _shows_no_secret(result, *more: str) -> None:
    shown = result.stdout + result.stderr
    leaked = [s for s in SECRETS + more if s in shown]
    assert not leaked, (leaked, shown)
    assert "Traceback" not in shown


def _notice(folder, *args, env=None, timeout=60):
    return run_charter("notice", "外宣活动", "rules", "--dir", folder, *args, env=env, timeout=timeout)


BAD_URLS = [
    "http://127.0.0.1:8000/ok?key=SAVED KEY-SECRET",  # a space, as pasted from a chat message
    "http://127.0.0.1:8000/ok?key=KEY\x01SECRET",  # a control character
    "http://127.0.0.1:abc/ok?key=KEY-SECRET",  # a port that is no number
    "http://127.0.0.1:0/ok?key=KEY-SECRET",
    "http://[::1/ok?key=KEY-SECRET",  # an unclosed IPv6 address
    "http:///ok?key=KEY-SECRET",  # no host
    "https://user:PASS-SECRET@qyapi.weixin.qq.com/cgi-bin/webhook/send?key=KEY-SECRET",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_a_malformed_webhook_is_refused_when_saved_and_when_used(register, tmp_path, url):  # noqa: F811
    saved = run_charter("webhook", "save", url, "--platform", "wecom", "--dir", tmp_path)
    assert saved.returncode == 2 and "URL" in saved.stderr and len(saved.stderr.strip().splitlines()) == 1
    assert not (tmp_path / ".charter-settings.toml").exists()
    used = _notice(register, "--webhook", url, "--platform", "wecom")
    assert used.returncode == 2 and "--webhook" in used.stderr, used.stderr
    for result in (saved, used):
        _shows_no_secret(result, "KEY-SECRET", "PASS-SECRET", "KEY\x01SECRET")


def test_a_malformed_webhook_saved_before_is_refused_naming_the_file(register, tmp_path):  # noqa: F811
    from charter.register.webhook_settings import Webhook, save_webhook

    shared = shutil.copytree(register, tmp_path / "r", ignore=shutil.ignore_patterns(".charter-*"))
    settings = save_webhook(shared, Webhook("http://127.0.0.1:9/ok?key=SAVED KEY-SECRET", None, "wecom"))
    used = _notice(shared, "--webhook", env={"CHARTER_WEBHOOK": ""})
    assert used.returncode == 2 and str(settings) in used.stderr, used.stderr
    _shows_no_secret(used, "KEY-SECRET")


class Echo(BaseHTTPRequestHandler):
    """A platform that answers with `status` and, as a careless error page would, the whole request."""

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.server.requests.append(self.path)
        body = f"{self.path} {self.headers} {self.rfile.read(int(self.headers['Content-Length']))!r}".encode()
        if self.server.status == 200:  # a refusal in the platform's own words
            body = json.dumps({"errcode": 310000, "errmsg": body.decode()}).encode()
        self.send_response(self.server.status)
        self.send_header("Location", f"http://127.0.0.1:9{self.path}")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Drip(BaseHTTPRequestHandler):
    """A platform that takes the request, then answers one byte a second."""

    def do_POST(self):
        self.server.requests.append(self.path)
        self.rfile.read(int(self.headers["Content-Length"]))
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 120:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1)
        except OSError:  # the client gave up, as it should
            pass


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_no_error_path_shows_a_secret(register, local_server):  # noqa: F811
    """Every way a send fails, fed a URL with a secret in each part and a signing secret; the
    servers repeat the request whole in their answers."""
    cases = []
    for status, code in ((500, "500"), (200, "310000"), (302, "302")):
        server = local_server(Echo, status=status, requests=[])
        cases.append((f"http://127.0.0.1:{server.server_port}", code, server))
    plain = local_server(Echo, status=500, requests=[])
    cases.append((f"https://127.0.0.1:{plain.server_port}", "unreachable", None))  # TLS with a server that has none
    cases.append((f"http://127.0.0.1:{_closed_port()}", "unreachable", None))  # connection refused
    cases.append(("http://no-such-robot.invalid", "", None))  # no such host (or no name server, then the deadline)
    drip = local_server(Drip, requests=[])
    cases.append((f"http://127.0.0.1:{drip.server_port}", "3", drip))  # no whole answer within the deadline
    for base, code, server in cases:
        sent = _notice(register, "--webhook", base + SECRET_PATH, "--platform", "dingtalk", "--secret", SECRETS[8],
                       env={"CHARTER_WEBHOOK_DEADLINE": "3"})
        assert sent.returncode == 4 and code in sent.stderr, (base, sent.stderr)
        signed = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(server.requests[0]).query)) if server else {}
        assert not server or {"sign", "timestamp"} <= set(signed)
        _shows_no_secret(sent, *signed.values())
    with_user = f"http://{SECRETS[0]}:{SECRETS[1]}@127.0.0.1:{_closed_port()}{SECRET_PATH}"
    refused = _notice(register, "--webhook", with_user, "--platform", "dingtalk", "--secret", SECRETS[8])
    assert refused.returncode == 2
    _shows_no_secret(refused)


def test_a_dripping_platform_is_cut_off_at_the_deadline(register, local_server):  # noqa: F811
    drip = local_server(Drip, requests=[])
    start = time.monotonic()
    sent = _notice(register, "--webhook", f"http://127.0.0.1:{drip.server_port}/cgi-bin/webhook/send?key=k",
                   "--platform", "wecom", env={"CHARTER_WEBHOOK_DEADLINE": "2", "CHARTER_LANG": "en"}, timeout=60)
    took = time.monotonic() - start
    assert sent.returncode == 4 and "did not answer within 2 s" in sent.stderr, sent.stderr
    assert len(drip.requests) == 1 and took < 12, took
    wrong = _notice(register, "--webhook", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
                    env={"CHARTER_WEBHOOK_DEADLINE": "soon"})
    assert wrong.returncode == 2 and "CHARTER_WEBHOOK_DEADLINE" in wrong.stderr


DUE_DAY = {"CHARTER_TODAY": "2026-12-30"}


@pytest.fixture
def many_due(register, tmp_path):  # noqa: F811
    """A register of 20 groups due on the same day: their reminder takes three WeCom messages."""
    folder = tmp_path / "many"
    source = next(p for p in register.iterdir() if p.name.startswith("县融媒体"))
    for n in range(20):
        copy = shutil.copytree(source, folder / f"{source.name}{n:02}")
        answers = copy / "charter.toml"
        answers.write_text(answers.read_text("utf-8").replace(f'name = "{source.name}"',
                                                              f'name = "{source.name}{n:02}"'), "utf-8")
    return folder


def _due(folder, url, *args):
    return run_charter("due", "--dir", folder, "--notify", url, "--platform", "wecom", *args, env=DUE_DAY)


def test_due_notify_sends_nothing_twice_in_a_day(register, robot, tmp_path):  # noqa: F811
    shared = shutil.copytree(register, tmp_path / "r", ignore=shutil.ignore_patterns(".charter-*"))
    server, url = robot("wecom")
    assert _due(shared, url).returncode == 0 and len(server.received) == 1
    again = _due(shared, url)
    assert again.returncode == 0 and len(server.received) == 1 and "--resend" in again.stdout
    record = shared / ".charter-sent.json"
    assert stat.S_IMODE(record.stat().st_mode) == 0o600 and b"tok-" not in record.read_bytes()
    assert _due(shared, url, "--resend").returncode == 0 and len(server.received) == 2
    other, other_url = robot("wecom")  # another robot has not been told
    assert _due(shared, other_url).returncode == 0 and len(other.received) == 1
    next_day = run_charter("due", "--dir", shared, "--notify", url, "--platform", "wecom",
                           env={"CHARTER_TODAY": "2026-12-31"})
    assert next_day.returncode == 0 and len(server.received) == 3


class Stalling(Robot):
    """A WeCom robot that takes the first message, then holds the second until the test lets go."""

    def do_POST(self):
        if len(self.server.requests) == 1:
            self.server.requests.append(time.monotonic())
            self.server.release.wait(30)
            return
        super().do_POST()


def test_a_reminder_killed_part_way_resends_only_what_was_not_sent(many_due, local_server):  # noqa: F811
    server = local_server(Stalling, platform="wecom", received=[], requests=[], throttle_next=0,
                          release=threading.Event())
    url = f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=tok-3f9c2a"
    run = subprocess.Popen([str(CHARTER), "due", "--dir", str(many_due), "--notify", url, "--platform", "wecom"],
                           env={**os.environ, **DUE_DAY}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while len(server.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    run.kill()  # as a crash would, while the platform has the second message
    run.communicate()
    server.release.set()
    first = server.received[0]
    names = [f"外宣活动群{n:02}：" for n in range(20)]
    told = [name for name in names if name in first]
    assert len(server.received) == 1 and 0 < len(told) < 20

    rerun = _due(many_due, url)
    assert rerun.returncode == 0, rerun.stderr
    later = "\n".join(server.received[1:])
    assert len(server.received) > 1 and not [name for name in told if name in later]  # the later parts only
    assert all(name in later for name in names if name not in told)
    sent = len(server.received)
    assert _due(many_due, url).returncode == 0 and len(server.received) == sent


@pytest.mark.parametrize("echoed", ["key AB/CD EF/GH-SECRETKEY", "ab/cd+ef%2fgh-secretkey", "Ab%2FCd%20Ef%2Fgh-SECRETKEY"])
def test_a_key_echoed_in_another_spelling_is_still_taken_out(echoed):
    from charter.interfaces.webhooks import _scrubbed

    said = _scrubbed(f"platform says: {echoed}", "http://127.0.0.1:8790/cgi-bin/webhook/send?key=Ab/Cd+Ef%2Fgh-SECRETKEY")
    assert "secretkey" not in said.lower() and said.startswith("platform says:")
