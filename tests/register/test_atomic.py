"""Replacing a group's charter is one step: killed at any point, the folder holds the old charter
or the new one, complete, `charter list` shows the group once, and the next run cleans up.

A hook (a sitecustomize on PYTHONPATH, read only by these tests) counts every os.replace,
os.rename, os.link and the folder exchange in the `charter` process and SIGKILLs it at the
Nth; the tests try each N in turn until the command completes. With CHARTER_TEST_NO_EXCHANGE
the exchange reports "not supported", so the two-renames path is killed at each step too.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import CHARTER, EXAMPLES, run_charter

EVENT = EXAMPLES / "county-media-event.toml"
GROUP = "县融媒体中心外宣活动群"
# The groups here print no PDF: no renderer child need import WeasyPrint for every command run.
TODAY = {"CHARTER_TODAY": "2026-12-29", "CHARTER_NO_PREFORK": "1"}

HOOK = '''
import importlib.abc, importlib.util, os, signal, sys

_at = int(os.environ.get("CHARTER_TEST_KILL_AT", "0"))
_count = 0


def _step(name):
    global _count
    _count += 1
    if _count == _at:
        with open(os.environ["CHARTER_TEST_KILL_LOG"], "a") as log:
            log.write(name + "\\n")
        os.kill(os.getpid(), signal.SIGKILL)


def _counted(name, real):
    def call(*args, **kwargs):
        _step(name)
        return real(*args, **kwargs)
    return call


for _name in ("replace", "rename", "link"):
    setattr(os, _name, _counted(_name, getattr(os, _name)))


class _Files(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path, target=None):
        if fullname != "charter.core.files":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            real = module.exchange

            def exchange(first, second):
                _step("exchange")
                return False if os.environ.get("CHARTER_TEST_NO_EXCHANGE") else real(first, second)
            module.exchange = exchange
        spec.loader.exec_module = exec_module
        return spec


sys.meta_path.insert(0, _Files())
'''


@pytest.fixture(scope="module")
def hook(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hook")
    (folder / "sitecustomize.py").write_text(HOOK, "utf-8")
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def charter_killed(hook: Path, at: int, log: Path, *args, no_exchange: bool = False):
    env = {**os.environ, **TODAY, "LANG": "zh_CN.UTF-8", "PYTHONPATH": str(hook), "CHARTER_TEST_KILL_AT": str(at),
           "CHARTER_TEST_KILL_LOG": str(log), **({"CHARTER_TEST_NO_EXCHANGE": "1"} if no_exchange else {})}
    env.pop("LC_ALL", None)
    return subprocess.run([str(CHARTER), *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def lived(tmp_path_factory) -> Path:
    """A register whose group has lived: renewed once (versions/1) and holding a file of the owner's."""
    register = tmp_path_factory.mktemp("lived")
    assert run_charter("render", EVENT, "--out", register, "--format", "txt,ics,md", env=TODAY).returncode == 0
    (register / GROUP / "值班表.txt").write_text("周一 李明\n", "utf-8")
    renewed = run_charter("renew", "外宣", "--dir", register, "--until", "2027-01-15", "--reason", "延期", env=TODAY)
    assert renewed.returncode == 0, renewed.stderr
    return register


def _changed_answers(tmp_path) -> Path:
    """The group's answers with another purpose: a second edition of its charter."""
    answers = tmp_path / "changed.toml"
    answers.write_text(EVENT.read_text("utf-8").replace("统筹本次外宣活动的稿件报送与现场协调", "统筹外宣活动稿件（第二版）"),
                       "utf-8")
    return answers


SCENARIOS = {
    "render --force": lambda register, tmp: ["render", _changed_answers(tmp), "--out", register, "--force",
                                             "--format", "txt,ics,md"],
    "renew": lambda register, tmp: ["renew", "外宣", "--dir", register, "--until", "2027-02-28", "--reason", "再延期"],
}


