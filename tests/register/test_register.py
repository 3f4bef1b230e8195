"""The register and a group's later life: list, due, dissolve, renew, calendar, notices."""

from __future__ import annotations

import json
import os
import re
import shutil
import tomllib

import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, pdf_text, run_charter, squeeze
from icalendar import Calendar

EVENT = "县融媒体中心外宣活动群"      # temporary, 2026-11-25 → 2026-12-31, 3 days' notice
TOWNSHIP = "青石镇机关工作群"         # standing, review every 6 months from 2026-09-01
SCHOOL = "Science Fair 2027 Team"    # project, → 2027-04-30
UNIT_GROUP = "县委宣传部网评工作群"   # project, → 2027-06-30


@pytest.fixture(scope="module")
def register(demo_dir, tmp_path_factory):
    """A register built from the rendered examples (copied, since the tests change it). Copies stay
    at the demo's depth, where the unit example's relative path to its unit still holds."""
    folder = tmp_path_factory.mktemp("register")
    for stem in ("county-media-event", "township-office", "school-project-team", "county-propaganda-group"):
        shutil.copytree(demo_dir / EXAMPLE_FOLDERS[stem], folder / EXAMPLE_FOLDERS[stem])  # the four groups above
    return folder


def charter(*args, today: str = "2026-12-29", **options):
    return run_charter(*args, env={"CHARTER_TODAY": today, "LANG": "zh_CN.UTF-8", "LC_ALL": ""}, **options)


def statuses(register, today: str) -> dict[str, str]:
    result = charter("list", "--dir", register, "--json", today=today)
    assert result.returncode == 0, result.stderr
    return {row["group"]: row["status"] for row in json.loads(result.stdout)}


def test_list_gives_each_group_its_status_and_the_urgent_first(register):
    result = charter("list", "--dir", register, "--json", today="2027-01-02")
    rows = json.loads(result.stdout)
    assert [r["group"] for r in rows][:1] == [EVENT]
    assert {r["group"]: r["status"] for r in rows} == {EVENT: "overdue", TOWNSHIP: "active", SCHOOL: "active",
                                                       UNIT_GROUP: "active"}
    assert statuses(register, "2026-12-29")[EVENT] == "due"          # within the 3 days' notice
    assert statuses(register, "2026-12-01")[EVENT] == "active"
    assert statuses(register, "2027-02-25")[TOWNSHIP] == "due"       # review on 2027-03-01, 7 days' notice
    table = charter("list", "--dir", register, today="2027-01-02").stdout
    assert "已过期" in table and "2026年12月31日" in table and "企业微信" in table


def test_due_lists_what_to_do_and_can_fail_for_cron(register):
    quiet = charter("due", "--dir", register, today="2026-12-01")
    assert quiet.returncode == 0 and "没有要解散或复核的群" in quiet.stdout and "过期" in quiet.stdout
    soon = charter("due", "--dir", register, "--fail-if-any", today="2026-12-29")
    assert soon.returncode == 3
    assert EVENT in soon.stdout and "charter notice" in soon.stdout and TOWNSHIP not in soon.stdout
    wide = charter("due", "--dir", register, "--within", "70", today="2026-12-29")
    assert wide.returncode == 0 and TOWNSHIP in wide.stdout and "charter renew" in wide.stdout


def test_dissolve_records_the_event_and_keeps_every_file(register, tmp_path):
    folder = tmp_path
    shutil.copytree(register, folder, dirs_exist_ok=True)
    before = {p.name: p.read_bytes() for p in (folder / EVENT).iterdir() if p.name != "charter.toml"}
    too_early = charter("dissolve", "外宣", "--dir", folder, "--on", "2026-11-24")  # the day before it was made
    assert too_early.returncode == 2 and "--on: 早于建群日期 2026-11-25" in too_early.stderr
    result = charter("dissolve", "外宣", "--dir", folder, "--reason", "活动结束", today="2027-01-02")
    assert result.returncode == 0, result.stderr
    answers = tomllib.loads((folder / EVENT / "charter.toml").read_text("utf-8"))
    assert answers["history"] == [{"event": "dissolved", "on": __import__("datetime").date(2027, 1, 2),
                                   "reason": "活动结束"}]
    assert {p.name: p.read_bytes() for p in (folder / EVENT).iterdir() if p.name != "charter.toml"} == before
    assert statuses(folder, "2027-01-02")[EVENT] == "dissolved"
    again = charter("dissolve", EVENT, "--dir", folder, today="2027-01-03")
    assert again.returncode == 2 and "已于 2027-01-02 解散" in again.stderr


