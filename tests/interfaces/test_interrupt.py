"""Ctrl-C as a terminal sends it (SIGINT to the whole process group): exit 130, no traceback,
nothing half-written, and a batch says what it did."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import tomllib

import tomli_w
from conftest import CHARTER, EXAMPLES


def _interrupt(args: list, after: float, cwd=None) -> subprocess.CompletedProcess:
    env = {**os.environ, "LANG": "zh_CN.UTF-8"}
    child = subprocess.Popen([str(CHARTER), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, start_new_session=True, env=env, cwd=cwd)
    time.sleep(after)
    os.killpg(child.pid, signal.SIGINT)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(args, child.returncode, out, err)


def test_an_interrupted_render_leaves_nothing_and_exits_130(tmp_path):
    data = tomllib.loads((EXAMPLES / "township-office.toml").read_text("utf-8"))
    data.update(show_roster=True, members=[{"name": f"成员{n}", "unit": "村委会"} for n in range(3000)])
    big = tmp_path / "big.toml"
    big.write_text(tomli_w.dumps(data), encoding="utf-8")
    result = _interrupt(["render", big, "--out", tmp_path / "out"], after=1.5)
    assert result.returncode == 130 and "已中断" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_an_interrupted_batch_says_what_it_did_and_exits_130(tmp_path):
    out = tmp_path / "out"
    result = _interrupt(["batch", EXAMPLES / "units" / "county-groups.csv", "--unit",
                         EXAMPLES / "units" / "county-propaganda", "--out", out, "--jobs", "2",
                         "--format", "pdf,poster"], after=2.0)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr and "KeyboardInterrupt" not in result.stderr
    assert "已中断" in result.stderr and "已生成" in result.stdout
    written = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert 0 < len(written) < 22
    assert all(sorted(f.name for f in p.iterdir()) == ["charter.pdf", "charter.toml", "poster.pdf"] for p in written)
