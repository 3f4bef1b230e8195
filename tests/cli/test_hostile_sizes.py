"""Hostile sizes and characters, reproducible output, and never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import date

import tomli_w
from click.testing import CliRunner
from conftest import CHARTER, EXAMPLES, pdf_fonts, pdf_text, run_charter, squeeze
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from charter.cli import cli

EVENT = (EXAMPLES / "county-media-event.toml").read_text("utf-8")


def _write(tmp_path, source: str, name: str = "answers.toml"):
    path = tmp_path / name
    path.write_text(source, encoding="utf-8")
    return path


def test_same_answers_give_byte_identical_files(tmp_path):
    for run in ("first", "second"):
        result = run_charter("render", EXAMPLES / "township-office.toml", "--out", tmp_path / run)
        assert result.returncode == 0, result.stderr
    first = sorted((tmp_path / "first").rglob("*.*"))
    assert len(first) == 7
    for path in first:
        twin = tmp_path / "second" / path.relative_to(tmp_path / "first")
        assert path.read_bytes() == twin.read_bytes(), path.name



def test_an_emoji_in_the_answers_still_gives_the_same_bytes_and_no_new_version(tmp_path):
    """WeasyPrint saves an emoji font through fontTools, which stamps it with the time: two renders a
    second apart differed, and `render --force` of unchanged answers kept a needless version."""
    answers = _write(tmp_path, EVENT.replace('name = "县融媒体中心外宣活动群"', 'name = "县融媒体😀外宣活动群"'))
    made = []
    for run in ("first", "second"):
        result = run_charter("render", answers, "--out", tmp_path / run, "--format", "pdf,poster")
        assert result.returncode == 0, result.stderr
        made.append([path.read_bytes() for path in sorted((tmp_path / run).rglob("*.pdf"))])
        time.sleep(1.1)
    assert made[0] == made[1] and len(made[0]) == 2
    assert "Emoji" in " ".join(font["name"] for font in pdf_fonts(next((tmp_path / "first").rglob("charter.pdf"))))
    again = run_charter("render", answers, "--out", tmp_path / "first", "--format", "pdf,poster", "--force")
    assert again.returncode == 0, again.stderr
    assert not list((tmp_path / "first").rglob("versions"))


def test_emoji_and_zero_width_characters_render_without_tofu(tmp_path):
    source = (EVENT.replace('name = "张华"', 'name = "张华🌟"').replace('name = "赵磊"', 'name = "赵\u200b磊"')
              .replace('lang = "zh"', 'lang = "zh"\nshow_roster = true'))
    result = run_charter("render", _write(tmp_path, source), "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    [pdf] = (tmp_path / "out").rglob("charter.pdf")
    assert "张华🌟" in pdf_text(pdf)
    assert any("Emoji" in font["name"] for font in pdf_fonts(pdf))


def test_text_direction_controls_are_refused(tmp_path):
    source = EVENT.replace('name = "李明"', 'name = "李明\u202eabc"')
    result = run_charter("check", _write(tmp_path, source))
    assert result.returncode == 2 and "owner.name" in result.stderr and "U+202" in result.stderr


def test_huge_purpose_is_a_clear_error(tmp_path):
    source = EVENT.replace('purpose = "统筹本次外宣活动的稿件报送与现场协调"', f'purpose = "{"统筹" * 5000}"')
    result = run_charter("render", _write(tmp_path, source), "--out", tmp_path / "out")
    assert result.returncode == 2 and "group.purpose" in result.stderr and "2000" in result.stderr
    assert not (tmp_path / "out").exists()


def test_two_thousand_members_and_a_one_megabyte_file_render(tmp_path):
    members = "".join(f'\n[[members]]\nname = "成员{i}"\nunit = "单位{i % 40}"\ntitle = "科员"\n' for i in range(2000))
    padding = "# " + "备注" * 200 + "\n"
    source = EVENT + members
    source = padding * ((1_000_000 - len(source.encode())) // len(padding.encode()) + 1) + source
    path = _write(tmp_path, source)
    assert path.stat().st_size > 1_000_000
    started = time.monotonic()
    result = run_charter("render", path, "--out", tmp_path / "out", "--format", "pdf,txt")
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 60  # a bound on a hang, not a speed target
    [pdf] = (tmp_path / "out").rglob("charter.pdf")
    assert "县融媒体中心外宣活动群" in squeeze(pdf_text(pdf))


def test_deeply_nested_toml_is_a_clear_error(tmp_path):
    source = EVENT + "\nx = " + "[" * 50_000 + "]" * 50_000 + "\n"
    result = run_charter("check", _write(tmp_path, source))
    assert result.returncode == 2 and "嵌套" in result.stderr and "Traceback" not in result.stderr


def test_binary_garbage_is_a_clear_error(tmp_path):
    path = tmp_path / "garbage.toml"
    path.write_bytes(os.urandom(4096))
    result = run_charter("check", path)
    assert result.returncode == 2 and "Traceback" not in result.stderr and result.stderr.strip()


def test_killed_render_leaves_the_previous_charter_intact(tmp_path):
    out = tmp_path / "out"
    assert run_charter("render", EXAMPLES / "county-media-event.toml", "--out", out).returncode == 0
    folder = out / "县融媒体中心外宣活动群"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    members = "".join(f'\n[[members]]\nname = "成员{i}"\n' for i in range(1500))
    big = _write(tmp_path, EVENT.replace('lang = "zh"', 'lang = "zh"\nshow_roster = true') + members)
    child = subprocess.Popen([str(CHARTER), "render", str(big), "--out", str(out), "--force"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.0)  # well inside the render of 1,500 roster rows
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in out.iterdir()] == ["县融媒体中心外宣活动群"] or all(
        p.name.startswith(".charter-staging-") for p in out.iterdir() if p != folder)


def test_stale_staging_folders_are_cleaned_up(tmp_path):
    out = tmp_path / "out"
    stale = out / ".charter-staging-killed"
    stale.mkdir(parents=True)
    (stale / "charter.pdf").write_bytes(b"%PDF-partial")
    an_hour_and_more_ago = time.time() - 3700
    os.utime(stale, (an_hour_and_more_ago, an_hour_and_more_ago))
    assert run_charter("render", EXAMPLES / "county-media-event.toml", "--out", out, "--format", "txt").returncode == 0
    assert not stale.exists()


# ── property: random answers files render or exit 2 with a message, never a traceback ──
_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_person = st.fixed_dictionaries({"name": _text}, optional={"unit": _text, "title": _text, "role": _text})
_values = st.one_of(_text, st.integers(-5, 40), st.booleans(), st.dates(date(2020, 1, 1), date(2030, 12, 31)))
_answers = st.fixed_dictionaries(
    {"group": st.fixed_dictionaries(
        {"name": _text, "purpose": _text, "kind": st.sampled_from(["temporary", "project", "standing", "x"]),
         "created": st.dates(date(2025, 1, 1), date(2027, 12, 31))},
        optional={"platform": st.sampled_from(["wechat", "qq", "fax"]),
                  "dissolve_on": st.dates(date(2025, 1, 1), date(2028, 12, 31)),
                  "review_every_months": st.integers(-1, 30)}),
     "owner": _person},
    optional={"lang": st.sampled_from(["zh", "en", "fr"]), "show_roster": st.booleans(),
              "successor": _person, "members": st.lists(_person, max_size=4),
              "rules": st.fixed_dictionaries({}, optional={
                  "off": st.lists(st.sampled_from(["posting.tags", "posting.tag", "x"]), max_size=2),
                  "params": st.dictionaries(st.sampled_from(["quiet_start", "leave_days", "digest_every",
                                                             "remark_format", "nope"]), _values, max_size=3),
                  "custom": st.lists(st.fixed_dictionaries({"text": _text}, optional={"category": _text}),
                                     max_size=2)}),
              "extra": _values})


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=_answers)
def test_random_answers_render_or_exit_2(tmp_path_factory, answers):
    tmp = tmp_path_factory.mktemp("prop")
    path = tmp / "answers.toml"
    path.write_text(tomli_w.dumps(answers), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(path), "--out", str(tmp / "out"), "--format", "html,md,txt,ics"])
    assert result.exit_code in (0, 2), (result.output, result.exception)
    if result.exit_code == 2:
        assert result.output.strip() and "Traceback" not in result.output
    else:
        assert len(list((tmp / "out").rglob("charter.html"))) == 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(source=st.text(max_size=300))
def test_random_text_is_checked_without_a_traceback(tmp_path_factory, source):
    path = tmp_path_factory.mktemp("text") / "answers.toml"
    path.write_text(source, encoding="utf-8", errors="surrogatepass")
    result = CliRunner().invoke(cli, ["check", str(path)])
    assert result.exit_code == 2 and result.output.strip(), (result.output, result.exception)
