"""A unit's folder: its letterhead, default and locked answers, extra rules and templates.

    unit.toml    [unit] name, short name, contact, logo, version, language;
                 [defaults] and [locked] answers; [params] and [[rules]] added to the
                 catalogue (a rule with a built-in id replaces it); disabled built-in rules.
    templates/   overrides; a template extends "builtin/<name>" and replaces blocks.
    assets/      the logo, fonts, extra CSS; the only files a PDF render may read.

A unit folder may come from another office, so every path it names must stay inside it,
links included.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeAlias

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..core.dotted import MISSING, Tree, get, leaves, merged, put
from ..core.errors import InputError, Problem, input_error
from ..core.i18n import environment_lang, lang_or, text
from ..core.resources import examples_dir
from ..core.tomlfile import Loc, key_lines, line_of, read_toml
from .answers import Lang, StrictModel, answers_model, param_field
from .catalogue import Audience, Catalogue, Param, Profile, Rule, builtin_catalogue
from .unit_facets import facet_problems
from .validation import error_message, field_problem, problems_from

UNIT_FILE = "unit.toml"


class UnitInfo(StrictModel):
    name: str
    short_name: str = ""
    contact: str = ""
    logo: str | None = None  # a file under assets/, relative to the unit folder
    version: str = "1"
    lang: Lang = "zh"


class UnitFile(StrictModel):
    unit: UnitInfo
    defaults: dict[str, Any] = {}
    locked: dict[str, Any] = {}
    params: dict[str, Param] = {}
    profiles: dict[str, Profile] = {}  # added to the built-in ones (a built-in name replaces it)
    audiences: dict[str, Audience] = {}  # who a unit's groups are for, added like profiles
    rules: list[Rule] = []
    disabled: list[str] = []
    locked_rules: list[str] = []  # rules no group may reword (rules.text)


@dataclass(frozen=True)
class Unit:
    root: Path
    info: UnitInfo
    defaults: Tree
    locked: Tree
    catalogue: Catalogue
    locked_rules: frozenset[str] = frozenset()

    @property
    def templates(self) -> Path | None:
        folder = self.root / "templates"
        return folder if folder.is_dir() else None

    @property
    def assets(self) -> Path:
        return self.root / "assets"

    @property
    def names(self) -> set[str]:
        """The names an answers file records this unit by (unit_name, unit_path)."""
        return {self.info.name, str(self.root.resolve())}

    def is_locked(self, path: str) -> bool:
        return path in leaves(self.locked)

    def lock_changes(self, data: Tree) -> tuple[list[str], list[tuple[str, Any, Any]]]:
        """Where the answers differ from what the unit locks: (paths the user changed, which is bad
        input; (path, was, now) the unit changed since a charter was rendered with them). Only a
        rendered charter.toml records the locked answers it was made with (unit_locked): a value
        that still matches its record, or that was not locked then, is the unit's doing."""
        record = data.get("unit_locked") if isinstance(data.get("unit_locked"), dict) else None
        edited: list[str] = []
        changed: list[tuple[str, Any, Any]] = []
        for path, value in leaves(self.locked).items():
            given = get(data, path, MISSING)
            if given is MISSING or given == value:
                continue
            if record is not None and get(record, path, MISSING) in (MISSING, given):
                changed.append((path, given, value))
            else:
                edited.append(path)
        return edited, changed

    def apply(self, data: Tree, lines: Mapping[Loc, int] | None = None, source: str = "",
              keep_recorded: bool = False) -> Tree:
        """The answers with the unit's defaults under them and its locked answers enforced. A locked
        answer the unit changed after the charter was rendered takes the unit's new value, or, with
        keep_recorded (reading the register), stays what the charter was rendered with."""
        lang = lang_or(data.get("lang"), self.info.lang)
        edited, changed = self.lock_changes(data)
        if edited:
            raise InputError([Problem(path, text(lang, "errors.locked", unit=self.info.name, value=get(self.locked, path)),
                                      line_of(lines or {}, tuple(path.split(".")))) for path in edited], source, lang)
        if not keep_recorded:  # the register shows a charter as it was rendered, before the rule was locked
            self._refuse_reworded_locks(data, lines, source, lang)
        if keep_recorded and isinstance(data.get("unit_version"), str):
            # A rendered charter holds every answer it was made with (what equals a field's own
            # default is left out, and must stay that default): the unit's defaults are not laid
            # under it again, nor its locks over it.
            return data
        kept = {path for path, _, _ in changed} if keep_recorded else set()
        result = merged(merged({"lang": self.info.lang}, self.defaults), data)
        for path, value in leaves(self.locked).items():
            if path not in kept and _tables_on_the_way(result, path):  # `rules = 1` is for validation to name
                put(result, path, value)
        return result

    def _refuse_reworded_locks(self, data: Tree, lines: Mapping[Loc, int] | None, source: str, lang: str) -> None:
        reworded = get(data, "rules.text", {})
        locked = [rule_id for rule_id in reworded if rule_id in self.locked_rules] if isinstance(reworded, dict) else []
        if locked:
            raise InputError([Problem(f"rules.text.{rule_id}", text(lang, "errors.rule_locked", unit=self.info.name,
                                                                     rule=rule_id),
                                      line_of(lines or {}, ("rules", "text", rule_id))) for rule_id in locked],
                             source, lang)

    def plain(self) -> dict[str, Any]:
        """What a template may know of the unit: its [unit] table as plain data."""
        return self.info.model_dump()


