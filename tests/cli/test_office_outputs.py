"""Where the office lives: Word documents, archival and accessible PDFs, a register found from anywhere."""

from __future__ import annotations

import os
import re
import zipfile

import docx
import pytest
from conftest import EXAMPLES, run_charter
from pypdf import PdfReader


@pytest.fixture(scope="module")
def word(tmp_path_factory):
    out = tmp_path_factory.mktemp("word")
    for example in ("county-media-event.toml", "school-project-team.toml", "units/county-propaganda-group.toml"):
        result = run_charter("render", EXAMPLES / example, "--out", out, "--format", "docx,md")
        assert result.returncode == 0, result.stderr
    return out


def _paragraphs(path) -> list[str]:
    document = docx.Document(path)
    return [p.text for p in document.paragraphs] + [c.text for t in document.tables for r in t.rows for c in r.cells]


def test_the_word_document_holds_what_the_charter_holds(word):
    folder = word / "县融媒体中心外宣活动群"
    texts = _paragraphs(folder / "charter.docx")
    markdown = (folder / "charter.md").read_text("utf-8")
    assert texts[0] == "县融媒体中心外宣活动群群规"
    headings = re.findall(r"^## (.+)$", markdown, re.M)
    assert headings and all(h in texts for h in headings)
    rules = [re.sub(r"\\(.)", r"\1", line.split(". ", 1)[1]) for line in markdown.splitlines() if re.match(r"^\d+\. ", line)]
    assert rules and all(any(rule in t for t in texts) for rule in rules)
    assert any("2026年12月31日" in t for t in texts) and any("李明" in t for t in texts)
    # the sections are Word headings (navigation pane, table of contents, screen readers), in black
    document = docx.Document(folder / "charter.docx")
    marked = [p for p in document.paragraphs if p.style.name == "Heading 1"]
    assert [p.text for p in marked] == headings
    assert all(run.font.color.rgb == docx.shared.RGBColor(0, 0, 0) for p in marked for run in p.runs)


def test_chinese_text_is_set_in_faces_word_and_wps_know_with_noto_fallbacks(word):
    path = word / "县融媒体中心外宣活动群" / "charter.docx"
    with zipfile.ZipFile(path) as archive:
        document = archive.read("word/document.xml").decode()
        fonts = archive.read("word/fontTable.xml").decode()
    assert 'w:eastAsia="仿宋"' in document and 'w:eastAsia="黑体"' in document and 'w:eastAsia="宋体"' in document
    assert re.search(r'w:name="仿宋".*?w:altName w:val="Noto Serif CJK SC"', fonts, re.S)


def test_a_unit_charter_has_its_letterhead_in_word(word):
    texts = _paragraphs(word / "县委宣传部网评工作群" / "charter.docx")
    assert texts[0] == "中共青石县委宣传部"


def test_the_same_answers_give_the_same_word_file(word, tmp_path):
    again = run_charter("render", EXAMPLES / "school-project-team.toml", "--out", tmp_path, "--format", "docx")
    assert again.returncode == 0
    name = "Science-Fair-2027-Team/charter.docx"
    assert (tmp_path / name).read_bytes() == (word / name).read_bytes()


def test_a_unit_word_template_is_used_and_a_broken_one_refused(tmp_path):
    import shutil

    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    letterhead = docx.Document()
    letterhead.add_paragraph("青石县委宣传部红头文件")
    page = letterhead.sections[0]  # a page that leaves the charter room, as a 红头 template for A4 does
    page.page_width, page.page_height = docx.shared.Mm(210), docx.shared.Mm(297)
    page.top_margin = page.bottom_margin = docx.shared.Mm(8)
    page.left_margin = page.right_margin = docx.shared.Mm(14)
    letterhead.save(unit / "templates" / "charter.docx")
    good = run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit, "--out", tmp_path / "a",
                       "--format", "docx")
    assert good.returncode == 0, good.stderr
    texts = _paragraphs(next((tmp_path / "a").rglob("charter.docx")))
    assert texts[0] == "青石县委宣传部红头文件" and texts[1] == "县委宣传部网评工作群群规"
    assert run_charter("unit", "check", unit).returncode == 0
    odd = docx.Document()  # "Heading 1" as a character style: the headings keep their look, nothing breaks
    odd.styles["Heading 1"].element.getparent().remove(odd.styles["Heading 1"].element)
    odd.styles.add_style("Heading 1", docx.enum.style.WD_STYLE_TYPE.CHARACTER)
    odd.save(unit / "templates" / "charter.docx")
    assert run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit, "--out",
                       tmp_path / "odd", "--format", "docx").returncode == 0
    (unit / "templates" / "charter.docx").write_bytes(b"not a zip")
    bad = run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit, "--out", tmp_path / "b",
                      "--format", "docx")
    assert bad.returncode == 2 and "charter.docx" in bad.stderr and "Traceback" not in bad.stderr
    checked = run_charter("unit", "check", unit)  # what render would fail on, unit check finds first
    assert checked.returncode == 2 and checked.stderr.count("charter.docx: File is not a zip file") == 1
    (unit / "templates" / "charter.docx").unlink()
    (unit / "templates" / "charter.docx").symlink_to("/etc/hostname")
    outside = run_charter("render", EXAMPLES / "units" / "county-propaganda-group.toml", "--unit", unit, "--out", tmp_path / "c",
                          "--format", "docx")
    assert outside.returncode == 2 and "charter.docx" in outside.stderr


