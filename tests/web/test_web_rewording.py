"""Rewording a rule in the web form: beside its tick box, prefilled, kept by rule id."""

from __future__ import annotations

import re
import tomllib

import pytest
from conftest import unit_locking_rules
from test_web import GOOD, ZH, _Form, post_form

from charter.interfaces.web import create_app

RULE = "security.confidential"


def server(tmp_path, monkeypatch, render_pool, unit_dir=None):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    return create_app(tmp_path / "out", unit_dir, pool=render_pool).test_client()


@pytest.fixture
def client(tmp_path, monkeypatch, render_pool):
    return server(tmp_path, monkeypatch, render_pool)


def page_fields(client, path: str = "/") -> dict:
    parser = _Form()
    parser.feed(client.get(path, headers=ZH).get_data(as_text=True))
    return parser.data


def test_each_rule_is_prefilled_with_its_text_and_an_unchanged_page_stores_no_wording(client, tmp_path):
    fields = page_fields(client)
    assert fields[f"rules.text.{RULE}"][0].startswith("涉密文件")
    assert post_form(client, GOOD, action="write").status_code == 303
    answers = tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8"))
    assert "text" not in answers.get("rules", {})


def test_a_reworded_rule_is_kept_by_id_and_printed_as_typed(client, tmp_path):
    mine = "机密材料一律不进群，{{ owner }} 会提醒。"
    written = post_form(client, {**GOOD, f"rules.text.{RULE}": mine}, action="write")
    assert written.status_code == 303
    folder = tmp_path / "out" / "防汛宣传群"
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert answers["rules"]["text"] == {RULE: mine}
    assert mine in (folder / "announcement.txt").read_text("utf-8")
    assert "机密材料一律不进群，{{ owner }} 会提醒。" in (folder / "charter.md").read_text("utf-8")


def test_a_wording_that_cannot_be_kept_is_named_beside_its_rule_and_in_the_summary(client, tmp_path):
    response = post_form(client, {**GOOD, f"rules.text.{RULE}": "不外传\x07"}, action="write")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and not (tmp_path / "out" / "防汛宣传群").exists()
    assert f'id="error-reword-{RULE}" data-input="reword-{RULE}">含有控制字符<' in page
    assert f'<a href="#reword-{RULE}">' in page


def test_the_preview_shows_the_reworded_rule(client):
    fields = page_fields(client)
    data = {**fields, **GOOD, f"rules.text.{RULE}": "本群只谈防汛宣传，机密一字不提。"}
    result = client.post("/preview", data=data, headers=ZH).get_json()
    assert result["ok"] is True
    assert "本群只谈防汛宣传，机密一字不提。" in client.get(result["url"], headers=ZH).get_data(as_text=True)


def test_a_cleared_wording_or_the_catalogues_own_goes_back_to_the_catalogue(client, tmp_path):
    assert post_form(client, {**GOOD, f"rules.text.{RULE}": "机密不进群。"}, action="write").status_code == 303
    copied = page_fields(client, "/?from=防汛宣传群")
    assert copied[f"rules.text.{RULE}"] == ["机密不进群。"]
    catalogue = page_fields(client)[f"rules.text.{RULE}"][0]
    for name, typed in (("二群", ""), ("三群", catalogue)):
        data = {**copied, "group.name": f"防汛宣传{name}", f"rules.text.{RULE}": typed, "action": "write"}
        assert client.post("/", data=data, headers=ZH).status_code == 303
        answers = tomllib.loads((tmp_path / "out" / f"防汛宣传{name}" / "charter.toml").read_text("utf-8"))
        assert "text" not in answers.get("rules", {})
        assert catalogue in (tmp_path / "out" / f"防汛宣传{name}" / "charter.md").read_text("utf-8")


def test_a_rule_the_unit_locks_is_shown_read_only_and_its_rewording_refused(tmp_path, monkeypatch, render_pool):
    unit_client = server(tmp_path, monkeypatch, render_pool, unit_locking_rules(tmp_path / "unit", RULE))
    page = unit_client.get("/", headers=ZH).get_data(as_text=True)
    locked = re.search(rf'<textarea id="reword-{RULE}"[^>]*>', page).group(0)
    assert "readonly" in locked and "name=" not in locked and "这条由单位统一规定，不能改写" in page
    assert 'name="rules.text.posting.reply-window"' in page  # another rule stays open to rewording
    refused = post_form(unit_client, {**GOOD, f"rules.text.{RULE}": "改过的", f"_worded.{RULE}": "原文"}, action="write")
    assert refused.status_code == 422
    assert f"规则“{RULE}”由中共青石县委宣传部统一规定，本群不能改写它的文字" in refused.get_data(as_text=True)


def test_a_wording_survives_a_page_drawn_again_and_a_copy_from_the_register(client, tmp_path):
    """The no-JavaScript path: "update" draws the page again with the wording in its box; posting that
    page as it is keeps it. So does a group opened from the register and written under a new name."""
    mine = "机密材料一律不进群。"
    parser = _Form()
    parser.feed(post_form(client, {**GOOD, f"rules.text.{RULE}": mine}, action="update").get_data(as_text=True))
    assert parser.data[f"rules.text.{RULE}"] == [mine]
    assert client.post("/", data={**parser.data, "action": "write"}, headers=ZH).status_code == 303
    written = tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8"))
    assert written["rules"]["text"] == {RULE: mine}
    copy = page_fields(client, "/?from=防汛宣传群")
    assert copy[f"rules.text.{RULE}"] == [mine]
    assert client.post("/", data={**copy, "group.name": "防汛宣传群二", "action": "write"}, headers=ZH).status_code == 303
    again = tomllib.loads((tmp_path / "out" / "防汛宣传群二" / "charter.toml").read_text("utf-8"))
    assert again["rules"]["text"] == {RULE: mine}
