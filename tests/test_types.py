"""charter/core and charter/schema type-check strictly, and the bodies of charter/render's functions
check too (mypy, configured in pyproject.toml's [tool.mypy]).

mypy keeps its cache in pytest's cache folder, so a run after the first checks only what changed."""

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parent.parent
CHECKED_PACKAGES = ("charter.core", "charter.schema", "charter.render")


def _mypy(cache: Path, *options: str) -> tuple[int, str]:
    packages = [arg for package in CHECKED_PACKAGES for arg in ("-p", package)]
    stdout, stderr, status = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(cache),
                                      *options, *packages])
    return status, stdout + stderr


@pytest.fixture
def in_checkout(monkeypatch):
    monkeypatch.chdir(ROOT)  # where mypy finds the charter package the tests import


def test_core_schema_and_render_have_no_type_errors(in_checkout, request):
    status, report = _mypy(request.config.cache.mkdir("mypy"))
    assert status == 0, report


def test_an_unannotated_function_in_core_is_an_error(in_checkout, request):
    """The control: the configuration is strict for core/, so a function without annotations,
    put in place of clock.py's text (mypy's --shadow-file, the file itself untouched), is named."""
    clock = ROOT / "charter" / "core" / "clock.py"
    shadow = Path(request.config.cache.mkdir("mypy-shadow")) / "clock.py"
    shadow.write_text(clock.read_text("utf-8") + "\n\ndef untyped(value):\n    return value\n", "utf-8")
    status, report = _mypy(request.config.cache.mkdir("mypy-control"), "--shadow-file", str(clock), str(shadow))
    assert status == 1, report
    assert "charter/core/clock.py" in report and "[no-untyped-def]" in report, report
