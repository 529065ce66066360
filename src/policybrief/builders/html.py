"""The web edition: one self-contained HTML file (CSS inlined, no external fetch)."""

from __future__ import annotations

import re
from pathlib import Path

from markupsafe import Markup

from policybrief.builders.base import BuildContext, data_url, embed_local_images, register
from policybrief.builders.templates import render
from policybrief.pandoc.ast import Node, collect
from policybrief.pandoc.filters import figures, permalinks
from policybrief.pandoc.runner import defaults_file, run_pandoc, to_json
from policybrief.stagecache import digest


def html_body(ctx: BuildContext, doc: Node, extra_args: list[str] | None = None) -> str:
    """The document body as HTML5 fragments, sections wrapped in <section>."""
    out = run_pandoc(["html"], [f"--metadata=lang:{ctx.lang}", *(extra_args or [])],
                     cwd=ctx.project.root, stdin=to_json(doc), warnings=ctx.warnings)
    return out.decode("utf-8")


# Top-level sections already converted in this process: key -> (HTML, pandoc's warnings).
_converted: dict[str, tuple[str, list[str]]] = {}


def html_sections(ctx: BuildContext, doc: Node) -> list[str]:
    """The top-level ``<section>`` elements of :func:`html_body`, converting only the
    sections not converted before in this process (after an edit, the edited
    chapter's), all in one pandoc run.

    Pandoc's HTML for a document whose blocks each fall in a level-1 section is its
    sections' HTML joined by newlines, as long as nothing is numbered across sections
    by the writer (code blocks without an id are: cb1, cb2...). Other documents are
    converted whole.
    """
    blocks = doc["blocks"]
    starts = [i for i, b in enumerate(blocks) if b["t"] == "Header" and b["c"][0] == 1]
    if (not starts or starts[0] != 0
            or any(not code["c"][0][0] for code in collect(blocks, "CodeBlock"))):
        return split_sections(html_body(ctx, doc))
    chunks = [blocks[a:b] for a, b in zip(starts, [*starts[1:], len(blocks)], strict=True)]
    settings = to_json(doc["meta"]) + ctx.lang.encode() + Path(defaults_file("html")).read_bytes()
    keys = [digest(settings, to_json({"b": chunk})) for chunk in chunks]
    todo = [i for i, key in enumerate(keys) if key not in _converted]
    if todo:
        said = len(ctx.warnings)
        body = html_body(ctx, {**doc, "blocks": [b for i in todo for b in chunks[i]]})
        sections = split_sections(body)
        if len(sections) != len(todo) or "\n".join(sections) + "\n" != body:
            del ctx.warnings[said:]  # (given again by the whole document's run)
            return split_sections(html_body(ctx, doc))
        if len(_converted) > 512:
            _converted.clear()
        warnings = ctx.warnings[said:]
        _converted.update((keys[i], (html, warnings))
                          for i, html in zip(todo, sections, strict=True))
    for key in keys:  # pandoc's warnings about sections converted by an earlier build
        ctx.warnings.extend(w for w in _converted[key][1] if w not in ctx.warnings)
    return [_converted[key][0] for key in keys]


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


def theme_css(ctx: BuildContext, name: str) -> str:
    return (ctx.theme_dir / "css" / name).read_text(encoding="utf-8")


@register
class HtmlBuilder:
    format = "html"
    extension = "html"

    def build(self, ctx: BuildContext) -> bytes:
        doc = ctx.document_for("html")
        doc = figures.resolve_images(
            doc, lambda i: data_url(ctx.charts[i].svg, "image/svg+xml"))
        doc = embed_local_images(doc, ctx.project.root)
        doc = permalinks.apply(doc, ctx.messages("permalink"))
        # The page title is the only <h1>; chapters become <h2>.
        body = html_body(ctx, doc, ["--shift-heading-level-by=1"])
        notes_heading = f'<h2 class="notes-heading">{Markup.escape(ctx.messages("notes"))}</h2>'
        body = body.replace('role="doc-endnotes">\n<hr />',
                            f'role="doc-endnotes">\n{notes_heading}')
        variables = ctx.template_vars() | {
            "body": Markup(body),
            "css": Markup(theme_css(ctx, "web.css")),
            "script": Markup((ctx.theme_dir / "js" / "notes.js").read_text(encoding="utf-8")),
        }
        html = render(ctx.theme_dir, ctx.project.root, "web.html.j2", variables)
        return html.encode("utf-8")
