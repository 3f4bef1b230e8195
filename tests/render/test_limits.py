"""Every PDF render ends: a unit that asks for layout without end (a fanning SVG picture, a hundred
thousand page breaks, nested flex boxes) is stopped at the render's limits on every path, naming
the unit's templates, with nothing written."""

from __future__ import annotations

import re
import shutil
import time

import pytest
from conftest import EXAMPLES, run_charter

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
        "divs": "{% for i in range(1000) %}<div>{% endfor %}x{% for i in range(1000) %}</div>{% endfor %}",
        # a thousand copies of 50,000 characters: Pango asks GLib for more than the cap, and GLib aborts
        "abort": '<p class="x" style="white-space:pre;font-size:1px" data-d="{{ "abcdefghij" * 5000 }}"></p>',
    }
    if kind == "svg":
        (unit / "assets" / "logo.svg").write_text(fanning_svg(12), "utf-8")
    elif kind == "nested":  # each picture draws the next ten times: 10^6 pictures, each small alone
        for level in range(7):
            body = "".join(f'<image x="{k}" width="10" height="10" href="l{level + 1}.svg"/>' for k in range(10)) \
                if level < 6 else '<rect width="1" height="1"/>'
            (unit / "assets" / f"l{level}.svg").write_text(
                f'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="10">{body}</svg>', "utf-8")
        toml = unit / "unit.toml"
        toml.write_text(toml.read_text("utf-8").replace('"assets/logo.svg"', '"assets/l0.svg"'), "utf-8")
    else:
        styles = ".x::before{content: " + " ".join(["attr(data-d)"] * 1000) + "}" if kind == "abort" else ""
        (unit / "templates" / "charter.html.j2").write_text(
            '{% extends "builtin/charter.html.j2" %}{% block extra_styles %}' + styles + "{% endblock %}"
            "{% block footer %}" + footer[kind] + "{% endblock %}", "utf-8")
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
    dtd = b'<!DOCTYPE svg [<!ENTITY a "x">]><svg>&a;</svg>'
    assert svg_elements(dtd) == MAX_SVG_ELEMENTS + 1  # a DTD hides what is drawn
    assert svg_elements(b"not a picture") is None
    deep = b"<svg>" + b"<g>" * 100_000 + b"</g>" * 100_000 + b"</svg>"
    assert svg_elements(deep) == MAX_SVG_ELEMENTS + 1  # no recursion: far deeper than Python's stack


@pytest.mark.parametrize("named", ["logo.svg", "logo.png"])  # WeasyPrint draws XML as SVG whatever its name
def test_a_fanning_svg_picture_is_refused_by_name_before_layout(tmp_path, named):
    unit = hostile_unit(tmp_path, "svg")
    if named != "logo.svg":
        (unit / "assets" / "logo.svg").rename(unit / "assets" / named)
        toml = unit / "unit.toml"
        toml.write_text(toml.read_text("utf-8").replace('"assets/logo.svg"', f'"assets/{named}"'), "utf-8")
    started = time.perf_counter()
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf,poster")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert f"{unit / 'assets' / named}: 这张 SVG 图展开后要画 10000 个以上的图形元素" in result.stderr
    assert time.perf_counter() - started < 30 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("prefork", ["child", "in-process"])
@pytest.mark.parametrize("kind", ["pages", "flex", "nested"])
def test_layout_past_the_time_limit_stops_naming_the_template(tmp_path, kind, prefork):
    unit = hostile_unit(tmp_path, kind)
    started = time.perf_counter()
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf",
                         env={**FAST, **({"CHARTER_NO_PREFORK": "1"} if prefork == "in-process" else {})})
    assert result.returncode == 2, result.stderr
    named = unit / "assets" / "l1.svg" if kind == "nested" else unit / "templates" / "charter.html.j2"
    assert "排版超过 4 秒仍未完成" in result.stderr and str(named) in result.stderr
    assert time.perf_counter() - started < 4 + 20 and not (tmp_path / "out").exists()  # a shared machine


def test_layout_past_the_memory_limit_stops_naming_the_template(tmp_path):
    unit = hostile_unit(tmp_path, "abort")  # asks for gigabytes at once: the memory limit, not the time, stops it
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf",
                         env={"CHARTER_RENDER_MEMORY_MB": "800"})
    assert result.returncode == 2, result.stderr
    assert "排版用的内存超过 800 MB" in result.stderr and "charter.html.j2" in result.stderr
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


@pytest.mark.parametrize("kind", ["svg", "pages", "flex", "nested"])
def test_unit_check_finds_a_costly_unit_once(tmp_path, kind):
    unit = hostile_unit(tmp_path, kind)
    result = run_charter("unit", "check", unit, env=FAST, timeout=120)
    assert result.returncode == 2
    said = result.stdout + result.stderr
    assert str(unit / "assets" / "logo.svg") in said if kind == "svg" else str(unit / "assets" / "l1.svg") in said \
        if kind == "nested" else (
        re.search(r"排版超过 4 秒仍未完成|layout did not finish within 4 s", said) and "charter.html.j2" in said)
    assert len(re.findall(r"^\S+\.toml: ", said, re.MULTILINE)) == 1  # stopped at the first example


