"""The Word edition: pandoc's DOCX writer with a reference document made from the
theme (``docx/styles.yml``), so no binary is committed by hand.

The reference document is pandoc's own default with the theme's fonts, sizes and
colours written into ``word/styles.xml``, plus the paragraph styles the theme adds
(e.g. "Pull Quote", used through pandoc's ``custom-style`` attribute).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from policybrief.builders.base import BuildContext, Builder, Rendered, data_url, embed_local_images
from policybrief.builders.registry import register
from policybrief.config.yamlsource import load_yaml
from policybrief.fonts import is_rtl
from policybrief.pandoc.ast import Node, classes_of, stringify, walk_doc
from policybrief.pandoc.filters import figures, origins
from policybrief.pandoc.runner import pandoc_version, run_pandoc, to_json
from policybrief.stagecache import digest
from policybrief.translations import paragraphs
from policybrief.writer import xml_text

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ET.register_namespace("w", W)
ET.register_namespace("r", "http://schemas.openxmlformats.org/officeDocument/2006/relationships")

# Word rejects properties out of schema order, so children are sorted by these.
RPR_ORDER = ["rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
             "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid",
             "vanish", "webHidden", "color", "spacing", "w", "kern", "position", "sz", "szCs",
             "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
             "lang", "eastAsianLayout", "specVanish", "oMath"]
PPR_ORDER = ["pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl",
             "numPr", "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens",
             "kinsoku", "wordWrap", "overflowPunct", "topLinePunct", "autoSpaceDE",
             "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid", "spacing", "ind",
             "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
             "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr",
             "sectPr", "pPrChange"]


def _sort_children(element: ET.Element, order: list[str]) -> None:
    rank = {f"{{{W}}}{name}": i for i, name in enumerate(order)}
    children = sorted(element, key=lambda c: rank.get(c.tag, len(order)))
    for child in list(element):
        element.remove(child)
    element.extend(children)


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def _set_run_props(style: ET.Element, props: dict[str, Any],
                   script_fonts: dict[str, dict[str, str]] | None = None) -> None:
    rpr = style.find(_w("rPr"))
    if rpr is None:
        rpr = ET.SubElement(style, _w("rPr"))
    def child(tag: str) -> ET.Element:
        found = rpr.find(_w(tag))
        return found if found is not None else ET.SubElement(rpr, _w(tag))
    if "font" in props:
        fonts = child("rFonts")
        # Word draws each run's script from its own slot: complex scripts (Arabic,
        # Devanagari) from "cs", Chinese from "eastAsia": the theme's font for each
        role = "sans" if "sans" in str(props["font"]).lower() else "serif"
        slots = (script_fonts or {}).get(role, {})
        for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(_w(slot), slots.get(slot, str(props["font"])))
        for slot in ("asciiTheme", "hAnsiTheme", "cstheme", "eastAsiaTheme"):
            fonts.attrib.pop(_w(slot), None)
    if "size" in props:  # points -> half-points
        child("sz").set(_w("val"), str(int(float(props["size"]) * 2)))
        child("szCs").set(_w("val"), str(int(float(props["size"]) * 2)))
    if "color" in props:
        color = child("color")
        color.set(_w("val"), str(props["color"]).lstrip("#"))
        color.attrib.pop(_w("themeColor"), None)
    if props.get("italic"):
        child("i")
    if props.get("bold"):
        child("b")
    _sort_children(rpr, RPR_ORDER)


def _set_paragraph_props(style: ET.Element, props: dict[str, Any]) -> None:
    ppr = style.find(_w("pPr"))
    if ppr is None:
        ppr = ET.Element(_w("pPr"))
        style.insert(len(style) - (1 if style.find(_w("rPr")) is not None else 0), ppr)
    if "indent" in props:  # points -> twentieths of a point
        ind = ppr.find(_w("ind"))
        if ind is None:
            ind = ET.SubElement(ppr, _w("ind"))
        twips = str(int(float(props["indent"]) * 20))
        ind.set(_w("left"), twips)
        ind.set(_w("right"), twips)
    if "space_after" in props or "space_before" in props:
        spacing = ppr.find(_w("spacing"))
        if spacing is None:
            spacing = ET.SubElement(ppr, _w("spacing"))
        for key, side in (("space_after", "after"), ("space_before", "before")):
            if key in props:
                spacing.set(_w(side), str(int(float(props[key]) * 20)))
    if props.get("keep_next") and ppr.find(_w("keepNext")) is None:
        ET.SubElement(ppr, _w("keepNext"))  # stays on the page of the paragraph after it
    if "shading" in props:  # a background colour
        shd = ppr.find(_w("shd"))
        if shd is None:
            shd = ET.SubElement(ppr, _w("shd"))
        shd.attrib.update({_w("val"): "clear", _w("color"): "auto",
                           _w("fill"): str(props["shading"]).lstrip("#")})
    if "border" in props:  # a rule on the left; paragraphs alike share one box
        borders = ppr.find(_w("pBdr"))
        if borders is None:
            borders = ET.SubElement(ppr, _w("pBdr"))
        for side in ("left",):
            edge = borders.find(_w(side))
            if edge is None:
                edge = ET.SubElement(borders, _w(side))
            edge.attrib.update({_w("val"): "single", _w("sz"): "24", _w("space"): "8",
                                _w("color"): str(props["border"]).lstrip("#")})
    _sort_children(ppr, PPR_ORDER)


def patch_styles(styles_xml: bytes, spec: dict[str, dict[str, Any]],
                 script_fonts: dict[str, dict[str, str]] | None = None,
                 lang: str = "", rtl: bool = False) -> bytes:
    """Apply the theme's style spec (style name -> properties) to styles.xml; with
    ``lang``, the document's language (Word's spelling and hyphenation); with ``rtl``,
    every paragraph right to left unless it says otherwise."""
    root = ET.fromstring(styles_xml)
    defaults = root.find(_w("docDefaults"))
    if defaults is not None and lang:
        language = defaults.find(f"{_w('rPrDefault')}/{_w('rPr')}/{_w('lang')}")
        if language is not None:
            slot = "bidi" if rtl else "eastAsia" if lang.split("-")[0] in CJK else "val"
            language.set(_w(slot), lang)
    if defaults is not None and rtl:
        ppr = defaults.find(f"{_w('pPrDefault')}/{_w('pPr')}")
        if ppr is not None and ppr.find(_w("bidi")) is None:
            ppr.insert(0, ET.Element(_w("bidi")))
    by_name: dict[str, ET.Element] = {}
    for style in root.findall(_w("style")):
        name_element = style.find(_w("name"))
        if name_element is not None:
            by_name[name_element.get(_w("val"), "")] = style
    for name, props in spec.items():
        found = by_name.get(name)
        if found is None:  # a style the theme adds, based on Normal
            found = ET.SubElement(root, _w("style"), {
                _w("type"): "paragraph", _w("customStyle"): "1",
                _w("styleId"): name.replace(" ", "")})
            ET.SubElement(found, _w("name"), {_w("val"): name})
            ET.SubElement(found, _w("basedOn"), {_w("val"): props.get("based_on", "Normal")})
            ET.SubElement(found, _w("qFormat"))
        _set_paragraph_props(found, props)
        _set_run_props(found, props, script_fonts)
    data: bytes = ET.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def reference_docx(ctx: BuildContext) -> Path:
    """Build (once per theme spec and pandoc version) the reference document."""
    spec_path = ctx.theme.path("docx/styles.yml")
    slots = script_slots(ctx)
    rtl = is_rtl(ctx.lang)
    key = digest(spec_path.read_bytes(), pandoc_version(), repr(slots).encode(),
                 ctx.lang, str(rtl))[:16]
    target = ctx.cache_dir / f"reference-{key}.docx"
    if target.is_file():
        return target
    spec = load_yaml(spec_path).data
    default = run_pandoc([], ["--print-default-data-file", "reference.docx"],
                         cwd=ctx.project.root).data
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(default)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/styles.xml":
                data = patch_styles(data, spec, slots, ctx.lang, rtl)
            elif info.filename == "word/document.xml" and rtl:
                data = _rtl_section(data)
            dst.writestr(info, data)
    from policybrief.writer import write_atomic

    write_atomic(target, out.getvalue(), durable=False)
    return target


CJK = ("zh", "ja", "ko")


def _rtl_section(document_xml: bytes) -> bytes:
    """The section laid out right to left (page numbers, columns, gutter): pandoc copies
    the reference document's section properties into the edition. Edited as text, so
    the document's namespace prefixes stay as Word wrote them."""
    text = document_xml.decode("utf-8")
    if "<w:bidi" in text.split("<w:sectPr", 1)[-1]:
        return document_xml
    anchor = "<w:docGrid" if "<w:docGrid" in text else "</w:sectPr>"
    return text.replace(anchor, "<w:bidi />" + anchor, 1).encode("utf-8")