@pytest.mark.slow
@pytest.mark.parametrize("no_exchange", [False, True], ids=["exchange", "two-renames"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_killed_at_every_step_leaves_old_or_new_and_one_group(lived, hook, tmp_path, scenario, no_exchange):
    old = snapshot(lived / GROUP)
    finished = tmp_path / "finished"
    shutil.copytree(lived, finished)
    done = run_charter(*SCENARIOS[scenario](finished, tmp_path), env=TODAY)
    assert done.returncode == 0, done.stderr
    new = snapshot(finished / GROUP)
    assert new != old
    steps = []
    for at in range(1, 40):
        register = tmp_path / f"killed-{at}"
        shutil.copytree(lived, register)
        log = tmp_path / f"log-{at}"
        result = charter_killed(hook, at, log, *SCENARIOS[scenario](register, tmp_path), no_exchange=no_exchange)
        if result.returncode == 0:
            break
        assert result.returncode == -9, result.stderr
        steps.append(log.read_text().strip())
        if not no_exchange:  # one step: the folder is whole the moment the process dies
            assert snapshot(register / GROUP) in (old, new), (at, steps[-1])
        listed = run_charter("list", "--dir", register, "--json", env=TODAY)
        assert listed.returncode == 0 and [row["group"] for row in json.loads(listed.stdout)] == [GROUP], listed
        assert snapshot(register / GROUP) in (old, new), (at, steps[-1])  # two renames: whole once looked at
        assert sorted(p.name for p in register.iterdir()) == [GROUP], (at, steps[-1])  # cleaned up
        renewed_already = scenario == "renew" and snapshot(register / GROUP) == new
        again = run_charter(*SCENARIOS[scenario](register, tmp_path), env=TODAY)
        # the command again finishes the work; a renewal killed once its swap was done is there, and
        # the same date again changes nothing, so it is refused and nothing moves
        assert again.returncode == (2 if renewed_already else 0), (at, again.stderr)
        assert snapshot(register / GROUP) == new, (at, steps[-1])
    else:
        pytest.fail("the command never completed")
    expected = {"exchange"} if not no_exchange else {"replace", "rename"}
    assert expected <= set(steps), steps  # the swap itself was among the steps killed


def test_a_killed_fresh_folder_never_shows_half(hook, tmp_path):
    """The web's writes (a fresh folder per submission), killed at every step: no group or one."""
    script = ("import sys; from pathlib import Path; from charter.schema.group import load_group; "
              "from charter.pipeline import Placement, write_charter; "
              "answers, unit, _ = load_group(Path(sys.argv[1])); "
              "write_charter(answers, unit, Path(sys.argv[2]), Placement.FRESH, formats=('txt',))")
    python = CHARTER.with_name("python")
    for at in range(1, 20):
        register = tmp_path / f"fresh-{at}"
        env = {**os.environ, **TODAY, "PYTHONPATH": str(hook), "CHARTER_TEST_KILL_AT": str(at),
               "CHARTER_TEST_KILL_LOG": str(tmp_path / "log")}
        result = subprocess.run([str(python), "-c", script, str(EVENT), str(register)], capture_output=True, env=env)
        listed = run_charter("list", "--dir", register, "--json", env=TODAY)
        groups = [row["group"] for row in json.loads(listed.stdout)]
        if result.returncode == 0:
            assert groups == [GROUP] and at > 1
            break
        assert result.returncode == -9 and groups == [] and [p.name for p in register.iterdir()] == []
    else:
        pytest.fail("the write never completed")


def test_charters_own_folders_are_never_groups(tmp_path):
    register = tmp_path / "register"
    assert run_charter("render", EVENT, "--out", register, "--format", "txt", env=TODAY).returncode == 0
    for name in (".charter-staging-123-abc", ".charter-old-123-abc", ".hidden"):
        shutil.copytree(register / GROUP, register / name)
    # a swap journal without anything to finish (its folder is there) is cleared like the rest
    (register / ".charter-swap-123-abc").write_text(GROUP, "utf-8")
    listed = run_charter("list", "--dir", register, "--json", env=TODAY)
    assert [row["group"] for row in json.loads(listed.stdout)] == [GROUP]
    calendar = run_charter("calendar", "--dir", register, env=TODAY)
    assert calendar.stdout.count("BEGIN:VEVENT") == 1
    dissolved = run_charter("dissolve", "外宣", "--dir", register, env=TODAY)
    assert dissolved.returncode == 0, dissolved.stderr  # not "several groups match"
    assert sorted(p.name for p in register.iterdir()) == [".hidden", GROUP]  # only charter's own leftovers go


def test_a_journal_finishes_a_swap_killed_between_its_two_renames(tmp_path):
    """What the two-renames path leaves when killed between them: the group folder aside, the new
    one complete in staging. The next look at the register finishes the swap."""
    register = tmp_path / "register"
    assert run_charter("render", EVENT, "--out", register, "--format", "txt", env=TODAY).returncode == 0
    new = snapshot(register / GROUP)
    (register / GROUP).rename(register / ".charter-old-9-x")
    shutil.copytree(register / ".charter-old-9-x", register / ".charter-staging-9-x")
    (register / ".charter-swap-9-x").write_text(GROUP, "utf-8")
    listed = run_charter("list", "--dir", register, "--json", env=TODAY)
    assert [row["group"] for row in json.loads(listed.stdout)] == [GROUP]
    assert snapshot(register / GROUP) == new and [p.name for p in register.iterdir()] == [GROUP]


def test_concurrent_renewals_and_a_render_lose_no_event(tmp_path):
    register = tmp_path / "register"
    assert run_charter("render", EVENT, "--out", register, "--format", "txt,ics", env=TODAY).returncode == 0
    env = {**os.environ, **TODAY, "LANG": "zh_CN.UTF-8"}
    renewals = [subprocess.Popen([str(CHARTER), "renew", "外宣", "--dir", str(register), "--until", f"2027-0{m}-01",
                                  "--reason", f"第{m}次"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for m in range(2, 6)]
    render = subprocess.Popen([str(CHARTER), "render", str(register / GROUP / "charter.toml"), "--out", str(register),
                               "--force", "--format", "txt,ics"], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    for process in [*renewals, render]:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err.decode()
    answers = tomllib.loads((register / GROUP / "charter.toml").read_text("utf-8"))
    assert sorted(e["reason"] for e in answers["history"]) == ["第2次", "第3次", "第4次", "第5次"]
    versions = sorted(int(p.name) for p in (register / GROUP / "versions").iterdir())
    # each renewal keeps the charter it replaced; the render does too unless it read the last one
    assert versions in ([1, 2, 3, 4], [1, 2, 3, 4, 5])
    assert sorted(p.name for p in register.iterdir()) == [GROUP]


def test_a_full_disk_leaves_the_old_charter_and_no_empty_file(tmp_path, monkeypatch):
    """Writes fail once a few kilobytes are written (ENOSPC from os.write, as a full disk gives):
    bad luck, not a broken register. The old charter is intact, nothing empty is left anywhere,
    and the next render, with space again, succeeds."""
    from click.testing import CliRunner

    from charter.cli import cli

    register = tmp_path / "register"
    assert CliRunner().invoke(cli, ["render", str(EVENT), "--out", str(register), "--format", "txt,md"]).exit_code == 0
    old = snapshot(register / GROUP)
    real_write, budget = os.write, {"left": 3000}

    def full_disk(fd, data):
        if budget["left"] <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real_write(fd, bytes(data[:budget["left"]]))
        budget["left"] -= written
        return written

    monkeypatch.setattr(os, "write", full_disk)
    result = CliRunner(env={"LANG": "zh_CN.UTF-8", "LC_ALL": ""}).invoke(
        cli, ["render", str(_changed_answers(tmp_path)), "--out", str(register), "--force", "--format", "txt,md,html"])
    assert result.exit_code == 2 and "无法写入" in result.output and "No space left" in result.output, result.output
    assert snapshot(register / GROUP) == old
    assert not [p for p in register.rglob("*") if p.is_file() and p.stat().st_size == 0]
    assert sorted(p.name for p in register.iterdir()) == [GROUP]
    monkeypatch.setattr(os, "write", real_write)
    again = CliRunner().invoke(cli, ["render", str(_changed_answers(tmp_path)), "--out", str(register), "--force",
                                     "--format", "txt,md,html"])
    assert again.exit_code == 0, again.output


def test_a_full_tmpfs_leaves_the_old_charter(tmp_path):
    """The same on a real, tiny filesystem, where this machine lets the tests mount one."""
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=96k", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (not root, or no CAP_SYS_ADMIN)")
    try:
        register = mount / "register"
        assert run_charter("render", EVENT, "--out", register, "--format", "txt,ics", env=TODAY).returncode == 0
        old = snapshot(register / GROUP)
        filler = mount / "filler"
        with open(filler, "wb", buffering=0) as stream:  # the disk full
            try:
                while True:
                    stream.write(b"x" * 1024)
            except OSError:
                pass
        result = run_charter("render", _changed_answers(tmp_path), "--out", register, "--force",
                             "--format", "txt,ics,md,html", env=TODAY)
        assert result.returncode == 2 and "无法写入" in result.stderr, result.stderr
        assert snapshot(register / GROUP) == old
        assert not [p for p in register.rglob("*") if p.is_file() and p.stat().st_size == 0]
        filler.unlink()
        assert run_charter("render", _changed_answers(tmp_path), "--out", register, "--force",
                           "--format", "txt,ics", env=TODAY).returncode == 0
        assert sorted(p.name for p in register.iterdir()) == [GROUP]
    finally:
        subprocess.run(["umount", str(mount)], check=False)
