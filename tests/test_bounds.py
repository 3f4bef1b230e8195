"""Work that must end whatever a file, a unit or a peer does: TOML too deep to parse cheaply,
PDF layout that would never finish, a server that must stop when told."""

from __future__ import annotations

import io
import re
import shutil
import time

import pytest
from conftest import EXAMPLES, run_charter

from charter.core.tomlfile import MAX_KEY_PARTS, MAX_NESTING, _too_deep

DEEP_KEY = ".".join(["a"] * 400_000) + " = 1\n"  # 800 KB: tomllib once took minutes and 20 GB on it
DEEP_ARRAY = "x = " + "[" * 50_000 + "]" * 50_000 + "\n"


@pytest.mark.parametrize("source, deep", [
    (".".join(["a"] * MAX_KEY_PARTS) + " = 1", False),
    (".".join(["a"] * (MAX_KEY_PARTS + 1)) + " = 1", True),
    (" . ".join(['"a"'] * (MAX_KEY_PARTS + 1)) + " = 1", True),  # quoted parts and spaces count too
    ("[" + ".".join(["a"] * (MAX_KEY_PARTS + 1)) + "]", True),  # a table header
    ('x = "' + ".".join(["a"] * 50) + '"', False),  # dots inside a string are no key
    ("x = '''\n" + ".".join(["a"] * 50) + "\n'''", False),
    ("# " + ".".join(["a"] * 50) + "\nx = 1", False),  # nor in a comment
    ('x = "\\"" # ' + ".".join(["a"] * 50), False),  # an escaped quote does not end the string
    ("x = " + "[" * MAX_NESTING + "]" * MAX_NESTING, False),
    ("x = " + "[" * (MAX_NESTING + 1) + "]" * (MAX_NESTING + 1), True),
    ("x = " + "{a = " * (MAX_NESTING + 1) + "1" + "}" * (MAX_NESTING + 1), True),
    ('x = ["[[[[[[[[[[", "{{{{{{{{{{"]', False),  # brackets in strings
    ("x = [1, 2", False),  # unbalanced: tomllib names the line
    (open(EXAMPLES / "county-media-event.toml", encoding="utf-8").read(), False),
    (open(EXAMPLES / "units" / "county-propaganda" / "unit.toml", encoding="utf-8").read(), False),
])
def test_depth_is_measured_outside_strings_and_comments(source, deep):
    assert _too_deep(source) is deep


@pytest.mark.parametrize("hostile", [
    DEEP_KEY, DEEP_ARRAY, "a" * 1_900_000, 'x = """' + "a" * 1_900_000, 'x = "' + "a\\" * 900_000,
    '"""' * 600_000,
])
def test_measuring_a_hostile_file_takes_linear_time(hostile):
    started = time.perf_counter()
    _too_deep(hostile)
    assert time.perf_counter() - started < 2  # a regular expression that backtracks takes hours here


@pytest.mark.parametrize("content", [DEEP_KEY, DEEP_ARRAY])
def test_a_deep_answers_file_is_refused_at_once(tmp_path, content):
    answers = tmp_path / "deep.toml"
    answers.write_text(content, "utf-8")
    for command in (("check", answers), ("render", answers, "--out", tmp_path / "out")):
        result = run_charter(*command, timeout=30)
        assert result.returncode == 2, result.stderr
        assert "嵌套层数太多" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_deep_unit_toml_is_refused_at_once(tmp_path):
    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    (unit / "unit.toml").write_text(DEEP_KEY, "utf-8")
    result = run_charter("unit", "check", unit, timeout=30)
    assert result.returncode == 2 and "嵌套层数太多" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["settings", "webhook"])
def test_a_deep_settings_file_is_refused_at_once(tmp_path, where):
    register = tmp_path / "register"
    register.mkdir()
    env = {"XDG_CONFIG_HOME": str(tmp_path / "config")}
    if where == "settings":
        (tmp_path / "config" / "charter").mkdir(parents=True)
        (tmp_path / "config" / "charter" / "settings.toml").write_text(DEEP_KEY, "utf-8")
        result = run_charter("list", env=env, cwd=tmp_path, timeout=30)
    else:
        assert run_charter("render", EXAMPLES / "county-media-event.toml", "--out", register,
                           "--format", "txt").returncode == 0
        (register / ".charter-settings.toml").write_text(DEEP_KEY, "utf-8")
        result = run_charter("notice", "外宣活动", "rules", "--webhook", "--dry-run", "--dir", register, env=env,
                             timeout=30)
    assert result.returncode == 2, result.stderr
    assert "nested too deeply" in result.stderr and "Traceback" not in result.stderr


