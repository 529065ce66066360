"""Fonts per script: which font draws each character of an edition, in every format.

The theme declares its fonts in ``fonts.yml``: for each role (``serif`` for the text,
``sans`` for headings and figures, ``mono`` for code), a list of font files per writing
system, keyed by ISO 15924 script codes (``Latn Grek Cyrl``, ``Arab``, ``Deva``,
``Hani``). A file is taken from the theme's ``fonts/`` folders, else from the machine's
font folders (the large CJK fonts are not bundled: Debian's ``fonts-noto-cjk`` has
them, and ``packages`` in ``fonts.yml`` says which package to install). A face in a
collection (``.ttc``) is named after ``#``: ``NotoSerifCJK-Regular.ttc#Noto Serif CJK SC``.

A build embeds, per edition, a subset of the characters its text uses (fontTools, with
the OpenType features every script's shaping needs, so Arabic joins and Devanagari
conjuncts survive): TTF for the PDF, WOFF2 in the web edition, made from the same
subset, so the web edition looks the same on every machine as in print; charts are
drawn from the same font files. Every character must be covered by a declared font: one
that is not is an error naming the character, its script and what to install, never a
blank box in print.
"""

from __future__ import annotations

import bisect
import hashlib
import io
import os
import unicodedata as ucd
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Protocol

from fontTools import subset  # type: ignore[import-untyped]
from fontTools import unicodedata as fontunicode
from fontTools.ttLib import TTCollection, TTFont, TTLibError  # type: ignore[import-untyped]
from fontTools.unicodedata import Blocks as unicode_blocks  # type: ignore[import-untyped]

from policybrief.config.yamlsource import load_yaml
from policybrief.errors import BriefError, ConfigError, EnvironmentFault, Location
from policybrief.i18n import maximized
from policybrief.theme import Theme
from policybrief.writer import write_atomic

DECLARATION = "fonts.yml"
ROLES = ("serif", "sans", "mono")
# Scripts written right to left (ISO 15924).
RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Mand", "Samr"})
# Scripts whose headings and labels may be letter-spaced and set in capitals.
SPACED_SCRIPTS = frozenset({"Latn", "Grek", "Cyrl"})
# Kana and bopomofo are drawn by the Han font (a CJK font has them all).
_SCRIPT_GROUP = {"Hira": "Hani", "Kana": "Hani", "Bopo": "Hani", "Hrkt": "Hani"}
# Where the machine keeps fonts (fontconfig's usual folders).
SYSTEM_FOLDERS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts",
                  "~/.fonts")
SUBSET_VERSION = "1"  # bump when the subsetting options change


def script_of(char: str) -> str:
    """The ISO 15924 script of ``char``; ``Zyyy`` for characters every script uses
    (digits, punctuation, spaces) and ``Zinh`` for marks taking their base's script."""
    code = str(fontunicode.script(char))
    return _SCRIPT_GROUP.get(code, code)


def script_name(code: str) -> str:
    """'Arab' -> 'Arabic' (the English name, for messages)."""
    name: str = fontunicode.script_name(code, default=code)
    return name.replace("_", " ")


def language_script(lang: str) -> str:
    """The script a language is written in: 'ar' -> 'Arab', 'zh' -> 'Hani' (CLDR's
    likely subtags; an explicit script, as in 'sr-Latn', wins)."""
    named = any(len(p) == 4 and p.isalpha() for p in lang.replace("_", "-").split("-")[1:])
    code = maximized(lang)[1] or "Latn"
    han = {"Hans": "Hani", "Hant": "Hani", "Jpan": "Hani", "Kore": "Hang"}
    return _SCRIPT_GROUP.get(code, han.get(code, code)) if named else han.get(code, code)


def is_rtl(lang: str) -> bool:
    return language_script(lang) in RTL_SCRIPTS


