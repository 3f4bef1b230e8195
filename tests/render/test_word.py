"""charter.docx as an office opens it, and a unit's Word template read as the untrusted file it is."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
import zipfile
from collections import Counter
from pathlib import Path

import docx
import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, pdf_pages, pdf_text, run_charter, squeeze

from charter.core.i18n import messages
from charter.render.office import converted, office

pytestmark = pytest.mark.slow  # a real browser / office suite: still in `make test`

UNIT_GROUP = EXAMPLES / "units" / "county-propaganda-group.toml"
XXE = '<!DOCTYPE w:fonts [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
LAUGHS = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">' + "".join(
    f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)) + "]>")


def _unit_with_template(tmp_path, part: str | None = None, replace=None):
    """A copy of the bundled unit whose Word template's `part` went through `replace`."""
    unit = shutil.copytree(EXAMPLES / "units" / "county-propaganda", tmp_path / "unit")
    template = unit / "templates" / "charter.docx"
    letterhead = docx.Document()
    letterhead.add_paragraph("红头")
    letterhead.save(template)
    if part:
        with zipfile.ZipFile(template) as source:
            parts = {name: source.read(name) for name in source.namelist()}
        parts[part] = replace(parts[part].decode("utf-8")).encode("utf-8")
        with zipfile.ZipFile(template, "w") as target:
            for name, data in parts.items():
                target.writestr(name, data)
    return unit


def _with_doctype(xml: str, doctype: str, inside: str, body: str = "") -> str:
    """The part with a DOCTYPE after its XML declaration and `body` put after the opening of `inside`."""
    declaration, _, rest = xml.partition("?>")
    head, _, tail = rest.partition(f"<{inside}")
    opening, _, content = tail.partition(">")
    return f"{declaration}?>{doctype}{head}<{inside}{opening}>{body}{content}"


ENTITY_DOCUMENT = ("word/document.xml", lambda xml: _with_doctype(
    xml, '<!DOCTYPE w:document [<!ENTITY org "宣传部">]>', "w:body", "<w:p><w:r><w:t>&org;</w:t></w:r></w:p>"))
XXE_FONTS = ("word/fontTable.xml", lambda xml: _with_doctype(
    xml, XXE, "w:fonts", '<w:font w:name="&x;"/>'))
LAUGHS_DOCUMENT = ("word/document.xml", lambda xml: _with_doctype(
    xml, LAUGHS, "w:body", "<w:p><w:r><w:t>&j;</w:t></w:r></w:p>"))
PICTURE_FIELD = ("word/document.xml", lambda xml: xml.replace(
    "<w:body>", '<w:body><w:p><w:fldSimple w:instr=" INCLUDEPICTURE &quot;http://tracker.example/p.png&quot; \\d">'
    "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>", 1))
TEXT_FIELD = ("word/document.xml", lambda xml: xml.replace(
    "<w:body>", '<w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> INCLUDE</w:instrText></w:r>'
    '<w:r><w:instrText xml:space="preserve">TEXT "/etc/passwd" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>', 1))


