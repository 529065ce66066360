"""Image files a chapter shows, decoded before anything embeds them.

A file is taken at its content, not its name: a text file named ``.png`` was
silently dropped from the PDF, and a 30000 × 30000 PNG (a few kilobytes that inflate
to gigabytes) was dropped from the PDF and embedded whole in the HTML. Every image is
opened with Pillow, its header and checksums verified, and refused (with the reason)
when its format, pixel count or colour mode is not one a print, web and Word edition
can all show.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from xml.etree import ElementTree

from PIL import Image, UnidentifiedImageError

# Pixels in one image, at most: 40 megapixels is a 300 dpi photograph filling an A3
# page, more than any brief prints; decompression bombs are far above it.
MAX_PIXELS = 40_000_000
# Bytes in one image file, at most (an SVG is text; a raster is bounded by its pixels).
MAX_BYTES = 50_000_000
# What WeasyPrint, browsers and Word all show.
FORMATS = {"PNG": "PNG", "JPEG": "JPEG", "GIF": "GIF", "WEBP": "WebP"}
MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr", "I;16", "I;16B", "I"}


def image_file_problem(path: Path) -> str | None:
    """Why the image file at ``path`` cannot be shown, or None when it can."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return f"the image '{path.name}' cannot be read ({exc.strerror})"
    if size > MAX_BYTES:
        return (f"the image '{path.name}' is {size:,} bytes; the limit is "
                f"{MAX_BYTES:,} (make it smaller)")
    if path.suffix.lower() == ".svg":
        return _svg_problem(path)
    return _raster_problem(path)


def _raster_problem(path: Path) -> str | None:
    name = path.name
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return (f"the image '{name}' is {width} × {height} pixels; the limit is "
                            f"{MAX_PIXELS:,} pixels (scale it down)")
                if image.format not in FORMATS:
                    return (f"the image '{name}' is {image.format}, which not every edition "
                            f"can show; use {', '.join(FORMATS.values())} or SVG")
                if image.mode not in MODES:
                    return (f"the image '{name}' has the colour mode {image.mode}; save it "
                            "as RGB, greyscale or CMYK")
                image.verify()
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            return (f"the image '{name}' has more than {MAX_PIXELS:,} pixels "
                    "(scale it down)")
        except UnidentifiedImageError:
            return (f"'{name}' is not an image Pillow can read (a PNG, JPEG, GIF, WebP or "
                    "SVG file, whatever its name says)")
        except (OSError, SyntaxError, ValueError) as exc:
            return f"the image '{name}' is damaged ({exc})"
    return None


def _svg_problem(path: Path) -> str | None:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return f"the SVG image '{path.name}' is not UTF-8 text"
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        return (f"the SVG image '{path.name}' declares a DOCTYPE or entities, "
                "which are not allowed (they can expand without bound)")
    try:
        root = ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return f"the SVG image '{path.name}' is not well-formed XML ({exc})"
    if root.tag not in ("svg", "{http://www.w3.org/2000/svg}svg"):
        return f"'{path.name}' is not an SVG image (its root element is not <svg>)"
    for element in root.iter():
        local = str(element.tag).rsplit("}", 1)[-1].lower()
        if local in ("script", "foreignobject"):
            return f"the SVG image '{path.name}' contains <{local}>, which is not allowed"
        for key in element.attrib:
            if key.rsplit("}", 1)[-1].lower().startswith("on"):
                return (f"the SVG image '{path.name}' has an event handler ({key}), "
                        "which is not allowed")
    return None
