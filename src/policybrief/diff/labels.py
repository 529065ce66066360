"""The report's labels (headings, legend, column names, statuses) in the edition's
language: the ``diff_*`` interface strings of the theme's catalogues
(``locales/<lang>.yml``; a project's own ``locales/<lang>.yml`` overrides them, as it
overrides every interface string)."""

from __future__ import annotations

from policybrief.i18n import Messages

PREFIX = "diff_"

# The labels the template (diff.html.j2) uses as ``t.<name>``, and the redline's own
# ("working_tree", "was_note"); label ``name`` is the string ``diff_<name>``.
NAMES = (
    "title", "before", "after", "working_tree", "summary", "legend",
    "sources", "sources_counts", "no_sources", "key", "source_title", "change", "field",
    "added", "removed", "changed",
    "figures", "no_figures", "figure_data", "figure_spec", "row", "column",
    "translations", "no_stale", "chapter", "translates", "language", "status",
    "status_before", "paragraphs", "stale", "missing", "current", "untracked",
    "none", "words", "edition", "difference", "changes", "no_changes", "was_note",
)


def labels(messages: Messages) -> dict[str, str]:
    """The report's labels for one edition, from that edition's interface strings."""
    return {name: messages(PREFIX + name) for name in NAMES}


__all__ = ["NAMES", "labels"]
