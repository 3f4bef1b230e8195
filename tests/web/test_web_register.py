"""The register in the browser, through Flask's test client: search, sort, renew and dissolve."""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path

import pytest
from conftest import EXAMPLES
from test_web import GOOD, ZH, post_form, token

from charter.interfaces.web import create_app
from charter.pipeline import Placement, write_charter
from charter.schema.group import validate_for


@pytest.fixture
def client(tmp_path, monkeypatch, render_pool):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    client = create_app(tmp_path / "out", pool=render_pool).test_client()
    for name, owner, dissolve_on in (("防汛宣传群", "陈刚", "2026-12-31"), ("防汛宣传群", "王敏", "2026-11-27"),
                                     ("秋季运动会筹备群", "刘洋", "2027-01-15")):
        response = post_form(client, {**GOOD, "group.name": name, "owner.name": owner, "group.dissolve_on": dissolve_on},
                             action="write")
        if response.status_code == 409:  # the form asks before it makes a twin; a register may still hold one
            twin = tomllib.loads((tmp_path / "out" / name / "charter.toml").read_text("utf-8"))
            twin["owner"]["name"], twin["group"]["dissolve_on"] = owner, date.fromisoformat(dissolve_on)
            twin["rules"] = {"params": {"dissolve_notice_days": 2}}  # due from the start: the owner is told
            write_charter(validate_for(twin, None), None, tmp_path / "out", Placement.FRESH, formats=())
        else:
            assert response.status_code == 303
    return client


def names_in_order(page: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="/groups/([^"]+)">', page)


def test_the_register_shows_folder_created_date_and_status_and_tells_same_names_apart(client):
    page = client.get("/groups", headers=ZH).get_data(as_text=True)
    assert "共 3 个群，显示 3 个" in page
    assert "<code>防汛宣传群</code>" in page and "<code>防汛宣传群-2</code>" in page  # two groups, one name
    assert "2026年11月25日" in page and "即将到期" in page and "正常" in page


def test_search_by_name_owner_or_folder(client):
    by_owner = client.get("/groups?q=王敏", headers=ZH).get_data(as_text=True)
    assert "共 3 个群，显示 1 个" in by_owner and "王敏" in by_owner and "陈刚" not in by_owner
    by_name = client.get("/groups?q=运动会", headers=ZH).get_data(as_text=True)
    assert "显示 1 个" in by_name and "秋季运动会筹备群" in by_name
    nothing = client.get("/groups?q=不存在", headers=ZH).get_data(as_text=True)
    assert "没有符合条件的群" in nothing


def test_sort_by_status_or_date(client):
    by_status = names_in_order(client.get("/groups?sort=status", headers=ZH).get_data(as_text=True))
    assert by_status[0].endswith("-2")  # due on 27 November: needs its owner first
    by_date = names_in_order(client.get("/groups?sort=date", headers=ZH).get_data(as_text=True))
    assert len(by_date) == 3 and by_date[-1] != by_date[0]
    assert "%E7%A7%8B" in by_date[-1] or by_date[-1].startswith("秋")  # 15 January is last


def test_dissolve_asks_first_then_records_and_says_so(client, tmp_path):
    group = client.get("/groups/防汛宣传群", headers=ZH).get_data(as_text=True)
    assert 'href="/groups/%E9%98%B2%E6%B1%9B%E5%AE%A3%E4%BC%A0%E7%BE%A4/dissolve"' in group
    confirm = client.get("/groups/防汛宣传群/dissolve", headers=ZH).get_data(as_text=True)
    assert "记录解散：防汛宣传群" in confirm and "不能撤销" in confirm and "确认解散" in confirm
    assert not tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8")).get("history")
    assert client.post("/groups/防汛宣传群/dissolve", data={"reason": "x"}).status_code == 400  # no CSRF token
    done = client.post("/groups/防汛宣传群/dissolve",
                       data={"csrf_token": token(client, "/groups/防汛宣传群/dissolve"), "reason": "汛期结束"})
    assert done.status_code == 303 and done.headers["Location"].endswith("?done=dissolved")
    page = client.get(done.headers["Location"], headers=ZH).get_data(as_text=True)
    assert "已记录解散" in page and "已解散 (2026年11月25日)" in page  # dated as every other date
    assert "/dissolve" not in page and "/renew" not in page  # nothing more to dissolve or renew
    assert 'id="notice-rules"' not in page and 'id="notice-dissolve"' not in page  # no more messages to send
    assert "announcement.txt" not in page and "charter.ics" not in page and "charter.pdf" in page  # kept as record
    answers = tomllib.loads((tmp_path / "out" / "防汛宣传群" / "charter.toml").read_text("utf-8"))
    assert answers["history"] == [{"event": "dissolved", "on": answers["history"][0]["on"], "reason": "汛期结束"}]
    again = client.get("/groups/防汛宣传群/dissolve", headers=ZH)
    assert again.status_code == 303  # back to the group page, never a second dissolution
    assert "已解散" in client.get("/groups", headers=ZH).get_data(as_text=True)