def script_slots(ctx: BuildContext) -> dict[str, dict[str, str]]:
    """Per role, the font family Word should use for complex scripts (``cs``: the
    edition's Arabic or Devanagari font) and for Chinese (``eastAsia``, in a Chinese
    edition); a Latin edition keeps the style's one font in every slot."""
    from policybrief.fonts import language_script, load_fonts

    stack = load_fonts(ctx.theme)
    script = language_script(ctx.lang)
    slots: dict[str, dict[str, str]] = {}
    for role in ("serif", "sans"):
        faces = stack.for_role(role)
        own = next((f.family_name for f in faces if script in f.scripts), None)
        han = next((f.family_name for f in faces if "Hani" in f.scripts), None)
        role_slots = {}
        if own and script not in ("Latn", "Grek", "Cyrl", "Hani"):
            role_slots["cs"] = own
        if han and script == "Hani":
            role_slots["eastAsia"] = han
        slots[role] = role_slots
    return slots


# Theme classes -> Word paragraph styles (the theme's docx/styles.yml defines them).
WORD_STYLES = {"pull-quote": "Pull Quote", "box": "Box", "box-title": "Box Title"}


def _word_styles(doc: Node) -> Node:
    """Map theme classes to Word paragraph styles via pandoc's ``custom-style`` (the
    innermost wins: a box's title keeps "Box Title")."""
    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Div":
            return None
        style = next((WORD_STYLES[c] for c in classes_of(node) if c in WORD_STYLES), None)
        if style is None:
            return None
        ident, classes, _pairs = node["c"][0]
        inner = walk_doc({"blocks": node["c"][1]}, action)["blocks"]
        return [{"t": "Div", "c": [[ident, classes, [["custom-style", style]]], inner]}]

    return walk_doc(doc, action)


