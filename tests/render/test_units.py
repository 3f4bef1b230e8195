"""Units: a unit's letterhead, defaults, locks, rules and templates; hostile templates; batch."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import tomllib

import pytest
from conftest import CHARTER, EXAMPLES, pdf_text, run_charter, squeeze
from icalendar import Calendar

UNITS = EXAMPLES / "units"
COUNTY = UNITS / "county-propaganda"
SCHOOL = UNITS / "riverside-school"
GROUP = UNITS / "county-propaganda-group.toml"
ALL_FILES = {"charter.pdf", "charter.html", "charter.md", "announcement.txt", "charter.ics", "charter.toml", "poster.pdf"}


@pytest.fixture(scope="module")
def county_group(tmp_path_factory):
    """The county example group rendered once with its unit (named in the answers file)."""
    out = tmp_path_factory.mktemp("unit")
    result = run_charter("render", GROUP, "--out", out)
    assert result.returncode == 0, result.stderr
    return out / "县委宣传部网评工作群"


def test_unit_letterhead_rules_and_block_override_show_in_the_pdf(county_group):
    text = squeeze(pdf_text(county_group / "charter.pdf"))
    assert "中共青石县委宣传部" in text                      # letterhead
    assert "部办公室审核" in text                            # the unit's signature block
    assert "须经部办公室审核后再转发" in text                  # the unit's own rule
    assert "新成员回一句即可" not in text                     # a built-in rule the unit switched off
    assert "0571-0000000" in text                            # contact line
    assert "21:00至次日07:30" in text                        # locked quiet hours


def test_html_file_carries_the_logo_inside_it(county_group):
    html = (county_group / "charter.html").read_text("utf-8")
    assert 'src="data:image/svg+xml;base64,' in html and "file:" not in html


def test_rendered_answers_record_the_unit_and_replay(county_group, tmp_path):
    answers = tomllib.loads((county_group / "charter.toml").read_text("utf-8"))
    assert answers["unit_version"] == "2026.1" and answers["unit_name"] == "中共青石县委宣传部"
    # a unit that comes with charter is named, never reached through where charter is installed
    assert answers["unit"] == "county-propaganda" and "unit_path" not in answers
    assert answers["group"]["platform"] == "wecom"           # the unit's default
    shutil.copytree(county_group, tmp_path / "a" / "b" / "group")
    result = run_charter("check", tmp_path / "a" / "b" / "group" / "charter.toml")
    assert result.returncode == 0, result.stderr


def test_a_changed_unit_is_noticed_on_re_render(county_group, tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(COUNTY, unit)
    source = (unit / "unit.toml").read_text("utf-8").replace('version = "2026.1"', 'version = "2026.2"')
    (unit / "unit.toml").write_text(source, encoding="utf-8")
    result = run_charter("render", county_group / "charter.toml", "--unit", unit, "--out", tmp_path / "out",
                         "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert "2026.1" in result.stderr and "2026.2" in result.stderr


def test_locked_answers_cannot_be_changed(tmp_path):
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--unit", COUNTY, "--out", tmp_path)
    assert result.returncode == 2
    assert "county-media-event.toml:44: rules.params.quiet_start" in result.stderr
    assert "统一规定为 21:00" in result.stderr
    assert not any(tmp_path.iterdir())


def test_english_unit_default_rule_and_announcement_template(tmp_path):
    result = run_charter("render", EXAMPLES / "school-project-team.toml", "--unit", SCHOOL, "--out", tmp_path,
                         "--format", "txt,md")
    assert result.returncode == 0, result.stderr
    [folder] = tmp_path.iterdir()
    announcement = (folder / "announcement.txt").read_text("utf-8")
    assert announcement.startswith("Riverside staff group\nGroup rules: Science Fair 2027 Team")
    assert "No pupil data in the group." in announcement
    assert "Quiet 19:00–07:00" in announcement               # the unit's default quiet hours
    assert "Riverside Secondary School" in (folder / "charter.md").read_text("utf-8")


def _unit_with_template(tmp_path, template: str, name: str = "charter.html.j2"):
    unit = tmp_path / "hostile-unit"
    shutil.copytree(COUNTY, unit)
    (unit / "templates" / name).write_text(template, encoding="utf-8")
    return unit



def test_a_unit_roster_with_a_column_more_keeps_every_column_readable(tmp_path):
    """The built-in roster's set widths are for its four columns: a unit that copies the block and adds
    a signature column (keeping its class) gets five equal columns, not two squeezed to a letter or two."""
    unit = _unit_with_template(tmp_path, """{% extends "builtin/charter.html.j2" %}{% block roster %}
