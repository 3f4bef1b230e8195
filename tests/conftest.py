"""Shared fixtures: the bundled examples rendered once per session, and ways to read a PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Debian's chromium binary itself, not its launcher script: the script sizes /dev/shm with findmnt,
# which prints a line per mount when /dev/shm is mounted twice (as happens in containers), and the
# script's test then fails and the browser dies at start. Playwright passes the flags it needs.
CHROMIUM = next((path for path in ("/usr/lib/chromium/chromium",) if os.access(path, os.X_OK)),
                shutil.which("chromium"))
EXAMPLES = ROOT / "examples"
CHARTER = Path(sys.executable).with_name("charter")

# Folder each bundled example renders into, by example file stem.
EXAMPLE_FOLDERS = {
    "county-media-event": "县融媒体中心外宣活动群",
    "township-office": "青石镇机关工作群",
    "school-project-team": "Science-Fair-2027-Team",
    "county-propaganda-group": "县委宣传部网评工作群",  # under examples/units, with its unit
    "inspection-visit": "市督查组迎检工作群",
    "county-flood-duty": "青石县防汛应急值守群",
    "class-parents": "青石镇中心小学三年级二班家校群",
    "bureau-notices": "县教育局校长通知群",
    "council-flood-duty": "Riverside-Flood-Duty",
    "year7-parents": "Year-7-Maple-Parents",
    "agency-notices": "County-Partnership-Notices",
}


def run_charter(*args, cwd: Path | None = None, env: dict | None = None, input: str | None = None,
                timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the installed `charter` command as a user would, in a Chinese locale unless env says
    otherwise (messages given before a file names its language follow the locale)."""
    base = {key: value for key, value in os.environ.items() if key not in ("LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([str(CHARTER), *map(str, args)], cwd=cwd, capture_output=True, text=True,
                          input=input, timeout=timeout, env={**base, "LANG": "zh_CN.UTF-8", **(env or {})})


def unit_locking_rules(folder: Path, *rule_ids: str) -> Path:
    """A copy of the county unit that locks these rules against rewording (locked_rules)."""
    shutil.copytree(EXAMPLES / "units" / "county-propaganda", folder)
    source = (folder / "unit.toml").read_text("utf-8")
    (folder / "unit.toml").write_text(f"locked_rules = {list(rule_ids)!r}\n" + source, "utf-8")
    return folder


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def squeeze(text: str) -> str:
    """Text without white space, so a phrase broken over lines still matches."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(path: Path) -> list[dict]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    fonts = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        # name type... encoding emb sub uni object-id generation
        fonts.append({"name": parts[0], "embedded": parts[-5] == "yes"})
    return fonts


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", out, re.MULTILINE).group(1))


def pytest_configure(config):
    missing = [tool for tool in ("pdftotext", "pdffonts", "pdfinfo") if not shutil.which(tool)]
    if missing:
        raise pytest.UsageError(f"tests need poppler-utils ({', '.join(missing)}); run `make test`")


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory) -> Path:
    """Every bundled example rendered once, through the real command, shared by the tests that read it."""
    out = tmp_path_factory.mktemp("demo")
    result = run_charter("demo", "--out", out)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def example_folder(demo_dir):
    return lambda stem: demo_dir / EXAMPLE_FOLDERS[stem]


@pytest.fixture(scope="session")
def render_pool():
    """charter serve's pool of writer processes, started once for every web test that writes."""
    from charter.interfaces.web import RenderPool

    pool = RenderPool().start()
    yield pool
    pool.close()
