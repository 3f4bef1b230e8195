"""An answers file past the caps its schema states is refused before anything is rendered."""

from __future__ import annotations

import time

import pytest
from conftest import EXAMPLES, run_charter


@pytest.mark.parametrize("field, extra, said", [
    ("rules.custom", "".join('[[rules.custom]]\ntext = "第 %d 条"\n' % n for n in range(51)), "最多 50 项"),
    ("rules.off", "[rules]\noff = [%s]\n" % ", ".join(['"posting.tags"'] * 201), "最多 200 项"),
    ("members", '[[members]]\nname = "甲"\n' * 5001, "最多 5000 项"),
])
def test_an_answers_file_past_its_caps_is_refused_before_rendering(tmp_path, field, extra, said):
    answers = tmp_path / "big.toml"
    answers.write_text((EXAMPLES / "county-media-event.toml").read_text("utf-8") + "\n" + extra, "utf-8")
    started = time.perf_counter()
    result = run_charter("render", answers, "--out", tmp_path / "out", timeout=60)
    assert result.returncode == 2 and f"{field}: 太多了，{said}" in result.stderr, result.stderr
    assert time.perf_counter() - started < 20 and not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", [">" * 200 + " x", "- " * 1990 + "x", "*" * 1000 + "x"])
def test_markdown_nested_past_its_cap_is_refused_by_check_and_render(tmp_path, text):
    """python-markdown recurses once a level: these ended a render in a RecursionError (exit 1)."""
    answers = tmp_path / "deep.toml"
    answers.write_text((EXAMPLES / "county-media-event.toml").read_text("utf-8")
                       + f'\n[[rules.custom]]\ncategory = "posting"\ntext = """{text}"""\n', "utf-8")
    for command in (("check", answers), ("render", answers, "--out", tmp_path / "out", "--format", "pdf")):
        result = run_charter(*command)
        assert result.returncode == 2 and "rules.custom[0].text" in result.stderr, result.stderr
        assert "嵌套超过 8 层" in result.stderr and "Traceback" not in result.stderr