@pytest.mark.parametrize("variant, check", [
    ("pdf/a-2b", lambda root, xmp: 'pdfaid:part="2"' in xmp and 'pdfaid:conformance="B"' in xmp
     and root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"),
    ("pdf/a-3b", lambda root, xmp: 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp),
    ("pdf/ua-1", lambda root, xmp: 'pdfuaid:part="1"' in xmp and root["/MarkInfo"]["/Marked"]
     and "/StructTreeRoot" in root and root["/Lang"] == "zh-CN"),
])
def test_archival_and_accessible_pdfs_say_what_they_are(tmp_path, variant, check):
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path, "--format", "pdf",
                         "--pdf-variant", variant)
    assert result.returncode == 0, result.stderr
    root = PdfReader(next(tmp_path.rglob("charter.pdf"))).trailer["/Root"]
    assert check(root, root["/Metadata"].get_object().get_data().decode())


def test_a_plain_pdf_is_not_tagged_as_one(tmp_path):
    run_charter("render", EXAMPLES / "school-project-team.toml", "--out", tmp_path, "--format", "pdf")
    root = PdfReader(next(tmp_path.rglob("charter.pdf"))).trailer["/Root"]
    assert "/StructTreeRoot" not in root


def test_the_register_is_found_from_any_folder(tmp_path):
    home = tmp_path / "groups"
    made = run_charter("render", EXAMPLES / "school-project-team.toml", "--format", "txt", cwd=tmp_path,
                       env={"CHARTER_HOME": str(home)})
    assert made.returncode == 0 and (home / "Science-Fair-2027-Team" / "charter.toml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = run_charter("list", "--json", cwd=elsewhere, env={"CHARTER_HOME": str(home)})
    assert "Science Fair 2027 Team" in listed.stdout
    config = tmp_path / "config"
    (config / "charter").mkdir(parents=True)
    (config / "charter" / "settings.toml").write_text(f'register = "{home}"\n', encoding="utf-8")
    by_settings = run_charter("list", "--json", cwd=elsewhere, env={"XDG_CONFIG_HOME": str(config)})
    assert "Science Fair 2027 Team" in by_settings.stdout
    (config / "charter" / "settings.toml").write_text("register = 5\n", encoding="utf-8")
    broken = run_charter("list", cwd=elsewhere, env={"XDG_CONFIG_HOME": str(config)})
    assert broken.returncode == 2 and "register" in broken.stderr and "Traceback" not in broken.stderr


def test_chinese_fonts_are_found_without_fontconfig(tmp_path, monkeypatch):
    """As on Windows: no fc-list, the system's font folder holds the faces."""
    import charter.render.pdf as pdf

    windows = tmp_path / "Windows"
    (windows / "Fonts").mkdir(parents=True)
    monkeypatch.setenv("WINDIR", str(windows))
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    monkeypatch.setattr(pdf, "_font_folders", lambda: [windows / "Fonts"])
    pdf.cjk_fonts.cache_clear()
    try:
        assert pdf.cjk_fonts() == ()
        (windows / "Fonts" / "msyh.ttc").write_bytes(b"")
        (windows / "Fonts" / "simfang.ttf").write_bytes(b"")
        (windows / "Fonts" / "arial.ttf").write_bytes(b"")
        pdf.cjk_fonts.cache_clear()
        assert pdf.cjk_fonts() == ("FangSong", "Microsoft YaHei")
        monkeypatch.setattr(pdf, "_font_folders", lambda: [])
        pdf.cjk_fonts.cache_clear()
        assert pdf.cjk_fonts() is None  # cannot tell: the PDF is made, doctor says so
    finally:
        pdf.cjk_fonts.cache_clear()


def test_doctor_gives_the_install_line_for_the_system(monkeypatch):
    from charter.render import doctor

    monkeypatch.setattr(doctor.platform, "system", lambda: "Windows")
    assert "MSYS2" in doctor.hint("pango") and "Chinese" in doctor.hint("font")
    monkeypatch.setattr(doctor.platform, "system", lambda: "Linux")
    assert doctor.hint("font") == "apt-get install fonts-noto-cjk"


def test_every_command_and_option_has_chinese_help():
    """A new command or option without its Chinese help would show English to a Chinese user."""
    import tomllib

    import click

    from charter.cli import cli
    from charter.cli.language import _walk
    from charter.core.resources import data_file

    words = tomllib.loads(data_file("cli-zh.toml").read_text("utf-8"))
    missing = []
    for path, command in _walk(cli):
        if path not in words["commands"]:
            missing.append(path or "charter")
        for param in command.params:
            if isinstance(param, click.Option) and param.help and param.name != "help" and not (
                    f"{path}.{param.name}" in words["options"] or param.name in words["options"]):
                missing.append(f"{path} {param.opts[0]}")
    assert not missing


def test_help_and_click_errors_speak_the_users_language():
    zh = run_charter("render", "--help")
    assert "用法" in zh.stdout and "按答案文件（TOML）生成群规" in zh.stdout and "Show this message" not in zh.stdout
    error = run_charter("render", "x.toml", "--paper", "A5")
    assert error.returncode == 2 and "错误" in error.stderr and "不是以下之一" in error.stderr
    en = run_charter("--lang", "en", "render", "--help")
    assert "Usage:" in en.stdout and "Render the charter" in en.stdout
    assert "Usage:" in run_charter("render", "--help", env={"CHARTER_LANG": "en"}).stdout
    messages = run_charter("--lang", "en", "list", "--dir", "/nonexistent-register")
    assert messages.returncode == 2 and "the register folder /nonexistent-register does not exist" in messages.stderr


def test_the_page_names_windows_chinese_faces_after_noto(word, tmp_path):
    result = run_charter("render", EXAMPLES / "county-media-event.toml", "--out", tmp_path, "--format", "html")
    assert result.returncode == 0
    html = next(tmp_path.rglob("charter.html")).read_text("utf-8")
    stack = re.search(r"html \{\s*font-family: ([^;]+);", html).group(1)
    faces = [face.strip().strip('"') for face in stack.split(",")]
    assert faces.index("Noto Sans CJK SC") < faces.index("Microsoft YaHei") < faces.index("SimSun")
    assert "FangSong" in faces


def _workbook(path, rows):
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_batch_from_excel_names_bad_rows_as_excel_numbers_them(tmp_path):
    from datetime import datetime

    groups = _workbook(tmp_path / "groups.xlsx", [
        ["群名称", "用途", "类型", "解散日期", "群主", "群主单位", "接任群主"],
        ["专项工作群一", "第一项专项工作的通知和报送", "临时群", datetime(2027, 3, 15), "李明", "县委宣传部", "王芳"],
        [None, None, None, None, None, None, None],
        ["专项工作群二", "第二项专项工作的通知和报送", "常设群", None, "李明", "县委宣传部", "王芳"],
        ["专项工作群三", "第三项专项工作", "项目群", "2027-06-30", "", "县委宣传部", ""],
    ])
    result = run_charter("batch", groups, "--unit", EXAMPLES / "units" / "county-propaganda", "--out", tmp_path / "out",
                         "--format", "txt", "--jobs", "1")
    assert result.returncode == 2, result.stdout + result.stderr
    lines = {m.group(1): line for line in result.stdout.splitlines() if (m := re.match(r"\W*(\d+)\s", line))}
    assert "已生成" in lines["2"] and "失败" in lines["4"] and "失败" in lines["5"]
    assert "review_every_months" in lines["4"] and "owner" in lines["5"]
    answers = (tmp_path / "out" / "专项工作群一" / "charter.toml").read_text("utf-8")
    assert "dissolve_on = 2027-03-15" in answers


def test_members_from_excel_in_the_questionnaire_reader(tmp_path):
    from charter.interfaces.spreadsheets import read_members

    book = _workbook(tmp_path / "成员.xlsx", [["姓名", "单位", "职务", "角色"], ["张华", "县融媒体中心", "主任", "管理员"],
                                            ["赵磊", "县融媒体中心", 12345, None], ["", "无名", "", ""]])
    members, problems = read_members(book, "zh")
    assert [(m.name, m.title, m.role) for m in members] == [("张华", "主任", "admin"), ("赵磊", "12345", "member")]
    assert len(problems) == 1 and "第 4 行" in problems[0]
    renamed = tmp_path / "成员.csv"
    book.rename(renamed)  # a workbook saved under a CSV name is still read as one
    assert len(read_members(renamed, "zh")[0]) == 2
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    members, problems = read_members(tmp_path / "broken.xlsx", "zh")
    assert not members and "broken.xlsx" in problems[0]


def test_batch_workers_start_clean_where_there_is_no_forkserver(monkeypatch):
    import multiprocessing

    from charter.interfaces import batch

    assert batch.start_method() == "forkserver"
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])  # as on Windows
    assert batch.start_method() == "spawn"