@dataclass(frozen=True)
class Face:
    """One font file (or one face of a collection) for one role and some scripts."""

    role: str
    scripts: tuple[str, ...]
    path: Path
    index: int
    weight: int
    italic: bool
    postscript: str
    family_name: str = ""  # the family the font file calls itself ("Noto Sans")

    @property
    def family(self) -> str:
        """The family name the stylesheets use: one per role and script group."""
        return f"PB {self.role.title()} {self.scripts[0]}"

    @property
    def style(self) -> str:
        return "italic" if self.italic else "normal"


@cache
def _cmap(path: Path, index: int, stamp: tuple[int, int]) -> frozenset[int]:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


def face_cmap(face: Face) -> frozenset[int]:
    """The code points ``face`` has glyphs for (read once per file version)."""
    stat = face.path.stat()
    return _cmap(face.path, face.index, (stat.st_size, stat.st_mtime_ns))


@dataclass(frozen=True)
class Missing:
    """A declared font the machine does not have."""

    role: str
    scripts: tuple[str, ...]
    name: str
    package: str


@dataclass(frozen=True)
class FontStack:
    """The theme's fonts: every face found, and every one declared but not found."""

    faces: tuple[Face, ...]
    missing: tuple[Missing, ...] = ()
    where: Location | None = None

    def for_role(self, role: str) -> list[Face]:
        return [f for f in self.faces if f.role == role]

    def covering(self, char: str) -> Face | None:
        """The first face (of any role) that has ``char``, its own script's first."""
        script = script_of(char)
        code = ord(char)
        ordered = sorted(self.faces, key=lambda f: script not in f.scripts)
        return next((f for f in ordered if code in face_cmap(f)), None)

    def missing_for(self, script: str) -> Missing | None:
        return next((m for m in self.missing if script in m.scripts), None)


def _system_fonts() -> dict[str, Path]:
    """Font files in the machine's font folders, by file name (first found wins)."""
    found: dict[str, Path] = {}
    for folder in SYSTEM_FOLDERS:
        base = Path(os.path.expanduser(folder))
        if not base.is_dir():
            continue
        for dirpath, dirs, files in os.walk(base):
            dirs.sort()
            for name in sorted(files):
                if name.lower().endswith((".ttf", ".otf", ".ttc", ".otc")):
                    found.setdefault(name, Path(dirpath) / name)
    return found


_SYSTEM: dict[str, Path] | None = None


def system_fonts() -> dict[str, Path]:
    global _SYSTEM
    if _SYSTEM is None:
        _SYSTEM = _system_fonts()
    return _SYSTEM


def _open_face(path: Path, face_name: str, where: Location) -> tuple[int, TTFont]:
    """The face of ``path`` called ``face_name`` (any face of a single font)."""
    try:
        if not face_name:
            return 0, TTFont(path, lazy=True)
        collection = TTCollection(path, lazy=True)
    except (TTLibError, OSError) as exc:
        raise ConfigError(f"font {path.name} cannot be read ({exc})", where) from None
    for index, font in enumerate(collection.fonts):
        names = {font["name"].getDebugName(i) for i in (1, 4, 16)}
        if face_name in names:
            return index, font
    raise ConfigError(f"font {path.name} has no face called '{face_name}'", where)


def _face(role: str, scripts: tuple[str, ...], path: Path, face_name: str,
          where: Location) -> Face:
    try:
        return _read_face(role, scripts, path, face_name, where)
    except ConfigError:
        raise
    except Exception as exc:  # a damaged file (a pull request may bring one): say which
        raise ConfigError(f"font {path.name} is damaged ({type(exc).__name__}: {exc})",
                          where) from None


def _read_face(role: str, scripts: tuple[str, ...], path: Path, face_name: str,
               where: Location) -> Face:
    index, font = _open_face(path, face_name, where)
    try:
        weight = int(font["OS/2"].usWeightClass) if "OS/2" in font else 400
        italic = bool(font["head"].macStyle & 2) or (
            "OS/2" in font and bool(font["OS/2"].fsSelection & 1))
        postscript = str(font["name"].getDebugName(6) or path.stem)
        family_name = str(font["name"].getDebugName(16) or font["name"].getDebugName(1)
                          or path.stem)
    finally:
        font.close()
    return Face(role, scripts, path, index, weight, italic, postscript, family_name)