NESTED_FIELD = ("word/document.xml", lambda xml: xml.replace(  # the outer field's type is the inner's result
    "<w:body>", '<w:body><w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> QUOTE "INCLUDEPICTURE" </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    '<w:r><w:instrText xml:space="preserve"> "http://tracker.example/p.png" \\d </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>x</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>', 1))
DATABASE_FIELD = ("word/document.xml", lambda xml: xml.replace(
    "<w:body>", '<w:body><w:p><w:fldSimple w:instr=" DATABASE \\d &quot;http://tracker.example/db&quot; ">'
    "<w:r><w:t>x</w:t></w:r></w:fldSimple></w:p>", 1))


@pytest.mark.parametrize("part, replace, names", [
    (*ENTITY_DOCUMENT, "word/document.xml"),
    (*XXE_FONTS, "word/fontTable.xml"),
    (*LAUGHS_DOCUMENT, "word/document.xml"),
    (*PICTURE_FIELD, "INCLUDEPICTURE"),
    (*TEXT_FIELD, "INCLUDETEXT"),
    ("word/document.xml", lambda xml: xml[:len(xml) // 2], "word/document.xml"),
    (*NESTED_FIELD, "INCLUDEPICTURE"),
    (*DATABASE_FIELD, "DATABASE"),
], ids=["entity in document", "XXE in font table", "billion laughs", "INCLUDEPICTURE http", "INCLUDETEXT file",
        "truncated part", "a field named by a field", "DATABASE http"])
def test_a_word_template_with_entities_or_fields_that_load_files_is_refused(tmp_path, part, replace, names):
    unit = _unit_with_template(tmp_path, part, replace)
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx",
                         timeout=60)
    assert result.returncode == 2, result.stderr
    assert "charter.docx" in result.stderr and part in result.stderr and names in result.stderr
    assert "Traceback" not in result.stderr and "root:" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("charter.docx"))


def test_unit_check_refuses_a_word_template_that_loads_files_in_the_unit_language(tmp_path):
    unit = _unit_with_template(tmp_path, *XXE_FONTS)
    checked = run_charter("unit", "check", unit, env={"LANG": "en_GB.UTF-8"}, timeout=120)
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert "Word 模板的 word/fontTable.xml 含有 DOCTYPE" in checked.stderr  # the unit's own language: Chinese


def test_a_word_template_with_harmless_fields_is_used(tmp_path):
    """A page number or a date in the letterhead is what templates are for: not refused."""
    unit = _unit_with_template(tmp_path, "word/document.xml", lambda xml: xml.replace(
        "<w:body>", '<w:body><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>', 1))
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx")
    assert result.returncode == 0, result.stderr


def test_a_word_template_without_document_defaults_gets_the_group_language(tmp_path):
    """Word and WPS write styles.xml without <w:docDefaults> at times: the language is added all the same."""
    unit = _unit_with_template(tmp_path, "word/styles.xml", lambda xml: re.sub(
        r"<w:docDefaults>.*</w:docDefaults>", "", xml, flags=re.S))
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(next((tmp_path / "out").rglob("charter.docx"))) as archive:
        styles = archive.read("word/styles.xml").decode()
    assert re.search(r'<w:docDefaults><w:rPrDefault><w:rPr><w:lang w:val="zh-CN" w:eastAsia="zh-CN"/>', styles)


# ── charter.docx as LibreOffice Writer lays it out ──────────────────────────────────────────
# Every bundled example at A4, and one of each language on the other papers.
PAPERS = {"A4": sorted(EXAMPLE_FOLDERS), "A3": ["county-flood-duty"], "Letter": ["agency-notices"]}
A4_TWIPS = ("11906", "16838")


def _example(stem: str) -> Path:
    return EXAMPLES / "units" / f"{stem}.toml" if stem == "county-propaganda-group" else EXAMPLES / f"{stem}.toml"


@pytest.fixture(scope="session")
def in_writer(tmp_path_factory):
    """(charter.pdf, charter.docx as Writer converts it to PDF) by (paper, example): each example
    rendered once per paper, every Word file converted in one soffice run."""
    if office() is None:
        pytest.fail("the Word tests need LibreOffice (libreoffice-writer-nogui); run `make test`")
    out = tmp_path_factory.mktemp("word-papers")
    rendered = {}
    for paper, stems in PAPERS.items():
        for stem in stems:
            result = run_charter("render", _example(stem), "--out", out / paper, "--format", "pdf,docx", "--paper", paper)
            assert result.returncode == 0, result.stderr
            rendered[paper, stem] = out / paper / EXAMPLE_FOLDERS[stem]
    laid_out = converted({f"{paper}-{stem}.docx": (folder / "charter.docx").read_bytes()
                          for (paper, stem), folder in rendered.items()}, "pdf")
    assert len(laid_out) == len(rendered), f"LibreOffice converted only {sorted(laid_out)}"
    pairs = {}
    for (paper, stem), folder in rendered.items():
        word = folder / "charter-in-writer.pdf"
        word.write_bytes(laid_out[f"{paper}-{stem}.docx"])
        pairs[paper, stem] = (folder / "charter.pdf", word)
    return pairs


@pytest.mark.parametrize("paper, stem", [(paper, stem) for paper, stems in PAPERS.items() for stem in stems])
def test_the_word_file_runs_to_the_pdf_pages_in_writer(in_writer, paper, stem):
    pdf, word = in_writer[paper, stem]
    assert pdf_pages(word) == pdf_pages(pdf)


def _first_heading(stem: str) -> str:
    data = tomllib.loads(_example(stem).read_text("utf-8"))
    return "一、用途与范围" if data.get("lang", "zh") == "zh" else "1.Purposeandscope"


@pytest.mark.parametrize("stem", sorted(set(EXAMPLE_FOLDERS) - {"county-propaganda-group"}))  # its own HTML signature
def test_the_word_file_in_writer_reads_as_the_pdf(in_writer, stem):
    """The same words in the same order, line breaks aside; the facts table's cells, which each
    reader lists in its own order, the same characters."""
    pdf, word = (squeeze(subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                                        text=True, check=True).stdout) for path in in_writer["A4", stem])
    heading = _first_heading(stem)
    pdf_facts, _, pdf_rules = pdf.partition(heading)
    word_facts, _, word_rules = word.partition(heading)
    assert word_rules == pdf_rules
    assert Counter(word_facts) == Counter(pdf_facts)


@pytest.mark.parametrize("stem", ["county-media-event", "council-flood-duty"])
def test_the_facts_labels_stay_on_one_line_in_a_narrow_column(in_writer, stem):
    _, word = in_writer["A4", stem]
    lines = pdf_text(word).splitlines()
    labels = messages(tomllib.loads(_example(stem).read_text("utf-8")).get("lang", "zh"))
    for key in ("purpose", "owner", "effective"):
        assert any(line.startswith(labels[key]) for line in lines), labels[key]
    with zipfile.ZipFile(word.with_name("charter.docx")) as archive:
        grid = [int(w) for w in re.findall(r'<w:gridCol w:w="(\d+)"/>', archive.read("word/document.xml").decode())]
    assert grid[0] * 2 < grid[1] and grid[2] * 2 < grid[3]


@pytest.mark.parametrize("stem, paper, size, lang", [
    ("county-media-event", "A4", A4_TWIPS, "zh-CN"),
    ("council-flood-duty", "A4", A4_TWIPS, "en-GB"),
    ("agency-notices", "Letter", ("12240", "15840"), "en-GB"),
    ("county-flood-duty", "A3", ("16838", "23811"), "zh-CN"),
])
def test_the_word_file_has_the_pdf_paper_and_the_group_language(in_writer, stem, paper, size, lang):
    with zipfile.ZipFile(in_writer[paper, stem][1].with_name("charter.docx")) as archive:
        document = archive.read("word/document.xml").decode()
        styles = archive.read("word/styles.xml").decode()
        fonts = archive.read("word/fontTable.xml").decode()
    assert f'<w:pgSz w:w="{size[0]}" w:h="{size[1]}"/>' in document
    if paper != "A3":  # the PDF's margins (A3's are √2 larger), the text as wide as on A4
        # 10 and 11 mm, or 8 and 9 mm when the page is set closer to keep to one sheet
        assert re.search(r'<w:pgMar w:top="(567|454)" w:right="\d+" w:bottom="(624|510)" w:left="794"', document)
    assert f'<w:lang w:val="{lang}" w:eastAsia="zh-CN"' in styles  # what the document says by default
    assert f'<w:lang w:val="{lang}" w:eastAsia="zh-CN"/>' in document  # and each run charter wrote
    assert "en-US" not in styles + document
    assert re.search(r'w:name="仿宋".*?w:altName w:val="Noto Serif CJK SC"', fonts, re.S)


def test_a_unit_word_template_keeps_its_page_and_unit_check_says_when_the_charter_runs_longer(tmp_path):
    """python-docx's own template: US Letter with 1.25-inch sides, too narrow for a one-page charter."""
    unit = _unit_with_template(tmp_path)
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx")
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(next((tmp_path / "out").rglob("charter.docx"))) as archive:
        document = archive.read("word/document.xml").decode()
    assert '<w:pgSz w:w="12240" w:h="15840"/>' in document and 'w:left="1800"' in document
    checked = run_charter("unit", "check", unit, timeout=180)
    assert checked.returncode == 2
    assert re.search(r"^county-media-event\.toml: 用本单位的 Word 模板，charter\.docx 排出 2 页.*PDF 只有 1 页",
                     checked.stderr, re.M), checked.stderr


def test_a_word_part_is_read_whatever_the_case_of_its_name(tmp_path):
    """word/document.XML is the document to Word and LibreOffice alike: its fields are checked too."""
    unit = _unit_with_template(tmp_path, *PICTURE_FIELD)
    template = unit / "templates" / "charter.docx"
    with zipfile.ZipFile(template) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    renamed = {("word/document.XML" if name == "word/document.xml" else name):
               data.replace(b"document.xml", b"document.XML") if name.endswith(".rels") or "Content_Types" in name
               else data for name, data in parts.items()}
    with zipfile.ZipFile(template, "w") as target:
        for name, data in renamed.items():
            target.writestr(name, data)
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx",
                         timeout=60)
    assert result.returncode == 2 and "word/document.XML" in result.stderr and "INCLUDEPICTURE" in result.stderr
