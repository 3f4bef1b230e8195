"""Rewording a rule from the questionnaire's review step, driven by real keystrokes."""

from __future__ import annotations

import tomllib

from conftest import EXAMPLES, unit_locking_rules
from test_questionnaire import DOWN, ENTER, TODAY, answer, line, private_data_dir  # noqa: F401 (fixture)

from charter.interfaces.questions import Engine

GROUP = "县融媒体中心外宣活动群"
SOURCE = EXAMPLES / "county-media-event.toml"
REWORD = [DOWN, DOWN, ENTER]  # review: reword a rule


def first_rule() -> str:
    """The rule the review offers first: the group's first rule."""
    return Engine(None, TODAY).chosen_rule_ids(tomllib.loads(SOURCE.read_text("utf-8")))[0]


def written(out) -> dict:
    return tomllib.loads((out / GROUP / "charter.toml").read_text("utf-8"))


def test_a_rule_reworded_at_the_review_is_kept_by_id_and_printed_as_typed(tmp_path):
    mine = "本群只谈外宣，{{ owner }} 不必回复。"
    keys = [ENTER,                     # from a charter: to the review
            *REWORD, ENTER,            # the first rule
            line(mine),                # its wording, typed over the prefilled text
            ENTER]                     # review again: write
    answer(keys, tmp_path / "out", from_file=SOURCE)
    assert written(tmp_path / "out")["rules"]["text"] == {first_rule(): mine}
    assert mine in (tmp_path / "out" / GROUP / "announcement.txt").read_text("utf-8")


def test_new_from_keeps_a_wording_and_clearing_it_goes_back_to_the_catalogue(tmp_path):
    source = tmp_path / "reworded.toml"
    source.write_text(SOURCE.read_text("utf-8") + f'\n[rules.text]\n"{first_rule()}" = "我们自己的话。"\n', "utf-8")
    answer([ENTER, ENTER], tmp_path / "kept", from_file=source)
    assert written(tmp_path / "kept")["rules"]["text"] == {first_rule(): "我们自己的话。"}
    answer([ENTER, *REWORD, ENTER, line(""), ENTER], tmp_path / "cleared", from_file=source)
    assert "text" not in written(tmp_path / "cleared").get("rules", {})


def test_a_prefilled_text_left_as_it_is_stores_no_wording(tmp_path):
    answer([ENTER, *REWORD, ENTER, ENTER, ENTER], tmp_path / "out", from_file=SOURCE)
    assert "text" not in written(tmp_path / "out").get("rules", {})


def test_a_rule_the_unit_locks_is_not_offered_for_rewording(tmp_path):
    group = EXAMPLES / "units" / "county-propaganda-group.toml"
    first, second = Engine(None, TODAY).chosen_rule_ids(tomllib.loads(group.read_text("utf-8")))[:2]
    unit = unit_locking_rules(tmp_path / "unit", first)
    answer([ENTER, *REWORD, ENTER, line("我们的第二条。"), ENTER], tmp_path / "out", from_file=group, unit_dir=unit)
    charter = tomllib.loads(next((tmp_path / "out").glob("*/charter.toml")).read_text("utf-8"))
    assert charter["rules"]["text"] == {second: "我们的第二条。"}  # the cursor passed over the locked first rule
