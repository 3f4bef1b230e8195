"""The files a charter is made of, by format (a module of its own: the CLI reads it before anything heavy)."""

ANSWERS_FILE = "charter.toml"
FILE_NAMES = {
    "pdf": "charter.pdf",
    "html": "charter.html",
    "md": "charter.md",
    "txt": "announcement.txt",
    "ics": "charter.ics",
    "poster": "poster.pdf",
    "docx": "charter.docx",
}
FORMATS = tuple(FILE_NAMES)
DEFAULT_FORMATS = ("pdf", "html", "md", "txt", "ics", "poster")  # Word only when asked for
