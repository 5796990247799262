"""Reading the operator's YAML files: one place that turns read and syntax errors into a line."""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.errors import ConfigError


def read_yaml(path: Path, what: str) -> object:
    """The parsed document, or a ConfigError naming the file (and line) and what is wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what} ({exc.strerror})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", exc)
        raise ConfigError(f"{path}:{where}: not valid YAML ({problem})") from None
