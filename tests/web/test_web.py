"""`charter serve` through Flask's test client: every route, every error."""

from __future__ import annotations

import io
import re
import shutil
import threading
import tomllib
from html.parser import HTMLParser

import pytest
from conftest import EXAMPLES

import charter.interfaces.web.register_pages
from charter.interfaces.web import create_app
from charter.schema.answers import answers_to_data
from charter.schema.group import validate_for
from charter.schema.unit import catalogue_of

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
GOOD = {
    "lang": "zh", "group.name": "防汛宣传群", "group.platform": "wechat", "group.kind": "temporary",
    "group.purpose": "统筹防汛宣传的稿件报送", "group.created": "2026-11-25", "group.dissolve_on": "2026-12-31",
    "owner.name": "陈刚", "owner.unit": "县应急管理局", "owner.title": "科长",
    "members": "刘洋,县水利局,干事,管理员\n王敏,县气象局,,\n", "show_roster": "yes",
}


@pytest.fixture
def app(tmp_path, monkeypatch, render_pool):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    application = create_app(tmp_path / "out", pool=render_pool)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    return app.test_client()


def token(client, path: str = "/") -> str:
    page = client.get(path, headers=ZH).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def shown_keys(page: str) -> list[str]:
    return re.findall(r'name="_shown" value="([^"]+)"', page)