def test_group_names_complete_in_the_shell(tmp_path):
    register = tmp_path / "register"
    for example in ("county-media-event.toml", "school-project-team.toml"):
        run_charter("render", EXAMPLES / example, "--out", register, "--format", "txt")
    (register / "piped").mkdir()  # a pipe where a charter.toml should be: completion must not wait on it
    os.mkfifo(register / "piped" / "charter.toml")
    (register / "piped" / "charter.pdf").write_bytes(b"")
    given = run_charter(env={"_CHARTER_COMPLETE": "bash_complete", "COMP_WORDS": f"charter notice --dir {register} 外宣",
                             "COMP_CWORD": "4"})
    assert given.stdout.splitlines() == ["plain,县融媒体中心外宣活动群"]
    home = run_charter(env={"_CHARTER_COMPLETE": "bash_complete", "COMP_WORDS": "charter renew sci", "COMP_CWORD": "2",
                            "CHARTER_HOME": str(register)})
    assert home.stdout.splitlines() == ["plain,Science Fair 2027 Team"]


def test_a_unit_word_template_that_links_out_or_balloons_is_refused(tmp_path):
    import shutil

    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    template = unit / "templates" / "charter.docx"
    letterhead = docx.Document()
    letterhead.add_paragraph("红头")
    letterhead.part.relate_to("file://127.0.0.1/share/evil.dotm",
                              "http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate",
                              is_external=True)
    letterhead.save(template)
    group = EXAMPLES / "units" / "county-propaganda-group.toml"
    linked = run_charter("render", group, "--unit", unit, "--out", tmp_path / "a", "--format", "docx")
    assert linked.returncode == 2 and "evil.dotm" in linked.stderr
    with zipfile.ZipFile(template, "w", zipfile.ZIP_DEFLATED) as archive:  # 45 MB of empty paragraphs, 100 KB packed
        body = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>' \
            + b"<w:p/>" * 7_500_000 + b"</w:body></w:document>"
        archive.writestr("word/document.xml", body)
    big = run_charter("render", group, "--unit", unit, "--out", tmp_path / "b", "--format", "docx", timeout=60)
    assert big.returncode == 2 and "charter.docx" in big.stderr
    checked = run_charter("unit", "check", unit, timeout=60)
    assert checked.returncode == 2 and "charter.docx" in checked.stderr



