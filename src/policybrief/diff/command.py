"""The command: ``brief diff BASE [HEAD]`` writes ``<out>/diff/<lang>.html``, the
redline of every edition between two revisions of the brief."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal

from policybrief.builders.base import data_url
from policybrief.builders.templates import render
from policybrief.diff.git import Repository
from policybrief.diff.labels import labels
from policybrief.diff.locate import block_places
from policybrief.diff.markup import redline_edition
from policybrief.diff.revisions import (
    Revision,
    draw_chart,
    edition_messages,
    load_revision,
    parse_all,
)
from policybrief.diff.summary import (
    FigureChange,
    WordCount,
    compare_figures,
    compare_sources,
    stale_translations,
    word_counts,
)
from policybrief.fonts import is_rtl
from policybrief.i18n import babel_locale, language_name
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
        # a working tree as HEAD has it is named as that commit, not "working tree"
        working_tree = head_commit is None and not repo.unchanged()
        if head_commit is None:
            label = "" if working_tree else f"HEAD ({repo.describe(repo.commit('HEAD'))})"
            new = load_revision(root, None, label, where)
        else:
            head_root = repo.extract(head_commit, work / "head")
            new = load_revision(head_root, head, f"{head} ({repo.describe(head_commit)})",
                                where)
        parse_all([old, new], names, work)
        rendered = _render(old, new, working_tree, work)
    out = (out_dir or root / "build").resolve() / "diff"
    written = []
    for lang, html in rendered:
        target = out / f"{lang}.html"
        write_atomic(target, html.encode("utf-8"))
        written.append(target)
    return written


def _charts(old: Revision, new: Revision, figures: list[FigureChange], lang: str,
            t: dict[str, str], work: Path) -> dict[str, list[dict[str, str]]]:
    """Each changed figure's chart before and after (SVG data URLs, with the alt text of
    that revision), drawn by the build's chart code from each revision's data."""
    charts: dict[str, list[dict[str, str]]] = {}
    for change in figures:
        shown = []
        for side, revision in (("before", old), ("after", new)):
            figure = revision.project.figures.get(change.id)
            svg = draw_chart(revision, change.id, lang, work / f"charts-{side}")
            if figure is None or svg is None:
                continue
            alt = (figure.text(figure.spec.alt, lang)
                   or figure.text(figure.spec.alt, revision.project.source_lang))
            shown.append({"side": side, "label": t[side], "alt": alt,
                          "src": data_url(svg, "image/svg+xml")})
        charts[change.id] = shown
    return charts


def _render(old: Revision, new: Revision, working_tree: bool,
            work: Path) -> list[tuple[str, str]]:
    """Each edition's report (the newer revision's editions first), in its language."""
    langs = list(new.project.config.languages)
    langs += [lang for lang in old.project.config.languages if lang not in langs]
    sources = compare_sources(old.project.bibliography, new.project.bibliography)
    stale = stale_translations(old.project, new.project)
    words = word_counts(langs, old.texts, new.texts)
    pages = []
    for lang in langs:
        project = new.project if lang in new.texts else old.project
        messages = edition_messages(project, lang)
        t = labels(messages)
        figures = compare_figures(old.project, new.project, lang)
        old_text, new_text = old.texts.get(lang), new.texts.get(lang)
        result = redline_edition(
            lang, old_text, new_text, t,
            block_places(old.project, old_text, old.name) if old_text else (),
            block_places(new.project, new_text, new.name) if new_text else ())
        edition = project.edition(lang)
        counts = {status: sum(1 for s in sources if s.status == status)
                  for status in ("added", "removed", "changed")}
        variables: dict[str, Any] = {
            "lang": lang,
            "ui_lang": lang,
            "dir": "rtl" if is_rtl(lang) else "ltr",
            "edition_dir": "rtl" if is_rtl(lang) else "ltr",
            "t": t,
            "colon": messages("colon"),
            "list_separator": messages("list_separator"),
            "language_names": {code: language_name(code, lang) for code in langs},
            "title": edition.title,
            "subtitle": edition.subtitle,
            "base_label": old.label,
            "head_label": t["working_tree"] if working_tree else new.label,
            "sources": sources,
            "sources_added": counts["added"],
            "sources_removed": counts["removed"],
            "sources_changed": counts["changed"],
            "sources_counts": messages("list_separator").join(
                messages.count(f"diff_sources_{status}", n) for status, n in counts.items()),
            "figures": figures,
            "charts": _charts(old, new, figures, lang, t, work),
            "stale": stale,
            "words": [_word_row(row, lang) for row in words],
            "changes": result.changes,
            "body": result.body,
        }
        pages.append((lang, render(new.project.theme, TEMPLATE, variables)))
    return pages


def _word_row(row: WordCount, lang: str) -> dict[str, str]:
    """A row of the word counts, its numbers written as the edition's language writes
    them (CLDR, through Babel)."""
    locale = babel_locale(lang)
    signed = (format_decimal(row.difference, "+#,##0;-#,##0", locale=locale)
              if row.difference else format_decimal(0, locale=locale))
    return {"lang": row.lang, "name": language_name(row.lang, lang),
            "before": format_decimal(row.before, locale=locale),
            "after": format_decimal(row.after, locale=locale), "difference": signed}


__all__ = ["redline"]