class _Form(HTMLParser):
    """What a browser would send for a page's form as it stands: fields with their current values."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(a["name"], []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.setdefault(self._select, []).append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.data.setdefault(self._textarea, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        if tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][-1] += data


def post_form(client, values: dict, action: str = "update", follow: bool = False):
    """Post the form as a browser would: every field the page shows, as it shows it, with these changes."""
    parser = _Form()
    parser.feed(client.get("/", headers=ZH).get_data(as_text=True))
    data = {**parser.data, "action": action, **values}
    return client.post("/", data=data, headers=ZH, follow_redirects=follow)


def test_form_page_asks_the_questionnaire_questions(client):
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert "群名称" in page and "使用的平台" in page and "群主姓名" in page and "解散日期" in page
    keys = shown_keys(page)
    assert keys[:5] == ["lang", "group.name", "group.platform", "group.kind", "group.profile"]  # the profile, then its purposes
    assert "rules.posting" in keys and "rules.params.quiet_start" in keys
    assert "1/5 语言" in page and 'role="alert"' not in page  # a fresh form shows no errors
    assert "空格" not in page and "回车" not in page  # no terminal keystrokes on a web page
    assert "Markdown" not in page and "前后各加两个星号" in page  # bold explained in a clerk's words


def test_english_from_the_browser_language(client):
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"}).get_data(as_text=True)
    assert "Group name" in page and "Owner&#39;s name" in page


def test_invalid_answers_are_shown_beside_their_fields(client):
    response = post_form(client, {**GOOD, "group.dissolve_on": "2026-02-30", "owner.name": ""}, action="write")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="field-group-dissolve_on"[^>]*>.*?看不懂这个日期', page, re.S)
    assert re.search(r'id="field-owner-name"[^>]*>.*?不能为空', page, re.S)
    assert 'value="2026-02-30"' in page  # what was typed stays


def test_a_redraw_names_what_was_typed_wrong_and_not_the_fields_not_reached_yet(client):
    page = post_form(client, {**GOOD, "group.dissolve_on": "2026-02-30", "owner.name": ""}).get_data(as_text=True)
    assert re.search(r'id="field-group-dissolve_on"[^>]*>.*?看不懂这个日期', page, re.S)
    assert 'id="error-owner-name"' not in page and "不能为空" not in page


def test_a_past_date_and_a_date_before_creation_are_refused(client):
    page = post_form(client, {**GOOD, "group.dissolve_on": "2026-10-01"}).get_data(as_text=True)
    assert "已经过去了" in page


def test_writing_a_charter_then_downloading_its_files(client, tmp_path):
    response = post_form(client, GOOD, action="write")
    assert response.status_code == 303
    folder = response.headers["Location"].split("/groups/")[1].split("?")[0]
    written = tmp_path / "out" / "防汛宣传群"
    assert folder == "%E9%98%B2%E6%B1%9B%E5%AE%A3%E4%BC%A0%E7%BE%A4" or folder == "防汛宣传群"
    answers = tomllib.loads((written / "charter.toml").read_text("utf-8"))
    assert answers["members"][0] == {"name": "刘洋", "unit": "县水利局", "title": "干事", "role": "admin"}
    page = client.get(response.headers["Location"], headers=ZH).get_data(as_text=True)
    assert "群规已生成" in page and "charter.pdf" in page and "【群公告】防汛宣传群群规" in page
    pdf = client.get("/groups/防汛宣传群/files/charter.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert "attachment" in pdf.headers["Content-Disposition"]
    text = client.get("/groups/防汛宣传群/files/announcement.txt").get_data(as_text=True)
    assert text.startswith("【群公告】防汛宣传群群规")


def test_writing_with_errors_stays_on_the_form(client, tmp_path):
    response = post_form(client, {**GOOD, "group.name": ""}, action="write")
    assert response.status_code == 422 and "不能为空" in response.get_data(as_text=True)
    assert not (tmp_path / "out").exists()


def test_the_same_group_twice_asks_for_another_name_or_a_new_version(client, tmp_path):
    out = tmp_path / "out"
    assert post_form(client, GOOD, action="write").status_code == 303
    asked = post_form(client, GOOD, action="write")
    page = asked.get_data(as_text=True)
    assert asked.status_code == 409 and sorted(p.name for p in out.iterdir()) == ["防汛宣传群"]
    assert 'id="error-group-name" data-input="group-name">登记册里已有同名的群（文件夹 防汛宣传群）：请改一个群名，或保存为它的新版本' in page
    assert 'name="_version_of" value="防汛宣传群"' in page and "保存为 防汛宣传群 的新版本" in page
    versioned = post_form(client, {**GOOD, "owner.name": "王敏", "_version_of": "防汛宣传群"}, action="version")
    assert versioned.status_code == 303 and sorted(p.name for p in out.iterdir()) == ["防汛宣传群"]
    assert 'name = "王敏"' in (out / "防汛宣传群" / "charter.toml").read_text("utf-8")
    assert 'name = "陈刚"' in (out / "防汛宣传群" / "versions" / "1" / "charter.toml").read_text("utf-8")
    assert post_form(client, {**GOOD, "group.name": "防汛宣传群（二）"}, action="write").status_code == 303


def test_simultaneous_submissions_never_share_a_folder(app, tmp_path):
    barrier = threading.Barrier(4)
    codes = []

    def submit(name: str):
        client = app.test_client()
        barrier.wait()
        codes.append(post_form(client, {**GOOD, "group.name": name}, action="write").status_code)

    # four names, one folder name: each its own folder all the same
    threads = [threading.Thread(target=submit, args=(name,)) for name in ("防汛 宣传", "防汛/宣传", "防汛:宣传", "防汛·宣传")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [303] * 4
    folders = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert len(folders) == 4 and all((tmp_path / "out" / f / "charter.pdf").is_file() for f in folders)


def test_preview_renders_the_charter_or_says_what_is_missing(client):
    page = client.get("/", headers=ZH).get_data(as_text=True)
    data = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "_shown": shown_keys(page), **GOOD}
    good = client.post("/preview", data=data, headers=ZH).get_json()
    assert good["ok"] is True, good
    shown = client.get(good["url"], headers=ZH)
    assert shown.status_code == 200 and "防汛宣传群群规" in shown.get_data(as_text=True)
    # the charter's own inline style is allowed in the preview frame, and no script at all
    assert "style-src 'unsafe-inline'" in shown.headers["Content-Security-Policy"]
    assert "script-src" not in shown.headers["Content-Security-Policy"] and "sandbox" in shown.headers["Content-Security-Policy"]
    bad = client.post("/preview", data={**data, "group.name": ""}, headers=ZH).get_json()
    assert bad["ok"] is False
    assert "群名称：不能为空" in client.get(bad["url"], headers=ZH).get_data(as_text=True)


def test_hostile_text_is_escaped_in_the_page_and_the_preview(client):
    hostile = "<script>alert(1)</script>"
    response = post_form(client, {**GOOD, "group.name": f"群{hostile}", "group.purpose": '"><img src=x onerror=alert(2)>'})
    page = response.get_data(as_text=True)
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page


def test_every_form_needs_its_csrf_token(client, tmp_path):
    missing = client.post("/", data={**GOOD, "action": "write"}, headers=ZH)
    assert missing.status_code == 400 and "表单已过期" in missing.get_data(as_text=True)
    assert not (tmp_path / "out").exists()
    assert client.post("/preview", data=GOOD).status_code == 400


def test_request_size_is_limited(client):
    big = client.post("/", data={"group.purpose": "x" * 1_100_000}, headers=ZH)
    assert big.status_code == 413 and "太大" in big.get_data(as_text=True)


def test_member_notices_on_the_group_page(client):
    post_form(client, GOOD, action="write")
    page = client.get("/groups/防汛宣传群?member=刘洋", headers=ZH).get_data(as_text=True)
    assert "刘洋（县水利局 干事）今天加入本群" in page and "刘洋您好" in page


@pytest.mark.parametrize("path", [
    "/groups/nothing-here", "/groups/防汛宣传群/files/secret.txt", "/groups/防汛宣传群/files/..%2F..%2Fetc%2Fpasswd",
    "/groups/..%2F..%2Fetc/files/passwd", "/groups/%2E%2E/files/charter.toml", "/nowhere",
])
def test_unknown_folders_and_files_are_not_found(client, path):
    post_form(client, GOOD, action="write")
    response = client.get(path, headers=ZH)
    assert response.status_code == 404 and "root:" not in response.get_data(as_text=True)


def test_a_crash_in_one_request_leaves_the_server_running(client, monkeypatch):
    post_form(client, GOOD, action="write")

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(charter.interfaces.web.register_pages, "notice", broken)
    crashed = client.get("/groups/防汛宣传群", headers=ZH)
    assert crashed.status_code == 500 and "RuntimeError" in crashed.get_data(as_text=True)
    assert "disk on fire" not in crashed.get_data(as_text=True)  # no internals shown
    assert client.get("/groups", headers=ZH).status_code == 200


def test_a_unit_gives_its_letterhead_and_locked_answers_are_not_asked(tmp_path, monkeypatch, render_pool):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    client = create_app(tmp_path / "out", EXAMPLES / "units" / "county-propaganda", pool=render_pool).test_client()
    page = client.get("/", headers=ZH).get_data(as_text=True)
    assert "rules.params.quiet_start" not in shown_keys(page) and "rules.params.leave_days" in shown_keys(page)
    assert "中共青石县委宣传部" in page
    response = post_form(client, GOOD, action="write")
    assert response.status_code == 303
    answers = tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8"))
    assert answers["unit_version"] == "2026.1" and answers["rules"]["params"]["quiet_start"] == "21:00"


def test_problems_are_summarised_at_the_top_by_label_with_links_to_their_fields(client):
    page = post_form(client, {**GOOD, "owner.name": "", "group.review_every_months": "x",
                              "rules.custom.0.text": "第一条\x07", "rules.custom.0.category": "posting"},
                     action="write").get_data(as_text=True)
    summary = re.search(r'<div class="summary" role="alert".*?</div>', page, re.S).group(0)
    assert '<a href="#owner-name">群主姓名：不能为空</a>' in summary
    assert '<a href="#custom-0-text">补充规定 1：含有控制字符</a>' in summary
    assert "rules.custom" not in summary and "[0]" not in summary
    field = re.search(r'<input type="text" name="owner.name"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field and 'aria-describedby="hint-owner-name error-owner-name"' in field
    assert 'id="error-owner-name" data-input="owner-name">不能为空<' in page


def test_english_page_english_messages(client):
    parser = _Form()
    parser.feed(client.get("/?lang=en", headers=ZH).get_data(as_text=True))
    data = {**parser.data, **GOOD, "lang": "en", "action": "write", "group.dissolve_on": "someday",
            "members": "Ann,,,boss\n"}
    page = client.post("/?lang=en", data=data, headers=ZH).get_data(as_text=True)
    assert "Date the group closes: cannot read this date" in page
    summary = re.search(r'<div class="summary" role="alert".*?</div>', page, re.S).group(0)
    assert not re.search(r"[\u4e00-\u9fff]", summary), summary  # no Chinese on the English page
    assert "Members: line 1: read as name “Ann”, role “boss”: “boss” is not a role: write admin or guest" in summary


def test_the_form_keeps_what_was_posted_successor_unticked_rules_and_edited_parameters(client):
    page = post_form(client, {**GOOD, "successor": "yes", "successor.name": "刘洋", "rules.posting": ["posting.tags", "posting.quiet-hours"],
                              "rules.params.quiet_start": "22:00"}).get_data(as_text=True)
    assert re.search(r'name="successor" id="successor" value="yes" checked', page)
    assert 'id="field-successor-name"' in page and 'value="刘洋"' in page
    assert re.findall(r'name="rules.posting" value="([\w.-]+)"[^>]*checked', page) == ["posting.tags", "posting.quiet-hours"]
    assert 'name="rules.params.quiet_start" id="rules-params-quiet_start" value="22:00"' in page


def test_a_language_switch_resets_defaults_not_edited_and_keeps_edited_ones(client):
    zh = client.get("/", headers=ZH).get_data(as_text=True)
    parser = _Form()
    parser.feed(zh)
    naming = parser.data["rules.params.file_name_pattern"][0]
    assert re.search(r"[\u4e00-\u9fff]", naming)  # the Chinese default
    data = {**parser.data, **GOOD, "lang": "en", "rules.params.quiet_start": "22:30", "action": "update"}
    en = client.post("/", data=data, headers=ZH).get_data(as_text=True)
    shown = re.search(r'name="rules.params.file_name_pattern"[^>]*value="([^"]*)"', en).group(1)
    assert not re.search(r"[\u4e00-\u9fff]", shown) and "Group name" in en
    assert 'value="22:30"' in en  # edited, so kept


def test_an_uploaded_answers_file_fills_the_form_and_writes_the_same_answers(client, tmp_path):
    source = (EXAMPLES / "county-media-event.toml").read_bytes()
    loaded = client.post("/load", data={"csrf_token": token(client), "answers_file": (io.BytesIO(source), "charter.toml")},
                         headers=ZH, content_type="multipart/form-data")
    page = loaded.get_data(as_text=True)
    assert loaded.status_code == 200 and 'value="县融媒体中心外宣活动群"' in page
    parser = _Form()
    parser.feed(page)
    written = client.post("/", data={**parser.data, "action": "write"}, headers=ZH)
    assert written.status_code == 303
    original = tomllib.loads(source.decode("utf-8"))
    copy = tomllib.loads((tmp_path / "out" / "县融媒体中心外宣活动群" / "charter.toml").read_text("utf-8"))
    assert same_answers(original, copy)


def test_a_broken_upload_names_the_line(client):
    broken = b'lang = "zh"\n[group]\nname = \n'
    response = client.post("/load", data={"csrf_token": token(client), "answers_file": (io.BytesIO(broken), "x.toml")},
                           headers=ZH, content_type="multipart/form-data")
    assert response.status_code == 400 and "x.toml 第 3 行" in response.get_data(as_text=True)


def comparable(data: dict, unit=None) -> dict:
    """An answers file as what it says, creation date and bookkeeping aside: rules by the ids they
    switch on and parameters by their values (a default written out equals one left out)."""
    model = validate_for(data, unit)
    catalogue = catalogue_of(unit)
    plain = answers_to_data(model)
    for recorded in ("history", "unit", "unit_name", "unit_version"):
        plain.pop(recorded, None)
    del plain["group"]["created"]
    # who the members are and how many organisations: as the charter reads them, said or worked out
    plain["group"].update(audience=catalogue.audience_of(model.preset()), organisations=model.organisations())
    plain["rules"] = {"chosen": [r.id for r in catalogue.chosen_rules(model.preset(), model.rules.on, model.rules.off)],
                      "params": model.param_values(catalogue),
                      "custom": [c.model_dump() for c in model.rules.custom]}
    return plain


def same_answers(original: dict, copy: dict, unit=None) -> bool:
    return comparable(original, unit) == comparable(copy, unit)


def test_a_duty_groups_untick_survives_a_round_trip(client, tmp_path):
    """A page drawn for a duty group posts its ticks as shown for a duty group: an untick is kept,
    not mistaken for a profile change (the post starts from an office default)."""
    assert post_form(client, {**GOOD, "group.profile": "duty"}, action="write").status_code == 303
    parser = _Form()
    parser.feed(client.get("/?from=防汛宣传群", headers=ZH).get_data(as_text=True))
    assert parser.data["group.profile"] == ["duty"]
    ticked = [rule for rule in parser.data["rules.posting"] if rule != "posting.duty-tags"]
    assert len(ticked) < len(parser.data["rules.posting"])
    data = {**parser.data, "rules.posting": ticked, "group.name": "防汛宣传群二", "action": "write"}
    assert client.post("/", data=data, headers=ZH).status_code == 303
    answers = tomllib.loads((tmp_path / "out" / "防汛宣传群二" / "charter.toml").read_text("utf-8"))
    assert answers["group"]["profile"] == "duty" and "posting.duty-tags" in answers["rules"]["off"]


def test_downloads_never_follow_a_link_out_of_the_register(client, tmp_path):
    post_form(client, GOOD, action="write")
    group = tmp_path / "out" / "防汛宣传群"
    (group / "charter.md").unlink()
    (group / "charter.md").symlink_to("/etc/passwd")
    assert client.get("/groups/防汛宣传群/files/charter.md").status_code == 404
    page = client.get("/groups/防汛宣传群", headers=ZH).get_data(as_text=True)
    assert "charter.md" not in page
    outside = tmp_path / "outside"
    shutil.copytree(group, outside, symlinks=True)
    (outside / "announcement.txt").write_text("SECRET", encoding="utf-8")
    (tmp_path / "out" / "linkgroup").symlink_to(outside)
    assert client.get("/groups/linkgroup/files/announcement.txt").status_code == 404
    assert client.get("/groups/linkgroup").status_code == 404


def test_a_group_of_a_unit_this_server_does_not_use_is_not_copied_without_it(tmp_path, render_pool):
    """Copied on a server without the group's unit, the new charter would lose the letterhead, the
    unit's rules and its locks without a word; the page says why it does not copy it instead."""
    from conftest import run_charter

    out = tmp_path / "out"
    source = EXAMPLES / "units" / "county-propaganda-group.toml"
    assert run_charter("render", source, "--out", out, "--format", "txt").returncode == 0
    folder = next(out.iterdir()).name
    plain = create_app(out, pool=render_pool).test_client()
    opened = plain.get(f"/?from={folder}", headers=ZH)
    page = opened.get_data(as_text=True)
    assert opened.status_code == 409 and "单位模板“中共青石县委宣传部”" in page and "charter serve --unit" in page
    assert str(EXAMPLES) not in page  # the unit by its name, not where the server keeps it
    assert 'value="县委宣传部网评工作群"' not in page
    group_page = plain.get(f"/groups/{folder}", headers=ZH).get_data(as_text=True)
    assert "?from=" not in group_page and "单位模板“" in group_page
    uploaded = plain.post("/load", data={"csrf_token": token(plain),
                                         "answers_file": (io.BytesIO((out / folder / "charter.toml").read_bytes()),
                                                          "charter.toml")},
                          headers=ZH, content_type="multipart/form-data")
    assert uploaded.status_code == 400 and "单位模板“" in uploaded.get_data(as_text=True)
    with_unit = create_app(out, EXAMPLES / "units" / "county-propaganda", pool=render_pool).test_client()
    same = with_unit.get(f"/?from={folder}", headers=ZH)
    assert same.status_code == 200 and 'value="县委宣传部网评工作群"' in same.get_data(as_text=True)
    assert "?from=" in with_unit.get(f"/groups/{folder}", headers=ZH).get_data(as_text=True)


