"""The fast paths of a PDF render give the same bytes as the plain ones, and fall back safely.

Four speed-ups sit in front of WeasyPrint: its C declarations read from a prebuilt module
in the user cache instead of parsed anew (render/weasy.py), a child process that imports
WeasyPrint while the answers are read (render/pdf.py), compiled templates kept in the
user cache (core/sandbox.py), and two shortcuts in its font embedding (render/font_embedding.py).
Each may be off, broken or impossible; the PDF must not change.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zlib

import pytest
from conftest import EXAMPLE_FOLDERS, EXAMPLES, run_charter

EXAMPLE = EXAMPLES / "county-media-event.toml"


def _pdf(tmp_path, name: str, env: dict) -> bytes:
    out = tmp_path / name
    result = run_charter("render", EXAMPLE, "--out", out, "--format", "pdf", env=env)
    assert result.returncode == 0, result.stderr
    return next(out.rglob("charter.pdf")).read_bytes()


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> bytes:
    """Neither speed-up: WeasyPrint imported the ordinary way, in this process."""
    return _pdf(tmp_path_factory.mktemp("plain"), "plain", {"CHARTER_NO_PREBUILT_FFI": "1", "CHARTER_NO_PREFORK": "1",
                                                            "CHARTER_NO_TEMPLATE_CACHE": "1"})


@pytest.mark.parametrize("name, env", [
    ("both", {}),
    ("prebuilt only", {"CHARTER_NO_PREFORK": "1"}),
    ("child only", {"CHARTER_NO_PREBUILT_FFI": "1"}),
    ("compiled templates only", {"CHARTER_NO_PREBUILT_FFI": "1", "CHARTER_NO_PREFORK": "1"}),
])
def test_every_path_gives_the_same_pdf(tmp_path, plain, name, env):
    cache = tmp_path / "cache"
    first = _pdf(tmp_path, "first", {**env, "XDG_CACHE_HOME": str(cache)})  # builds the cache
    again = _pdf(tmp_path, "again", {**env, "XDG_CACHE_HOME": str(cache)})  # reads it
    assert first == plain and again == plain


def test_a_damaged_cache_is_passed_over_and_rebuilt(tmp_path, plain):
    cache = tmp_path / "cache"
    _pdf(tmp_path, "build", {"XDG_CACHE_HOME": str(cache)})
    [module] = (cache / "charter" / "weasyprint-ffi").glob("*.py")
    module.write_text("this is not python(")
    assert _pdf(tmp_path, "damaged", {"XDG_CACHE_HOME": str(cache)}) == plain
    assert not module.exists() or module.read_text() != "this is not python("
    assert _pdf(tmp_path, "rebuilt", {"XDG_CACHE_HOME": str(cache)}) == plain
    assert module.is_file() and "ffi" in module.read_text()


def test_a_cache_that_cannot_be_written_is_passed_over(tmp_path, plain):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("a file where the cache folder would go")
    assert _pdf(tmp_path, "blocked", {"XDG_CACHE_HOME": str(blocked)}) == plain


def test_doctor_says_which_path_is_in_use(tmp_path):
    cache = str(tmp_path / "cache")
    assert re.search(r"^\[ok  \] C declarations +prebuilt \(", run_charter("doctor", env={"XDG_CACHE_HOME": cache}).stdout,
                     re.MULTILINE)
    off = run_charter("doctor", env={"XDG_CACHE_HOME": cache, "CHARTER_NO_PREBUILT_FFI": "1"}).stdout
    assert "parsed (prebuilt module switched off)" in off


def test_every_shortcut_applies_on_the_pinned_versions(tmp_path):
    """A WeasyPrint, pydyf or cffi release within the pins whose code no longer matches the one a
    shortcut was checked on would make it fall back silently: slower, and this test says so."""
    doctor = run_charter("doctor", env={"XDG_CACHE_HOME": str(tmp_path / "cache")}).stdout
    lines = {line[7:23].strip(): line[23:].strip() for line in doctor.splitlines()}
    assert lines["C declarations"].startswith("prebuilt (")
    assert lines["font embedding"] == "one subsetting pass for CFF fonts, font files read once"
    assert lines["PDF streams"] == "zlib level 6"


def test_declarations_that_differ_from_the_prebuilt_ones_are_parsed_and_give_the_same_pdf(tmp_path, plain):
    """The fallback inside the prebuilt path: WeasyPrint hands cffi other declarations than the
    module was built from (here, one line more in the prebuilt module's), so cffi parses them."""
    out = tmp_path / "out"
    script = (
        "import sys\n"
        "from charter.render import weasy\n"
        "read = weasy._declarations\n"
        "weasy._declarations = lambda source: read(source) + '\\nint abs(int);'\n"
        "from charter.cli import main\n"
        f"sys.argv = ['charter', 'render', {str(EXAMPLE)!r}, '--out', {str(out)!r}, '--format', 'pdf']\n"
        "try:\n"
        "    main()\n"
        "finally:\n"
        "    print(weasy.prebuilt_state(), file=sys.stderr)\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LANG": "zh_CN.UTF-8", "CHARTER_NO_PREFORK": "1", "XDG_CACHE_HOME": str(tmp_path / "c")})
    assert result.returncode == 0, result.stderr
    assert "parsed (WeasyPrint's declarations differ from the prebuilt module)" in result.stderr
    assert next(out.rglob("charter.pdf")).read_bytes() == plain