def _tables_on_the_way(tree: Tree, path: str) -> bool:
    node: Any = tree
    for part in path.split(".")[:-1]:
        node = node.get(part, {})
        if not isinstance(node, dict):
            return False
    return True


def _param_problems(params: dict[str, Param], lines: Mapping[Loc, int], lang: str) -> list[Problem]:
    """A choice parameter needs choices, and every default of a parameter must be a value it allows."""
    problems: list[Problem] = []
    for name, param in params.items():
        where = ("params", name)
        defaults = {"default": param.default, "default_zh": param.default_zh, "default_en": param.default_en,
                    **{f"by_kind.{kind}": value for kind, value in param.by_kind.items()}}
        if param.type == "choice" and not param.choices:
            problems.append(Problem(f"params.{name}.choices", text(lang, "errors.no_choices"),
                                    line_of(lines, where)))
            continue
        if param.type == "choice" and param.default is None and None in (param.default_zh, param.default_en):
            # a group that does not answer gets the default, which a rule text then says in words
            problems.append(Problem(f"params.{name}.default", text(lang, "errors.no_choice_default"),
                                    line_of(lines, where)))
        field = TypeAdapter(param_field(param)[0])
        for key, value in defaults.items():
            if value is None:
                continue
            try:
                field.validate_python(value)
            except ValidationError as error:
                problems.append(Problem(f"params.{name}.{key}", error_message(lang, error.errors()[0]),
                                        line_of(lines, (*where, *key.split(".")))))
    return problems


def catalogue_of(unit: Unit | None) -> Catalogue:
    """The rules a group draws on: its unit's catalogue, or the built-in one."""
    return unit.catalogue if unit else builtin_catalogue()


def builtin_units() -> Path:
    return examples_dir() / "units"


def unit_reference(unit: Unit, out_dir: Path) -> tuple[str, str | None]:
    """How a rendered charter.toml names its unit: a unit that comes with charter by its name alone
    (never a path into site-packages, which a reinstall moves), any other by its path relative to
    the group's folder, and by its absolute path for when the register moves without it."""
    if unit.root.parent == builtin_units().resolve():
        return unit.root.name, None
    return Path(os.path.relpath(unit.root, out_dir.resolve() / "group")).as_posix(), str(unit.root)


def is_unit(folder: Path) -> bool:
    try:
        return (folder / UNIT_FILE).is_file()
    except (OSError, ValueError):  # a name too long for the system, a NUL in it
        return False


def _named(folder: Path, name: str) -> bool:
    try:
        return is_unit(folder) and get(read_toml(folder / UNIT_FILE)[0], "unit.name") == name
    except InputError:
        return False


