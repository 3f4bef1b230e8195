"""charter serve against slow clients, a busy port, SIGTERM and a hostile upload: each ends."""

from __future__ import annotations

import io
import re
import time

import pytest
from conftest import run_charter
from test_web import ZH, token

DEEP_KEY = ".".join(["a"] * 400_000) + " = 1\n"


def test_a_deep_upload_is_refused_by_the_web_form(client):
    started = time.perf_counter()
    response = client.post("/load", data={"csrf_token": token(client),
                                          "answers_file": (io.BytesIO(DEEP_KEY.encode()), "deep.toml")},
                           headers=ZH, content_type="multipart/form-data")
    assert time.perf_counter() - started < 20
    assert response.status_code == 400
    assert re.search(r"deep\.toml[^<]*嵌套层数太多", response.get_data(as_text=True))


@pytest.fixture
def client(tmp_path, monkeypatch, render_pool):
    from charter.interfaces.web import create_app

    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    application = create_app(tmp_path / "out", pool=render_pool)
    application.config["TESTING"] = True
    return application.test_client()


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _slow_clients(port: int, count: int) -> list:
    """Connections that each send the start of a request header and then wait (slowloris)."""
    import socket

    clients = []
    for _ in range(count):
        client = socket.create_connection(("127.0.0.1", port), timeout=5)
        client.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        clients.append(client)
    return clients


def _get(port: int, timeout: float = 5) -> int:
    import urllib.request

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=timeout) as response:
        return response.status


def test_slow_clients_neither_starve_others_nor_stay(tmp_path, monkeypatch, render_pool):
    import threading

    from charter.interfaces.web import bind, create_app, server

    monkeypatch.setattr(server, "REQUEST_SECONDS", 2)
    app = create_app(tmp_path / "out", pool=render_pool)
    listening = bind(app, "127.0.0.1", 0)
    port = listening.effective_port
    threading.Thread(target=listening.run, daemon=True).start()
    try:
        slow = _slow_clients(port, 150)  # more than waitress's 100 places before
        started = time.perf_counter()
        assert _get(port) == 200 and time.perf_counter() - started < 5
        time.sleep(4)  # past REQUEST_SECONDS and a clean-up round
        for client in slow:
            client.settimeout(5)
            assert client.recv(1) == b""  # closed by the server, the header never finished
            client.close()
    finally:
        listening.close()


def test_a_busy_port_is_one_line_in_the_users_language(tmp_path):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        zh = run_charter("serve", "--port", port, "--out", tmp_path, timeout=30)
        en = run_charter("serve", "--port", port, "--out", tmp_path, env={"LANG": "en_US.UTF-8"}, timeout=30)
    assert (zh.returncode, zh.stdout, zh.stderr) == (2, "", f"--port: 端口 {port} 已被其他程序占用：换一个端口，例如 --port 8123\n")
    assert en.returncode == 2 and en.stdout == "" and f"port {port} is in use" in en.stderr


def test_sigterm_stops_the_server_and_its_workers_whatever_it_is_doing(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "charter", "serve", "--port", str(port), "--out", str(tmp_path)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "LANG": "zh_CN.UTF-8"})
    try:
        for _ in range(100):
            try:
                assert _get(port) == 200
                break
            except OSError:
                time.sleep(0.2)
        workers = [int(pid) for pid in os.listdir("/proc") if pid.isdigit() and _parent(int(pid)) == server.pid]
        slow = _slow_clients(port, 20)  # requests under way
        started = time.perf_counter()
        server.send_signal(signal.SIGTERM)
        out, err = server.communicate(timeout=20)
    finally:
        server.kill()
    assert time.perf_counter() - started < 10 and server.returncode == 0, err
    assert "leaked" not in err and "Traceback" not in err and out.startswith("charter serve：http://")
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}") and _parent(pid) == server.pid]
    for client in slow:
        client.close()


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return None


def test_hundreds_of_large_bodies_under_way_do_not_bring_the_server_down(tmp_path, render_pool):
    """600 connections each part-way through a 900 KB body: past 512 KB waitress keeps a body in a
    temporary file, two descriptors a connection, which took select() past its 1,024 and the server
    down ("filedescriptor out of range in select()")."""
    import socket
    import threading

    from charter.interfaces.web import bind, create_app

    app = create_app(tmp_path / "out", pool=render_pool)
    listening = bind(app, "127.0.0.1", 0)
    port = listening.effective_port
    threading.Thread(target=listening.run, daemon=True).start()
    clients = []
    try:
        chunk = b"x" * 600_000
        for _ in range(600):
            client = socket.create_connection(("127.0.0.1", port), timeout=10)
            client.sendall(b"POST /load HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 900000\r\n"
                           b"Content-Type: application/octet-stream\r\n\r\n" + chunk)
            clients.append(client)
        assert _get(port, timeout=20) == 200
    finally:
        for client in clients:
            client.close()
        listening.close()