def test_pdf_streams_at_pydyfs_own_level_when_its_code_differs(monkeypatch):
    import pydyf

    from charter.render import pdf_streams

    monkeypatch.setattr(pdf_streams, "_CHECKED", "0" * 64)
    monkeypatch.setattr(pydyf, "zlib", zlib)  # as imported, whatever an earlier test installed
    pdf_streams.install()
    assert pdf_streams.streams_state() == "pydyf's own, level 9 (its code differs from the one checked)"
    assert pydyf.zlib is zlib


def test_bad_input_with_the_child_started_still_exits_2_quickly(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('lang = "zh"\n[group]\nname = ""\n', encoding="utf-8")
    result = run_charter("render", bad, "--out", tmp_path / "out", timeout=30)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("args, expected", [
    (["render", "a.toml"], True), (["render", "a.toml", "--format", "html,md"], False),
    (["render", "a.toml", "--format=pdf"], True), (["demo"], True), (["list"], False),
    (["render", "--help"], False), ([], False), (["render", "a.toml", "--format", "poster,txt"], True),
])
def test_the_early_guess_of_a_pdf(args, expected):
    from charter.cli import _makes_pdf

    assert _makes_pdf(args) is expected


def test_a_damaged_template_cache_is_passed_over(tmp_path, plain):
    cache = tmp_path / "cache"
    _pdf(tmp_path, "build", {"XDG_CACHE_HOME": str(cache)})
    compiled = list((cache / "charter").glob("templates-*/*"))
    assert compiled
    for path in compiled:
        path.write_bytes(b"j2 not bytecode")
    assert _pdf(tmp_path, "damaged", {"XDG_CACHE_HOME": str(cache)}) == plain


# ── font embedding ───────────────────────────────────────────────────────────────
def test_font_shortcuts_give_the_same_pdfs_for_every_example(demo_dir, tmp_path):
    """The session's demo (shortcuts on) against a demo without them: each charter and poster, with
    CJK and Latin faces, a unit's letterhead, and both of the one-pass subsetting's branches."""
    plain = tmp_path / "plain"
    result = run_charter("demo", "--out", plain, env={"CHARTER_NO_FONT_SHORTCUTS": "1"})
    assert result.returncode == 0, result.stderr
    pdfs = sorted(path.relative_to(demo_dir) for path in demo_dir.rglob("*.pdf"))
    assert len(pdfs) == 2 * len(EXAMPLE_FOLDERS)
    for pdf in pdfs:
        assert (demo_dir / pdf).read_bytes() == (plain / pdf).read_bytes(), pdf


def test_font_shortcuts_with_characters_no_font_has(tmp_path):
    """Characters outside every installed face are drawn as the font's empty box (its .notdef glyph),
    which HarfBuzz must keep an outline for: the same bytes with and without the shortcuts."""
    source = (EXAMPLES / "county-media-event.toml").read_text("utf-8")
    (tmp_path / "odd.toml").write_text(source.replace('name = "县融媒体中心外宣活动群"', 'name = "外宣𠀀𪚥ᠮᠣᠩ群"'), "utf-8")
    made = {}
    for name, env in (("fast", {}), ("plain", {"CHARTER_NO_FONT_SHORTCUTS": "1"})):
        result = run_charter("render", tmp_path / "odd.toml", "--out", tmp_path / name, "--format", "pdf,poster",
                             env=env)
        assert result.returncode == 0, result.stderr
        made[name] = [path.read_bytes() for path in sorted((tmp_path / name).rglob("*.pdf"))]
    assert len(made["fast"]) == 2 and made["fast"] == made["plain"]



def _cff_font(path, family: str, extra=None) -> None:
    """A small CFF (OpenType) font of boxes for the Latin letters; `extra(builder, letters)` adds to it."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.t2CharStringPen import T2CharStringPen

    letters = list("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    names = letters + [f"{letter}.sc" for letter in "abcdefghijklmnopqrstuvwxyz"]
    builder = FontBuilder(1000, isTTF=False)
    builder.setupGlyphOrder([".notdef", *names])
    builder.setupCharacterMap({ord(letter): letter for letter in letters})
    charstrings = {}
    for n, glyph in enumerate([".notdef", *names]):
        pen = T2CharStringPen(600, None)
        pen.moveTo((50, 0)), pen.lineTo((50, 700 - n)), pen.lineTo((550, 700)), pen.lineTo((550, 0)), pen.closePath()
        charstrings[glyph] = pen.getCharString()
    builder.setupCFF(family.replace(" ", ""), {"FullName": family}, charstrings, {})
    builder.setupHorizontalMetrics({glyph: (600, 50) for glyph in [".notdef", *names]})
    builder.setupHorizontalHeader(ascent=800, descent=-200)
    builder.setupNameTable({"familyName": family, "styleName": "Regular"})
    builder.setupOS2(sTypoAscender=800, sTypoDescender=-200, usWinAscent=800, usWinDescent=200)
    builder.setupPost()
    if extra:
        extra(builder, letters)
    builder.save(str(path))


def _with_fftm(builder, letters) -> None:  # FontForge's table, which HarfBuzz does not know
    from fontTools.ttLib import newTable

    fftm = builder.font["FFTM"] = newTable("FFTM")
    fftm.version, fftm.FFTimeStamp, fftm.sourceCreated, fftm.sourceModified = 1, 0, 0, 0


def _with_small_caps(builder, letters) -> None:  # glyphs no character reaches
    from fontTools.feaLib.builder import addOpenTypeFeaturesFromString

    lower = " ".join(letters[26:])
    capitals = " ".join(f"{letter}.sc" for letter in letters[26:])
    addOpenTypeFeaturesFromString(builder.font, f"languagesystem DFLT dflt;\n"
                                                f"feature smcp {{ sub [{lower}] by [{capitals}]; }} smcp;")


def test_font_shortcuts_with_fonts_the_one_pass_must_leave_alone(tmp_path):
    """WeasyPrint's second pass changes a CFF font with a table HarfBuzz does not know (FontForge's FFTM)
    and one none of whose used glyphs has a character (small capitals), so those must get it; a bold
    used only for a character it lacks and Japanese forms come near the second. Each document the same
    bytes with and without the shortcuts."""
    _cff_font(tmp_path / "fftm.otf", "Fftm Test", _with_fftm)
    _cff_font(tmp_path / "smcp.otf", "Smcp Test", _with_small_caps)
    documents = {
        "bold only for a missing character": "<p>群规正文</p><p><b>𪚥</b></p>",
        "Japanese forms": '<p lang="ja" style="font-weight: bold">直</p><p>群规</p>',
        "unknown table": '<style>@font-face { font-family: F; src: url(fftm.otf) }</style><p style="font-family: F">Hello</p>',
        "small capitals": '<style>@font-face { font-family: S; src: url(smcp.otf) }</style>'
                          '<p style="font-family: S; font-variant-caps: all-small-caps">hello</p>',
    }
    code = f"""
