"""Files are written with the user's umask (0644 under 022, 0664 under 002: colleagues on a shared
folder can read them), and each file is on disk (fsynced) before the rename that shows it."""

from __future__ import annotations

import os
import stat
import subprocess

import pytest
from conftest import CHARTER, EXAMPLES

EVENT = EXAMPLES / "county-media-event.toml"
UNIT = EXAMPLES / "units" / "county-propaganda"
GROUP = "县融媒体中心外宣活动群"


def charter(umask: int, *args, cwd=None):
    env = {**os.environ, "CHARTER_TODAY": "2026-12-29", "LANG": "zh_CN.UTF-8", "XDG_DATA_HOME": str(cwd or ".")}
    return subprocess.run([str(CHARTER), *map(str, args)], capture_output=True, text=True, env=env, cwd=cwd,
                          preexec_fn=lambda: os.umask(umask), timeout=120)


def modes(folder) -> dict[str, int]:
    return {p.relative_to(folder).as_posix(): stat.S_IMODE(p.stat().st_mode) for p in folder.rglob("*")}


@pytest.mark.parametrize("umask, file_mode, folder_mode", [(0o022, 0o644, 0o755), (0o002, 0o664, 0o775)])
def test_every_file_charter_writes_follows_the_umask(tmp_path, umask, file_mode, folder_mode):
    register = tmp_path / "register"
    csv = tmp_path / "groups.csv"
    csv.write_text("群名称,用途,类型,解散日期,群主,群主单位\n批量群,用途,临时群,2027-01-31,李明,县委\n", "utf-8")
    for args in (["render", EVENT, "--out", register],
                 ["renew", "外宣", "--dir", register, "--until", "2027-01-31", "--reason", "延期"],
                 ["dissolve", "外宣", "--dir", register],
                 ["calendar", "--dir", register, "-o", tmp_path / "groups.ics"],
                 ["batch", csv, "--unit", UNIT, "--out", register, "--format", "txt,ics", "--jobs", "1"],
                 ["unit", "init", tmp_path / "my-unit", "--lang", "zh"]):
        result = charter(umask, *args, cwd=tmp_path)
        assert result.returncode == 0, (args[0], result.stderr)
    written = {**modes(register), **modes(tmp_path / "my-unit"), "groups.ics": stat.S_IMODE((tmp_path / "groups.ics")
                                                                                          .stat().st_mode)}
    assert f"{GROUP}/versions/1/charter.pdf" in written and "批量群/charter.toml" in written
    wrong = {name: oct(mode) for name, mode in written.items()
             if mode != (folder_mode if (register / name).is_dir() or (tmp_path / "my-unit" / name).is_dir()
                         else file_mode)}
    assert not wrong
    assert stat.S_IMODE(register.stat().st_mode) == folder_mode


def test_a_group_folders_own_mode_is_kept_when_its_charter_is_replaced(tmp_path):
    register = tmp_path / "register"
    assert charter(0o022, "render", EVENT, "--out", register, "--format", "txt").returncode == 0
    os.chmod(register / GROUP, 0o750)  # the owner closed it to the office's group
    assert charter(0o022, "render", EVENT, "--out", register, "--format", "txt", "--force").returncode == 0
    assert stat.S_IMODE((register / GROUP).stat().st_mode) == 0o750


def test_each_file_is_on_disk_before_the_swap_shows_it(tmp_path, monkeypatch):
    """The order of what the writer asks of the system: every file of the new folder fsynced, then
    the folder itself, then the exchange."""
    from charter import pipeline
    from charter.core import files
    from charter.register import swap
    from charter.schema.group import load_group

    calls = []
    real_fsync = os.fsync

    def fsync(fd):
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    real_exchange = files.exchange

    def exchange(first, second):
        calls.append(("exchange", str(first)))
        return real_exchange(first, second)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(swap, "exchange", exchange)
    answers, unit, _ = load_group(EVENT)
    register = tmp_path / "register"
    pipeline.write_charter(answers, unit, register, formats=("txt", "md"))
    calls.clear()
    pipeline.write_charter(answers, unit, register, pipeline.Placement.REPLACE, formats=("txt", "md"))
    [swapped] = [i for i, (kind, _) in enumerate(calls) if kind == "exchange"]
    staging = calls[swapped][1]
    synced = [path for kind, path in calls[:swapped] if kind == "fsync"]
    assert {f"{staging}/{name}" for name in ("announcement.txt", "charter.md", "charter.toml")} <= set(synced)
    assert staging in synced  # the folder's entries too
