"""One language from top to bottom on the command line: --lang anywhere, help in whole words of one language."""

from __future__ import annotations

import re
import unicodedata

import pytest
from conftest import EXAMPLES, run_charter

COMMANDS = ["render", "new", "check", "due", "serve", "calendar", "notice", "unit init", "webhook save"]


def test_lang_after_the_command_is_taken(tmp_path):
    missing = run_charter("check", tmp_path / "nope.toml", "--lang", "en")
    assert missing.returncode == 2 and "no such file" in missing.stderr and "找不到" not in missing.stderr
    chinese = run_charter("check", tmp_path / "nope.toml", "--lang=zh", env={"LANG": "en_GB.UTF-8"})
    assert chinese.returncode == 2 and "找不到文件" in chinese.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_c_locale_user_finds_the_way_to_english_in_every_help(command):
    shown = run_charter(*command.split(), "--help", env={"LANG": "C.UTF-8"})
    assert shown.returncode == 0 and "用法" in shown.stdout
    words = " ".join(shown.stdout.split())
    assert "--lang" in words and "Language" in words and "CHARTER_LANG=en" in words


def test_english_help_gives_whole_summaries():
    listing = run_charter("--help", env={"LANG": "en_GB.UTF-8"}).stdout
    assert "…" not in listing and "..." not in listing.split("Commands:")[1]
    assert "Record that GROUP (its folder, or a unique part of its name) was dissolved." in " ".join(listing.split())


@pytest.mark.parametrize("command", ["", *COMMANDS, "due", "batch"])
def test_chinese_help_has_no_english_placeholders(command):
    shown = run_charter(*command.split(), "--help").stdout
    leftovers = re.findall(r"\[OPTIONS\]|COMMAND|ARGS|DIRECTORY|FILE\b|INTEGER|RANGE|TEXT\b|ANSWERS|GROUP|FOLDER|\bURL\b",
                           shown)
    assert not leftovers, shown


def test_chinese_help_columns_line_up():
    lines = run_charter("due", "--help").stdout.splitlines()

    def column(line: str, words: str) -> int:  # a Chinese character takes two columns on a terminal
        before = line[:line.index(words)]
        return len(before) + sum(unicodedata.east_asian_width(c) == "W" for c in before)

    starts = {column(line, "群登记") for line in lines if "--dir" in line} | {
        column(line, "群机器人的签名") for line in lines if "--secret" in line}
    assert len(starts) == 1


def test_a_toml_mistake_in_a_chinese_file_is_told_in_chinese(tmp_path):
    answers = tmp_path / "answers.toml"
    answers.write_text('lang = "zh"\n[group\nname = "x"\n', encoding="utf-8")
    result = run_charter("check", answers)
    assert result.returncode == 2 and "answers.toml:2: 不是有效的 TOML：表头末尾缺少 ]" in result.stderr
    assert "Expected" not in result.stderr
    answers.write_text('lang = "zh"\nschema = 1\nschema = 2\n', encoding="utf-8")
    assert "这个值已经写过" in run_charter("check", answers).stderr


def test_check_gives_its_verdict_in_the_users_language(tmp_path):
    chinese = run_charter("check", EXAMPLES / "township-office.toml")
    assert chinese.returncode == 0 and "有效（青石镇机关工作群，常设群，24 名成员）" in chinese.stdout
    assert "OK" not in chinese.stdout and "members" not in chinese.stdout
    english = run_charter("check", EXAMPLES / "township-office.toml", "--lang", "en")
    assert ": OK (青石镇机关工作群, standing, 24 members)" in english.stdout and "no signs of formalism" in english.stdout