import hashlib
from charter.render.weasy import load
weasyprint = load()
for html in {list(documents.values())!r}:
    print(hashlib.sha256(weasyprint.HTML(string=html, base_url={tmp_path.as_uri() + "/"!r}).write_pdf()).hexdigest())
"""
    fast = _in_python(code).split()
    plain = _in_python(code, CHARTER_NO_FONT_SHORTCUTS="1").split()
    assert len(fast) == len(documents)
    assert [name for name, fast_hash, plain_hash in zip(documents, fast, plain) if fast_hash != plain_hash] == []


def test_only_whole_font_files_are_kept(demo_dir):
    """Subsets WeasyPrint makes of TrueType fonts are new bytes every time: keeping them would fill
    the memory with copies never read again. Here every file is big enough to keep."""
    out = _in_python("""
from charter.render import font_embedding
font_embedding._KEPT_FROM = 0
from charter.render.weasy import load
weasyprint = load()
from weasyprint.pdf import fonts
from weasyprint.text.fonts import FontConfiguration
configuration = FontConfiguration()
counts = []
for _ in range(4):
    weasyprint.HTML(string="<p>Hello <b>world</b> 群规 <b>加粗</b></p>").write_pdf(font_config=configuration)
    counts.append(len(fonts.get_hb_object_data))
