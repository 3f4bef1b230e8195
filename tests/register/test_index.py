"""What makes reading a big register fast may never hide a group or show what a file no longer
says: the index of parsed charter.toml files, and loaded units kept in memory."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from conftest import EXAMPLES

from charter import pipeline
from charter.register import index
from charter.register.entries import read_register
from charter.schema.group import load_group
from charter.schema.unit import load_unit

UNIT = EXAMPLES / "units" / "county-propaganda"


def _write(out):
    for example in ("county-media-event", "township-office", "school-project-team"):
        answers, unit, _ = load_group(EXAMPLES / f"{example}.toml")
        pipeline.write_charter(answers, unit, out, formats=("txt",))


@pytest.fixture()
def register(tmp_path, monkeypatch):
    """Three groups, a cache folder of the test's own, and files taken as settled at once (this
    filesystem counts time in nanoseconds; test_a_file_just_written_is_not_kept checks the wait)."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setattr(index, "_SETTLE_SECONDS", 0)
    out = tmp_path / "register"
    _write(out)
    return out


def groups(out) -> dict[str, str]:
    entries, unreadable = read_register(out)
    assert not unreadable
    return {e.answers.group.name: e.answers.group.purpose for e in entries}


def _index_file(tmp_path):
    [index] = (tmp_path / "cache").rglob("*.json")
    return index


def test_the_index_is_the_users_not_the_registers(register, tmp_path):
    assert len(groups(register)) == 3
    index = json.loads(_index_file(tmp_path).read_text("utf-8"))
    assert len(index["files"]) == 3
    assert not [p for p in register.iterdir() if p.name.startswith(".")]


def test_a_file_changed_behind_the_index_is_read_again(register, tmp_path):
    before = groups(register)
    path = register / "青石镇机关工作群" / "charter.toml"
    stat = path.stat()
    text = path.read_text("utf-8")
    changed = text.replace("日常工作", "日常事务")  # the same length, bytes and all
    assert changed != text and len(changed.encode()) == len(text.encode())
    path.write_text(changed, "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even its mtime put back: the ctime tells
    after = groups(register)
    assert after["青石镇机关工作群"] != before["青石镇机关工作群"] and "日常事务" in after["青石镇机关工作群"]


def test_the_index_never_decides_which_groups_there_are(register, tmp_path):
    assert len(groups(register)) == 3
    shutil.rmtree(register / "青石镇机关工作群")
    shutil.copytree(register / "Science-Fair-2027-Team", register / "copy")
    entries, _ = read_register(register)
    assert sorted(e.folder.name for e in entries) == ["Science-Fair-2027-Team", "copy", "县融媒体中心外宣活动群"]


def test_a_damaged_index_is_ignored(register, tmp_path):
    groups(register)
    _index_file(tmp_path).write_text('{"charter": "x", "files": {"/etc": 1}', "utf-8")
    assert len(groups(register)) == 3
    _index_file(tmp_path).write_bytes(b"\xff\x00garbage")
    assert len(groups(register)) == 3


def test_an_indexed_group_that_became_invalid_names_its_line(register, tmp_path):
    groups(register)
    path = register / "县融媒体中心外宣活动群" / "charter.toml"
    path.write_text(path.read_text("utf-8").replace('kind = "temporary"', 'kind = "temporarry"'), "utf-8")
    _, unreadable = read_register(register)
    [problem] = unreadable
    assert f"{path}:" in problem.problem and "group.kind" in problem.problem


def test_a_file_just_written_is_not_kept(tmp_path, monkeypatch):
    """A filesystem that counts time coarsely could change a file twice within one tick: a file
    younger than a few seconds is read every time, never indexed."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    _write(tmp_path / "register")
    assert len(groups(tmp_path / "register")) == 3
    assert not list((tmp_path / "cache").rglob("*.json"))


def test_a_changed_unit_is_loaded_again(tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(UNIT, unit)
    assert load_unit(unit) is load_unit(tmp_path / "." / "unit")  # the same folder, unchanged: kept
    source = (unit / "unit.toml").read_text("utf-8")
    (unit / "unit.toml").write_text(source.replace('quiet_start = "21:00"', 'quiet_start = "21:30"'), "utf-8")
    assert load_unit(unit).locked["rules"]["params"]["quiet_start"] == "21:30"
    (unit / "assets" / "passwd").symlink_to("/etc/passwd")  # a link made after the unit was loaded
    with pytest.raises(Exception, match="assets/passwd"):
        load_unit(unit)
