"""charter.docx as an office opens it, and a unit's Word template read as the untrusted file it is."""

from __future__ import annotations

import shutil
import zipfile

import docx
import pytest
from conftest import EXAMPLES, run_charter

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


@pytest.mark.parametrize("part, replace, names", [
    (*ENTITY_DOCUMENT, "word/document.xml"),
    (*XXE_FONTS, "word/fontTable.xml"),
    (*LAUGHS_DOCUMENT, "word/document.xml"),
    (*PICTURE_FIELD, "INCLUDEPICTURE"),
    (*TEXT_FIELD, "INCLUDETEXT"),
], ids=["entity in document", "XXE in font table", "billion laughs", "INCLUDEPICTURE http", "INCLUDETEXT file"])
def test_a_word_template_with_entities_or_fields_that_load_files_is_refused(tmp_path, part, replace, names):
    unit = _unit_with_template(tmp_path, part, replace)
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx",
                         timeout=60)
    assert result.returncode == 2, result.stderr
    assert "charter.docx" in result.stderr and part in result.stderr and names in result.stderr
    assert "Traceback" not in result.stderr and "root:" not in result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("charter.docx"))
    english = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx",
                          env={"LANG": "en_GB.UTF-8"}, timeout=60)
    assert english.returncode == 2 and part in english.stderr
    checked = run_charter("unit", "check", unit, timeout=120)
    assert checked.returncode == 2 and part in checked.stderr


def test_a_word_template_with_harmless_fields_is_used(tmp_path):
    """A page number or a date in the letterhead is what templates are for: not refused."""
    unit = _unit_with_template(tmp_path, "word/document.xml", lambda xml: xml.replace(
        "<w:body>", '<w:body><w:p><w:fldSimple w:instr=" PAGE "><w:r><w:t>1</w:t></w:r></w:fldSimple></w:p>', 1))
    result = run_charter("render", UNIT_GROUP, "--unit", unit, "--out", tmp_path / "out", "--format", "docx")
    assert result.returncode == 0, result.stderr
