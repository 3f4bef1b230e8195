"""An installed wheel renders outside the source tree: templates, data and examples travel with it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import ROOT, pdf_text, squeeze


def test_installed_wheel_renders_outside_the_source_tree(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(dist), str(ROOT)], check=True, capture_output=True)
    [wheel] = dist.glob("charter-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "charter/templates/charter.html.j2" in names and "charter/data/catalogue.toml" in names
    assert any(n.startswith("charter/examples/") for n in names)

    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True)
    work = tmp_path / "elsewhere"
    work.mkdir()
    # The wheel's copy comes first on the path; dependencies come from this environment.
    env = {**os.environ, "PYTHONPATH": str(site)}
    where = subprocess.run([sys.executable, "-c", "import charter; print(charter.__file__)"], cwd=work, env=env,
                           capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(site))
    result = subprocess.run([sys.executable, "-m", "charter", "demo", "--out", "out"], cwd=work, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    pdf = work / "out" / "县融媒体中心外宣活动群" / "charter.pdf"
    assert "县融媒体中心外宣活动群" in squeeze(pdf_text(pdf))
