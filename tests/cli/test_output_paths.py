"""The edges of what the user names: `-o` writes only a regular file, names too long for the file
system, a password file that is not text or has no end. Each exits 2 with one line, never 1."""

from __future__ import annotations

import os
import socket
import stat

import pytest
from conftest import run_charter

LONG = "a" * 256  # one byte past the longest name Linux, macOS and Windows take


@pytest.fixture
def register(tmp_path):
    folder = tmp_path / "register"
    folder.mkdir()
    return folder


def _calendar(register, output, **kwargs):
    return run_charter("calendar", "--dir", register, "-o", output, **kwargs)


def test_calendar_writes_a_regular_file_and_dash_is_standard_output(register, tmp_path):
    written = _calendar(register, tmp_path / "groups.ics")
    assert written.returncode == 0, written.stderr
    assert (tmp_path / "groups.ics").read_bytes().startswith(b"BEGIN:VCALENDAR")
    again = _calendar(register, tmp_path / "groups.ics")  # a file of its own is replaced, as before
    assert again.returncode == 0, again.stderr
    printed = _calendar(register, "-", cwd=tmp_path)
    assert printed.returncode == 0 and printed.stdout.startswith("BEGIN:VCALENDAR")
    assert not (tmp_path / "-").exists()


def test_calendar_leaves_a_fifo_a_link_and_a_socket_as_they_are(register, tmp_path):
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    target = tmp_path / "target.txt"
    target.write_text("mine")
    link = tmp_path / "link.ics"
    link.symlink_to(target)
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock"))
    try:
        for path, kind in ((fifo, stat.S_ISFIFO), (link, stat.S_ISLNK), (tmp_path / "sock", stat.S_ISSOCK)):
            refused = _calendar(register, path, timeout=20)
            assert refused.returncode == 2, (path, refused.stderr)
            assert "--output" in refused.stderr and "Traceback" not in refused.stderr
            assert kind(os.lstat(path).st_mode), path
    finally:
        sock.close()
    assert target.read_text() == "mine"


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_calendar_does_not_turn_a_device_into_a_file(register, tmp_path):
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a second /dev/null
    for device in (null, "/dev/full"):
        refused = _calendar(register, device)
        assert refused.returncode == 2 and "--output" in refused.stderr, refused.stderr
        assert stat.S_ISCHR(os.lstat(device).st_mode)


def test_calendar_does_not_make_a_missing_folder(register, tmp_path):
    missing = tmp_path / "nowhere" / "groups.ics"
    refused = _calendar(register, missing)
    assert refused.returncode == 2 and str(missing.parent) in refused.stderr, refused.stderr
    assert not missing.parent.exists()


def test_a_name_too_long_for_the_file_system_is_bad_input(register, tmp_path):
    cases = [(["list", "--dir", tmp_path / LONG], {}, "--dir"),
             (["list"], {"CHARTER_HOME": str(tmp_path / LONG / "x")}, "CHARTER_HOME"),
             (["render", "examples/township-office.toml", "--format", "txt", "--out", tmp_path / LONG], {}, "--out"),
             (["calendar", "--dir", register, "-o", tmp_path / f"{LONG}.ics"], {}, "--output")]
    for args, env, named in cases:
        refused = run_charter(*args, env=env, cwd=os.path.dirname(os.path.dirname(__file__)))
        assert refused.returncode == 2, (args, refused.stderr)
        assert named in refused.stderr and len(refused.stderr.strip().splitlines()) == 1, refused.stderr
    assert os.listdir(tmp_path) == ["register"]


@pytest.mark.parametrize("content", [b"\xc3\x28 not utf-8\n", b"x" * 5000])
def test_a_password_file_that_is_no_password_is_bad_input(tmp_path, content):
    path = tmp_path / "password"
    path.write_bytes(content)
    refused = run_charter("serve", "--password-file", path, "--port", "1", timeout=30)
    assert refused.returncode == 2 and "--password-file" in refused.stderr, refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


def test_a_password_file_without_end_is_refused_not_read_for_ever():
    refused = run_charter("serve", "--password-file", "/dev/zero", "--port", "1", timeout=30)
    assert refused.returncode == 2 and "--password-file" in refused.stderr, refused.stderr


@pytest.mark.parametrize("ending", ["/", "/."])
def test_calendar_to_a_name_ending_in_a_slash_writes_nothing(register, tmp_path, ending):
    named = f"{tmp_path / 'groups.ics'}{ending}"  # a folder's name: not dropped for a file of that name
    refused = _calendar(register, named)
    assert refused.returncode == 2 and named in refused.stderr, refused.stderr
    assert not (tmp_path / "groups.ics").exists()