def test_a_deep_upload_is_refused_by_the_web_form(client):
    from test_web import ZH, token

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


# ── a unit that asks for layout without end ─────────────────────────────────────────────────

GROUP = EXAMPLES / "units" / "county-propaganda-group.toml"
FAST = {"CHARTER_RENDER_SECONDS": "4"}  # the limit is 60 s; these tests need not wait that long


def fanning_svg(levels: int, ways: int = 10) -> str:
    """A 3 KB picture whose <use> elements repeat the level below `ways` times, `levels` deep."""
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><defs><rect id="l0" width="1" height="1"/>']
    parts += [f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * ways + "</g>" for i in range(1, levels + 1)]
    return "".join(parts) + f'</defs><use href="#l{levels}"/></svg>'


def hostile_unit(tmp_path, kind: str):
    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / f"unit-{kind}")
    footer = {
        "pages": '{% for i in range(100000) %}<p style="break-after: page">x</p>{% endfor %}',
        "flex": "".join(f'<div style="display:{"flex" if i % 2 else "block"};flex-direction:column;columns:2">'
                        for i in range(12)) + "x" + "</div>" * 12,
        "few-pages": '{% for i in range(260) %}<p style="break-after: page">x</p>{% endfor %}',
    }
    if kind == "svg":
        (unit / "assets" / "logo.svg").write_text(fanning_svg(12), "utf-8")
    else:
        (unit / "templates" / "charter.html.j2").write_text(
            '{% extends "builtin/charter.html.j2" %}{% block footer %}' + footer[kind] + "{% endblock %}", "utf-8")
    return unit


def test_the_svg_count_expands_each_use():
    from charter.render.limits import MAX_SVG_ELEMENTS, svg_elements

    level1 = 1 + 10 * (1 + 1)  # a group of ten uses of one rectangle
    level2 = 1 + 10 * (1 + level1)
    assert svg_elements(fanning_svg(2).encode()) == 1 + (1 + 1 + level1 + level2) + (1 + level2)  # svg, defs, use
    assert svg_elements(fanning_svg(12).encode()) == MAX_SVG_ELEMENTS + 1
    itself = b'<svg xmlns="http://www.w3.org/2000/svg"><g id="a"><rect/><use href="#a"/></g></svg>'
    assert svg_elements(itself) == MAX_SVG_ELEMENTS + 1
    assert svg_elements((EXAMPLES / "units" / "county-propaganda" / "assets" / "logo.svg").read_bytes()) < 100
    assert svg_elements(b'<!DOCTYPE svg [<!ENTITY a "x">]><svg>&a;</svg>') is None  # WeasyPrint draws none
    deep = b"<svg>" + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"
    assert svg_elements(deep) == MAX_SVG_ELEMENTS + 1  # no recursion: far deeper than Python's stack


def test_a_fanning_svg_picture_is_refused_by_name_before_layout(tmp_path):
    unit = hostile_unit(tmp_path, "svg")
    started = time.perf_counter()
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf,poster")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{unit / 'assets' / 'logo.svg'}: 这张 SVG 图展开后要画 10000 个以上的图形元素" in result.stderr
    assert time.perf_counter() - started < 30 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("kind", ["pages", "flex"])
def test_layout_past_the_time_limit_stops_naming_the_template(tmp_path, kind):
    unit = hostile_unit(tmp_path, kind)
    started = time.perf_counter()
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf", env=FAST)
    assert result.returncode == 2, result.stderr
    assert "排版超过 4 秒仍未完成" in result.stderr and str(unit / "templates" / "charter.html.j2") in result.stderr
    assert time.perf_counter() - started < 4 + 20 and not (tmp_path / "out").exists()  # a shared machine


def test_layout_past_the_memory_limit_stops_naming_the_template(tmp_path):
    unit = hostile_unit(tmp_path, "pages")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf",
                         env={"CHARTER_RENDER_MEMORY_MB": "500"})
    assert result.returncode == 2, result.stderr
    assert "排版用的内存超过 500 MB" in result.stderr and "charter.html.j2" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_charter_past_the_page_cap_is_not_written(tmp_path):
    from charter.render.limits import MAX_PAGES

    unit = hostile_unit(tmp_path, "few-pages")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 2, result.stderr
    assert re.search(rf"排出了 26\d 页，超过上限 {MAX_PAGES} 页", result.stderr) and not (tmp_path / "out").exists()