_STACKS: dict[tuple[object, ...], FontStack] = {}


def load_fonts(theme: Theme) -> FontStack:
    """The theme's declared fonts, each found in the theme or on the machine (read
    once per process and theme)."""
    key = (theme.name, theme.layers, theme.digest)
    if key not in _STACKS:
        _STACKS[key] = _load_fonts(theme)
    return _STACKS[key]


def _load_fonts(theme: Theme) -> FontStack:
    declaration = theme.find(DECLARATION)
    if declaration is None:
        return FontStack(())
    located = load_yaml(declaration)
    data = located.data
    where = Location(declaration, 1, 1)
    if not isinstance(data, dict):
        raise ConfigError("fonts.yml maps roles (serif, sans) to fonts per script", where)
    packages = data.get("packages") or {}
    faces: list[Face] = []
    missing: list[Missing] = []
    for role in ROLES:
        table = data.get(role) or {}
        if not isinstance(table, dict):
            raise ConfigError(f"fonts.yml: '{role}' maps script codes to font files",
                              located.where((role,)))
        for key, names in table.items():
            scripts = tuple(str(key).split())
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ConfigError(f"fonts.yml: '{role}.{key}' is a list of font files",
                                  located.where((role, key)))
            for name in names:
                file_name, _, face_name = name.partition("#")
                path = theme.find(f"fonts/{file_name}") or system_fonts().get(file_name)
                if path is None:
                    missing.append(Missing(role, scripts, file_name,
                                           str(packages.get(file_name, ""))))
                    continue
                faces.append(_face(role, scripts, path, face_name,
                                   located.where((role, key))))
    return FontStack(tuple(faces), tuple(missing), where)


def uncovered(stack: FontStack, chars: Iterable[str]) -> dict[str, str]:
    """The characters no declared font has, each with why: the script's font is not
    installed (and which package has it), or the theme declares none."""
    out: dict[str, str] = {}
    for char in sorted(set(chars)):
        if not _needs_glyph(char) or stack.covering(char) is not None:
            continue
        script = script_of(char)
        absent = stack.missing_for(script)
        if absent is not None:
            where = (f"install Debian's {absent.package}" if absent.package
                     else "install it")
            out[char] = (f"the theme's {script_name(script)} font {absent.name} is not on "
                         f"this machine ({where}, or name another font in fonts.yml)")
        else:
            out[char] = (f"no font of the theme has it (the theme declares no font for "
                         f"{script_name(script)} in fonts.yml)")
    return out


def _needs_glyph(char: str) -> bool:
    """Characters drawn with a glyph (not controls, format characters, variation
    selectors or line ends, which the layout handles itself)."""
    category = ucd.category(char)
    code = ord(char)
    return not (category in ("Cc", "Cf", "Zl", "Zp") or 0xFE00 <= code <= 0xFE0F
                or 0xE0100 <= code <= 0xE01EF or 0x180B <= code <= 0x180F)


def describe(char: str) -> str:
    """'图' -> "'图' (U+56FE, Han)"."""
    return f"'{char}' (U+{ord(char):04X}, {script_name(script_of(char))})"


# ---------------------------------------------------------------- subsets per edition


@dataclass(frozen=True)
class EmbeddedFace:
    face: Face
    ttf: Path  # the subset in the shared font cache
    woff2: Path
    printed: Path  # its copy in the build's cache, where the PDF renderer may read it


