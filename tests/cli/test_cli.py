"""The command line as a user meets it: help, version, schema, check, doctor, start-up cost."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import EXAMPLES, run_charter

from charter import __version__

COMMANDS = ["render", "new", "demo", "check", "schema", "doctor", "batch", "list", "due", "dissolve", "renew",
            "calendar", "notice", "serve", "unit init", "unit check", "webhook save"]


def test_version():
    result = run_charter("--version")
    assert result.returncode == 0 and __version__ in result.stdout


@pytest.mark.parametrize("lang, example", [("zh", "示例：charter "), ("en", "Example: charter ")])
@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help_with_an_example(command, lang, example):
    result = run_charter("--lang", lang, *(command.split() if command else []), "--help")
    assert result.returncode == 0
    if command:
        assert example in result.stdout
    else:
        assert all(c.split()[0] in result.stdout for c in COMMANDS)


def test_help_does_not_import_weasyprint():
    code = ("import sys; from charter.cli import cli\n"
            "try:\n    cli(['--help'], prog_name='charter')\nexcept SystemExit:\n    pass\n"
            "print('weasyprint' in sys.modules, 'pydantic' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "False False"


def test_unknown_command_is_a_usage_error():
    result = run_charter("rendr")
    assert result.returncode == 2 and "render" in result.stderr


def test_schema_describes_the_answers_file():
    result = run_charter("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert set(schema["required"]) == {"group", "owner"}
    group = schema["$defs"]["Group"]["properties"]
    assert group["kind"]["enum"] == ["temporary", "project", "standing"]
    params = schema["$defs"]["Params"]["properties"]
    assert {"quiet_start", "leave_days", "digest_every", "remark_format"} <= set(params)
    assert schema["$defs"]["Params"]["additionalProperties"] is False


def test_check_accepts_every_example():
    for path in sorted(EXAMPLES.glob("*.toml")):
        result = run_charter("check", path)
        assert result.returncode == 0 and "：有效（" in result.stdout, result.stderr  # the verdict in the user's language


def test_doctor_reports_subsetting_and_cjk_fonts():
    result = run_charter("doctor")
    assert result.returncode == 0, result.stdout
    assert "HarfBuzz" in result.stdout  # make test installs libharfbuzz-subset0
    assert "Noto Sans CJK SC" in result.stdout


def test_doctor_fails_without_a_cjk_font(tmp_path):
    # An empty font configuration: fontconfig then finds no font at all.
    conf = tmp_path / "fonts.conf"
    conf.write_text("<?xml version='1.0'?><fontconfig><dir>/nonexistent</dir></fontconfig>")
    result = run_charter("doctor", env={"FONTCONFIG_FILE": str(conf)})
    assert result.returncode == 1
    assert "none found" in result.stdout and "fonts-noto-cjk" in result.stdout


def test_output_folder_that_is_a_file_is_bad_input(tmp_path):
    out = tmp_path / "out"
    out.write_text("a file where the output folder should be")
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", out, "--format", "txt")
    assert result.returncode == 2 and "文件夹" in result.stderr and "是文件" in result.stderr
    assert out.read_text() == "a file where the output folder should be"


def test_output_folder_below_a_file_is_bad_input(tmp_path):
    (tmp_path / "blocker").write_text("x")
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path / "blocker" / "out",
                         "--format", "txt")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "blocker" in result.stderr


def test_doctor_names_the_fonttools_fallback_and_the_fix(monkeypatch):
    """Without libharfbuzz-subset0, WeasyPrint subsets with fontTools; doctor says so and how to fix it."""
    import weasyprint.text.ffi as ffi
    from click.testing import CliRunner

    from charter.cli import cli

    monkeypatch.setattr(ffi, "harfbuzz_subset", None)
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output  # slower, still correct
    assert "fontTools" in result.output and "apt-get install libharfbuzz-subset0" in result.output
