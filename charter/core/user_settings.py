"""The user's own settings: where their register lives, so `charter list` works from any folder.

    CHARTER_HOME=/srv/groups              (the environment wins)
    ~/.config/charter/settings.toml       register = "/srv/groups"   (platformdirs' config folder)

Without either, the register is `output/` in the current folder, as it always was.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from .errors import input_error
from .i18n import environment_lang
from .tomlfile import load_kept

DEFAULT_REGISTER = Path("output")


def settings_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir("charter", appauthor=False)) / "settings.toml"


def default_register() -> Path:
    """The register folder a command uses when none is given."""
    home = os.environ.get("CHARTER_HOME", "").strip()
    if home:
        return Path(home).expanduser()
    path = settings_path()
    if not path.is_file():
        return DEFAULT_REGISTER
    try:
        settings = load_kept(path)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise input_error(environment_lang(), "unreadable", source=str(path), detail=str(error)) from None
    register = settings.get("register")
    if register is None:
        return DEFAULT_REGISTER
    if not isinstance(register, str) or not register.strip():
        raise input_error(environment_lang(), "settings_register", field="register", source=str(path))
    return Path(register).expanduser()