def test_a_notice_longer_than_the_groups_life_is_refused_beside_its_field(client, tmp_path):
    response = post_form(client, {**GOOD, "group.dissolve_on": "2026-12-08", "rules.params.dissolve_notice_days": "30"},
                         action="write")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and not (tmp_path / "out").exists()
    assert 'id="error-rules-params-dissolve_notice_days" data-input="rules-params-dissolve_notice_days">30 天比群的整个存续期还长（2026-11-25 至 2026-12-08，共 13 天）' in page


def test_rule_check_boxes_show_the_answers_so_far_and_never_a_placeholder(client):
    def labels(page: str) -> list[str]:
        return re.findall(r'<label for="rules-[\w-]+-[\w.-]+">([^<]*)</label>', page)

    fresh = labels(client.get("/", headers=ZH).get_data(as_text=True))
    assert fresh and not [label for label in fresh if "…" in label]
    assert "本群到期解散。" in fresh and "群主管好群公告、入群和解散。" in fresh
    updated = labels(post_form(client, GOOD).get_data(as_text=True))
    assert "本群2026年12月31日解散。" in updated and "群主：陈刚。" in updated and "群规问题请私信群主陈刚。" in updated


def test_day_counts_shown_before_the_date_was_typed_follow_the_groups_life(client, tmp_path):
    """The page drew its notice and leave days for a group of unknown length: left as shown, they
    take the defaults of the two-day group typed, not refuse it for days nobody chose."""
    response = post_form(client, {**GOOD, "group.dissolve_on": "2026-11-27"}, action="write")
    assert response.status_code == 303
    answers = tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8"))
    assert "dissolve_notice_days" not in answers.get("rules", {}).get("params", {})