def find_unit(answers_file: Path, data: Tree) -> Path | None:
    """The unit folder an answers file names: relative to the file; a unit that comes with charter
    by name; the absolute path it was rendered with. A rendered charter (which records its unit's
    name) that moved, or was made by a charter installed elsewhere, also finds a unit of that name
    in a folder of the same name beside the register or above it (there, or in its units/), or
    among the units that come with charter. None when the file names no unit; the path as written
    when none of these is one (the error names it)."""
    named = data.get("unit")
    if not isinstance(named, str) or not named:
        return None
    written = answers_file.parent / named
    tried = [written]
    if "/" not in named and "\\" not in named:
        tried.append(builtin_units() / named)
    absolute = data.get("unit_path")
    if isinstance(absolute, str) and absolute:
        tried.append(Path(absolute))
    for folder in tried:
        if is_unit(folder):
            return folder
    recorded = data.get("unit_name")
    if isinstance(recorded, str):
        base = Path(named.replace("\\", "/")).name
        nearby = [folder for above in answers_file.resolve().parents[1:6] for folder in (above / base,
                                                                                         above / "units" / base)]
        for folder in [*nearby, builtin_units() / base]:
            if _named(folder, recorded):
                return folder
    return written


def asset_file(unit_root: Path, relative: str) -> Path | None:
    """The file under the unit's assets/ that `relative` (to the unit folder) names; None when it
    leaves that folder (.., an absolute path, a link pointing out) or is not a file."""
    if not relative or Path(relative).is_absolute():
        return None
    target = (unit_root / relative).resolve()
    return target if target.is_relative_to(unit_root.resolve() / "assets") and target.is_file() else None


def _unit_catalogue(unit_file: UnitFile) -> Catalogue:
    builtin = builtin_catalogue()
    replacing = {rule.id: rule for rule in unit_file.rules}
    rules = [replacing.pop(r.id, r) for r in builtin.rules if r.id not in unit_file.disabled]
    rules += [r for r in unit_file.rules if r.id in replacing]
    return builtin.model_copy(update={
        "params": {**builtin.params, **unit_file.params}, "profiles": {**builtin.profiles, **unit_file.profiles},
        "audiences": {**builtin.audiences, **unit_file.audiences}, "rules": tuple(rules)})


def _known_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, field in model.model_fields.items():
        inner = [a for a in getattr(field.annotation, "__args__", (field.annotation,))
                 if isinstance(a, type) and issubclass(a, BaseModel)]
        if inner and not str(field.annotation).startswith("list"):
            paths += _known_paths(inner[0], f"{prefix}{name}.")
        else:
            paths.append(prefix + name)
    return paths


def _check_answer_tree(tree: Tree, table: str, catalogue: Catalogue, lines: Mapping[Loc, int],
                       lang: str) -> list[Problem]:
    """Every key of [defaults] or [locked] must be an answers-file field with a valid value."""
    model = answers_model(catalogue)
    problems: list[Problem] = []
    for path, value in leaves(tree).items():
        loc = (table, *path.split("."))
        try:
            problem = field_problem(model, path, value, lang)
        except (KeyError, StopIteration):
            close = difflib.get_close_matches(path, _known_paths(model), n=1)
            problem = text(lang, "errors.extra_forbidden") + (
                text(lang, "errors.did_you_mean", suggestion=close[0]) if close else "")
        if problem:
            problems.append(Problem(".".join(map(str, loc)), problem, line_of(lines, loc)))
    return problems


def _links_out(folder: Path) -> list[Path]:
    """Every link in the unit's files (unit.toml, templates/, assets/, at any depth) that leads
    outside the unit folder, a broken one included. Templates, assets and the PDF renderer check
    each path again when they use it; this names them all at once, before anything renders."""
    root = folder.resolve()
    found, seen = [], set()

    def visit(path: Path) -> None:
        target = path.resolve()
        if not target.is_relative_to(root):
            found.append(path)
        elif target.is_dir() and target not in seen:  # seen: a link to a folder above would loop
            seen.add(target)
            for child in sorted(path.iterdir()):
                visit(child)

    for name in (UNIT_FILE, "templates", "assets"):
        if (folder / name).is_symlink() or (folder / name).exists():
            visit(folder / name)
    return found


# Each of a unit's paths as the system sees it: of the link and of what it leads to, (inode, device,
# size, mtime, ctime); None when it cannot be read.
_Seen: TypeAlias = tuple[tuple[int, int, int, int, int], ...] | None
_Signature: TypeAlias = tuple[_Seen, ...]