def test_renew_renders_the_new_date_and_keeps_the_earlier_charter(register, tmp_path):
    folder = tmp_path
    shutil.copytree(register, folder, dirs_exist_ok=True)
    old_pdf = (folder / EVENT / "charter.pdf").read_bytes()
    result = charter("renew", EVENT, "--dir", folder, "--until", "2027-02-28", "--reason", "活动延期一个月")
    assert result.returncode == 0, result.stderr
    assert (folder / EVENT / "versions" / "1" / "charter.pdf").read_bytes() == old_pdf
    assert "2027年2月28日" in squeeze(pdf_text(folder / EVENT / "charter.pdf"))
    answers = tomllib.loads((folder / EVENT / "charter.toml").read_text("utf-8"))
    assert answers["group"]["dissolve_on"].isoformat() == "2027-02-28"
    assert answers["history"][0]["reason"] == "活动延期一个月"
    assert statuses(folder, "2027-01-02")[EVENT] == "active"
    backwards = charter("renew", EVENT, "--dir", folder, "--until", "2026-12-01", "--reason", "x")
    assert backwards.returncode == 2 and "--until" in backwards.stderr


def test_renewing_a_standing_group_moves_its_next_review(register, tmp_path):
    folder = tmp_path
    shutil.copytree(register, folder, dirs_exist_ok=True)
    result = charter("renew", "青石镇", "--dir", folder, "--until", "2027-09-01", "--reason", "复核后保留",
                     today="2027-03-01")
    assert result.returncode == 0, result.stderr
    assert "2027年9月1日" in squeeze(pdf_text(folder / TOWNSHIP / "charter.pdf"))
    calendar = Calendar.from_ical((folder / TOWNSHIP / "charter.ics").read_bytes())
    event = calendar.walk("VEVENT")[0]
    assert str(event["dtstart"].dt) == "2027-09-01"
    # the same event, revised: a calendar that imported it before takes the new date over the old
    before = Calendar.from_ical((register / TOWNSHIP / "charter.ics").read_bytes()).walk("VEVENT")[0]
    assert event["uid"] == before["uid"] and event["sequence"] == before["sequence"] + 1
    assert event["dtstamp"].dt > before["dtstamp"].dt


def test_group_names_that_match_none_or_several_are_bad_input(register):
    none = charter("notice", "没有这个群", "rules", "--dir", register)
    assert none.returncode == 2 and "没有名称含“没有这个群”的群" in none.stderr
    several = charter("notice", "群", "rules", "--dir", register)
    assert several.returncode == 2 and "不止一个" in several.stderr


def test_register_calendar_round_trips_with_stable_uids_and_alarms(register, tmp_path):
    out = tmp_path / "groups.ics"
    result = charter("calendar", "--dir", register, "-o", out, "--alarms", "14,2")
    assert result.returncode == 0, result.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert len(events) == 4
    own = Calendar.from_ical((register / EVENT / "charter.ics").read_bytes()).walk("VEVENT")[0]
    merged = events[f"解散工作群：{EVENT}"]
    assert merged["uid"] == own["uid"] and str(merged["dtstart"].dt) == "2026-12-31"
    assert sorted(a["trigger"].dt.days for a in merged.walk("VALARM")) == [-14, -2]
    printed = charter("calendar", "--dir", register)
    assert Calendar.from_ical(printed.stdout.encode()).walk("VEVENT")


def test_calendar_leaves_out_dissolved_groups(register, tmp_path):
    folder = tmp_path
    shutil.copytree(register, folder, dirs_exist_ok=True)
    assert charter("dissolve", EVENT, "--dir", folder).returncode == 0
    printed = charter("calendar", "--dir", folder)
    assert EVENT not in printed.stdout and len(Calendar.from_ical(printed.stdout.encode()).walk("VEVENT")) == 3