@pytest.mark.parametrize("kind, jobs", [("flex", "1"), ("nested", "2")])
def test_batch_reports_a_costly_unit_per_row_and_goes_on(tmp_path, kind, jobs):
    unit = hostile_unit(tmp_path, kind)
    rows = tmp_path / "groups.csv"
    rows.write_text("name,purpose,kind,dissolve_on,owner,owner_unit\n"
                    "甲群,统筹甲项工作,temporary,2027-01-31,李明,县委宣传部\n", "utf-8")
    result = run_charter("batch", rows, "--unit", unit, "--out", tmp_path / "out", "--jobs", jobs,
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


@pytest.mark.slow
@pytest.mark.parametrize("command", ["batch-1", "batch-2", "unit check"])
def test_a_library_that_aborts_the_process_fails_the_row_not_the_command(tmp_path, command):
    """GLib aborts the process when an allocation past the cap fails: the renderer child or a batch
    worker dies, and the row (or the unit) is reported as failed, exit 2, never the command killed."""
    unit = hostile_unit(tmp_path, "abort")
    env = {"CHARTER_RENDER_MEMORY_MB": "800", "CHARTER_TODAY": "2026-12-01"}
    if command == "unit check":
        result = run_charter("unit", "check", unit, env=env, timeout=240)
        assert result.returncode == 2 and re.search("内存|memory", result.stdout + result.stderr), result.stderr
        return
    rows = tmp_path / "groups.csv"
    rows.write_text("name,purpose,kind,dissolve_on,owner,owner_unit\n"
                    "甲群,统筹甲项工作,temporary,2027-01-31,李明,县委宣传部\n", "utf-8")
    result = run_charter("batch", rows, "--unit", unit, "--out", tmp_path / "out", "--jobs", command[-1],
                         "--format", "pdf", env=env, timeout=240)
    assert result.returncode == 2 and "失败 1" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr and not list((tmp_path / "out").glob("*/charter.pdf"))


@pytest.mark.parametrize("command", ["render", "batch"])
def test_boxes_nested_past_pythons_stack_are_bad_input(tmp_path, command):
    """WeasyPrint lays out nested boxes recursively: a thousand nested <div>s were a RecursionError,
    exit 1, and aborted a whole batch."""
    unit = hostile_unit(tmp_path, "divs")
    if command == "render":
        result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
        assert result.returncode == 2 and "嵌套太深" in result.stderr and "charter.html.j2" in result.stderr
    else:
        rows = tmp_path / "groups.csv"
        rows.write_text("name,purpose,kind,dissolve_on,owner,owner_unit\n"
                        "甲群,统筹甲项工作,temporary,2027-01-31,李明,县委宣传部\n", "utf-8")
        result = run_charter("batch", rows, "--unit", unit, "--out", tmp_path / "out", "--jobs", "2",
                             "--format", "pdf", env={"CHARTER_TODAY": "2026-12-01"})
        assert result.returncode == 2 and "失败 1" in result.stdout, result.stdout + result.stderr
    assert "Traceback" not in result.stderr


def test_an_html_file_carries_at_most_its_total_of_pictures(tmp_path):
    """One 9.9 MB picture named five times: each is within the 10 MB a file may have, the five not."""
    from charter.render.assets import MAX_EMBEDDED_BYTES

    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    (unit / "assets" / "seal.png").write_bytes(b"\x89PNG" + b"\0" * 9_900_000)
    (unit / "templates" / "charter.html.j2").write_text(
        '{% extends "builtin/charter.html.j2" %}{% block signature %}' + '<img src="assets/seal.png">' * 5
        + "{% endblock %}", "utf-8")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 2 and str(unit / "assets" / "seal.png") in result.stderr
    assert f"上限 {MAX_EMBEDDED_BYTES}" in result.stderr and not (tmp_path / "out").exists()


def test_a_template_full_of_unclosed_img_tags_is_read_in_linear_time(tmp_path):
    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    (unit / "templates" / "charter.html.j2").write_text(
        '{% extends "builtin/charter.html.j2" %}{% block signature %}<div>{{ "<img " * 80000 }}</div>{% endblock %}',
        "utf-8")
    started = time.perf_counter()
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 0 and time.perf_counter() - started < 20  # three minutes, before


@pytest.mark.parametrize("fmt", ["pdf", "html"])
def test_an_svg_picture_with_a_dtd_is_refused_by_name(tmp_path, fmt):
    """A DTD made the count give up (defusedxml refuses it) while WeasyPrint and browsers draw it."""
    unit = hostile_unit(tmp_path, "svg")
    logo = unit / "assets" / "logo.svg"
    logo.write_text('<!DOCTYPE svg [<!ENTITY e "">]>' + fanning_svg(4).replace("<defs>", "<defs>&e;"), "utf-8")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", fmt)
    assert result.returncode == 2 and f"{logo}: 这张 SVG 图" in result.stderr, result.stderr