print(counts)
""")
    assert out.strip() == "[4, 4, 4, 4]"  # Liberation Sans and Noto Sans CJK SC, regular and bold


def _in_python(code: str, **env) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                            env={"CHARTER_NO_PREFORK": "1", "PATH": "/usr/bin:/bin", **env})
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_font_files_kept_within_their_bound_still_give_the_same_pdfs(demo_dir):
    """Room for one CJK font file only, so regular and bold push each other out in every PDF."""
    folder = demo_dir / EXAMPLE_FOLDERS["county-media-event"]
    _in_python(f"""
from pathlib import Path
from charter.render import font_embedding
font_embedding._KEPT_AT_MOST = 25 << 20
from charter.register.entries import read_entry
from charter.render.documents import render_documents
answers = read_entry(Path({str(folder)!r})).answers
for _ in range(2):
    files = render_documents(answers, ("pdf", "poster"))
    assert files["charter.pdf"] == Path({str(folder)!r}, "charter.pdf").read_bytes()
    assert files["poster.pdf"] == Path({str(folder)!r}, "poster.pdf").read_bytes()
""")


def test_a_weasyprint_whose_subsetting_differs_keeps_its_own():
    out = _in_python("""
import weasyprint.pdf.fonts as fonts
original = fonts.Font._harfbuzz_subset
def changed(self, to_unicode, hinting):  # as a later WeasyPrint might have it
    return original(self, to_unicode, hinting)
fonts.Font._harfbuzz_subset = changed
from charter.render import font_embedding
font_embedding.install()
assert fonts.Font._harfbuzz_subset is changed
print(font_embedding.shortcuts_state())
""")
    assert out.strip() == "font files read once"


def test_doctor_says_which_font_embedding_is_in_use(tmp_path):
    on = run_charter("doctor").stdout
    assert "one subsetting pass for CFF fonts, font files read once" in on
    off = run_charter("doctor", env={"CHARTER_NO_FONT_SHORTCUTS": "1"}).stdout
    assert "WeasyPrint's own (shortcuts switched off)" in off


def test_pdf_streams_are_compressed_at_zlib_level_6(example_folder):
    """pydyf compresses at level 9, twice the time of level 6 on a CJK font subset for 0.2 % less."""
    pdf = (example_folder("county-media-event") / "charter.pdf").read_bytes()
    streams = re.findall(rb"/FlateDecode/Length (\d+)>>\nstream\n", pdf)
    largest = max(int(length) for length in streams)
    start = pdf.index(f"/FlateDecode/Length {largest}>>\nstream\n".encode()) + len(f"/FlateDecode/Length {largest}>>\nstream\n")
    stored = pdf[start:start + largest]
    assert largest > 100_000  # a CJK font subset
    assert zlib.compress(zlib.decompress(stored), 6) == stored != zlib.compress(zlib.decompress(stored), 9)