def _signature(folder: Path) -> _Signature:
    """What a loaded unit depends on, as the system sees it now: unit.toml's content and the
    entries of the unit, templates/ and assets/ folders (a link made or retargeted in them
    changes their mtime and ctime). Templates are read afresh whenever they render."""
    signature: list[_Seen] = []
    for path in (folder, folder / UNIT_FILE, folder / "templates", folder / "assets"):
        try:
            found = os.stat(path, follow_symlinks=False)
            target = os.stat(path) if stat.S_ISLNK(found.st_mode) else found
        except (OSError, ValueError):
            signature.append(None)
            continue
        signature.append(tuple((s.st_ino, s.st_dev, s.st_size, s.st_mtime_ns, s.st_ctime_ns) for s in (found, target)))
    return tuple(signature)


_loaded: dict[_Signature, Unit] = {}
_LOADED_KEPT = 32


def load_unit(folder: Path) -> Unit:
    """A unit folder, validated; problems raise InputError naming the file, line and field.

    A register reads one unit for each of its groups: the same folder, unchanged since
    (_signature), is the same Unit, without reading and checking it again."""
    key = _signature(Path(folder))  # the folder's own device and inode name it, however it is spelled
    if key not in _loaded or key[0] is None:
        unit = _load_unit(Path(folder))
        while len(_loaded) >= _LOADED_KEPT:
            _loaded.pop(next(iter(_loaded)))
        _loaded[key] = unit
    return _loaded[key]


def _load_unit(folder: Path) -> Unit:
    source = folder / UNIT_FILE
    if not is_unit(folder):
        raise input_error(environment_lang(), "not_a_unit", path=str(folder)[:300])
    links = [Problem(link.relative_to(folder).as_posix(), text(environment_lang(), "errors.link_outside", path=str(link)))
             for link in _links_out(folder)]
    if links:  # before unit.toml is read: it may be one of them
        raise InputError(links, str(source), environment_lang())
    data, source_text = read_toml(source)
    lang = lang_or(get(data, "unit.lang") if isinstance(data.get("unit"), dict) else None, environment_lang())
    lines = key_lines(source_text)
    try:
        unit_file = UnitFile.model_validate(data)
    except ValidationError as error:
        raise InputError(problems_from(error, UnitFile, lines, lang), str(source), lang) from None
    problems = _param_problems(unit_file.params, lines, lang)
    if problems:  # the catalogue cannot even be built from them
        raise InputError(problems, str(source), lang)
    catalogue = _unit_catalogue(unit_file)
    known = builtin_catalogue().rule_ids()
    for index, rule_id in enumerate(unit_file.disabled):
        if rule_id not in known:
            problems.append(Problem(f"disabled[{index}]", text(lang, "errors.unknown_rule", rule=rule_id),
                                    line_of(lines, ("disabled",))))
    for index, rule_id in enumerate(unit_file.locked_rules):
        if rule_id not in catalogue.rule_ids():
            problems.append(Problem(f"locked_rules[{index}]", text(lang, "errors.unknown_rule", rule=rule_id),
                                    line_of(lines, ("locked_rules",))))
    for index, rule in enumerate(unit_file.rules):
        if rule.category not in catalogue.categories.order:
            problems.append(Problem(f"rules[{index}].category", text(
                lang, "errors.unknown_choice", expected=", ".join(catalogue.categories.order)),
                line_of(lines, ("rules", index, "category"))))
    problems += facet_problems({"profiles": unit_file.profiles, "audiences": unit_file.audiences}, unit_file.rules,
                               catalogue, lines, lang)
    problems += _check_answer_tree(unit_file.defaults, "defaults", catalogue, lines, lang)
    problems += _check_answer_tree(unit_file.locked, "locked", catalogue, lines, lang)
    logo = unit_file.unit.logo
    if logo and asset_file(folder, logo) is None:
        problems.append(Problem("unit.logo", text(lang, "errors.asset_outside", path=logo),
                                line_of(lines, ("unit", "logo"))))
    if problems:
        raise InputError(problems, str(source), lang)
    return Unit(folder.resolve(), unit_file.unit, unit_file.defaults, unit_file.locked, catalogue,
                frozenset(unit_file.locked_rules))
