"""Jinja2 rendering of the theme's page templates.

Templates come from the theme's stack of folders (:mod:`policybrief.theme`), the
project's ``templates/`` first. Chapter text reaches templates only as finished HTML
(``Markup``): it is never itself rendered as a template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from policybrief.errors import Location, TemplateError
from policybrief.theme import Theme


class ThemeLoader(jinja2.BaseLoader):
    """Templates found as every theme file is (:meth:`Theme.find`): from the first
    folder of the stack that has it, never through a link that leaves its folder
    (``{% include %}`` of a symlink to a file of the machine is refused)."""

    def __init__(self, theme: Theme) -> None:
        self.theme = theme

    def get_source(self, environment: jinja2.Environment,
                   template: str) -> tuple[str, str, Any]:
        parts = template.replace("\\", "/").split("/")
        if any(part in ("", ".", "..") for part in parts):
            raise jinja2.TemplateNotFound(template)
        path = self.theme.find("templates/" + "/".join(parts))
        if path is None:
            raise jinja2.TemplateNotFound(template)
        mtime = path.stat().st_mtime_ns
        source = path.read_text(encoding="utf-8")
        return source, str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime


def environment(theme: Theme, cache: dict[Any, Any] | None = None) -> jinja2.Environment:
    """A sandboxed environment: a project's templates and theme folder come with its
    content (and so with its pull requests), and must not reach Python's internals.

    Kept in ``cache`` (a warm state's) per set of template files, so templates are
    compiled once per process (Jinja2 still reloads a template file that changed)."""
    folders = theme.template_folders()
    key = tuple((str(f), tuple(sorted(p.name for p in f.iterdir()))) for f in folders)
    if cache is not None and key in cache:
        env: jinja2.Environment = cache[key]
        return env
    env = ImmutableSandboxedEnvironment(
        loader=ThemeLoader(theme),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if cache is not None:
        cache[key] = env
    return env


def render(theme: Theme, name: str, variables: dict[str, Any],
           cache: dict[Any, Any] | None = None) -> str:
    """Template ``name`` of the theme, rendered with ``variables``."""
    where = Location(theme.find(f"templates/{name}") or Path("templates") / name)
    env = environment(theme, cache)
    try:
        return env.get_template(name).render(**variables)
    except jinja2.TemplateSyntaxError as exc:
        path = Path(exc.filename) if exc.filename else where.path
        raise TemplateError(f"template syntax error: {exc.message}",
                            Location(path, exc.lineno or 0)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateError(f"theme '{theme.name}' has no template {exc.name}",
                            theme.where) from None
    except SecurityError as exc:
        raise TemplateError(f"template {name} tried something unsafe: {exc}", where) from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"template {name}: {exc.message}", where) from None
