"""What a process keeps from one layout (and, in ``brief watch``, one build) to the
next: all of it in one object the build receives, never in module globals.

A one-off build gets a fresh :class:`WarmState` (the front matter is still laid out
once, not twice); ``brief watch`` keeps one for its whole life, so an edit lays out
only the sections it changed and replays the paint of every other page.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from policybrief.errors import Diagnostic

# Bounds, so a long watch session does not grow without limit.
MAX_SECTIONS = 512
MAX_LAYOUTS = 256


@dataclass
class WarmState:
    """Caches keyed by the content they were computed from."""

    keep_paint: bool = False  # record each page's paint for the next build
    # top-level section key -> (its HTML, pandoc's warnings converting it)
    sections: dict[str, tuple[str, list[Diagnostic]]] = field(default_factory=dict)
    layouts: dict[str, Any] = field(default_factory=dict)  # print HTML key -> Layout
    stylesheets: dict[str, list[Any]] = field(default_factory=dict)  # parsed, by content
    fonts: Any = None  # WeasyPrint's FontConfiguration, made once per process
    templates: dict[Any, Any] = field(default_factory=dict)  # Jinja2 environments

    def remember_section(self, key: str, value: tuple[str, list[Diagnostic]]) -> None:
        if len(self.sections) >= MAX_SECTIONS:
            self.sections.clear()
        self.sections[key] = value

    def remember_layout(self, key: str, layout: Any) -> None:
        if len(self.layouts) >= MAX_LAYOUTS:
            self.layouts.clear()
        self.layouts[key] = layout
