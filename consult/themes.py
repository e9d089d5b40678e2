"""Themes and theme frameworks: the dataclass, catch-all themes and the framework JSON file."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from consult.errors import ConsultError

Origin = Literal["discovered", "framework", "reviewer", "model"]
# the whole label: "Other", "Other (please specify)", "None of the above." but not "Other sports"
_CATCH_ALL = re.compile(r"^(none of the above|no reason given|other|no substantive answer)"
                        r"\W*(please specify)?\W*$", re.I)


@dataclass(frozen=True)
class Theme:
    """A theme: a short label, a one-sentence description, and where it came from."""

    theme_id: str
    label: str
    description: str = ""
    origin: Origin = "discovered"

    @property
    def text(self) -> str:
        """Label and description as one string (what is embedded and shown to a model)."""
        return f"{self.label}: {self.description}" if self.description else self.label

    @property
    def catch_all(self) -> bool:
        """True for 'None of the above'-style themes, which hold responses fitting no other."""
        return bool(_CATCH_ALL.match(self.label.strip()))


@dataclass(frozen=True)
class Framework:
    """A list of themes for one question, possibly signed off by a reviewer."""

    themes: tuple[Theme, ...]
    signed_off: bool = False
    signed_off_by: str = ""


def load_framework(path: Path) -> Framework:
    """Read our framework JSON or Themefinder's ``themes.json`` (topic_id, topic_label, ...)."""
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConsultError(f"Could not read the theme framework {path}: {exc}.") from exc
    return parse_framework(data, str(path))


def framework_from_json(text: str | bytes, name: str = "the framework") -> Framework:
    """A framework from JSON text (an uploaded file), in either layout."""
    try:
        data: Any = json.loads(text)
    except ValueError as exc:
        raise ConsultError(f"{name} is not a theme framework (not JSON: {exc}).") from exc
    return parse_framework(data, name)


def parse_framework(data: Any, name: str = "the framework") -> Framework:
    """Build a Framework from parsed JSON in either layout."""
    items = data.get("themes") if isinstance(data, dict) else data
    if not isinstance(items, list) or not items:
        raise ConsultError(
            f"{name} holds no themes: expected a list of themes or "
            "{'themes': [...]}. Check the file."
        )
    themes = tuple(_theme(item, i, name) for i, item in enumerate(items))
    if len({t.theme_id for t in themes}) != len(themes):
        raise ConsultError(f"{name} uses a theme id twice; give every theme its own id.")
    signed = bool(data.get("signed_off", False)) if isinstance(data, dict) else False
    by = str(data.get("signed_off_by", "")) if isinstance(data, dict) else ""
    return Framework(themes, signed, by)


def _theme(item: Any, at: int, name: str) -> Theme:
    if not isinstance(item, dict):
        raise ConsultError(f"Theme {at + 1} in {name} is not an object with a label.")
    label = str(item.get("label") or item.get("topic_label") or "").strip()
    if not label:
        raise ConsultError(f"Theme {at + 1} in {name} has no label.")
    theme_id = str(item.get("theme_id") or item.get("topic_id") or f"T{at + 1}")
    description = str(item.get("description") or item.get("topic_description") or "").strip()
    return Theme(theme_id, label, description, "framework")


def framework_to_json(framework: Framework) -> dict[str, Any]:
    """The JSON form written by ``save_framework`` and read by ``parse_framework``."""
    return {
        "signed_off": framework.signed_off,
        "signed_off_by": framework.signed_off_by,
        "themes": [asdict(t) for t in framework.themes],
    }


def save_framework(framework: Framework, path: Path) -> None:
    """Write a framework as JSON (UTF-8)."""
    path.write_text(json.dumps(framework_to_json(framework), indent=2), encoding="utf-8")