@pytest.mark.parametrize("damage", ["truncated sheet", "no sheet", "garbage workbook", "entity"])
def test_a_damaged_workbook_is_bad_input(tmp_path, damage):
    good = _workbook(tmp_path / "good.xlsx", [["群名称", "用途"], ["一", "二"]])
    broken = tmp_path / "groups.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                if damage == "no sheet":
                    continue
                data = {"truncated sheet": b"<worksheet><sheetData><row",
                        "entity": b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                                  b"<worksheet><sheetData><row><c><v>&e;</v></c></row></sheetData></worksheet>"}.get(damage, data)
            if item.filename == "xl/workbook.xml" and damage == "garbage workbook":
                data = b"garbage"
            target.writestr(item, data)
    result = run_charter("batch", broken, "--unit", EXAMPLES / "units" / "county-propaganda", "--out", tmp_path / "out")
    assert result.returncode == 2, result.stderr
    assert "groups.xlsx" in result.stderr and "Traceback" not in result.stderr and "root:" not in result.stderr


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_render_help_names_every_format(lang):
    from charter.core.formats import FORMATS

    shown = run_charter("--lang", lang, "render", "--help").stdout
    option = shown[shown.index("--format"):shown.index("--paper")]
    assert [name for name in FORMATS if name not in option] == []


def test_a_workbook_with_two_columns_for_one_answer_is_refused_as_a_csv_is(tmp_path):
    """The workbook's rows go through the same header reading as a CSV's, refusal included."""
    from charter.interfaces.spreadsheets import read_members

    book = _workbook(tmp_path / "members.xlsx", [[], ["姓名", "name", "单位"], ["张三", "Zhang", "县水利局"]])
    assert read_members(book, "zh") == ([], [f"{book} 有 1 处问题：\n  {book}: 第 2 行：这几列说的是同一件事：姓名、name，请只留一列"])
