"""Jinja2 rendering of the theme's page templates.

A project may override any template by putting a file of the same name in its
``templates/`` folder. Chapter text reaches templates only as finished HTML
(``Markup``): it is never itself rendered as a template.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from policybrief.errors import Location, TemplateError


@lru_cache(maxsize=8)
def environment(theme_dir: Path, project_root: Path,
                overrides: tuple[str, ...] = ()) -> jinja2.Environment:
    """A sandboxed environment: a project's template overrides come with its content
    (and so with its pull requests), and must not reach Python's internals.

    One per theme, project and set of override files, so templates are compiled once
    per process (Jinja2 still reloads a template file that changed)."""
    return ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader([
            jinja2.FileSystemLoader(str(project_root / "templates")),
            jinja2.FileSystemLoader(str(theme_dir / "templates")),
        ]),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(theme_dir: Path, project_root: Path, name: str, variables: dict[str, Any]) -> str:
    folder = project_root / "templates"
    overrides = tuple(sorted(p.name for p in folder.iterdir())) if folder.is_dir() else ()
    env = environment(theme_dir, project_root, overrides)
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else theme_dir / "templates" / name
        raise TemplateError(f"template syntax error: {exc.message}",
                            Location(path, exc.lineno or 0)) from None
    except SecurityError as exc:
        raise TemplateError(f"template {name} tried something unsafe: {exc}",
                            Location(theme_dir / "templates" / name)) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name}: {exc.message}",
                            Location(theme_dir / "templates" / name)) from None
