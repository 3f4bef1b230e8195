"""The machine charter runs on: the set-up script, and what happens when a library or font is missing."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import EXAMPLES, ROOT, run_charter

SETUP = ROOT / "scripts" / "setup.sh"


def _fake_checkout(tmp_path: Path, installed: set[str], uid: int) -> tuple[Path, dict]:
    """A checkout whose venv is already built, on a machine where `installed` are the Debian packages."""
    repo = tmp_path / "repo"
    (repo / "scripts").mkdir(parents=True)
    shutil.copy(SETUP, repo / "scripts" / "setup.sh")
    shutil.copy(ROOT / "pyproject.toml", repo / "pyproject.toml")
    venv = repo / ".venv" / "bin"
    venv.mkdir(parents=True)
    (venv / "python").write_text("#!/bin/sh\nexit 0\n")
    (venv / "python").chmod(0o755)
    for stamp in (".installed", ".installed-test"):
        (repo / ".venv" / stamp).touch()
    axe = repo / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"  # the browser tests' accessibility check
    axe.parent.mkdir(parents=True)
    axe.touch()
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "dpkg-query").write_text(
        '#!/bin/sh\nfor a; do asked=$a; done\nfor p in ' + " ".join(sorted(installed)) +
        '; do [ "$p" = "$asked" ] && printf "install ok installed" && exit 0; done\nexit 1\n')
    (tools / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (tools / "apt-get").write_text("#!/bin/sh\necho apt-get ran >&2\nexit 1\n")
    for tool in tools.iterdir():
        tool.chmod(0o755)
    return repo, {**os.environ, "PATH": f"{tools}:{os.environ['PATH']}"}


EVERY_PACKAGE = {"libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0", "fonts-noto-cjk",
                 "fonts-noto-color-emoji", "fonts-liberation", "fontconfig", "poppler-utils", "chromium",
                 "libreoffice-writer-nogui", "libreoffice-calc-nogui"}


@pytest.mark.parametrize("flag", ["", "--test"])
def test_setup_is_silent_when_everything_is_there(tmp_path, flag):
    repo, env = _fake_checkout(tmp_path, EVERY_PACKAGE, uid=1000)
    result = subprocess.run(["bash", "scripts/setup.sh", *([flag] if flag else [])], cwd=repo, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""


def test_setup_names_the_apt_line_for_a_user_who_is_not_root_and_goes_on(tmp_path):
    repo, env = _fake_checkout(tmp_path, EVERY_PACKAGE - {"fonts-noto-cjk", "libharfbuzz-subset0"}, uid=1000)
    result = subprocess.run(["bash", "scripts/setup.sh"], cwd=repo, env=env, capture_output=True, text=True)
    assert result.returncode == 0
    assert "sudo apt-get install libharfbuzz-subset0 fonts-noto-cjk" in result.stderr
    assert "apt-get ran" not in result.stderr  # not root: nothing is installed behind the user's back


def test_setup_as_root_installs_what_is_missing(tmp_path):
    repo, env = _fake_checkout(tmp_path, EVERY_PACKAGE - {"fonts-liberation"}, uid=0)
    result = subprocess.run(["bash", "scripts/setup.sh"], cwd=repo, env=env, capture_output=True, text=True)
    assert "installing fonts-liberation" in result.stdout and "apt-get ran" in result.stderr


def _without_pango(tmp_path: Path) -> dict:
    """A weasyprint that fails to import the way WeasyPrint does on a machine without Pango."""
    stub = tmp_path / "no-pango" / "weasyprint"
    stub.mkdir(parents=True)
    (stub / "__init__.py").write_text(
        "raise OSError(\"cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open shared object file\")\n")
    return {"PYTHONPATH": str(stub.parent)}


def test_without_pango_a_pdf_is_refused_in_one_line_and_other_formats_still_render(tmp_path):
    env = _without_pango(tmp_path)
    pdf = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path / "a", env=env)
    assert pdf.returncode == 1
    assert pdf.stderr.count("\n") == 1 and "charter doctor" in pdf.stderr and "Traceback" not in pdf.stderr
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").iterdir())
    demo = run_charter("demo", "--out", tmp_path / "d", env=env)
    assert demo.returncode == 1 and "charter doctor" in demo.stderr
    others = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path / "b",
                         "--format", "html,md,txt,ics", env=env)
    assert others.returncode == 0, others.stderr
    folder = tmp_path / "b" / "县融媒体中心外宣活动群"
    assert sorted(p.name for p in folder.iterdir()) == ["announcement.txt", "charter.html", "charter.ics",
                                                       "charter.md", "charter.toml"]
    doctor = run_charter("doctor", env=env)
    assert doctor.returncode == 1 and "FAIL" in doctor.stdout and "libpango" in doctor.stdout


def test_without_a_chinese_font_a_chinese_pdf_is_refused_and_an_english_one_is_made(tmp_path):
    config = tmp_path / "fonts.conf"
    liberation = "/usr/share/fonts/truetype/liberation"
    config.write_text(f'<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                      f'<dir>{liberation}</dir><cachedir>{tmp_path}/cache</cachedir></fontconfig>')
    env = {"FONTCONFIG_FILE": str(config)}
    zh = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path / "zh", env=env)
    assert zh.returncode == 1 and "charter doctor" in zh.stderr and "方框" in zh.stderr
    en = run_charter("render", EXAMPLES / "school-project-team.toml", "--out", tmp_path / "en", env=env)
    assert en.returncode == 0, en.stderr