@pytest.mark.parametrize("kind, member, expected", [
    ("welcome", "张华", ["张华（县融媒体中心 主任）", "“单位-姓名-职务”", "不必回复欢迎"]),
    ("leave", "赵磊", ["赵磊您好", "2027年1月1日前退出本群", "李明"]),  # 2026-12-29 + 3 days
    ("dissolve", None, ["本群将于2026年12月31日解散", "保存"]),
    ("digest", None, ["【要点】县融媒体中心外宣活动群", "截止"]),
    ("rules", None, ["【群公告】县融媒体中心外宣活动群群规", "21:30"]),
])
def test_notices_are_ready_to_paste(register, kind, member, expected):
    result = charter("notice", "外宣", kind, "--dir", register, *(["--member", member] if member else []))
    assert result.returncode == 0, result.stderr
    for fragment in expected:
        assert fragment in result.stdout, (fragment, result.stdout)


def test_english_notice_and_missing_member(register):
    result = charter("notice", "Science", "welcome", "--dir", register, "--member", "Priya Shah")
    assert result.returncode == 0 and "Priya Shah (Lab Technician, Science Department) to the group today" in result.stdout
    missing = charter("notice", "Science", "leave", "--dir", register)
    assert missing.returncode == 2 and "--member" in missing.stderr


