"""The command: ``brief diff BASE [HEAD]`` writes ``<out>/diff/<lang>.html``, the
redline of every edition between two revisions of the brief."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from policybrief.builders.templates import render
from policybrief.diff.git import Repository
from policybrief.diff.labels import labels
from policybrief.diff.markup import redline_edition
from policybrief.diff.revisions import Revision, edition_messages, load_revision, parse_all
from policybrief.diff.summary import (
    compare_figures,
    compare_sources,
    stale_translations,
    word_counts,
)
from policybrief.fonts import is_rtl
from policybrief.writer import write_atomic

TEMPLATE = "diff.html.j2"


def redline(root: Path, base: str, head: str | None, out_dir: Path | None) -> list[Path]:
    """Compare revision ``base`` of the brief in ``root`` with revision ``head`` (None:
    the working tree) and write ``<out_dir>/diff/<lang>.html`` for every edition
    (``out_dir`` defaults to ``root/build``). Returns the files written.

    The repository's working tree, index and HEAD are left as they are.
    """
    root = root.resolve()
    repo = Repository.find(root)
    base_commit = repo.commit(base)
    head_commit = repo.commit(head) if head is not None else None
    names: list[str | None] = [base, head]
    where = f"'{repo.prefix.rstrip('/')}'" if repo.prefix else "the repository's top folder"
    with tempfile.TemporaryDirectory(prefix="policybrief-diff-") as tmp:
        work = Path(tmp).resolve()
        base_root = repo.extract(base_commit, work / "base")
        old = load_revision(base_root, base, f"{base} ({repo.describe(base_commit)})", where)
        if head_commit is None:
            new = load_revision(root, None, "", where)
        else:
            head_root = repo.extract(head_commit, work / "head")
            new = load_revision(head_root, head, f"{head} ({repo.describe(head_commit)})",
                                where)
        parse_all([old, new], names, work)
        rendered = _render(old, new, head is None)
    out = (out_dir or root / "build").resolve() / "diff"
    written = []
    for lang, html in rendered:
        target = out / f"{lang}.html"
        write_atomic(target, html.encode("utf-8"))
        written.append(target)
    return written


def _render(old: Revision, new: Revision, working_tree: bool) -> list[tuple[str, str]]:
    """Each edition's report (the newer revision's editions first), in its language."""
    langs = list(new.project.config.languages)
    langs += [lang for lang in old.project.config.languages if lang not in langs]
    sources = compare_sources(old.project.bibliography, new.project.bibliography)
    figures = compare_figures(old.project, new.project)
    stale = stale_translations(old.project, new.project)
    words = word_counts(langs, old.texts, new.texts)
    pages = []
    for lang in langs:
        project = new.project if lang in new.texts else old.project
        t = labels(edition_messages(project, lang))
        result = redline_edition(lang, old.texts.get(lang), new.texts.get(lang), t)
        edition = project.edition(lang)
        variables: dict[str, Any] = {
            "lang": lang,
            "ui_lang": lang,
            "dir": "rtl" if is_rtl(lang) else "ltr",
            "edition_dir": "rtl" if is_rtl(lang) else "ltr",
            "t": t,
            "title": edition.title,
            "subtitle": edition.subtitle,
            "base_label": old.label,
            "head_label": t["working_tree"] if working_tree else new.label,
            "sources": sources,
            "sources_added": sum(1 for s in sources if s.status == "added"),
            "sources_removed": sum(1 for s in sources if s.status == "removed"),
            "sources_changed": sum(1 for s in sources if s.status == "changed"),
            "figures": figures,
            "stale": stale,
            "words": words,
            "changes": result.changes,
            "body": result.body,
        }
        pages.append((lang, render(new.project.theme, TEMPLATE, variables)))
    return pages


__all__ = ["redline"]
