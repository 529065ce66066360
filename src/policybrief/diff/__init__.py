"""``brief diff BASE [HEAD]``: a redline of the brief between two git revisions.

Each revision is read without touching the user's checkout: the files of a commit are
copied out of git's object database (``git ls-tree`` and ``git cat-file --batch``, so
``.gitattributes`` export rules cannot hide a file) into a temporary directory; a HEAD
of ``None`` is the working tree as it is. Every edition of both revisions goes through
the build's own parse (citeproc included, nothing rendered: no PDF, no charts), and
the AST is flattened into blocks of text (headings, paragraphs, list items, figure
captions, table rows, sources) with the notes taken out in the order they are called.

Then:

* the notes of the two revisions are aligned by their content (difflib over the two
  sequences), so a note that was only renumbered is the same note, and a note whose
  text changed is paired with its old text;
* the blocks are aligned by their text (note calls stand in it as the aligned note
  identities), and each changed block is compared word by word.

The report, ``build/diff/<lang>.html``, is the text of each edition with ``<ins>``
and ``<del>`` marks and every note shown where it is called, after a summary: sources
added, removed or changed; figures whose data changed, with the cells and the chart
(drawn by the build's chart code from each revision's data) before and after;
translated chapters made stale; word counts. Each changed passage is labelled with
its ``file:line`` (a deleted one's in the old revision, ``BASE:file:line``); a
deleted note is shown as one, struck through and without its old number (which may
now be another note's). Its headings and legend are the
edition's own interface strings (the ``diff_*`` keys of the theme's
``locales/<lang>.yml``), so each edition's redline speaks its language.

One concern a module:

* :mod:`~policybrief.diff.flatten`: a parsed edition as blocks of tokens, notes apart;
* :mod:`~policybrief.diff.align`: alignment of blocks and notes, the word diff;
* :mod:`~policybrief.diff.markup`: the redline of one edition, as HTML;
* :mod:`~policybrief.diff.locate`: each block's ``file:line``, found by its words;
* :mod:`~policybrief.diff.summary`: sources, figures, stale translations, word counts;
* :mod:`~policybrief.diff.git`: the repository, and a commit's files out of its objects;
* :mod:`~policybrief.diff.revisions`: each revision loaded, its editions parsed and
  its charts drawn (the only module that calls the build's own stages);
* :mod:`~policybrief.diff.labels`: the report's labels from the edition's catalogue;
* :mod:`~policybrief.diff.command`: :func:`redline`, the command itself.
"""

from __future__ import annotations

from policybrief.diff.command import redline
from policybrief.diff.flatten import EditionText, edition_text
from policybrief.diff.markup import redline_edition

__all__ = ["EditionText", "edition_text", "redline", "redline_edition"]