def test_a_unit_can_replace_a_notice(register, tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(EXAMPLES / "units" / "county-propaganda", unit)
    (unit / "templates" / "notice-welcome.txt.j2").write_text(
        "【宣传部】欢迎{{ member }}，昵称请用“{{ remark }}”。\n", encoding="utf-8")
    folder = tmp_path
    shutil.copytree(register, folder, dirs_exist_ok=True)
    answers = folder / UNIT_GROUP / "charter.toml"
    answers.write_text(answers.read_text("utf-8").replace(
        next(line for line in answers.read_text("utf-8").splitlines() if line.startswith("unit =")),
        f'unit = "{unit}"'), encoding="utf-8")
    result = charter("notice", "网评", "welcome", "--dir", folder, "--member", "郑丽")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "【宣传部】欢迎郑丽，昵称请用“单位-姓名-职务”。"


def test_group_is_the_registers_folder_not_a_same_named_one_here(register, tmp_path):
    work = tmp_path / "work"
    reg = tmp_path / "reg"
    shutil.copytree(register / "青石镇机关工作群", reg / "青石镇机关工作群")
    shutil.copytree(register / "青石镇机关工作群", work / "青石镇机关工作群")
    done = charter("dissolve", "青石镇机关工作群", "--dir", reg, "--reason", "测试", cwd=work)
    assert done.returncode == 0, done.stderr
    assert "dissolved" in (reg / "青石镇机关工作群" / "charter.toml").read_text("utf-8")
    assert "dissolved" not in (work / "青石镇机关工作群" / "charter.toml").read_text("utf-8")
    by_folder = charter("notice", "Science-Fair-2027-Team", "rules", "--dir", register, cwd=tmp_path)
    assert by_folder.returncode == 0 and "Science Fair 2027 Team" in by_folder.stdout


def test_a_group_folder_that_is_a_link_is_listed_as_a_problem(register, tmp_path):
    reg = tmp_path / "reg"
    shutil.copytree(register / "青石镇机关工作群", reg / "青石镇机关工作群")
    (reg / "elsewhere").symlink_to(register / "Science-Fair-2027-Team")
    listed = charter("list", "--dir", reg, "--json")
    rows = json.loads(listed.stdout)
    assert {row["status"] for row in rows} == {"active", "unreadable"} and len(rows) == 2
    assert charter("due", "--dir", reg, "--fail-if-any").returncode == 3


def test_demo_refreshes_its_examples_but_never_a_changed_charter(tmp_path):
    out = tmp_path / "demo"
    assert charter("demo", "--out", out).returncode == 0
    assert charter("renew", "外宣活动", "--dir", out, "--until", "2027-04-01", "--reason", "延期",
                   today="2026-11-26").returncode == 0
    (out / "Science-Fair-2027-Team" / "charter.pdf").unlink()  # an example as demo made it comes back whole
    again = charter("demo", "--out", out)
    assert again.returncode == 0 and "保留不动" in again.stdout
    answers = tomllib.loads((out / "县融媒体中心外宣活动群" / "charter.toml").read_text("utf-8"))
    assert answers["group"]["dissolve_on"].isoformat() == "2027-04-01" and answers["history"][0]["event"] == "renewed"
    assert (out / "Science-Fair-2027-Team" / "charter.pdf").is_file()


@pytest.mark.parametrize("command", [["list"], ["due"], ["calendar"], ["renew", EVENT, "--until", "2027-01-31"]])
def test_a_named_register_that_is_not_there_is_bad_input(tmp_path, command):
    """A mistyped --dir or CHARTER_HOME must not read as "no groups, nothing due"; only the default
    `output` folder may be missing."""
    missing = tmp_path / "registr"
    by_option = charter(*command, "--dir", missing)
    assert by_option.returncode == 2 and f"{missing} 不存在" in by_option.stderr and "Traceback" not in by_option.stderr
    by_home = run_charter(*command, env={"CHARTER_HOME": str(missing), "CHARTER_TODAY": "2026-12-29"})
    assert by_home.returncode == 2 and by_home.stderr.startswith(f"CHARTER_HOME: 群登记文件夹 {missing} 不存在")
    assert not missing.exists()
    if command == ["list"]:
        fresh = run_charter("list", cwd=tmp_path, env={"CHARTER_HOME": "", "XDG_CONFIG_HOME": str(tmp_path)})
        assert fresh.returncode == 0 and "output 里还没有群" in fresh.stdout


def test_a_folder_named_in_gbk_and_a_planted_pipe_are_listed_not_fatal(register, tmp_path):
    """A GBK folder name unzipped on Linux is not UTF-8, and a FIFO named charter.toml would block
    a reader forever: each is listed as a problem, and every other group is still there."""
    import os

    from charter.interfaces.web import create_app

    folder = tmp_path / "register"
    shutil.copytree(register, folder)
    gbk = folder / os.fsdecode(b"\xcf\xc2\xd4\xd8")  # 下载 in GBK
    gbk.mkdir()
    shutil.copy(folder / TOWNSHIP / "charter.toml", gbk / "charter.toml")
    (folder / "piped").mkdir()
    os.mkfifo(folder / "piped" / "charter.toml")
    for args, code in ((["list"], 0), (["list", "--json"], 0), (["due", "--fail-if-any"], 3),
                       (["calendar", "-o", tmp_path / "all.ics"], 0)):
        result = charter(*args, "--dir", folder, timeout=60)
        shown = result.stdout + result.stderr
        assert result.returncode == code and "Traceback" not in shown and "unexpected" not in shown, shown
        assert "\ufffd\ufffd\ufffd\ufffd" in shown and "不是 UTF-8" in shown and "piped/charter.toml" in shown, shown
    assert len(Calendar.from_ical((tmp_path / "all.ics").read_bytes()).walk("VEVENT")) == 4
    page = create_app(folder).test_client().get("/groups", headers={"Accept-Language": "zh"})
    assert page.status_code == 200 and "\ufffd\ufffd\ufffd\ufffd" in page.get_data(as_text=True)
    assert all(name in page.get_data(as_text=True) for name in (EVENT, TOWNSHIP, SCHOOL, UNIT_GROUP))


def test_a_group_set_up_ahead_of_its_start_can_be_renewed_or_called_off_before_it(tmp_path):
    source = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
    source = source.replace("created = 2026-11-25", "created = 2026-12-15").replace("dissolve_on = 2026-12-31",
                                                                                      "dissolve_on = 2027-01-31")
    (tmp_path / "ahead.toml").write_text(source, "utf-8")
    register = tmp_path / "register"
    assert charter("render", tmp_path / "ahead.toml", "--out", register, "--format", "txt", today="2026-11-26").returncode == 0
    renewed = charter("renew", "外宣", "--dir", register, "--until", "2027-02-28", "--reason", "推迟", today="2026-11-26")
    assert renewed.returncode == 0, renewed.stderr
    called_off = charter("dissolve", "外宣", "--dir", register, "--reason", "活动取消", today="2026-11-27")
    assert called_off.returncode == 0, called_off.stderr
    assert statuses(register, "2026-11-28")[EVENT] == "dissolved"


def test_two_groups_of_one_name_are_told_apart_by_folder_and_due_names_each_by_its_own(register, tmp_path):
    shutil.copytree(register, tmp_path, dirs_exist_ok=True)
    twin = tmp_path / f"{EVENT}-2"
    shutil.copytree(tmp_path / EVENT, twin)
    answers = twin / "charter.toml"
    answers.write_text(answers.read_text("utf-8").replace("dissolve_on = 2026-12-31", "dissolve_on = 2026-12-20"),
                       encoding="utf-8")
    table = charter("list", "--dir", tmp_path).stdout
    assert f"{EVENT}（文件夹 {EVENT}）" in table and f"{EVENT}（文件夹 {EVENT}-2）" in table
    assert f"{TOWNSHIP}（" not in table  # a name of its own needs no folder
    overdue = next(line for line in charter("due", "--dir", tmp_path).stdout.splitlines() if "2026年12月20日" in line)
    printed = re.search(r'charter dissolve "([^"]+)"', overdue).group(1)  # the command, run as printed
    assert charter("dissolve", printed, "--dir", tmp_path).returncode == 0
    assert "dissolved" in answers.read_text("utf-8")
    assert "dissolved" not in (tmp_path / EVENT / "charter.toml").read_text("utf-8")


def test_renew_counts_a_relative_date_from_the_current_end_and_refuses_a_date_that_changes_nothing(register, tmp_path):
    shutil.copytree(register, tmp_path, dirs_exist_ok=True)
    answers = tmp_path / EVENT / "charter.toml"  # ends 2026-12-31
    longer = charter("renew", EVENT, "--dir", tmp_path, "--until", "+2m", "--reason", "延期", today="2026-12-29")
    assert longer.returncode == 0, longer.stderr
    assert tomllib.loads(answers.read_text("utf-8"))["group"]["dissolve_on"].isoformat() == "2027-02-28"
    kept = answers.read_bytes()
    same = charter("renew", EVENT, "--dir", tmp_path, "--until", "2027-02-28", "--reason", "再延期", today="2026-12-29")
    assert same.returncode == 2 and "--until: 2027-02-28 就是现在的日期，延期不会改变什么，未记录" in same.stderr
    assert "Traceback" not in same.stderr
    assert answers.read_bytes() == kept and not (tmp_path / EVENT / "versions" / "2").exists()
    english = run_charter("renew", "--help", env={"LANG": "en_GB.UTF-8", "CHARTER_LANG": "en"}).stdout
    assert "counts from the current one" in " ".join(english.split())
    assert "从现在的日期起算" in squeeze(charter("renew", "--help").stdout)


def test_due_speaks_the_users_language_and_its_commands_name_the_register(register):
    english = run_charter("due", "--dir", register, env={"CHARTER_TODAY": "2026-12-29", "LANG": "en_GB.UTF-8"})
    line = next(line for line in english.stdout.splitlines() if EVENT in line)  # a Chinese group
    assert "due soon, closes on 31 December 2026" in line and "解散" not in line
    command = re.search(r'charter dissolve "([^"]+)" --dir "([^"]+)"', line)
    assert command and command.group(2) == str(register)
    from_home = run_charter("due", env={"CHARTER_TODAY": "2026-12-29", "CHARTER_HOME": str(register)})
    assert EVENT in from_home.stdout and "--dir" not in from_home.stdout  # the command as run finds it too


def test_a_dissolved_group_gets_no_more_notices_and_its_date_reads_as_every_other(register, tmp_path):
    shutil.copytree(register, tmp_path, dirs_exist_ok=True)
    done = charter("dissolve", EVENT, "--dir", tmp_path, "--reason", "活动结束", today="2027-01-02")
    assert done.returncode == 0 and "于 2027年1月2日 解散" in done.stdout
    for kind in ("welcome", "rules", "dissolve"):
        refused = charter("notice", EVENT, kind, "--dir", tmp_path, "--member", "张华", today="2027-01-03")
        assert refused.returncode == 2 and refused.stdout == ""
        assert f"{EVENT} 已于 2027年1月2日 解散，不再发群消息" in refused.stderr and "Traceback" not in refused.stderr


def test_calendar_on_a_terminal_asks_for_a_file_instead_of_printing_it(register, tmp_path):
    import pexpect
    from conftest import CHARTER

    env = {**os.environ, "LANG": "zh_CN.UTF-8", "CHARTER_TODAY": "2026-12-29"}
    env.pop("LC_ALL", None)
    child = pexpect.spawn(str(CHARTER), ["calendar", "--dir", str(register)], env=env, encoding="utf-8", timeout=30)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2 and "BEGIN:VCALENDAR" not in child.before
    assert "-o 文件名.ics" in child.before and "-o -" in child.before
    printed = run_charter("calendar", "--dir", register)  # a pipe still gets the calendar
    assert printed.returncode == 0 and printed.stdout.startswith("BEGIN:VCALENDAR")