def test_a_stuck_renderer_child_is_killed_by_its_parent(tmp_path, monkeypatch):
    """The child's own timer cannot reach code stuck inside a C library; the parent's bound does."""
    from charter.core.errors import InputError
    from charter.render import limits, pdf

    monkeypatch.setattr(limits, "SECONDS", 0.5)
    monkeypatch.setattr(pdf, "_CHILD_GRACE_SECONDS", 0.5)
    monkeypatch.setattr(pdf, "_render_here", lambda *request: time.sleep(3600))  # the child's copy
    renderer = pdf._Renderer()
    started = time.perf_counter()
    with pytest.raises(InputError, match="排版超过 0.5 秒"):
        renderer.render("<p>x</p>", "zh", None, (), None)
    assert time.perf_counter() - started < 10 and renderer.ended
    renderer.close()


@pytest.mark.parametrize("kind", ["svg", "pages"])
def test_unit_check_finds_a_costly_unit_once(tmp_path, kind):
    unit = hostile_unit(tmp_path, kind)
    result = run_charter("unit", "check", unit, env=FAST, timeout=120)
    assert result.returncode == 2
    said = result.stdout + result.stderr
    assert str(unit / "assets" / "logo.svg") in said if kind == "svg" else (
        re.search(r"排版超过 4 秒仍未完成|layout did not finish within 4 s", said) and "charter.html.j2" in said)
    assert len(re.findall(r"^\S+\.toml: ", said, re.MULTILINE)) == 1  # stopped at the first example


def test_batch_reports_a_costly_unit_per_row_and_goes_on(tmp_path):
    unit = hostile_unit(tmp_path, "flex")
    rows = tmp_path / "groups.csv"
    rows.write_text("name,purpose,kind,dissolve_on,owner,owner_unit\n"
                    "甲群,统筹甲项工作,temporary,2027-01-31,李明,县委宣传部\n", "utf-8")
    result = run_charter("batch", rows, "--unit", unit, "--out", tmp_path / "out", "--jobs", "1",
                         "--format", "pdf", env={**FAST, "CHARTER_TODAY": "2026-12-01"})
    assert result.returncode == 2 and "排版超过 4" in result.stdout and "失败 1" in result.stdout
    assert not list((tmp_path / "out").glob("*/charter.pdf"))


def test_a_web_write_with_a_costly_unit_is_stopped_by_the_worker_naming_the_template(tmp_path, monkeypatch):
    import tomllib

    from charter.core.errors import InputError
    from charter.interfaces.web import RenderPool
    from charter.interfaces.web.pool import Limits

    unit = hostile_unit(tmp_path, "flex")
    monkeypatch.setenv("CHARTER_RENDER_SECONDS", "4")  # read by the workers as they start
    answers = {key: value for key, value in tomllib.loads(GROUP.read_text("utf-8")).items() if key != "unit"}
    pool = RenderPool(Limits(workers=1, seconds=30)).start()
    try:
        with pytest.raises(InputError, match="排版超过 4 秒仍未完成.*charter.html.j2"):
            pool.write_new(answers, unit, tmp_path / "out")
    finally:
        pool.close()
    assert not list((tmp_path / "out").glob("*/charter.pdf"))


# ── charter serve: slow clients, a busy port, SIGTERM ──────────────────────────────────────

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


@pytest.mark.parametrize("field, extra, said", [
    ("rules.custom", "".join('[[rules.custom]]\ntext = "第 %d 条"\n' % n for n in range(51)), "最多 50 项"),
    ("rules.off", "[rules]\noff = [%s]\n" % ", ".join(['"posting.tags"'] * 201), "最多 200 项"),
    ("members", '[[members]]\nname = "甲"\n' * 5001, "最多 5000 项"),
])
def test_an_answers_file_past_its_caps_is_refused_before_rendering(tmp_path, field, extra, said):
    answers = tmp_path / "big.toml"
    answers.write_text((EXAMPLES / "county-media-event.toml").read_text("utf-8") + "\n" + extra, "utf-8")
    started = time.perf_counter()
    result = run_charter("render", answers, "--out", tmp_path / "out", timeout=60)
    assert result.returncode == 2 and f"{field}: 太多了，{said}" in result.stderr, result.stderr
    assert time.perf_counter() - started < 20 and not (tmp_path / "out").exists()