def _column_widths(doc: Node) -> Node:
    """Tables with columns as wide as their content needs (pandoc leaves widths to Word,
    which squeezes a column until "Alabama" breaks inside the word): each column's
    share follows its longest word and its typical cell length."""
    def width_of(cell: list[Any]) -> tuple[int, int]:
        words = stringify(cell[4]).split()
        return (max((len(w) for w in words), default=0), len(" ".join(words)))

    def action(node: Node) -> list[Node] | None:
        if node["t"] != "Table":
            return None
        rows = list(node["c"][3][1])
        for body in node["c"][4]:
            rows += body[2] + body[3]
        columns = len(node["c"][2])
        longest = [1] * columns
        typical = [1] * columns
        for row in rows:
            index = 0
            for cell in row[1]:
                word, whole = width_of(cell)
                if index < columns and cell[3] == 1:
                    longest[index] = max(longest[index], word)
                    typical[index] = max(typical[index], min(whole, 40))
                index += cell[3]
        weights = [max(word * 1.15, whole ** 0.8) for word, whole in zip(longest, typical,
                                                                          strict=True)]
        total = sum(weights)
        colspecs = [[spec[0], {"t": "ColWidth", "c": round(w / total, 4)}]
                    for spec, w in zip(node["c"][2], weights, strict=True)]
        return [{"t": "Table", "c": [node["c"][0], node["c"][1], colspecs, *node["c"][3:]]}]

    return walk_doc(doc, action)


@register
class DocxBuilder(Builder):
    format = "docx"
    extension = "docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    theme_files = ("docx/styles.yml",)
    sources_by_default = False  # Word readers have every source in the notes

    def build(self, ctx: BuildContext) -> Rendered:
        doc = ctx.document_for(self)
        doc = _column_widths(_word_styles(doc))
        doc = figures.resolve_images(doc, lambda i: data_url(ctx.charts[i].png, "image/png"))
        doc = embed_local_images(doc, ctx.project.root)
        # bookmarks saying where each paragraph came from, for `brief review`
        doc, origin = origins.mark(doc, [(c.path.relative_to(ctx.project.root).as_posix(),
                                          paragraphs(c)) for c in ctx.edition.chapters])
        commit = source_commit(ctx.project.root)
        if commit:
            origin[origins.COMMIT_PROPERTY] = commit
        # nothing of the chapters' front matter or ours; the origins as custom properties
        doc["meta"] = {**_docx_meta(ctx), **{k: _meta_str(v) for k, v in origin.items()}}
        # Title page (pandoc's title block and the publisher), then the contents on a
        # page of their own, then the text.
        doc["blocks"] = [*_publisher_blocks(ctx), *_translation_blocks(ctx), PAGE_BREAK,
                         *_contents_blocks(ctx), PAGE_BREAK, *doc["blocks"]]
        reference = reference_docx(ctx)
        with tempfile.TemporaryDirectory(dir=ctx.cache_dir) as tmp:
            target = Path(tmp) / "edition.docx"
            out = run_pandoc(["docx"], ["--reference-doc", str(reference), "-o", str(target)],
                             cwd=ctx.project.root, stdin=to_json(doc))
            return Rendered(strip_data_urls(target.read_bytes()), out.diagnostics)