@dataclass
class EditionFonts:
    """The subsets one edition embeds, in its language's order."""

    lang: str
    faces: list[EmbeddedFace] = field(default_factory=list)

    def families(self, role: str, web: bool = False) -> list[str]:
        """Family names for ``role``, the edition's own script first, then the other
        role's for scripts this role lacks (a sans heading over Han text)."""
        primary = language_script(self.lang)
        ordered = sorted(self.faces, key=lambda e: (e.face.role != role,
                                                    primary not in e.face.scripts))
        names: list[str] = []
        for embedded in ordered:
            name = self.name(embedded.face.family, web)
            if name not in names:
                names.append(name)
        return names

    def covering(self, chars: Iterable[str], role: str) -> str | None:
        """The print name of the first family of ``role`` (the edition's script first)
        that has every one of ``chars``: an SVG's text is set in one family only."""
        codes = {ord(c) for c in chars if _needs_glyph(c) and not c.isspace()}
        primary = language_script(self.lang)
        families: dict[str, set[int]] = {}
        for embedded in self.faces:
            if embedded.face.role == role and not embedded.face.italic:
                families.setdefault(embedded.face.family, set()).update(
                    face_cmap(embedded.face))
        ordered = sorted(families, key=lambda f: primary not in f.split()[-1])
        return next((self.name(f, False) for f in ordered if codes <= families[f]), None)

    def name(self, family: str, web: bool) -> str:
        """The family's name in the stylesheet. In print it carries a tag of its
        subsets' content: a warm process keeps every @font-face it was given, and the
        subsets of one edition must not stand in for another's (or an older one's)."""
        if web:
            return family
        subsets = sorted(e.ttf.name for e in self.faces if e.face.family == family)
        return f"{family} {hashlib.sha256(repr(subsets).encode()).hexdigest()[:8]}"

    def css(self, web: bool = False) -> str:
        """``@font-face`` rules and the ``--serif``/``--sans`` stacks: file
        URLs for print, WOFF2 data in the web edition (one self-contained file)."""
        import base64

        generic = {"serif": "serif", "sans": "sans-serif", "mono": "monospace"}
        rules = []
        for embedded in self.faces:
            face = embedded.face
            if web:
                data = base64.b64encode(woff2_of(embedded).read_bytes()).decode("ascii")
                src = f'url(data:font/woff2;base64,{data}) format("woff2")'
            else:
                src = f"url({embedded.printed.as_uri()})"
            rules.append(f'@font-face {{ font-family: "{self.name(face.family, web)}"; '
                         f"src: {src}; "
                         f"font-weight: {face.weight}; font-style: {face.style}; "
                         "font-display: swap; }")
        if not self.faces:  # a theme that declares no fonts: nothing to add
            return ""
        stacks = {role: ", ".join(f'"{n}"' for n in self.families(role, web))
                  or generic[role] for role in ROLES}
        declarations = " ".join(f"--{role}: {stacks[role]}, {generic[role]};"
                                for role in ROLES)
        # page margin boxes (running heads, folios) inherit from the page, not the root
        rules.append(f":root {{ {declarations} }}")
        if not web:
            rules.append(f"@page {{ {declarations} }}")
        if language_script(self.lang) not in SPACED_SCRIPTS:
            # letters that join (Arabic) or stand in a grid (CJK), or hang from one
            # headstroke (Devanagari), are never spaced out nor set in capitals
            rules.append("* { letter-spacing: 0 !important; text-transform: none !important; }")
            # these scripts have no italic: the theme's italic display text stands upright
            rules.append(".pull-quote, h4 { font-style: normal !important; }")
            if not web:
                rules.append("@page { @top-left { letter-spacing: 0; } "
                             "@top-right { letter-spacing: 0; } }")
        return "\n".join(rules) + "\n"


def _digest(path: Path) -> str:
    stat = path.stat()
    return _file_digest(path, stat.st_size, stat.st_mtime_ns)


