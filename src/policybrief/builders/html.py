"""The web edition: one self-contained HTML file (CSS inlined, no external fetch)."""

from __future__ import annotations

from markupsafe import Markup

from policybrief.builders.base import BuildContext, data_url, embed_local_images, register
from policybrief.builders.templates import render
from policybrief.pandoc.ast import Node
from policybrief.pandoc.filters import figures, permalinks
from policybrief.pandoc.runner import run_pandoc, to_json


def html_body(ctx: BuildContext, doc: Node, extra_args: list[str] | None = None) -> str:
    """The document body as HTML5 fragments, sections wrapped in <section>."""
    out = run_pandoc(["html"], [f"--metadata=lang:{ctx.lang}", *(extra_args or [])],
                     cwd=ctx.project.root, stdin=to_json(doc), warnings=ctx.warnings)
    return out.decode("utf-8")


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
