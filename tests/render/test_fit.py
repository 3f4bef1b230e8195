"""The rules follow the facts that decide fit: who the members are, one organisation or several,
the urgent contact, who keeps the records, where the full rules are, how long the group lives and
its platform. Pure functions: answers in, the Markdown and announcement a reader would see out."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from conftest import run_charter

from charter.render.documents import render_documents
from charter.schema.catalogue import builtin_catalogue
from charter.schema.lint import lint
from charter.schema.validation import validate_answers

BASE = {
    "lang": "zh",
    "group": {"name": "城东片区工作群", "purpose": "片区日常工作的通知、报送和协调", "platform": "wechat",
              "kind": "project", "created": date(2026, 12, 1), "dissolve_on": date(2027, 6, 30)},
    "owner": {"name": "李明", "unit": "县住建局", "title": "股长"},
    "members": [{"name": "周红", "unit": "县住建局", "title": "副局长", "role": "admin"},
                {"name": "孙磊", "unit": "县住建局", "title": "科员"},
                {"name": "钱芳", "unit": "县住建局", "title": "局长"}],
}


def group_with(**changes) -> dict:
    answers = copy.deepcopy(BASE)
    for key, value in changes.items():
        table, _, field = key.rpartition(".")
        (answers[table] if table else answers)[field] = value
    return answers


def read(answers: dict) -> tuple[str, str]:
    """The charter as Markdown and the announcement, as a reader gets them."""
    files = render_documents(validate_answers(answers), formats=("md", "txt"))
    return files["charter.md"].decode("utf-8"), files["announcement.txt"].decode("utf-8")


def test_the_schema_describes_every_new_fact():
    schema = json.loads(run_charter("schema").stdout)
    group = next(d for name, d in schema["$defs"].items() if name.startswith("Group"))["properties"]
    for fact in ("audience", "organisations", "urgent_contact", "records", "rules_posted_at"):
        assert group[fact].get("description") or group[fact].get("anyOf"), fact
    assert set(group["audience"]["anyOf"][0]["enum"]) == {"government", "school", "parents", "health", "residents", "company"}


@pytest.mark.parametrize(("audience", "said", "unsaid"), [
    # an office's own staff's pay is theirs to keep too; an office group is nobody's first call in danger
    ("government", ["涉密文件", "群众、服务对象和职工的身份证号", "工资收入"], ["考试前的试卷", "客户", "先拨打120"]),
    ("school", ["考试前的试卷和答案", "学生和家长的身份证号", "停课、恶劣天气和安全预警"],
     ["涉密文件", "群众、服务对象", "先拨打120"]),  # a staff room's work is nobody's first call in danger
    ("company", ["工作草稿和内部数据可以在群里讨论", "客户、服务对象和同事的身份证号", "账号密码"], ["涉密文件", "先拨打120"]),
    ("residents", ["居民、志愿者和服务对象的身份证号", "由负责人单独收集或用报名表", "安全预警和临时取消等紧急通知除外"],
     ["涉密文件", "【请示】", "和节假日不发"]),
])
def test_confidentiality_personal_data_and_quiet_hours_follow_the_members(audience, said, unsaid):
    page, _ = read(group_with(**{"group.audience": audience}))
    for phrase in said:
        assert phrase in page, phrase
    for phrase in unsaid:
        assert phrase not in page, phrase


def test_a_name_or_purpose_suggests_the_members_when_the_answers_do_not_say():
    page, _ = read(group_with(**{"group.name": "第三中学初二年级教师群"}))
    assert "考试前的试卷" in page and "涉密文件" not in page


def test_one_organisation_drops_the_unit_from_names_several_bring_their_own_rules():
    one, _ = read(group_with(**{"group.organisations": "one"}))
    several, _ = read(group_with(**{"group.organisations": "several"}))
    assert "“股室-姓名”" in one and "“日期-事项”" in one and "只发各单位都可以看的内容" not in one
    assert "“单位-姓名-职务”" in several and "“日期-单位-事项”" in several
    for phrase in ("只发各单位都可以看的内容", "正式的决定、通知和要求以正式文件为准", "由本单位的联络人负责", "从群里下载保存",
                   "告知其所在单位"):
        assert phrase in several, phrase


def test_the_units_listed_suggest_several_organisations_unless_answered():
    listed = group_with(members=[*BASE["members"], {"name": "吴涛", "unit": "县水利局"}])
    assert "只发各单位都可以看的内容" in read(listed)[0]
    listed["group"]["organisations"] = "one"
    assert "只发各单位都可以看的内容" not in read(listed)[0]


def test_a_duty_group_forwards_alerts_but_not_orders_and_is_warned_without_an_urgent_contact():
    duty = group_with(**{"group.profile": "duty"})
    page, _ = read(duty)
    assert "【预警】可以原文转发" in page and "群里的消息不截图" not in page and "119" in page
    findings = lint(validate_answers(duty), builtin_catalogue(), date(2026, 12, 7))
    assert "no-urgent-contact" in {f.code for f in findings}
    duty["group"]["urgent_contact"] = "值班室 0571-8888 1234"
    page, announcement = read(duty)
    assert "先打电话给值班室 0571-8888 1234" in page
    assert announcement.splitlines()[2] == "紧急联系：值班室 0571-8888 1234"
    assert "no-urgent-contact" not in {f.code for f in lint(validate_answers(duty), builtin_catalogue(), date(2026, 12, 7))}


def test_a_group_of_three_days_keeps_no_quiet_hours_but_names_the_person_tonight():
    page, _ = read(group_with(**{"group.kind": "temporary", "group.dissolve_on": date(2026, 12, 4)}))
    assert "不发工作消息" not in page and "今晚需办" in page and "一两个小时内必须办" in page


def test_round_the_clock_work_has_no_quiet_hours():
    page, _ = read(group_with(**{"group.purpose": "病区护理排班和顶班安排"}))
    assert "不当班的人不必看" in page and "不发工作消息" not in page


@pytest.mark.parametrize("profile", ["duty", "broadcast", "office"])
def test_nobody_is_removed_for_breaking_a_rule(profile):
    page, _ = read(group_with(**{"group.profile": profile}))
    assert "不移出本群" in page and "仍不改的，移出本群" not in page


def test_a_notice_group_keeps_those_who_move_inside_the_unit():
    page, _ = read(group_with(**{"group.profile": "broadcast"}))
    assert "在本单位内调整岗位的，仍留在本群" in page and "调岗或不再负责" not in page


@pytest.mark.parametrize(("platform", "ended", "unended"), [("slack", "archived", "dissolved"), ("wechat", "closed", "archived")])
def test_the_platform_says_how_a_group_ends(platform, ended, unended):
    english = group_with(lang="en", **{"group.platform": platform})
    page, announcement = read(english)
    assert ended in page and unended not in page
    assert ("Archive date" if platform == "slack" else "Closes on") in announcement


def test_the_owners_place_is_never_blank():
    with_admin, _ = read(BASE)
    assert "先由管理员周红代理群主" in with_admin and "暂由管理员周红（县住建局 副局长）代理，至确定新群主" in with_admin
    alone, announcement = read(group_with(members=[{"name": "孙磊", "unit": "县住建局"}]))
    assert "由群主离岗前指定" in alone and "由群主离岗前指定" in announcement and "—" not in alone
    named, _ = read(group_with(successor={"name": "周红", "unit": "县住建局", "title": "副局长"}))
    assert "由周红（县住建局 副局长）接任群主" in named


def test_the_newcomers_example_is_an_ordinary_member_who_leads_nobody():
    page, _ = read(BASE)
    assert "“我是县住建局科员孙磊" in page
    assert "我是县住建局局长钱芳" not in page and "我是县住建局副局长周红" not in page


def test_one_person_keeps_the_records_where_the_answers_say():
    usual, _ = read(BASE)
    assert "李明负责把通知、决定和报送的材料存到本单位的工作档案" in usual
    kept, announcement = read(group_with(**{"group.records": {"keeper": "孙磊", "place": "局档案室"}}))
    assert "孙磊负责把通知、决定和报送的材料存到局档案室" in kept and "资料由孙磊统一保存" in announcement


def test_page_poster_and_announcement_name_the_same_place_for_the_full_rules():
    answers = group_with(**{"group.rules_posted_at": "局机关一楼公告栏"})
    files = render_documents(validate_answers(answers), formats=("md", "txt", "html"))
    assert "完整群规：局机关一楼公告栏" in files["charter.md"].decode("utf-8")
    assert files["announcement.txt"].decode("utf-8").strip().splitlines()[-1] == "完整群规：局机关一楼公告栏"
    from charter.render.context import build_context, poster_footer
    context = build_context(validate_answers(answers), builtin_catalogue())
    assert "完整群规：局机关一楼公告栏" in poster_footer(context)


def test_files_without_the_new_facts_keep_working_and_write_none_of_them():
    model = validate_answers(BASE)
    from charter.schema.answers import answers_to_data
    written = answers_to_data(model)["group"]
    assert not {"audience", "organisations", "urgent_contact", "records", "rules_posted_at"} & set(written)


def test_check_warns_when_the_full_rules_are_said_to_be_in_the_announcement():
    codes = {f.code for f in lint(validate_answers(group_with(**{"group.rules_posted_at": "群公告和值班室"})),
                                  builtin_catalogue(), date(2026, 12, 7))}
    assert "posted-in-announcement" in codes
    fine = lint(validate_answers(group_with(**{"group.rules_posted_at": "值班室墙上和群文件"})), builtin_catalogue(),
                date(2026, 12, 7))
    assert "posted-in-announcement" not in {f.code for f in fine}


@pytest.mark.parametrize("mark", ["\u200b", "\ufeff", "\u200f"])
def test_an_urgent_contact_with_an_invisible_mark_is_refused_by_name(mark):
    """A zero-width space inside a phone number breaks tap-to-call; the field is named."""
    from charter.core.errors import InputError
    with pytest.raises(InputError) as refused:
        validate_answers(group_with(**{"group.urgent_contact": f"值班室 0571-8888{mark}1234"}))
    [problem] = refused.value.problems
    assert problem.path == "group.urgent_contact" and "零宽空格" in problem.message


def test_health_staff_follow_their_own_emergency_procedure_and_parents_get_a_parents_example():
    ward, _ = read(group_with(**{"group.audience": "health"}))
    assert "按本院急救流程呼叫" in ward and "先拨打120" not in ward
    parents, _ = read(group_with(**{"group.profile": "home-school"}))
    assert "如“王小明妈妈”" in parents and "李老师（班主任）" in parents


def test_the_name_then_most_units_then_the_purpose_suggest_the_members():
    catalogue = builtin_catalogue()

    def audience(**changes) -> str:
        return catalogue.audience_of(validate_answers(group_with(**changes)).preset())

    gas = [{"name": f"员工{i}", "unit": unit} for i, unit in enumerate(["舜华燃气有限公司", "舜华燃气有限公司", "县住建局"])]
    # a gas company's purpose names the residents it serves; its people are the company's
    assert audience(**{"group.purpose": "碰口施工期间的居民报修应对", "owner.unit": "舜华燃气有限公司"}, members=gas) == "company"
    # volunteers from a school are volunteers: the group's name says so before their units
    students = [{"name": f"学生{i}", "unit": "县职业中等专业学校"} for i in range(4)]
    assert audience(**{"group.name": "半程马拉松志愿者群"}, members=students) == "residents"
    # one clinic among a township's offices does not make its staff health workers
    offices = [{"name": f"干部{i}", "unit": unit} for i, unit in enumerate(["镇党政办", "镇财政所", "镇卫生院"])]
    assert audience(**{"owner.unit": "镇党政办", "group.name": "镇机关工作群", "group.purpose": "日常工作"},
                    members=offices) == "government"


@pytest.mark.parametrize(("platform", "numbers"), [("wecom", "120 (ambulance), 110 (police) or 119 (fire)"),
                                                   ("slack", "999")])
def test_the_emergency_numbers_are_the_platforms_country_and_only_where_safety_is_at_stake(platform, numbers):
    # school staff on a trip of three days: pupils' safety is the group's business
    school = group_with(lang="en", **{"group.platform": platform, "group.audience": "school", "group.kind": "temporary",
                                      "group.dissolve_on": date(2026, 12, 4)})
    assert f"call {numbers} first" in read(school)[0]
    office = group_with(lang="en", **{"group.platform": platform, "group.audience": "government"})
    assert "call 999" not in read(office)[0] and "call 120" not in read(office)[0]


@pytest.mark.parametrize(("audience", "said", "unsaid"), [
    ("health", ["【危重】【转诊】【床位】", "按急救流程处置", "不发病历和照片"], ["险情", "附现场照片"]),
    ("company", ["【故障】【处置】【进展】【恢复】", "影响范围", "对客户和公众怎么说"], ["险情", "附现场照片"]),
    ("government", ["【预警】【险情】【指令】", "先拨打120、110或119", "附现场照片和位置"], ["【故障】"]),
])
def test_a_duty_group_speaks_of_its_own_work(audience, said, unsaid):
    page, _ = read(group_with(**{"group.profile": "duty", "group.audience": audience}))
    for phrase in said:
        assert phrase in page, phrase
    for phrase in unsaid:
        assert phrase not in page, phrase


def test_residents_are_not_organisations_and_hear_of_a_cut_at_night():
    residents = group_with(**{"group.audience": "residents", "group.organisations": "several"})
    page, _ = read(residents)
    assert "只发各单位都可以看的内容" not in page and "本群各单位以外" not in page
    assert "安全预警和临时取消等紧急通知除外" in page
    # a notices group has no @all rule to say it: its quiet hours give the emergency numbers first
    notices, _ = read(group_with(**{"group.audience": "residents", "group.profile": "broadcast"}))
    assert "遇火灾、燃气泄漏或急病，先拨打120、110或119" in notices


def test_several_organisations_and_short_groups_keep_the_full_rules_where_all_can_read_them():
    several, _ = read(group_with(**{"group.organisations": "several"}))
    assert "完整群规：群主发在群里的群规文件" in several
    on_dingtalk, _ = read(group_with(**{"group.organisations": "several", "group.platform": "dingtalk"}))
    assert "完整群规：钉钉群文件" in on_dingtalk
    one, _ = read(group_with(**{"group.organisations": "one"}))
    assert "完整群规：办公室公告栏" in one


def test_on_wechat_only_the_owner_and_admins_can_at_all_in_a_notices_group():
    wechat, _ = read(group_with(**{"group.profile": "broadcast"}))
    dingtalk, _ = read(group_with(**{"group.profile": "broadcast", "group.platform": "dingtalk"}))
    assert "只有群主和管理员能用" in wechat and "经授权的领导" not in wechat
    assert "经授权的领导" in dingtalk


def test_no_reply_deadline_or_register_paperwork_unless_switched_on():
    page, _ = read(group_with())
    assert "个工作小时内答复" not in page and "建群台账" not in page
    switched, _ = read(group_with(rules={"on": ["posting.reply-window", "lifetime.register"]}))
    assert "4个工作小时内答复" in switched and "建群台账" in switched


def test_an_english_office_keeps_working_hours_rather_than_a_curfew():
    page, _ = read(group_with(lang="en", **{"group.audience": "government"}))
    assert "nobody is expected to read or reply outside their own working hours" in page
    assert "No messages between 21:00" not in page


def test_english_records_read_as_a_sentence_whatever_the_founder_typed():
    english = group_with(lang="en", **{"group.records": {"keeper": "Nadia Kowalski", "what": "Sign-off log and design files",
                                                         "place": "Shared Google Drive folder Relaunch"}})
    page, _ = read(english)
    assert "Nadia Kowalski keeps the Sign-off log and design files in the Shared Google Drive folder Relaunch" in page
    own = group_with(lang="en", **{"group.records": {"what": "the minutes", "place": "Our shared drive"}})
    assert "keeps the minutes in our shared drive" in read(own)[0]
