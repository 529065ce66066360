"""Pandoc's HTML of a document, shared by the web edition and the print edition
(whose HTML WeasyPrint lays out)."""

from __future__ import annotations

import re
from pathlib import Path

from policybrief.builders.base import BuildContext
from policybrief.errors import Diagnostic
from policybrief.pandoc.ast import Node, collect
from policybrief.pandoc.runner import PandocOutput, defaults_file, run_pandoc, to_json
from policybrief.stagecache import digest


def html_body(ctx: BuildContext, doc: Node, extra_args: list[str] | None = None) -> PandocOutput:
    """The document body as HTML5 fragments, sections wrapped in <section>."""
    return run_pandoc(["html"], [f"--metadata=lang:{ctx.lang}", *(extra_args or [])],
                      cwd=ctx.project.root, stdin=to_json(doc))


def html_sections(ctx: BuildContext, doc: Node) -> tuple[list[str], list[Diagnostic]]:
    """The top-level ``<section>`` elements of :func:`html_body` and pandoc's warnings,
    converting only the sections this process has not converted before (after an
    edit, the edited chapter's), all in one pandoc run.

    Pandoc's HTML for a document whose blocks each fall in a level-1 section is its
    sections' HTML joined by newlines, as long as nothing is numbered across sections
    by the writer (code blocks without an id are: cb1, cb2...). Other documents are
    converted whole.
    """
    blocks = doc["blocks"]
    starts = [i for i, b in enumerate(blocks) if b["t"] == "Header" and b["c"][0] == 1]
    if (not starts or starts[0] != 0
            or any(not code["c"][0][0] for code in collect(blocks, "CodeBlock"))):
        whole = html_body(ctx, doc)
        return split_sections(whole.data.decode("utf-8")), whole.diagnostics
    chunks = [blocks[a:b] for a, b in zip(starts, [*starts[1:], len(blocks)], strict=True)]
    settings = to_json(doc["meta"]) + ctx.lang.encode() + Path(defaults_file("html")).read_bytes()
    keys = [digest(settings, to_json({"b": chunk})) for chunk in chunks]
    known = {key: ctx.state.sections[key] for key in keys if key in ctx.state.sections}
    todo = [i for i, key in enumerate(keys) if key not in known]
    if todo:
        converted = html_body(ctx, {**doc, "blocks": [b for i in todo for b in chunks[i]]})
        body = converted.data.decode("utf-8")
        sections = split_sections(body)
        if len(sections) != len(todo) or "\n".join(sections) + "\n" != body:
            whole = html_body(ctx, doc)
            return split_sections(whole.data.decode("utf-8")), whole.diagnostics
        for i, html in zip(todo, sections, strict=True):
            known[keys[i]] = (html, converted.diagnostics)
            ctx.state.remember_section(keys[i], known[keys[i]])
    said: list[Diagnostic] = []
    for key in keys:  # pandoc's warnings about sections converted by an earlier build
        said.extend(d for d in known[key][1] if d not in said)
    return [known[key][0] for key in keys], said


def split_sections(body: str) -> list[str]:
    """The top-level ``<section>`` elements of pandoc's HTML, in order."""
    parts: list[str] = []
    depth, start = 0, 0
    for match in re.finditer(r"<(/?)section\b[^>]*>", body):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                parts.append(body[start:match.end()])
    return parts