def test_renew_writes_the_charter_again_and_keeps_the_old_one(client, tmp_path):
    folder = tmp_path / "out" / "防汛宣传群"
    form = client.get("/groups/防汛宣传群/renew", headers=ZH).get_data(as_text=True)
    assert "延期：防汛宣传群" in form and "现在的解散或复核日期是 2026年12月31日" in form
    csrf = token(client, "/groups/防汛宣传群/renew")
    bad = client.post("/groups/防汛宣传群/renew", data={"csrf_token": csrf, "until": "明年"}, headers=ZH)
    page = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'href="#until"' in page and "看不懂这个日期" in page and 'aria-invalid="true"' in page
    past = client.post("/groups/防汛宣传群/renew", data={"csrf_token": csrf, "until": "2026-11-01"}, headers=ZH)
    assert past.status_code == 422 and "2026-11-25" in past.get_data(as_text=True)
    done = client.post("/groups/防汛宣传群/renew", data={"csrf_token": csrf, "until": "2027-03-31", "reason": "延长宣传期"})
    assert done.status_code == 303 and done.headers["Location"].endswith("?done=renewed")
    assert "已延期" in client.get(done.headers["Location"], headers=ZH).get_data(as_text=True)
    answers = tomllib.loads((folder / "charter.toml").read_text("utf-8"))
    assert str(answers["group"]["dissolve_on"]) == "2027-03-31" and answers["history"][0]["event"] == "renewed"
    assert (folder / "versions" / "1" / "charter.pdf").is_file() and (folder / "charter.pdf").is_file()


def test_group_page_labels_files_and_notices_in_the_group_language(client):
    page = client.get("/groups/防汛宣传群", headers=ZH).get_data(as_text=True)
    assert "打印版（PDF）" in page and "打印后张贴在办公室" in page and "答案文件" in page
    assert "群公告" in page and "解散通知" in page and "要点汇总模板" in page
    assert ">rules<" not in page and ">dissolve<" not in page and ">digest<" not in page
    assert "/?from=%E9%98%B2%E6%B1%9B%E5%AE%A3%E4%BC%A0%E7%BE%A4" in page


def test_a_broken_group_is_shown_without_where_the_server_keeps_it(client, tmp_path):
    """A damaged charter.toml is reported on the register and the group page by its folder in the
    register, line and all, but a visitor does not learn the server's folders."""
    damaged = tmp_path / "out" / "秋季运动会筹备群" / "charter.toml"
    damaged.write_text(damaged.read_text("utf-8") + "\npurpose = \n", "utf-8")
    listing = client.get("/groups", headers=ZH).get_data(as_text=True)
    group = client.get("/groups/秋季运动会筹备群", headers=ZH)
    for page in (listing, group.get_data(as_text=True)):
        assert "秋季运动会筹备群/charter.toml:" in page and "不是有效的 TOML" in page
        assert str(tmp_path) not in page and str(tmp_path.resolve()) not in page
    assert group.status_code == 400


def test_an_english_page_gives_a_broken_folders_reason_in_english(client, tmp_path):
    """What the page says of a folder it cannot read follows the page, not the server's locale
    (a charter.toml's own problems are told in the file's language, as on the command line)."""
    (tmp_path / "out" / "没有答案的群").mkdir()
    (tmp_path / "out" / "没有答案的群" / "charter.pdf").write_bytes(b"%PDF-1.7")
    english = client.get("/groups", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "no such file: 没有答案的群/charter.toml" in english and "找不到文件" not in english
    chinese = client.get("/groups", headers=ZH).get_data(as_text=True)
    assert "找不到文件：没有答案的群/charter.toml" in chinese


def test_a_register_named_by_a_relative_path_serves_its_files(tmp_path, monkeypatch):
    """`charter serve` without --dir uses ./output: Flask reads a relative file name from its own
    package folder, so every download was an error page."""
    from charter.pipeline import Placement, write_charter
    from charter.schema.group import validate_for

    monkeypatch.chdir(tmp_path)
    answers = validate_for(tomllib.loads((EXAMPLES / "county-media-event.toml").read_text("utf-8")), None)
    write_charter(answers, None, tmp_path / "output", Placement.NEW, formats=("txt",))
    client = create_app(Path("output")).test_client()
    response = client.get("/groups/县融媒体中心外宣活动群/files/announcement.txt")
    assert response.status_code == 200 and "县融媒体中心外宣活动群" in response.get_data(as_text=True)


def test_a_download_is_named_for_its_group(client):
    response = client.get("/groups/防汛宣传群/files/charter.pdf")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and disposition.startswith("attachment")
    assert "filename*=UTF-8''%E9%98%B2%E6%B1%9B%E5%AE%A3%E4%BC%A0%E7%BE%A4-charter.pdf" in disposition
    twin = client.get("/groups/防汛宣传群-2/files/charter.toml").headers["Content-Disposition"]
    assert "-2-charter.toml" in twin  # two groups of one name download as two names


def test_a_members_notices_are_shown_where_the_page_lands(client):
    page = client.get("/groups/秋季运动会筹备群", headers=ZH).get_data(as_text=True)
    assert re.search(r'<form method="get" action="/groups/[^"]+#title-welcome"', page)  # not the top of the page
    shown = client.get("/groups/秋季运动会筹备群?member=刘洋", headers=ZH).get_data(as_text=True)
    assert 'id="title-welcome"' in shown


def test_a_duty_groups_digest_is_a_shift_handover(tmp_path, monkeypatch):
    monkeypatch.setenv("CHARTER_TODAY", "2026-11-25")
    answers = tomllib.loads((EXAMPLES / "county-flood-duty.toml").read_text("utf-8"))
    write_charter(validate_for(answers, None), None, tmp_path / "out", Placement.NEW, formats=("txt",))
    client = create_app(tmp_path / "out").test_client()
    folder = next((tmp_path / "out").iterdir()).name
    page = client.get(f"/groups/{folder}", headers=ZH).get_data(as_text=True)
    assert "交班记录模板" in page and "【交班】" in page and "要点汇总模板" not in page