def source_commit(root: Path) -> str | None:
    """The commit the project's files are at (``git rev-parse HEAD``), recorded in the
    Word edition so a review knows what it was made from; None outside a repository."""
    try:
        found = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", "-q", "HEAD"],
                               capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    commit = found.stdout.strip()
    return commit if found.returncode == 0 and re.fullmatch(r"[0-9a-f]{40,64}", commit) else None


PAGE_BREAK = {"t": "RawBlock", "c": ["openxml", '<w:p><w:r><w:br w:type="page"/></w:r></w:p>']}
def _paragraph(text: str, style: str) -> str:
    """One paragraph of raw WordprocessingML: the text escaped, and any character XML
    forbids dropped (brief.yml refuses them; a locale catalogue may still hold one)."""
    return (f'<w:p><w:pPr><w:pStyle w:val="{xml_text(style)}"/></w:pPr>'
            f'<w:r><w:t xml:space="preserve">{xml_text(text)}</w:t></w:r></w:p>')


def _publisher_blocks(ctx: BuildContext) -> list[Node]:
    """Under pandoc's title block: the authors' roles, then the publisher's address."""
    lines = [author.role for author in ctx.edition.authors if author.role]
    organization = ctx.edition.organization
    if organization is not None:
        lines += ["", organization.name, organization.unit, *organization.address,
                  organization.url]
    xml = "".join(_paragraph(line, "Author") for line in lines if line is not None)
    return [{"t": "RawBlock", "c": ["openxml", xml]}] if xml else []


def _translation_blocks(ctx: BuildContext) -> list[Node]:
    """On the title page of a translation that lags its source, the line the print
    colophon and the web banner carry ("Translation in progress: based on the original
    as of ..."), in bold: a reviewer of the Word file must know it too."""
    note = ctx.translation_note
    if not note:
        return []
    xml = (_paragraph("", "Author")  # a line apart from the address
           + f'<w:p><w:pPr><w:pStyle w:val="Author"/></w:pPr><w:r><w:rPr><w:b/></w:rPr>'
           f'<w:t xml:space="preserve">{xml_text(note)}</w:t></w:r></w:p>')
    return [{"t": "RawBlock", "c": ["openxml", xml]}]


def _contents_blocks(ctx: BuildContext) -> list[Node]:
    """A contents heading and a TOC field Word fills in (and updates) when it opens."""
    field = (
        '<w:p><w:r><w:fldChar w:fldCharType="begin" w:dirty="true"/></w:r>'
        '<w:r><w:instrText xml:space="preserve"> TOC \\o "1-2" \\h \\z \\u </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
        f'<w:r><w:t>{xml_text(ctx.messages("contents_update"))}</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>')
    return [{"t": "RawBlock", "c": ["openxml",
                                    _paragraph(ctx.messages("contents"), "TOCHeading") + field]}]


_DATA_URL_ATTR = re.compile(rb'descr="data:[^"]*"')


def strip_data_urls(docx: bytes) -> bytes:
    """Drop the copy of each embedded image's data URL that pandoc writes into the
    picture's ``descr`` (the drawing's own ``descr`` keeps the alt text)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = _DATA_URL_ATTR.sub(b'descr=""', data)
            dst.writestr(info, data)
    return out.getvalue()


def _meta_str(value: str) -> dict[str, Any]:
    return {"t": "MetaString", "c": value}


def _docx_meta(ctx: BuildContext) -> dict[str, Any]:
    vars_ = ctx.template_vars()
    meta: dict[str, Any] = {
        "title": _meta_str(vars_["title"]),
        "lang": _meta_str(ctx.lang),
        # right to left: every paragraph w:bidi, every run w:rtl (pandoc's docx writer)
        "dir": _meta_str("rtl" if is_rtl(ctx.lang) else "ltr"),
        "toc-title": _meta_str(ctx.messages("contents")),
        "author": {"t": "MetaList", "c": [_meta_str(a.name) for a in ctx.edition.authors]},
    }
    if vars_["subtitle"]:
        meta["subtitle"] = _meta_str(vars_["subtitle"])
    if vars_["date"]:
        meta["date"] = _meta_str(vars_["date"])
    if ctx.edition.description:
        meta["description"] = _meta_str(ctx.edition.description)
    if ctx.edition.keywords:
        meta["keywords"] = {"t": "MetaList", "c": [_meta_str(k) for k in ctx.edition.keywords]}
    return meta