@cache
def _file_digest(path: Path, size: int, mtime: int) -> str:
    h = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _subset(face: Face, codes: list[int], folder: Path) -> EmbeddedFace:
    """The subset of ``face`` with ``codes`` as TTF (for print), cached by content;
    its WOFF2 (for the web) is made from it when first asked for."""
    key = hashlib.sha256(
        f"{SUBSET_VERSION}\0{_digest(face.path)}\0{face.index}\0{codes}".encode()
    ).hexdigest()[:24]
    ttf = folder / f"{key}.ttf"
    if not ttf.is_file():
        options = subset.Options()  # its default features cover every script's shaping
        options.name_IDs = ["*"]
        options.name_languages = ["*"]
        options.notdef_outline = True
        options.hinting = False  # print and screens hint themselves; half the size
        try:
            font = TTFont(face.path, fontNumber=face.index, recalcTimestamp=False)
            subsetter = subset.Subsetter(options)
            subsetter.populate(unicodes=codes)
            subsetter.subset(font)
        except Exception as exc:  # a damaged font: named, not a traceback
            raise ConfigError(f"font {face.path.name} cannot be subset "
                              f"({type(exc).__name__}: {exc})", Location(face.path)) from None
        _save(font, ttf)
    return EmbeddedFace(face, ttf, ttf.with_suffix(".woff2"), ttf)


def _save(font: TTFont, target: Path) -> None:
    """Write a font into the cache in one step, through a temporary file of its own:
    several builds (and an edition's worker processes) may write the same subset."""
    buffer = io.BytesIO()
    font.save(buffer, reorderTables=True)
    _store(target, buffer.getvalue())


def _store(target: Path, data: bytes) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, data, durable=False)
    except OSError as exc:
        raise EnvironmentFault(f"cannot write the font cache {target.parent}: "
                               f"{exc.strerror}") from None


def woff2_of(embedded: EmbeddedFace) -> Path:
    """The web edition's copy of a subset (WOFF2: a third of the size)."""
    if not embedded.woff2.is_file():
        font = TTFont(embedded.ttf, recalcTimestamp=False)
        font.flavor = "woff2"
        _save(font, embedded.woff2)
    return embedded.woff2


# Always embedded: what the templates print whatever the text (digits, ASCII), and
# what the layout inserts itself (the hyphen of a hyphenated word, an ellipsis).
BASELINE = frozenset([*(chr(c) for c in range(0x20, 0x7F)), "\u2010", "\u2026"])
# The prefix of every family the build declares ("PB Serif Latn"), as a PDF names it.
FAMILY_PREFIX = "PB-"


# A Unicode block up to this size is embedded whole once the text uses one character
# of it: an edit rarely adds a block, so print and web, and one edit and the next,
# share their subsets (CJK's 20,000-character blocks are embedded character by
# character).
WHOLE_BLOCK = 1024


def _blocks(codes: set[int]) -> set[int]:
    """Every code point of the small Unicode blocks ``codes`` touch, and ``codes``."""
    out = set(codes)
    ranges = unicode_blocks.RANGES
    for start in {ranges[bisect.bisect_right(ranges, c) - 1] for c in codes}:
        index = bisect.bisect_left(ranges, start)
        end = ranges[index + 1] if index + 1 < len(ranges) else 0x110000
        if end - start <= WHOLE_BLOCK:
            out.update(range(start, end))
    return out


