"""The fast paths of a PDF render give the same bytes as the plain ones, and fall back safely.

Three speed-ups sit in front of WeasyPrint: its C declarations read from a prebuilt module
in the user cache instead of parsed anew (render/weasy.py), a child process that imports
WeasyPrint while the answers are read (render/pdf.py), and compiled templates kept in the
user cache (core/sandbox.py). Each may be off, broken or impossible; the PDF must not change.
"""

from __future__ import annotations

import pytest
from conftest import EXAMPLES, run_charter

EXAMPLE = EXAMPLES / "county-media-event.toml"


def _pdf(tmp_path, name: str, env: dict) -> bytes:
    out = tmp_path / name
    result = run_charter("render", EXAMPLE, "--out", out, "--format", "pdf", env=env)
    assert result.returncode == 0, result.stderr
    return next(out.rglob("charter.pdf")).read_bytes()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> bytes:
    """Neither speed-up: WeasyPrint imported the ordinary way, in this process."""
    return _pdf(tmp_path_factory.mktemp("plain"), "plain", {"CHARTER_NO_PREBUILT_FFI": "1", "CHARTER_NO_PREFORK": "1",
                                                            "CHARTER_NO_TEMPLATE_CACHE": "1"})


@pytest.mark.parametrize("name, env", [
    ("both", {}),
    ("prebuilt only", {"CHARTER_NO_PREFORK": "1"}),
    ("child only", {"CHARTER_NO_PREBUILT_FFI": "1"}),
    ("compiled templates only", {"CHARTER_NO_PREBUILT_FFI": "1", "CHARTER_NO_PREFORK": "1"}),
])
def test_every_path_gives_the_same_pdf(tmp_path, plain, name, env):
    cache = tmp_path / "cache"
    first = _pdf(tmp_path, "first", {**env, "XDG_CACHE_HOME": str(cache)})  # builds the cache
    again = _pdf(tmp_path, "again", {**env, "XDG_CACHE_HOME": str(cache)})  # reads it
    assert first == plain and again == plain


def test_a_damaged_cache_is_passed_over_and_rebuilt(tmp_path, plain):
    cache = tmp_path / "cache"
    _pdf(tmp_path, "build", {"XDG_CACHE_HOME": str(cache)})
    [module] = (cache / "charter" / "weasyprint-ffi").glob("*.py")
    module.write_text("this is not python(")
    assert _pdf(tmp_path, "damaged", {"XDG_CACHE_HOME": str(cache)}) == plain
    assert not module.exists() or module.read_text() != "this is not python("
    assert _pdf(tmp_path, "rebuilt", {"XDG_CACHE_HOME": str(cache)}) == plain
    assert module.is_file() and "ffi" in module.read_text()


def test_a_cache_that_cannot_be_written_is_passed_over(tmp_path, plain):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    assert _pdf(tmp_path, "blocked", {"XDG_CACHE_HOME": str(blocked)}) == plain


def test_doctor_says_which_path_is_in_use(tmp_path):
    cache = str(tmp_path / "cache")
    assert "prebuilt" in run_charter("doctor", env={"XDG_CACHE_HOME": cache}).stdout
    off = run_charter("doctor", env={"XDG_CACHE_HOME": cache, "CHARTER_NO_PREBUILT_FFI": "1"}).stdout
    assert "parsed (prebuilt module switched off)" in off


def test_bad_input_with_the_child_started_still_exits_2_quickly(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('lang = "zh"\n[group]\nname = ""\n', encoding="utf-8")
    result = run_charter("render", bad, "--out", tmp_path / "out", timeout=30)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, expected", [
    (["render", "a.toml"], True), (["render", "a.toml", "--format", "html,md"], False),
    (["render", "a.toml", "--format=pdf"], True), (["demo"], True), (["list"], False),
    (["render", "--help"], False), ([], False), (["render", "a.toml", "--format", "poster,txt"], True),
])
def test_the_early_guess_of_a_pdf(args, expected):
    from charter.cli import _makes_pdf

    assert _makes_pdf(args) is expected


def test_a_damaged_template_cache_is_passed_over(tmp_path, plain):
    cache = tmp_path / "cache"
    _pdf(tmp_path, "build", {"XDG_CACHE_HOME": str(cache)})
    compiled = list((cache / "charter").glob("templates-*/*"))
    assert compiled
    for path in compiled:
        path.write_bytes(b"j2 not bytecode")
    assert _pdf(tmp_path, "damaged", {"XDG_CACHE_HOME": str(cache)}) == plain
