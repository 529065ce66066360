"""The web edition: one self-contained HTML file (CSS inlined, no external fetch)."""

from __future__ import annotations

from markupsafe import Markup

from policybrief.builders.base import BuildContext, Builder, Rendered, data_url, embed_local_images
from policybrief.builders.pandoc_html import html_body
from policybrief.builders.registry import register
from policybrief.builders.templates import render
from policybrief.pandoc.filters import figures, permalinks


@register
class HtmlBuilder(Builder):
    format = "html"
    extension = "html"
    media_type = "text/html"
    theme_files = ("templates/web.html.j2", "css/web.css", "js/notes.js")

    def build(self, ctx: BuildContext) -> Rendered:
        doc = ctx.document_for(self)
        doc = figures.resolve_images(
            doc, lambda i: data_url(ctx.charts[i].svg, "image/svg+xml"))
        doc = embed_local_images(doc, ctx.project.root)
        doc = permalinks.apply(doc, ctx.messages("permalink"))
        # The page title is the only <h1>; chapters become <h2>.
        converted = html_body(ctx, doc, ["--shift-heading-level-by=1"])
        body = converted.data.decode("utf-8")
        notes_heading = f'<h2 class="notes-heading">{Markup.escape(ctx.messages("notes"))}</h2>'
        body = body.replace('role="doc-endnotes">\n<hr />',
                            f'role="doc-endnotes">\n{notes_heading}')
        variables = ctx.template_vars() | {
            "body": Markup(body),
            "css": Markup(ctx.theme.read_text("css/web.css")),
            "script": Markup(ctx.theme.read_text("js/notes.js")),
        }
        html = render(ctx.theme, "web.html.j2", variables, ctx.state.templates)
        return Rendered(html.encode("utf-8"), converted.diagnostics)