<section class="roster"><h2>{{ t.roster }}</h2><table class="members">
<thead><tr><th>{{ t.roster_name }}</th><th>{{ t.roster_unit }}</th><th>{{ t.roster_title }}</th>
<th>{{ t.roster_role }}</th><th>签字</th></tr></thead><tbody>
{%- for m in members %}<tr><td>{{ m.name }}</td><td>{{ m.unit }}</td><td>{{ m.title }}</td>
<td>{{ t.roles[m.role] }}</td><td></td></tr>{% endfor %}</tbody></table></section>{% endblock %}""")
    (tmp_path / "group.toml").write_text(
        'lang = "zh"\nshow_roster = true\n[group]\nname = "网评工作群"\npurpose = "网评工作的通知和报送"\n'
        'platform = "wechat"\nkind = "temporary"\ncreated = 2026-11-25\ndissolve_on = 2026-12-31\n'
        '[owner]\nname = "刘志远"\nunit = "县委宣传部"\ntitle = "科长"\n'
        '[[members]]\nname = "周建国"\nunit = "镇党政办"\ntitle = "副主任"\nrole = "admin"\n', "utf-8")
    result = run_charter("render", tmp_path / "group.toml", "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    text = subprocess.run(["pdftotext", "-layout", str(next((tmp_path / "out").rglob("charter.pdf"))), "-"],
                          capture_output=True, text=True, check=True).stdout
    header = next(line for line in text.splitlines() if "签字" in line)
    assert header.split() == ["姓名", "单位", "职务", "角色", "签字"]
    assert re.search(r"周建国\s+镇党政办\s+副主任\s+管理员", text)  # each on one line, not a letter a line


@pytest.mark.parametrize("template", [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ t.__class__.__init__.__globals__ }}",
    "{% for x in ().__class__.__base__.__subclasses__() %}{{ x }}{% endfor %}",
    "{{ self._TemplateReference__context }}",
    "{% set x = t.update({'a': 1}) %}{{ x }}",
])
def test_hostile_unit_templates_fail_with_a_clear_message(tmp_path, template):
    unit = _unit_with_template(tmp_path, template)
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 2, result.stdout
    assert "单位模板出错" in result.stderr and "charter.html.j2" in result.stderr
    assert "Traceback" not in result.stderr and "uid=" not in result.stderr + result.stdout
    assert not (tmp_path / "out").exists()
    assert run_charter("unit", "check", unit).returncode == 2


@pytest.mark.parametrize("template", [
    '{% include "../../../../../../etc/passwd" %}',
    '{% include "/etc/passwd" %}',
    '{% extends "builtin/../../../../etc/passwd" %}',
])
def test_template_paths_cannot_leave_the_unit(tmp_path, template):
    unit = _unit_with_template(tmp_path, template)
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 2 and "TemplateNotFound" in result.stderr
    assert "root:" not in result.stderr


def test_a_template_linked_from_outside_the_unit_is_not_loaded(tmp_path):
    outside = tmp_path / "outside.j2"
    outside.write_text("SECRET-OUTSIDE {{ title }}", encoding="utf-8")
    unit = _unit_with_template(tmp_path, "")
    (unit / "templates" / "charter.html.j2").unlink()
    (unit / "templates" / "charter.html.j2").symlink_to(outside)
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "html")
    assert result.returncode == 2 and "templates/charter.html.j2" in result.stderr and "链接" in result.stderr
    assert "SECRET-OUTSIDE" not in result.stdout + result.stderr and not (tmp_path / "out").exists()


def test_assets_outside_the_unit_are_refused(tmp_path):
    unit = _unit_with_template(tmp_path, '{% extends "builtin/charter.html.j2" %}'
                                         '{% block letterhead %}<img src="{{ asset("../unit.toml") }}">{% endblock %}')
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 2 and "assets/" in result.stderr


def test_a_unit_template_cannot_make_the_pdf_read_other_files(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-LINE", encoding="utf-8")
    unit = _unit_with_template(tmp_path, (
        '{% extends "builtin/charter.html.j2" %}{% block letterhead %}'
        f'<img src="file://{secret}"><img src="assets/../unit.toml"><link rel="attachment" href="file://{secret}">'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"><img src="assets/logo.svg">{% endblock %}'))
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    [pdf] = (tmp_path / "out").rglob("charter.pdf")
    data = pdf.read_bytes()
    assert b"TOP-SECRET-LINE" not in data and b"/EmbeddedFile" not in data
    assert b"short_name" not in data


def test_logo_path_leaving_the_unit_is_reported_with_its_line(tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(COUNTY, unit)
    source = (unit / "unit.toml").read_text("utf-8").replace('logo = "assets/logo.svg"', 'logo = "../../etc/passwd"')
    (unit / "unit.toml").write_text(source, encoding="utf-8")
    result = run_charter("unit", "check", unit)
    assert result.returncode == 2 and "unit.toml:12: unit.logo" in result.stderr


def test_unit_file_mistakes_name_the_field_and_line(tmp_path):
    unit = tmp_path / "unit"
    shutil.copytree(COUNTY, unit)
    source = (unit / "unit.toml").read_text("utf-8").replace("quiet_end =", "quiet_ends =").replace(
        'category = "posting"', 'category = "postings"')
    (unit / "unit.toml").write_text(source, encoding="utf-8")
    result = run_charter("unit", "check", unit)
    assert result.returncode == 2
    assert "locked.rules.params.quiet_ends" in result.stderr and "quiet_end" in result.stderr
    assert "rules[0].category" in result.stderr


def test_unit_init_then_check(tmp_path):
    for lang in ("zh", "en"):
        folder = tmp_path / lang
        result = run_charter("unit", "init", folder, "--lang", lang)
        assert result.returncode == 0, result.stderr
        assert (folder / "unit.toml").is_file() and (folder / "assets").is_dir()
        check = run_charter("unit", "check", folder)
        assert check.returncode == 0, check.stderr
    again = run_charter("unit", "init", tmp_path / "zh")
    assert again.returncode == 2


def test_example_units_pass_their_check():
    for unit in (COUNTY, SCHOOL):
        result = run_charter("unit", "check", unit)
        assert result.returncode == 0, result.stderr


def _groups_csv(tmp_path, extra_rows: str = "") -> object:
    source = (UNITS / "county-groups.csv").read_text("utf-8") + extra_rows
    path = tmp_path / "groups.csv"
    path.write_text(source, encoding="utf-8")
    return path


def test_batch_renders_good_rows_and_reports_bad_ones(tmp_path):
    bad = ("缺少解散日期的临时群,测试,临时群,,,李明,县委宣传部,\n"
           "日期写错的群,测试,临时群,2027-02-30,,李明,县委宣传部,\n"
           ",没有群名,常设群,,6,李明,县委宣传部,\n")
    groups = _groups_csv(tmp_path, bad)
    out = tmp_path / "out"
    result = run_charter("batch", groups, "--unit", COUNTY, "--out", out, "--jobs", "2", "--format", "txt,md")
    assert result.returncode == 2, result.stdout + result.stderr
    assert len(list(out.iterdir())) == 22
    assert "24 " in result.stdout and "必须写明解散日期" in result.stdout
    assert "25 " in result.stdout and "应为真实存在的日期" in result.stdout
    assert "26 " in result.stdout and "group.name" in result.stdout
    assert "生成 22，跳过 0，失败 3" in result.stdout
    again = run_charter("batch", groups, "--unit", COUNTY, "--out", out, "--jobs", "1", "--format", "txt")
    assert "生成 0，跳过 22，失败 3" in again.stdout



def test_a_unit_font_leaves_no_temporary_folder_behind(tmp_path):
    """WeasyPrint copies a unit's @font-face font to a temporary folder and removes it when the font
    configuration is freed, which a worker process ending with os._exit never did (20 MB a worker)."""
    unit = _unit_with_template(tmp_path, '{% extends "builtin/charter.html.j2" %}{% block extra_styles %}'
                               '@font-face { font-family: "Letterhead"; src: url("{{ asset(\'assets/letterhead.ttf\') }}"); }'
                               'table.facts { font-family: "Letterhead", "Noto Sans CJK SC"; }{% endblock %}')
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", unit / "assets" / "letterhead.ttf")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    rows = "".join(f"字体测试群{n},测试,临时群,2027-01-15,,李明,县委宣传部,\n" for n in range(4))
    (tmp_path / "groups.csv").write_text((UNITS / "county-groups.csv").read_text("utf-8").splitlines(True)[0] + rows,
                                         "utf-8")
    for jobs in ("2", "1"):
        result = run_charter("batch", tmp_path / "groups.csv", "--unit", unit, "--out", tmp_path / f"out{jobs}",
                             "--jobs", jobs, "--format", "pdf", env={"TMPDIR": str(temporary)})
        assert result.returncode == 0, result.stdout + result.stderr
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "one", "--format", "pdf",
                         env={"TMPDIR": str(temporary)})
    assert result.returncode == 0, result.stderr
    assert "Letterhead" in subprocess.run(["pdffonts", str(next((tmp_path / "one").rglob("charter.pdf")))],
                                      capture_output=True, text=True).stdout
    assert list(temporary.iterdir()) == []



def test_a_unit_font_too_big_to_read_is_an_error_not_a_silent_fallback(tmp_path):
    """The PDF renderer reads a unit file up to 32 MB; a bigger font was skipped without a word and the
    charter printed in another face. Now the render stops (exit 2), names the file, and writes nothing,
    in a batch too."""
    unit = _unit_with_template(tmp_path, '{% extends "builtin/charter.html.j2" %}{% block extra_styles %}'
                               '@font-face { font-family: "Big"; src: url("{{ asset(\'assets/big.otf\') }}"); }'
                               '.letterhead .unit-name { font-family: "Big"; }{% endblock %}')
    with open(unit / "assets" / "big.otf", "wb") as font:
        font.truncate(33_000_000)  # sparse: no disk is used
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "big.otf" in result.stderr and "太大" in result.stderr
    assert not (tmp_path / "out").exists()
    rows = "字体测试群,测试,临时群,2027-01-15,,李明,县委宣传部,\n"
    (tmp_path / "groups.csv").write_text((UNITS / "county-groups.csv").read_text("utf-8").splitlines(True)[0] + rows,
                                         "utf-8")
    result = run_charter("batch", tmp_path / "groups.csv", "--unit", unit, "--out", tmp_path / "batch", "--format", "pdf")
    assert result.returncode == 2 and "big.otf" in result.stdout and not (tmp_path / "batch").exists()


def test_a_unit_font_changed_while_the_process_runs_is_read_again(tmp_path):
    """charter serve keeps a unit's fonts loaded; WeasyPrint never reads a font face again once it has
    a copy, so a font swapped (here: grown past the limit) while the server ran went unnoticed."""
    unit = _unit_with_template(tmp_path, '{% extends "builtin/charter.html.j2" %}{% block extra_styles %}'
                               '@font-face { font-family: "Letterhead"; src: url("{{ asset(\'assets/letterhead.ttf\') }}"); }'
                               'table.facts { font-family: "Letterhead", "Noto Sans CJK SC"; }{% endblock %}')
    font = unit / "assets" / "letterhead.ttf"
    shutil.copy("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", font)
    code = f"""