def edition_fonts(stack: FontStack, lang: str, chars: Iterable[str],
                  cache_dir: Path, roles: Iterable[str] = ROLES) -> EditionFonts:
    """The subsets of the faces an edition's text needs: its own script's faces and
    Latin's with the blocks of every character they have (digits and punctuation are
    theirs); another script's with only that script's characters (a language's name in
    the list of editions: a few glyphs, the same subset for every edition naming it);
    and, for a character none of these has (an arrow), the family that has it."""
    text = {c for c in set(chars) | BASELINE if _needs_glyph(c)}
    primary = {"Latn", language_script(lang)}
    scripts = {script_of(c) for c in text}
    whole = _blocks({ord(c) for c in text})
    wanted: dict[Face, set[int]] = {}
    for face in stack.faces:
        if face.role not in roles:
            continue
        own = set(face.scripts)
        if own & primary:
            codes = whole
        elif own & scripts:
            codes = {ord(c) for c in text if script_of(c) in own or script_of(c) == "Zinh"}
        else:
            continue
        wanted[face] = codes & face_cmap(face)
    for char in sorted(text):  # what no chosen face has, from the family that has it
        if any(ord(char) in codes for codes in wanted.values()):
            continue
        found = stack.covering(char)
        if found is not None:
            for face in stack.faces:
                if face.family == found.family and ord(char) in face_cmap(face):
                    wanted.setdefault(face, set()).add(ord(char))
    out = EditionFonts(lang)
    shared = font_cache(cache_dir)
    for face in stack.faces:  # in the theme's order: deterministic
        chosen = sorted(wanted.get(face, set()))
        if chosen:
            embedded = _subset(face, chosen, shared)
            out.faces.append(_printed(embedded, cache_dir / "fonts"))
    return out


def font_cache(cache_dir: Path) -> Path:
    """Where subsets are kept: one folder for every brief of the user (a subset depends
    only on the font file and the characters, so briefs and builds share it);
    ``POLICYBRIEF_FONT_CACHE`` names another, and an unwritable one gives way to the
    build's own cache."""
    configured = os.environ.get("POLICYBRIEF_FONT_CACHE")
    base = Path(configured) if configured else Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "policybrief" / "fonts"
    try:
        base.mkdir(parents=True, exist_ok=True)
        if os.access(base, os.W_OK):
            return base
    except OSError:
        pass
    return cache_dir / "fonts"


def _printed(embedded: EmbeddedFace, folder: Path) -> EmbeddedFace:
    """The subset copied into the build's cache: the PDF renderer reads fonts only from
    the project, its theme and its build (a sandbox a pull request cannot widen)."""
    target = folder / embedded.ttf.name
    if target == embedded.ttf:
        return embedded
    if not target.is_file():
        _store(target, embedded.ttf.read_bytes())
    return replace(embedded, printed=target)


class Located(Protocol):
    """A chapter, as far as locating a character goes."""

    @property
    def text(self) -> str: ...

    def location(self, offset: int) -> Location: ...


def first_use(char: str, chapters: Sequence[Located], source: Path) -> Location:
    """Where an edition's text first has ``char``: a chapter's line and column, else
    ``source`` (brief.yml: a title, a name)."""
    for chapter in chapters:
        offset = chapter.text.find(char)
        if offset >= 0:
            return chapter.location(offset)
    text = source.read_text(encoding="utf-8") if source.is_file() else ""
    offset = text.find(char)
    return Location.at(source, text, offset) if offset >= 0 else Location(source)


def require_glyphs(stack: FontStack, chars: Iterable[str], chapters: Sequence[Located],
                   source: Path) -> None:
    """A located error for every character of the edition no declared font has: in
    print it would be a blank box, or a font from whatever the machine has."""
    lacking = uncovered(stack, chars)
    if not lacking:
        return
    errors = [BriefError(f"{describe(char)} has no glyph in the edition's fonts: {why}",
                         first_use(char, chapters, source))
              for char, why in list(lacking.items())[:20]]
    from policybrief.errors import raise_all

    raise_all(errors)


def chart_faces(stack: FontStack, role: str, lang: str) -> tuple[list[Path], list[str]]:
    """The font files charts are drawn with, and their family names in the order a
    character is looked for (the edition's script first, then the role's others, then
    the other role's): the very files the PDF and web edition embed subsets of."""
    primary = language_script(lang)
    ordered = sorted(stack.faces, key=lambda f: (f.role != role, primary not in f.scripts))
    files = sorted({f.path for f in stack.faces})
    families: list[str] = []
    for face in ordered:
        if face.family_name not in families:
            families.append(face.family_name)
    return files, families
