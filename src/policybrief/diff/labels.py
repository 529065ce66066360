"""The report's labels (headings, legend, column names, statuses) in the edition's
language: the ``diff_*`` interface strings of the theme's catalogues
(``locales/<lang>.yml``; a project's own ``locales/<lang>.yml`` overrides them, as it
overrides every interface string)."""

from __future__ import annotations

from policybrief.i18n import Messages

PREFIX = "diff_"

# The labels the template (diff.html.j2) uses as ``t.<name>``, and the redline's own
# ("working_tree", "was_note", "deleted_note", "where"); label ``name`` is the string
# ``diff_<name>``.
NAMES = (
    "title", "before", "after", "working_tree", "summary", "legend",
    "sources", "sources_counts", "no_sources", "key", "source_title", "change", "field",
    "added", "removed", "changed",
    "figures", "no_figures", "figure_data", "figure_spec", "row", "column",
    "translations", "no_stale", "chapter", "translates", "language", "status",
    "status_before", "paragraphs", "stale", "missing", "current", "untracked",
    "none", "words", "edition", "difference", "changes", "no_changes", "was_note",
    "deleted_note", "sources_added", "sources_removed", "sources_changed", "where",
)


class Counted(str):
    """A label with a count in it (``{n}``): ``.format(n=3)`` takes the plural form
    the edition's language uses for 3."""

    messages: Messages
    key: str

    def format(self, *args: object, **values: object) -> str:
        n = values.pop("n", None)
        if isinstance(n, int):
            return self.messages.count(self.key, n, **values)
        return super().format(*args, n=n, **values) if n is not None else \
            super().format(*args, **values)


def _label(messages: Messages, name: str) -> str:
    text = Counted(messages(PREFIX + name))
    text.messages, text.key = messages, PREFIX + name
    return text


def labels(messages: Messages) -> dict[str, str]:
    """The report's labels for one edition, from that edition's interface strings."""
    return {name: _label(messages, name) for name in NAMES}


__all__ = ["NAMES", "labels"]