import tomllib
from pathlib import Path
from charter.core.errors import InputError
from charter.render.documents import render_documents
from charter.schema.group import validate_for
from charter.schema.unit import load_unit
unit = load_unit(Path({str(unit)!r}))
data = tomllib.loads(Path({str(GROUP)!r}).read_text("utf-8"))
data.pop("unit", None)
answers = validate_for(data, unit)
print(len(render_documents(answers, ("pdf",), unit=unit)["charter.pdf"]) > 0)
with open({str(font)!r}, "r+b") as grown:
    grown.truncate(33_000_000)
try:
    render_documents(answers, ("pdf",), unit=unit)
except InputError as error:
    print(error.report())
"""
    result = subprocess.run([CHARTER.with_name("python"), "-c", code], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "CHARTER_NO_PREFORK": "1"})
    assert result.returncode == 0, result.stderr
    first, report = result.stdout.split("\n", 1)
    assert first == "True" and "letterhead.ttf" in report and "32000000" in report



def test_a_template_cannot_have_one_render_read_without_end(tmp_path):
    """One 10 MB font named by thirteen @font-face rules: each is read and copied by WeasyPrint; past
    128 MB in one render the render stops (a hundred rules filled /tmp with 1.9 GB)."""
    faces = "".join(f'@font-face {{ font-family: "F{n}"; src: url("{{{{ asset(\'assets/big.otf\') }}}}"); }}'
                    f'.f{n} {{ font-family: "F{n}"; }}' for n in range(13))
    unit = _unit_with_template(tmp_path, '{% extends "builtin/charter.html.j2" %}{% block extra_styles %}'
                               + faces + "{% endblock %}")
    with open(unit / "assets" / "big.otf", "wb") as font:
        font.truncate(9_900_000)
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "pdf")
    assert result.returncode == 2 and "big.otf" in result.stderr and "128000000" in result.stderr
    assert not (tmp_path / "out").exists()


def test_batch_with_english_headers_and_one_job(tmp_path):
    groups = tmp_path / "groups.csv"
    groups.write_text("name,purpose,kind,dissolve_on,review_every_months,owner,owner_unit,successor\n"
                      "Year 9 trip,Plan the Year 9 museum trip,temporary,2027-03-20,,Ann Lee,History,Tom Reid\n"
                      "Staff room,Everyday notices for staff,standing,,12,Grace Okafor,Office,\n", encoding="utf-8")
    result = run_charter("batch", groups, "--unit", SCHOOL, "--out", tmp_path / "out", "--jobs", "1",
                         "--format", "pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 groups: 2 written, 0 skipped, 0 failed." in result.stdout
    text = squeeze(pdf_text(tmp_path / "out" / "Staff-room" / "charter.pdf"))
    assert "RiversideSecondarySchool" in text and "every12months" in text


def test_a_csv_with_cr_line_ends_is_read_and_an_endless_cell_is_refused_by_its_line(tmp_path):
    """Old Mac and some exports end lines with CR alone; a cell past the csv module's limit must be
    bad input naming its line, not an unexpected error."""
    groups = tmp_path / "groups.csv"
    groups.write_bytes("name,purpose,kind,dissolve_on,owner\rA群,用途,temporary,2027-01-31,张三\r"
                       "B群,用途,temporary,2027-01-31,李四\r".encode())
    result = run_charter("batch", groups, "--unit", COUNTY, "--out", tmp_path / "out", "--format", "txt")
    assert result.returncode == 0 and "生成 2" in result.stdout, result.stdout + result.stderr
    groups.write_text("name,purpose,kind,dissolve_on,owner\nA群,用途,temporary,2027-01-31,张三\n"
                      f'B群,"{"长" * 140_000}",temporary,2027-01-31,李四\n', encoding="utf-8")
    result = run_charter("batch", groups, "--unit", COUNTY, "--out", tmp_path / "again", "--format", "txt")
    assert result.returncode == 2 and "第 3 行" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "again").exists()


def test_the_batch_table_shows_names_as_written_and_control_characters_as_codes(tmp_path):
    groups = tmp_path / "groups.csv"
    groups.write_text("name,purpose,kind,dissolve_on,owner\n[/x] 群,用途,temporary,2027-01-31,张三\n"
                      "\u202eevil,用途,temporary,2027-01-31,李四\n", encoding="utf-8")
    result = run_charter("batch", groups, "--unit", COUNTY, "--out", tmp_path / "out", "--format", "txt")
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stdout + result.stderr
    assert "[/x] 群" in result.stdout and "<U+202E>evil" in result.stdout and "\u202e" not in result.stdout


def test_killed_batch_leaves_only_complete_group_folders(tmp_path):
    groups = _groups_csv(tmp_path)
    out = tmp_path / "out"
    child = subprocess.Popen([str(CHARTER), "batch", str(groups), "--unit", str(COUNTY), "--out", str(out),
                              "--jobs", "2"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len([p for p in out.glob("*") if not p.name.startswith(".")]) < 4:
        time.sleep(0.05)
    os.killpg(child.pid, signal.SIGKILL)  # the batch and its workers, mid-write
    child.wait()
    folders = [p for p in out.iterdir() if not p.name.startswith(".charter-staging-")]
    assert 4 <= len(folders) < 22
    for folder in folders:
        assert {p.name for p in folder.iterdir()} == ALL_FILES, folder
        assert pdf_text(folder / "charter.pdf").strip()


def test_a_unit_can_reword_the_calendar_event(tmp_path):
    unit = _unit_with_template(tmp_path, "【宣传部提醒】{{ group.name }}到期\n请先发解散通知。\n", "calendar-event.txt.j2")
    result = run_charter("render", GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "ics")
    assert result.returncode == 0, result.stderr
    [ics] = (tmp_path / "out").rglob("charter.ics")
    [event] = Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "【宣传部提醒】县委宣传部网评工作群到期"
    assert str(event["description"]) == "请先发解散通知。"


def test_custom_rule_images_come_only_from_the_unit_assets(tmp_path):
    source = GROUP.read_text("utf-8").replace('unit = "county-propaganda"', f'unit = "{COUNTY}"') + (
        '\n[[rules.custom]]\ncategory = "posting"\n'
        'text = "命名示例：![标志](assets/logo.svg) ![外部](https://example.com/x.png) '
        '![上级](assets/../unit.toml) ![系统](file:///etc/passwd)"\n')
    answers = tmp_path / "group.toml"
    answers.write_text(source, encoding="utf-8")
    result = run_charter("render", answers, "--out", tmp_path / "out", "--format", "html,pdf")
    assert result.returncode == 0, result.stderr
    [html] = (tmp_path / "out").rglob("charter.html")
    images = re.findall(r"<img[^>]*>", html.read_text("utf-8"))
    sources = [re.search(r'src="([^"]*)"', image).group(1)[:26] for image in images if "src=" in image]
    assert sources == ["data:image/svg+xml;base64,", "data:image/svg+xml;base64,"]  # the letterhead, the rule's
    assert "命名示例" in squeeze(pdf_text(next((tmp_path / "out").rglob("charter.pdf"))))


def test_a_rule_text_naming_no_parameter_is_named_by_unit_check_and_render(tmp_path):
    """A misspelt parameter used to print as a blank in the posted rule; now it stops both."""
    unit = shutil.copytree(COUNTY, tmp_path / "unit")
    source = (unit / "unit.toml").read_text("utf-8")
    (unit / "unit.toml").write_text(source.replace(
        'brief_zh = "对外稿件经部办公室审核后再发。"', 'brief_zh = "对外稿件{{ quiet_strat }}前审核。"'), encoding="utf-8")
    check = run_charter("unit", "check", unit)
    assert check.returncode == 2 and "quiet_strat" in check.stderr and "posting.press-review" in check.stderr
    render = run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit,
                         "--out", tmp_path / "out", "--format", "txt")
    assert render.returncode == 2 and "quiet_strat" in render.stderr and "Traceback" not in render.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_units_defaults_are_converted_as_before_while_the_answers_file_is_held_to_its_types(tmp_path):
    """A unit.toml written when a quoted number was taken still works; the answers file's own
    `leave_days = true` is named, in that file, at its line."""
    unit = shutil.copytree(COUNTY, tmp_path / "unit")
    text = (unit / "unit.toml").read_text("utf-8")
    (unit / "unit.toml").write_text(text.replace('digest_every = "weekly"', 'digest_every = "weekly"\nleave_days = "3"'),
                                    "utf-8")
    group = UNITS / "county-propaganda-group.toml"
    assert run_charter("render", group, "--unit", unit, "--out", tmp_path / "a", "--format", "txt").returncode == 0
    assert run_charter("unit", "check", unit).returncode == 0
    answers = tmp_path / "group.toml"
    answers.write_text(group.read_text("utf-8").replace("[group]", "show_roster = \"yes\"\n\n[group]", 1), "utf-8")
    bad = run_charter("render", answers, "--unit", unit, "--out", tmp_path / "b", "--format", "txt")
    assert bad.returncode == 2 and "group.toml:" in bad.stderr and "show_roster: 应为 true 或 false" in bad.stderr


def test_batch_with_a_long_temporary_folder_path(tmp_path):
    """The forkserver's socket lives in the temporary folder, and a socket's path takes 107 bytes at
    most: a long TMPDIR was "unexpected error: OSError: AF_UNIX path too long" for every batch."""
    temporary = tmp_path / ("t" * 90)
    temporary.mkdir()
    rows = tmp_path / "groups.csv"
    rows.write_text("name,purpose,kind,dissolve_on,owner,owner_unit\n"
                    "甲群,统筹甲项工作,temporary,2027-01-31,李明,县委宣传部\n乙群,统筹乙项工作,temporary,2027-01-31,李明,县委宣传部\n",
                    "utf-8")
    result = run_charter("batch", rows, "--unit", UNITS / "county-propaganda", "--out", tmp_path / "out", "--jobs", "2",
                         "--format", "txt", env={"TMPDIR": str(temporary), "CHARTER_TODAY": "2026-12-01"})
    assert result.returncode == 0 and "生成 2" in result.stdout, result.stderr


def test_a_unit_choice_parameter_without_a_default_is_refused_by_name(tmp_path):
    """A group that leaves the parameter out gets its default: a choice without one once crashed the render."""
    (tmp_path / "unit.toml").write_text('[unit]\nname = "测试单位"\n[params.shift]\ntype = "choice"\nzh = "班次"\n'
                                        'en = "Shift"\n[params.shift.choices.day]\nzh = "白班"\nen = "day"\n', "utf-8")
    result = run_charter("unit", "check", tmp_path)
    assert result.returncode == 2 and "unit.toml:3: params.shift.default" in result.stderr and "要有默认值" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("word", ["{owner.__class__.__mro__}", "{owner:>999999999}", "{owner!r}", "{0}"])
def test_a_units_words_take_plain_placeholders_only(tmp_path, word):
    """Words are filled with str.format: an attribute, an index or a padding would reach into Python
    or fill memory; a placeholder the word has no value for is printed as written."""
    (tmp_path / "unit.toml").write_text('[unit]\nname = "测试单位"\n[profiles.site]\nzh = "工地群"\nen = "Site"\n'
                                        f'[profiles.site.words.zh]\nrules_posted_at = "{word}"\n', "utf-8")
    result = run_charter("unit", "check", tmp_path)
    assert result.returncode == 2 and "profiles.site" in result.stderr and "Traceback" not in result.stderr


def test_a_units_word_with_an_unknown_placeholder_prints_it(tmp_path):
    unit = tmp_path / "unit"
    unit.mkdir()
    (unit / "unit.toml").write_text('[unit]\nname = "测试单位"\n[profiles.site]\nzh = "工地群"\nen = "Site"\n'
                                    '[profiles.site.words.zh]\nrules_posted_at = "{nothere}项目部"\n', "utf-8")
    # one organisation: a group of several keeps its rules where all can read them, not at one office
    answers = (EXAMPLES / "county-media-event.toml").read_text("utf-8").replace(
        'kind = "temporary"', 'kind = "temporary"\nprofile = "site"\norganisations = "one"')
    (tmp_path / "site.toml").write_text(answers, "utf-8")
    result = run_charter("render", tmp_path / "site.toml", "--unit", unit, "--out", tmp_path / "out", "--format", "txt")
    assert result.returncode == 0, result.stderr
    assert next((tmp_path / "out").rglob("announcement.txt")).read_text("utf-8").strip().endswith("完整群规：{nothere}项目部")


HOSTILE_FACETS = """[unit]
name = "测试单位四"
lang = "zh"
[audiences.x]
zh = "某受众"
en = "x"
[audiences.x.params]
digest_every = "hourly"
leave_days = 1000
nosuch = 1
[audiences.x.words.zh]
rules_posted_at = "公告栏\\n20. 伪造条"
records_what = "资料\\u001b[31m红色"
[audiences."<script>"]
zh = "a"
en = "b"
[profiles.site]
zh = "工地群"
en = "Site"
audience = "goverment"
[[rules]]
id = "scope.site"
category = "scope"
kinds = ["temporary"]
audiences = ["nonexistent"]
zh = "x"
en = "y"
"""


def test_a_units_profiles_and_audiences_are_checked_like_answers(tmp_path):
    """A unit's audience or profile whose defaults or words a render would crash on or print garbled is
    refused at load, every problem by its field and line (a unit folder may come from anyone)."""
    (tmp_path / "unit.toml").write_text(HOSTILE_FACETS, "utf-8")
    result = run_charter("unit", "check", tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    for field in (":20: profiles.site.audience", ":8: audiences.x.params.digest_every",
                  ":9: audiences.x.params.leave_days", ":10: audiences.x.params.nosuch",
                  ":12: audiences.x.words.zh.rules_posted_at", ":13: audiences.x.words.zh.records_what",
                  "audiences.<script>", "rules[0].audiences"):
        assert field in result.stderr, field
