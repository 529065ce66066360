"""The web edition: one self-contained HTML file (CSS inlined, no external fetch)."""

from __future__ import annotations

from markupsafe import Markup

from policybrief.builders.base import BuildContext, Builder, Rendered, data_url, embed_local_images
from policybrief.builders.pandoc_html import html_body
from policybrief.builders.registry import register
from policybrief.builders.templates import render
from policybrief.pandoc.ast import Node, div, stringify, walk_doc
from policybrief.pandoc.filters import figures, permalinks


def scrollable_tables(doc: Node, label: str) -> Node:
    """Each table in a container that scrolls sideways on a narrow screen (a keyboard
    can scroll it too: it takes focus, and is named by the table's caption)."""
    def wrap(table: Node, name: str) -> Node:
        caption = stringify(table["c"][1][1]).strip() or name
        return div([table], ["table-scroll"],
                   pairs=[("role", "region"), ("tabindex", "0"), ("aria-label", caption)])

    def action(node: Node) -> list[Node] | None:
        if node["t"] == "Table":
            return [wrap(node, label)]
        if node["t"] == "Figure":  # a table drawn as a figure is named by the figure
            name = stringify(node["c"][1][1]).strip().split(":")[0] or label
            body = [wrap(b, name) if b["t"] == "Table" else b for b in node["c"][2]]
            return [{"t": "Figure", "c": [node["c"][0], node["c"][1], body]}]
        return None

    return walk_doc(doc, action)


# Where the page's fonts go in its stylesheet, once its text is known.
FONTS_MARK = "/* policybrief: fonts */"


@register
class HtmlBuilder(Builder):
    format = "html"
    extension = "html"
    media_type = "text/html"
    theme_files = ("templates/web.html.j2", "css/web.css", "js/notes.js", "images/favicon.svg")

    def build(self, ctx: BuildContext) -> Rendered:
        shown = ctx.document_for(self)
        doc = figures.resolve_images(
            shown, lambda i: data_url(ctx.charts[i].svg, "image/svg+xml"))
        doc = embed_local_images(doc, ctx.project.root)
        doc = permalinks.apply(doc, ctx.messages("permalink"))
        doc = scrollable_tables(doc, ctx.messages("table"))
        # The page title is the only <h1>; chapters become <h2>.
        converted = html_body(ctx, doc, ["--shift-heading-level-by=1"])
        body = converted.data.decode("utf-8")
        notes_heading = f'<h2 class="notes-heading">{Markup.escape(ctx.messages("notes"))}</h2>'
        body = body.replace('role="doc-endnotes">\n<hr />',
                            f'role="doc-endnotes">\n{notes_heading}')
        variables = ctx.template_vars(shown) | {
            "body": Markup(body),
            # the edition's fonts first: a theme stylesheet naming its own wins
            "css": Markup(FONTS_MARK + "\n" + ctx.theme.read_text("css/web.css")),
            "script": Markup(ctx.theme.read_text("js/notes.js")),
            "favicon": data_url(ctx.theme.path("images/favicon.svg"), "image/svg+xml"),
        }
        html = render(ctx.theme, "web.html.j2", variables, ctx.state.templates)
        # the fonts, once the page's characters are known (WOFF2 subsets, inline)
        html = html.replace(FONTS_MARK, ctx.font_css(html, web=True), 1)
        return Rendered(html.encode("utf-8"), converted.diagnostics)
