"""The brief's sources: ``references.bib`` read with bibtexparser, validated, and
converted to CSL-JSON for each edition.

The conversion follows pandoc's own biblatex reader (``pandoc -f biblatex -t csljson``)
field by field: entry types, names (particles, suffixes, corporate ``{{Name}}``),
``number`` as an article's ``issue`` or a book's ``collection-number``, title with
subtitle and title addon, publisher from institution/organization/publisher, dates,
``eprint`` as a URL. ``tests/test_bibtex_csl.py`` converts a corpus both ways and
lists every intended difference, chiefly: titles are printed exactly as the sources
give them (pandoc re-cases English titles to sentence case), a list of publishers or
places is not split at "and" (pandoc would split "Example Institute and Partners"),
and per-language fields: ``title-es`` overrides ``title`` in the Spanish edition;
``origtitle`` with ``origlanguage`` is used as the title in the edition of that
language.

LaTeX is decoded to Unicode by pylatexenc (``{\\'a}`` -> "á", ``\\&`` -> "&", ``--``
-> "–") in every field except the verbatim ones (URL, DOI, ISBN, ...), after names
are split, so a braced corporate author stays one literal name.

Reading the file (:func:`load_bibliography`) leaves nothing to chance: ``@string``
macros and ``#`` concatenation are expanded (bibtexparser's own
``ResolveStringReferencesMiddleware``, completed by :class:`StringExpressions` for
what it leaves), ``crossref`` is resolved by biblatex's default inheritance rules
(:data:`CROSSREF_RULES`), and every block bibtexparser could not parse, every
duplicate (entry keys and ``@string`` names compared without case, as BibTeX and biber
compare them; fields within an entry), every undefined macro and every text a stray
brace left outside its entry is an error located at its line. What the file means
but BibTeX and biber would read differently (a field commented out with ``%``, an
ignored ``@preamble``) is a located warning (:attr:`Bibliography.diagnostics`, rule
``source-syntax``, reported by ``brief check``).
"""

from __future__ import annotations

import difflib
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bibtexparser.entrypoint import parse_string
from bibtexparser.library import Library
from bibtexparser.middlewares import (
    LibraryMiddleware,
    RemoveEnclosingMiddleware,
    ResolveStringReferencesMiddleware,
)
from bibtexparser.middlewares.names import split_multiple_persons_names
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
    Preamble,
    String,
)
from pylatexenc import latexwalker  # type: ignore[import-untyped]
from pylatexenc.latex2text import (  # type: ignore[import-untyped]
    LatexNodes2Text,
    MacroTextSpec,
    get_default_latex_context_db,
)
from pylatexenc.macrospec import MacroSpec  # type: ignore[import-untyped]

from policybrief.errors import BibliographyError, BriefError, Diagnostic, Location, raise_all
from policybrief.textfiles import read_text

# biblatex entry types as pandoc maps them to CSL (its getTypeAndGenre). Pandoc gives
# @misc no type at all (""); we give it CSL's generic "document".
CSL_TYPES = {
    "article": "article-journal",
    "artwork": "graphic",
    "audio": "song",
    "book": "book",
    "bookinbook": "chapter",
    "booklet": "pamphlet",
    "collection": "book",
    "commentary": "book",
    "data": "dataset",
    "dataset": "dataset",
    "electronic": "webpage",
    "image": "graphic",
    "inbook": "chapter",
    "incollection": "chapter",
    "inproceedings": "paper-conference",
    "inreference": "entry-encyclopedia",
    "jurisdiction": "legal_case",
    "legal": "treaty",
    "legislation": "legislation",
    "letter": "personal_communication",
    "letters": "personal_communication",
    "manual": "book",
    "mastersthesis": "thesis",
    "misc": "document",
    "movie": "motion_picture",
    "music": "song",
    "mvbook": "book",
    "mvcollection": "book",
    "mvproceedings": "book",
    "mvreference": "book",
    "newsarticle": "article-newspaper",
    "online": "webpage",
    "patent": "patent",
    "performance": "speech",
    "periodical": "article-journal",
    "phdthesis": "thesis",
    "proceedings": "book",
    "reference": "book",
    "report": "report",
    "review": "review",
    "software": "book",
    "standard": "legislation",
    "suppbook": "chapter",
    "suppcollection": "chapter",
    "suppperiodical": "article-journal",
    "techreport": "report",
    "thesis": "thesis",
    "unpublished": "manuscript",
    "video": "motion_picture",
    "www": "webpage",
}
_ARTICLES = {"article", "periodical", "suppperiodical", "review"}
_CHAPTERLIKE = {"inbook", "incollection", "inproceedings", "inreference", "bookinbook"}
# entry types whose ``number`` is the number in a series (CSL collection-number)
_IN_SERIES = {"book", "collection", "proceedings", "reference", "mvbook", "mvcollection",
              "mvproceedings", "mvreference", "bookinbook", "inbook", "incollection",
              "inproceedings", "inreference", "suppbook", "suppcollection"}

# biblatex localisation keys a database may use in ``type`` and ``pubstate``, in the
# English pandoc resolves them to (``pandoc -t csljson`` has no edition language).
BIBLATEX_STRINGS = {
    "phdthesis": "PhD thesis", "mathesis": "Master’s thesis",
    "candthesis": "Candidate thesis", "techreport": "technical report",
    "resreport": "research report", "software": "computer software",
    "datacd": "CD-ROM", "audiocd": "audio CD", "inpress": "in press",
    "inpreparation": "in preparation", "submitted": "submitted",
    "forthcoming": "forthcoming", "prepublished": "pre-published",
}

# babel language names (``langid``) as BCP 47 tags, as pandoc's toIETF gives them.
LANGUAGE_TAGS = {
    "english": "en-US", "usenglish": "en-US", "american": "en-US", "british": "en-GB",
    "ukenglish": "en-GB", "canadian": "en-US", "australian": "en-GB",
    "newzealand": "en-GB", "afrikaans": "af-ZA", "arabic": "ar", "basque": "eu",
    "bulgarian": "bg-BG", "catalan": "ca-AD", "croatian": "hr-HR", "czech": "cs-CZ",
    "danish": "da-DK", "dutch": "nl-NL", "estonian": "et-EE", "finnish": "fi-FI",
    "canadien": "fr-CA", "acadian": "fr-CA", "french": "fr-FR", "francais": "fr-FR",
    "austrian": "de-AT", "naustrian": "de-AT", "german": "de-DE", "germanb": "de-DE",
    "ngerman": "de-DE", "greek": "el-GR", "polutonikogreek": "el-GR",
    "hebrew": "he-IL", "hungarian": "hu-HU", "icelandic": "is-IS", "italian": "it-IT",
    "japanese": "ja-JP", "latvian": "lv-LV", "lithuanian": "lt-LT", "magyar": "hu-HU",
    "mongolian": "mn-MN", "norsk": "nb-NO", "nynorsk": "nn-NO", "farsi": "fa-IR",
    "polish": "pl-PL", "brazil": "pt-BR", "brazilian": "pt-BR", "portugues": "pt-PT",
    "portuguese": "pt-PT", "romanian": "ro-RO", "russian": "ru-RU", "serbian": "sr-RS",
    "serbianc": "sr-RS", "slovak": "sk-SK", "slovene": "sl-SL", "spanish": "es-ES",
    "swedish": "sv-SE", "thai": "th-TH", "turkish": "tr-TR", "ukrainian": "uk-UA",
    "vietnamese": "vi-VN", "latin": "la",
}
_ENGLISH_VARIANTS = {"variant=british": "british", "variant=uk": "british",
                     "variant=american": "american", "variant=us": "american",
                     "variant=usmax": "american", "variant=australian": "australian",
                     "variant=newzealand": "newzealand"}

# Fields copied as they are (LaTeX escapes of URL characters undone, nothing decoded).
VERBATIM_FIELDS = {"url": "URL", "doi": "DOI", "isbn": "ISBN", "issn": "ISSN",
                   "pmid": "PMID", "pmcid": "PMCID", "library": "call-number"}
DATE_FIELDS = {"date": "issued", "urldate": "accessed", "eventdate": "event-date",
               "origdate": "original-date"}
NAME_FIELDS = {"author": "author", "editor": "editor", "translator": "translator",
               "director": "director", "bookauthor": "container-author"}
# Decoded fields that go to one CSL variable each, whatever the entry type.
TEXT_FIELDS = {
    "origtitle": "original-title", "eventtitle": "event", "origpublisher":
    "original-publisher", "origlocation": "original-publisher-place", "venue":
    "event-place", "pagetotal": "number-of-pages", "volumes": "number-of-volumes",
    "chapter": "chapter-number", "edition": "edition", "version": "version",
    "abstract": "abstract", "keywords": "keyword",
}
# Where an eprint (without a url) is found, as pandoc builds the URL.
EPRINT_URLS = {"arxiv": "https://arxiv.org/abs/", "jstor": "https://www.jstor.org/stable/",
               "pubmed": "https://www.ncbi.nlm.nih.gov/pubmed/",
               "googlebooks": "https://books.google.com?id="}

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_LANG_SUFFIX = re.compile(r"^([a-z]+)-([a-z]{2,3})$")
_MONTHS = {m: i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"],
    start=1)}


# ------------------------------------------------------------------ LaTeX to text

# Macros of biblatex databases that pylatexenc does not know, with their argument.
_ONE_ARGUMENT = ["mkbibquote", "enquote", "mkbibemph", "mkbibitalic", "mkbibbold",
                 "textsuperscript", "textsubscript", "mkbibsuperscript",
                 "mkbibsubscript", "NoCaseChange", "nocase", "textnormal", "textsf",
                 "texttt", "textup", "textmd", "hbox", "textsc", "emph", "textit",
                 "textbf", "textrm", "textsl", "mbox"]
# CSL-JSON's own markup for what LaTeX marks (pandoc's CSL-JSON writer does the same).
_RICH = {"emph": "<i>%s</i>", "textit": "<i>%s</i>", "mkbibemph": "<i>%s</i>",
         "mkbibitalic": "<i>%s</i>", "textbf": "<b>%s</b>", "mkbibbold": "<b>%s</b>",
         "textsuperscript": "<sup>%s</sup>", "mkbibsuperscript": "<sup>%s</sup>",
         "textsubscript": "<sub>%s</sub>", "mkbibsubscript": "<sub>%s</sub>",
         # (\ue000 stands for '"' until the quotes of the text are made curly)
         "textsc": "<span style=\ue000font-variant:small-caps;\ue000>%s</span>"}
_PLAIN = ["mbox", "hbox", "textnormal", "textrm", "textsf", "texttt", "textup", "textmd",
          "textsl", "NoCaseChange", "nocase"]
_URL_MACRO = re.compile(r"\\url\{([^{}]*)\}")
_BARE_PERCENT = re.compile(r"(?<!\\)%")
_URL_ESCAPE = re.compile(r"\\([_%&#$~{}])")
_SPACES = re.compile(r"[ \t\r\n\f\v]+")


@functools.cache
def _decoder(rich: bool) -> tuple[LatexNodes2Text, Any]:
    """pylatexenc's decoder with biblatex's macros, and its parser's macro table."""
    walker_db = latexwalker.get_default_latex_context_db()
    walker_db.add_context_category(
        "policybrief-biblatex", prepend=True,
        macros=[MacroSpec(name, "{") for name in _ONE_ARGUMENT]
        + [MacroSpec("foreignlanguage", "{{")])
    text_db = get_default_latex_context_db()
    macros = [MacroTextSpec(name, simplify_repl=(_RICH[name] if rich else "%s"))
              for name in _RICH]
    macros += [MacroTextSpec(name, simplify_repl="%s") for name in _PLAIN]
    macros += [MacroTextSpec("mkbibquote", simplify_repl="“%s”"),
               MacroTextSpec("enquote", simplify_repl="“%s”"),
               MacroTextSpec("foreignlanguage", simplify_repl="%(2)s"),
               MacroTextSpec("textquotedbl", simplify_repl='"'),
               MacroTextSpec("textquotesingle", simplify_repl="'"),
               MacroTextSpec("S", simplify_repl="§"),
               MacroTextSpec("LaTeX", simplify_repl="LaTeX"),
               MacroTextSpec("TeX", simplify_repl="TeX")]
    text_db.add_context_category("policybrief-biblatex", prepend=True, macros=macros)
    decoder = LatexNodes2Text(latex_context=text_db, math_mode="verbatim",
                              strict_latex_spaces=True)
    return decoder, walker_db


# pylatexenc logs what it cannot parse and keeps going; the text it gives is the answer.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)


_OPENING = r"(?:(?<=^)|(?<=[\s(\[{“‘\u00a0]))"


def _smart_quotes(text: str) -> str:
    """Straight quotes and ``...`` as LaTeX (and pandoc's smart reading) print them:
    a quote opens after a space or a bracket, and otherwise closes ("Workers’")."""
    text = text.replace("...", "…")
    text = re.sub(_OPENING + r"'(?=\S)", "‘", text).replace("'", "’")
    text = re.sub(_OPENING + r'"(?=\S)', "“", text)
    return text.replace('"', "”")


@functools.lru_cache(maxsize=8192)
def _decode(value: str, rich: bool) -> str:
    decoder, walker_db = _decoder(rich)
    pieces = []
    last = 0
    for match in _URL_MACRO.finditer(value):
        pieces.append((value[last:match.start()], True))
        pieces.append((match.group(1), False))
        last = match.end()
    pieces.append((value[last:], True))
    out = []
    for text, is_latex in pieces:
        if not is_latex:
            out.append(verbatim(text))
            continue
        # a bare % is a percent sign here, not a LaTeX comment
        latex = _BARE_PERCENT.sub(r"\\%", text)
        out.append(_smart_quotes(decoder.latex_to_text(latex, latex_context=walker_db)))
    return _SPACES.sub(" ", "".join(out)).strip().replace("\ue000", '"')


def latex_to_text(value: str) -> str:
    """A field's LaTeX as plain Unicode text: ``S{\\'a}nchez`` -> "Sánchez", ``\\&``
    -> "&", ``--`` -> "–", ``{NATO}`` -> "NATO" (pylatexenc, with biblatex's macros)."""
    return _decode(value, False)


def latex_to_csl(value: str) -> str:
    """A field's LaTeX as CSL-JSON rich text: as :func:`latex_to_text`, with ``\\emph``
    as ``<i>``, ``\\textbf`` as ``<b>``, super- and subscripts and small capitals."""
    return _decode(value, True)


def verbatim(value: str) -> str:
    """A URL, DOI or other verbatim field: ``\\_`` -> "_", nothing else changed."""
    return _URL_ESCAPE.sub(r"\1", value.strip())


# --------------------------------------------------------------------- entries


@dataclass
class BibEntry:
    key: str
    entry_type: str
    fields: dict[str, str]
    location: Location
    field_lines: dict[str, int] = field(default_factory=dict)
    # fields taken from a ``crossref`` parent: field -> key of the entry that gives it.
    # Their line is the child's ``crossref`` line (the parent's own lines stay the
    # parent's, for an opt-out or a finding there).
    inherited: dict[str, str] = field(default_factory=dict)

    def field_location(self, name: str) -> Location:
        line = self.field_lines.get(name)
        return Location(self.location.path, line, 1) if line else self.location


@dataclass
class Bibliography:
    path: Path
    entries: dict[str, BibEntry]
    # what reading the file found that BibTeX or biber would read differently (warnings)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    def keys(self) -> set[str]:
        return set(self.entries)

    def to_csl(self, lang: str) -> list[dict[str, Any]]:
        """CSL-JSON items for the edition in ``lang``, in key order (deterministic)."""
        return [entry_to_csl(self.entries[k], lang) for k in sorted(self.entries)]


def split_top_level(value: str, separator: str) -> list[str]:
    """Split at ``separator`` outside braces (BibTeX's name lists)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(value):
        char = value[i]
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif depth == 0 and value.startswith(separator, i):
            parts.append(value[start:i])
            i += len(separator)
            start = i
            continue
        i += 1
    parts.append(value[start:])
    return [p.strip() for p in parts if p.strip()]


def _one_group(value: str) -> bool:
    """``{...}`` whose first brace closes at the very end."""
    if not (value.startswith("{") and value.endswith("}")):
        return False
    depth = 0
    for i, char in enumerate(value):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return i == len(value) - 1
    return False


def _capitalized(word: str) -> bool:
    """pandoc's test for the parts of a name: a braced word counts as capitalised,
    digits are skipped, and otherwise the first letter decides."""
    if word.startswith("{") and not word.startswith("{\\"):
        return True
    for char in latex_to_text(word):
        if char.isdigit():
            continue
        return char.isupper()
    return True


def _initials(text: str) -> str:
    """``J.G.`` -> ``J. G.`` (pandoc treats both alike)."""
    return re.sub(r"(?<![^\s.])([^\W\d_])\.(?=([^\W\d_])(?:\.|\s|$))",
                  lambda m: f"{m.group(1)}. " if m.group(1).isupper() and m.group(2).isupper()
                  else m.group(0), text)


def _extended_name(raw: str, useprefix: bool) -> dict[str, str]:
    """biblatex's ``family=Fuente, given=Ana, prefix=de la, useprefix=true``."""
    parts: dict[str, str] = {}
    values: dict[str, str] = {}
    for piece in split_top_level(raw, ","):
        key, _, value = piece.partition("=")
        values[key.strip().lower()] = value.strip()
    for key, csl in (("given", "given"), ("family", "family"), ("suffix", "suffix"),
                     ("prefix", "dropping-particle")):
        if values.get(key):
            parts[csl] = _initials(latex_to_text(values[key]))
    own = values.get("useprefix", "").strip("{} ").lower()
    if (own == "true" or (useprefix and own != "false")) and "dropping-particle" in parts:
        parts["non-dropping-particle"] = parts.pop("dropping-particle")
    return parts


def _name(raw: str, useprefix: bool) -> dict[str, str]:
    """One BibTeX name as CSL: ``{Corporate Name}``, ``von Last, Jr, First`` or ``First
    von Last``, split as pandoc's biblatex reader splits it."""
    if _one_group(raw):
        return {"literal": latex_to_text(raw[1:-1])}
    if raw == "others":
        return {"literal": "others"}
    if re.match(r"\s*(?:family|given|prefix|suffix|useprefix)\s*=", raw, re.IGNORECASE):
        return _extended_name(raw, useprefix)
    words = [split_top_level(part, " ")
             for part in split_top_level(_SPACES.sub(" ", raw), ",")]
    first: list[str]
    junior: list[str] = []
    if len(words) == 1:
        caps = 0
        while caps < len(words[0]) and _capitalized(words[0][caps]):
            caps += 1
        rest = words[0][caps:]
        first, vonlast = ((words[0][:caps - 1], words[0][caps - 1:]) if not rest
                          else (words[0][:caps], rest))
    elif len(words) == 2:
        vonlast, first = words
    else:
        vonlast, junior, first = words[0], words[1], words[2]
    lower = 0
    while lower < len(vonlast) and not _capitalized(vonlast[lower]):
        lower += 1
    if lower == len(vonlast) and vonlast:
        lower -= 1
    von, last = vonlast[:lower], vonlast[lower:]
    name: dict[str, str] = {}
    for key, part in (("family", last), ("given", first), ("suffix", junior)):
        text = _initials(latex_to_text(" ".join(part)))
        if text:
            name[key] = text
    particle = latex_to_text(" ".join(von))
    if particle:
        name["non-dropping-particle" if useprefix else "dropping-particle"] = particle
    return name


def parse_names(value: str, useprefix: bool = True) -> list[dict[str, str]]:
    """A BibTeX name list as CSL names (bibtexparser splits it at "and")."""
    return [_name(raw.strip(), useprefix) for raw in split_multiple_persons_names(value)
            if raw.strip()]


def parse_date(value: str) -> dict[str, Any] | None:
    """EDTF level 0 dates and ranges: ``2020``, ``2020-03``, ``2020-03-22``, ``a/b``."""
    parts = []
    for piece in value.split("/"):
        match = _DATE.match(piece.strip())
        if not match:
            return None
        numbers = [int(g) for g in match.groups() if g]
        if len(numbers) > 1 and not 1 <= numbers[1] <= 12:
            return None
        if len(numbers) > 2 and not 1 <= numbers[2] <= 31:
            return None
        parts.append(numbers)
    if len(parts) > 2:
        return None
    return {"date-parts": parts}


def _old_date(fields: dict[str, str], prefix: str) -> dict[str, Any] | None:
    """``year``, ``month`` (a number or jan...dec) and ``day``, when there is no date."""
    year = fields.get(prefix + "year", "").strip()
    if not re.fullmatch(r"\d{1,4}", year):
        return None
    parts = [int(year)]
    month = fields.get(prefix + "month", "").strip().lower()
    number = _MONTHS.get(month[:3]) if not month.isdecimal() else int(month)
    if number and 1 <= number <= 12:
        parts.append(number)
        day = fields.get(prefix + "day", "").strip()
        if day.isdecimal() and 1 <= int(day) <= 31:
            parts.append(int(day))
    return {"date-parts": [parts]}


def language_tag(langid: str) -> str:
    """A babel language name as its BCP 47 tag (``spanish`` -> ``es-ES``)."""
    name = langid.strip().lower()
    return LANGUAGE_TAGS.get(name, name)


def _concat(parts: list[str], separator: str) -> str:
    """pandoc's concatWith: ``a: b`` unless ``a`` ends with punctuation already."""
    text = ""
    for part in parts:
        if not part:
            continue
        if not text:
            text = part
        elif text[-1] in "!?.,:;":
            text += " " + part
        else:
            text += f"{separator} {part}"
    return text


def _ordinal(number: str) -> str:
    n = int(number)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{number}{suffix}"


def _edition_fields(entry: BibEntry, lang: str) -> dict[str, str]:
    """The entry's fields with those of ``lang`` chosen (``title-es``, ``origtitle``)."""
    fields = dict(entry.fields)
    orig_lang = language_tag(fields.get("origlanguage", "")).split("-")[0]
    if orig_lang == lang and "origtitle" in fields and f"title-{lang}" not in fields:
        fields["title"] = fields["origtitle"]
        fields.pop("shorttitle", None)
    for name in list(fields):
        match = _LANG_SUFFIX.match(name)
        if match:
            base, suffix = match.groups()
            value = fields.pop(name)
            if suffix == lang:
                fields[base] = value
                if base == "title":  # the title is in the edition's language now: citeproc
                    fields["langid"] = lang  # must not title-case it as English
                    fields.pop("langidopts", None)
    return {k: v for k, v in fields.items() if v.strip()}


def entry_to_csl(entry: BibEntry, lang: str) -> dict[str, Any]:
    """One entry as CSL-JSON, with the fields of ``lang`` chosen where present."""
    fields = _edition_fields(entry, lang)
    kind = entry.entry_type
    options = {k.strip().lower(): v.strip().lower() for k, _, v in
               (o.partition("=") for o in fields.get("options", "").split(",")) if k.strip()}

    def text(*names: str, when: bool = True) -> str:
        """The first of ``names`` present, decoded; "" if none (or not ``when``)."""
        return next((latex_to_csl(fields[n]) for n in names if n in fields), "") if when \
            else ""

    item: dict[str, Any] = {"id": entry.key, "type": _csl_type(kind, fields)}

    def put(variable: str, value: Any) -> None:
        if value:
            item[variable] = value

    # type, language
    genre = _genre(kind, fields)
    put("genre", genre)
    langid = fields.get("langid", "").strip().lower()
    if langid == "english":
        variant = fields.get("langidopts", "").strip().lower()
        langid = _ENGLISH_VARIANTS.get(variant, langid)
    put("language", language_tag(langid or fields.get("hyphenation", "")))

    # names
    # A particle stays with the family name ("de Sousa, Marcelo" when inverted), as
    # the house style prints it; pandoc follows biblatex's default useprefix=false
    # ("Sousa, Marcelo de"), which an entry can ask for: options = {useprefix=false}.
    useprefix = options.get("useprefix", "true") in ("", "true")
    for name, variable in NAME_FIELDS.items():
        if name in fields:
            target = variable
            if name == "editor" and fields.get("editortype", "").strip() == "director":
                target = "director"
            put(target, parse_names(fields[name], useprefix))

    # dates
    for name, variable in DATE_FIELDS.items():
        prefix = {"date": "", "urldate": "url", "eventdate": "event", "origdate": "orig"}[name]
        date = parse_date(fields[name]) if name in fields else _old_date(fields, prefix)
        put(variable, date)

    # titles (pandoc: maintitle, periodical and chapter-like entries move them about)
    periodical = kind == "periodical"
    chapterlike = kind in _CHAPTERLIKE
    has_main = "maintitle" in fields
    main_first = has_main and not chapterlike
    title = text("issuetitle", when=periodical) or text("maintitle", when=main_first) \
        or text("title")
    subtitle = text("issuesubtitle", when=periodical) \
        or text("mainsubtitle", when=main_first) or text("subtitle")
    addon = text("maintitleaddon", when=main_first) or text("titleaddon")
    put("title", _concat([_concat([title, subtitle], ":"), addon], "."))
    if has_main:
        volume_title = (text("title") if not chapterlike else text("booktitle"),
                        text("subtitle") if not chapterlike else text("booksubtitle"),
                        text("titleaddon") if not chapterlike else text("booktitleaddon"))
        put("volume-title", _concat([_concat(list(volume_title[:2]), ":"),
                                     volume_title[2]], "."))
    container = text("title", when=periodical) or text("maintitle", when=chapterlike) \
        or text("booktitle", when=chapterlike) or text("journaltitle", "journal")
    container_sub = text("subtitle", when=periodical) \
        or text("mainsubtitle", when=chapterlike) or text("booksubtitle", when=chapterlike) \
        or text("journalsubtitle")
    container_addon = text("titleaddon", when=periodical) \
        or text("maintitleaddon", when=chapterlike) \
        or text("booktitleaddon", when=chapterlike)
    if container:
        put("container-title", _concat([_concat([container, container_sub], ":"),
                                        container_addon], "."))
    put("container-title-short", text("shorttitle", when=periodical and not has_main)
        or text("shortjournal"))
    series = text("series")
    put("collection-title", f"{_ordinal(series)} series" if series.isdecimal() else series)
    short = text("shorttitle", when=not has_main or chapterlike)
    if not short and (subtitle or addon) and not has_main:
        short = text("title").split(":")[0].strip()
    put("title-short", short)

    # locators
    put("page", text("pages").replace("–", "-"))
    volume, part = text("volume"), text("part")
    put("volume", f"{volume}.{part}" if volume and part else volume or part)
    number = text("number")
    if kind in _IN_SERIES:
        put("collection-number", number)
    elif kind in _ARTICLES:
        put("issue", ", ".join(p for p in (number, text("issue")) if p))
    else:
        put("number", number)
        put("issue", text("issue"))
    for name, variable in TEXT_FIELDS.items():
        put(variable, text(name))

    # publisher and place
    put("publisher", _concat([text(n) for n in ("school", "institution", "organization",
                                                 "howpublished", "publisher")], ";"))
    put("publisher-place", text("address") or text("location", when=kind != "patent"))
    if kind == "patent":
        put("jurisdiction", text("location"))

    # identifiers: verbatim
    for name, variable in VERBATIM_FIELDS.items():
        if name in fields and options.get(name) != "false":
            put(variable, verbatim(fields[name]))
    if "url" in fields and kind != "online" and options.get("url") == "false":
        item.pop("URL", None)
    eprint_type = fields.get("eprinttype", fields.get("archiveprefix", "")).strip().lower()
    if "URL" not in item and "eprint" in fields and eprint_type in EPRINT_URLS:
        item["URL"] = EPRINT_URLS[eprint_type] + verbatim(fields["eprint"])

    # notes
    if kind != "periodical":
        put("note", _concat([text("note"), text("addendum")], "."))
    put("annote", text("annotation", "annote"))
    status = fields.get("pubstate", "").strip()
    put("status", BIBLATEX_STRINGS.get(status.lower(), latex_to_csl(status)))
    return item


def _csl_type(kind: str, fields: dict[str, str]) -> str:
    subtype = fields.get("entrysubtype", "").strip().lower()
    if kind in ("article", "periodical", "suppperiodical") and subtype in ("magazine",
                                                                           "newspaper"):
        return f"article-{subtype}"
    if kind == "unpublished" and any(f in fields for f in ("eventdate", "eventtitle",
                                                           "venue")):
        return "speech"
    return CSL_TYPES.get(kind, "document")


def _genre(kind: str, fields: dict[str, str]) -> str:
    """``type`` (a biblatex key such as ``phdthesis`` resolved), or what the entry type
    implies for theses."""
    raw = fields.get("type", "").strip()
    if raw:
        return BIBLATEX_STRINGS.get(raw.lower(), latex_to_csl(raw))
    if kind == "phdthesis":
        return BIBLATEX_STRINGS["phdthesis"]
    if kind == "mastersthesis":
        return BIBLATEX_STRINGS["mathesis"]
    return ""


# ------------------------------------------------------------- @string and #

# BibTeX's predefined month macros (as plain.bst defines them); a @string may redefine one.
MONTH_MACROS = dict(zip(_MONTHS, ["January", "February", "March", "April", "May", "June",
                                  "July", "August", "September", "October", "November",
                                  "December"], strict=True))
MAX_SOURCES = 20_000  # entries in references.bib; the flagship has about 200
MAX_MACRO_LENGTH = 100_000  # characters a field or @string may expand to
MAX_MACRO_DEPTH = 64  # a @string defined through a @string through ... this deep at most
MAX_CROSSREF_DEPTH = 16  # a crossref parent's parent's ... this deep at most

# BibTeX's identifiers (macro and field names): none of "#%'(),={} or a space, not
# starting with a digit.
_NAME = re.compile(r"[^\d\s\"#%'(),={}][^\s\"#%'(),={}]*")
_NUMBER = re.compile(r"[0-9]+")
# the delimiters of a value as bibtexparser's splitter reads them (a backslash escapes)
_DELIMITER = re.compile(r'(?<!\\)[{}"#]')
# what a missing comma leaves in a value (checks.bibliography.lost_fields warns of it)
_SWALLOWED = re.compile(r"\n\s*[A-Za-z][\w:+-]*\s*=")


def _split_concatenation(value: str) -> list[str] | None:
    """``a # {b} # "c"`` as its parts, split at each ``#`` outside braces and quotes;
    None if a brace or quote is left open, or closes one never opened."""
    parts, depth, quoted, start = [], 0, False, 0
    for match in _DELIMITER.finditer(value):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return None
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(value[start:match.start()].strip())
            start = match.end()
    if depth or quoted:
        return None
    parts.append(value[start:].strip())
    return parts


def _enclosed(part: str) -> bool:
    """``{...}`` or ``"..."`` whose opening delimiter closes at the very end."""
    if len(part) < 2 or part[0] not in '{"' or part[-1] != {"{": "}", '"': '"'}[part[0]]:
        return False
    depth = 0
    for match in _DELIMITER.finditer(part, 1, len(part) - 1):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
        elif char == '"' and part[0] == '"' and depth == 0:
            return False
    return depth == 0


def _excerpt(value: str) -> str:
    text = _SPACES.sub(" ", value).strip()
    return text if len(text) <= 60 else text[:57] + "..."


class StringExpressions(LibraryMiddleware):
    """What bibtexparser's ``ResolveStringReferencesMiddleware`` leaves of BibTeX's
    string language: it replaces a value that is one whole ``@string`` name
    (``publisher = acm``), and no more (bibtexparser issue #396). This expands the rest:
    ``#`` concatenation (``"Proc. " # acm # " 2020"``), ``@string`` definitions made of
    other ``@string`` names, BibTeX's predefined months (``month = jan``), and it
    reports, with its line, every name no ``@string`` defines, every loop, and every
    value that is not BibTeX (``{Fo}o``: text after its closing brace).

    It runs between that middleware and ``RemoveEnclosingMiddleware`` and leaves each
    value it expands in braces, for the latter to take off. Names are compared without
    case, as BibTeX compares them; a ``@string`` may be defined after its use (BibTeX
    would need it before).
    """

    def __init__(self) -> None:
        super().__init__(allow_inplace_modification=True)
        self.problems: list[tuple[int, str]] = []  # (1-based line, message)
        self._definitions: dict[str, String] = {}
        self._values: dict[str, str | None] = {}
        self._open: set[str] = set()
        self._too_deep = False

    @classmethod
    def metadata_key(cls) -> str:
        return "policybrief-string-expressions"

    def transform(self, library: Library) -> Library:
        self._definitions = {s.key.lower(): s for s in library.strings}
        for name in self._definitions:
            self._macro(name, 0, 0, "")
        for entry in library.entries:
            for item in entry.fields:
                value = item.value
                if not isinstance(value, str):
                    continue
                value = value.strip()
                if _enclosed(value) or _NUMBER.fullmatch(value):
                    continue
                text = self._expand(value, (item.start_line or 0) + 1,
                                    f"entry '{entry.key}', field '{item.key}'", 0)
                if text is not None:
                    item.value = "{" + text + "}"
        return library

    def _expand(self, value: str, line: int, where: str, depth: int) -> str | None:
        """The text of ``value``, or None once the reason is reported."""
        if not value.strip():
            self.problems.append((line, f"{where} has no value (write {{}} for none)"))
            return None
        parts = _split_concatenation(value)
        if parts is None or not all(parts):
            if _SWALLOWED.search(value):
                return None  # a missing comma: brief check warns at the field
            self.problems.append((line, f"{where}: '{_excerpt(value)}' is not a BibTeX "
                                  "value: a brace or quote is missing or extra, or a part "
                                  "of a # concatenation is empty"))
            return None
        texts: list[str] = []
        length = 0
        for part in parts:
            text: str | None
            if _enclosed(part):
                text = part[1:-1]
            elif _NUMBER.fullmatch(part):
                text = part
            elif _NAME.fullmatch(part):
                text = self._macro(part, line, depth, where)
            else:
                if not _SWALLOWED.search(value):
                    self.problems.append((line, (
                        f"{where}: '{_excerpt(part)}' is not a BibTeX value: text outside "
                        "its braces or quotes (a stray '}' or '\"'?), or a missing #")))
                return None
            if text is None:
                return None
            length += len(text)
            if length > MAX_MACRO_LENGTH:
                self.problems.append((line, f"{where} expands to more than "
                                      f"{MAX_MACRO_LENGTH:,} characters"))
                return None
            texts.append(text)
        return "".join(texts)

    def _macro(self, name: str, line: int, depth: int, where: str) -> str | None:
        """The text of the ``@string`` (or month) ``name``, used at ``line``."""
        key = name.lower()
        definition = self._definitions.get(key)
        if definition is None:
            if key in MONTH_MACROS:
                return MONTH_MACROS[key]
            self.problems.append((line, f"{where}: '{name}' is no @string's name (write "
                                  f"{{{name}}} for the text itself)"))
            return None
        if key in self._values:
            return self._values[key]
        here = (definition.start_line or 0) + 1
        if key in self._open:
            self.problems.append((line, f"{where}: @string '{definition.key}' (line "
                                  f"{here}) is defined through itself"))
            return None
        if depth >= MAX_MACRO_DEPTH:
            if not self._too_deep:  # said once, not once every MAX_MACRO_DEPTH
                self.problems.append((line, f"{where}: @string '{definition.key}' is "
                                      f"defined through more than {MAX_MACRO_DEPTH} others"))
            self._too_deep = True
            return None
        self._open.add(key)
        value = definition.value if isinstance(definition.value, str) else ""
        text = self._expand(value.strip(), here, f"@string '{definition.key}'", depth + 1)
        self._open.discard(key)
        self._values[key] = text
        return text


# -------------------------------------------------------------------- crossref

# biblatex's default data inheritance (the biblatex manual, appendix B "Default
# Inheritance Setup"; biber applies it): a child inherits every field of its
# ``crossref`` parent that it does not have, except these, and for these pairs of
# parent and child types a field is taken under another name (an empty tuple: not
# inherited).
NEVER_INHERITED = frozenset({
    "ids", "crossref", "xref", "entryset", "entrysubtype", "execute", "label", "options",
    "presort", "related", "relatedoptions", "relatedstring", "relatedtype", "shorthand",
    "shorthandintro", "sortkey", "policybrief-ignore"})
_NO_SHORT_TITLES: dict[str, tuple[str, ...]] = {
    "shorttitle": (), "sorttitle": (), "indextitle": (), "indexsorttitle": ()}


def _titles_as(prefix: str) -> dict[str, tuple[str, ...]]:
    return {"title": (f"{prefix}title",), "subtitle": (f"{prefix}subtitle",),
            "titleaddon": (f"{prefix}titleaddon",), **_NO_SHORT_TITLES}


CROSSREF_RULES: list[tuple[frozenset[str], frozenset[str], dict[str, tuple[str, ...]]]] = [
    (frozenset({"mvbook", "book"}), frozenset({"inbook", "bookinbook", "suppbook"}),
     {"author": ("author", "bookauthor")}),
    (frozenset({"mvbook"}), frozenset({"book", "inbook", "bookinbook", "suppbook"}),
     _titles_as("main")),
    (frozenset({"mvcollection", "mvreference"}),
     frozenset({"collection", "reference", "incollection", "inreference", "suppcollection"}),
     _titles_as("main")),
    (frozenset({"mvproceedings"}), frozenset({"proceedings", "inproceedings"}),
     _titles_as("main")),
    (frozenset({"book"}), frozenset({"inbook", "bookinbook", "suppbook"}), _titles_as("book")),
    (frozenset({"collection", "reference"}),
     frozenset({"incollection", "inreference", "suppcollection"}), _titles_as("book")),
    (frozenset({"proceedings"}), frozenset({"inproceedings"}), _titles_as("book")),
    (frozenset({"periodical"}), frozenset({"article", "suppperiodical"}),
     {"title": ("journaltitle",), "subtitle": ("journalsubtitle",),
      "titleaddon": ("journaltitleaddon",), **_NO_SHORT_TITLES}),
]
# Fields that are one field to biber (its aliases, and a date with its parts): a child
# with any of them inherits none of the others.
_SAME_FIELD = [{"journaltitle", "journal"}, {"location", "address"},
               {"institution", "school"}, {"annotation", "annote"},
               {"eprinttype", "archiveprefix"}, {"eprintclass", "primaryclass"}] + [
    {f"{p}date", f"{p}year", f"{p}month", f"{p}day"} for p in ("", "url", "event", "orig")]
_ALIASES = {name: group for group in _SAME_FIELD for name in group}


def crossref_targets(parent_type: str, child_type: str, name: str) -> tuple[str, ...]:
    """The fields of a ``child_type`` entry a ``parent_type`` parent's field ``name``
    fills (``title`` of a @collection: ``booktitle`` of an @incollection); a field with
    a language suffix (``title-es``) goes where the field does (``booktitle-es``)."""
    match = _LANG_SUFFIX.match(name)
    base, suffix = (match.group(1), "-" + match.group(2)) if match else (name, "")
    if base in NEVER_INHERITED:
        return ()
    targets: tuple[str, ...] | None = None
    for parents, children, rules in CROSSREF_RULES:
        if parent_type in parents and child_type in children and base in rules:
            targets = (targets or ()) + rules[base]
    return tuple(t + suffix for t in (targets if targets is not None else (base,)))


def _has(fields: dict[str, str], name: str) -> bool:
    match = _LANG_SUFFIX.match(name)
    base, suffix = (match.group(1), "-" + match.group(2)) if match else (name, "")
    return any(alias + suffix in fields for alias in _ALIASES.get(base, {base}))


def _inherit(parent: BibEntry, child: BibEntry) -> None:
    line = child.field_location("crossref").line
    for name, value in parent.fields.items():
        for target in crossref_targets(parent.entry_type, child.entry_type, name):
            if _has(child.fields, target):
                continue
            child.fields[target] = value
            child.field_lines[target] = line
            child.inherited[target] = parent.inherited.get(name, parent.key)


def _resolve_crossrefs(entries: dict[str, BibEntry], unreadable: set[str]) -> list[BriefError]:
    """Every ``crossref`` resolved, parents first; a missing parent, a key that matches
    only without case, and a loop are errors at the ``crossref`` field."""
    errors: list[BriefError] = []
    by_case = {key.lower(): key for key in entries}
    done: set[str] = set()
    too_deep: list[str] = []
    hints: list[str] = []
    keys = sorted(entries)

    def resolve(entry: BibEntry, chain: list[str]) -> None:
        if entry.key in done:
            return
        done.add(entry.key)
        target = entry.fields.get("crossref", "").strip()
        if not target:
            return
        where = entry.field_location("crossref")
        parent = entries.get(target)
        if parent is None:
            if target in unreadable:
                return  # that entry's own error says why
            if target.lower() in by_case:
                errors.append(BibliographyError(
                    f"entry '{entry.key}': crossref '{target}' matches entry "
                    f"'{by_case[target.lower()]}' only when case is ignored: write it as "
                    "that key is written", where))
            else:
                hints.append(target)  # a hint for the first few (a search of every key)
                close = difflib.get_close_matches(target, keys, n=1) if len(hints) <= 10 \
                    else []
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                errors.append(BibliographyError(
                    f"entry '{entry.key}': crossref '{target}' is no entry's key{hint}",
                    where))
            return
        if parent.key == entry.key or parent.key in chain:
            loop = " -> ".join([*chain[chain.index(parent.key):], entry.key, parent.key]
                               if parent.key in chain else [entry.key, entry.key])
            errors.append(BibliographyError(
                f"entry '{entry.key}': crossref makes a loop ({loop})", where))
            return
        if len(chain) >= MAX_CROSSREF_DEPTH:
            if not too_deep:  # said once
                errors.append(BibliographyError(
                    f"entry '{entry.key}': crossref chain longer than {MAX_CROSSREF_DEPTH} "
                    "entries", where))
            too_deep.append(entry.key)
            return
        resolve(parent, [*chain, entry.key])
        _inherit(parent, entry)

    for entry in list(entries.values()):
        resolve(entry, [])
    return errors


# ------------------------------------------------------------------ the file

# what no citation can name, or BibTeX and biber read differently (% starts a comment)
_KEY_PROBLEM = re.compile(r"[\s\"%(),={}]")
# a line of text outside every entry that reads as a field (``author = {...}``)
_FIELD_LIKE = re.compile(r"^[ \t]*([^\s\"#%'(),={}]+)[ \t]*=", re.M)


def _validate(entry: BibEntry) -> list[BriefError]:
    errors: list[BriefError] = []
    if entry.entry_type not in CSL_TYPES:
        known = ", ".join(sorted(CSL_TYPES))
        errors.append(BibliographyError(
            f"entry '{entry.key}': unknown entry type '@{entry.entry_type}' (known: {known})",
            entry.location))
    if not entry.key or _KEY_PROBLEM.search(entry.key):
        errors.append(BibliographyError(
            f"entry key '{entry.key}' is empty or holds a space, quote, brace, "
            "parenthesis, comma, = or %", entry.location))
    year = entry.fields.get("year")
    if year is not None and not re.fullmatch(r"\d{1,4}", year.strip()):
        errors.append(BibliographyError(f"entry '{entry.key}': year '{year}' is not a year",
                                        entry.field_location("year")))
    for name in DATE_FIELDS:
        value = entry.fields.get(name)
        if value is not None and parse_date(value) is None:
            errors.append(BibliographyError(
                f"entry '{entry.key}': {name} '{value}' is not a date like 2022-06-27",
                entry.field_location(name)))
    return errors


class _Reader:
    """One file's blocks as entries, with every error and warning located."""

    def __init__(self, path: Path, last_line: int) -> None:
        self.path = path
        self.last_line = last_line
        self.errors: list[BriefError] = []
        self.warnings: list[Diagnostic] = []
        self.entries: dict[str, BibEntry] = {}
        self.unreadable: set[str] = set()  # keys of entries reported and left out
        self._entry_case: dict[str, Entry | String] = {}
        self._string_case: dict[str, Entry | String] = {}

    def at(self, line: int | None) -> Location:
        """A location from bibtexparser's 0-based line."""
        return Location(self.path, (line or 0) + 1, 1)

    def error(self, message: str, line: int | None) -> None:
        self.errors.append(BibliographyError(message, self.at(line)))

    def warn(self, message: str, line: int | None) -> None:
        self.warnings.append(Diagnostic("warning", message, self.at(line), "source-syntax"))

    def read(self, library: Library) -> None:
        previous: Block | None = None
        for block in library.blocks:
            if isinstance(block, DuplicateBlockKeyBlock):
                self._duplicate(block)
            elif isinstance(block, DuplicateFieldKeyBlock):
                entry = block.ignore_error_block
                if isinstance(entry, Entry):
                    self._entry(entry, validate=False)  # reports each field given twice
                    self.unreadable.add(entry.key)
                    self.entries.pop(entry.key, None)
            elif isinstance(block, ParsingFailedBlock):
                self._failed(block)
            elif isinstance(block, Entry):
                self._entry(block)
            elif isinstance(block, String):
                self._same_but_case(block, self._string_case, "@string name")
            elif isinstance(block, ImplicitComment):
                self._stray_text(block, previous)
            elif isinstance(block, Preamble):
                self.warn("the @preamble is not used: LaTeX macros it defines are unknown "
                          "to the fields that use them", block.start_line)
            previous = block

    def _failed(self, block: ParsingFailedBlock) -> None:
        error = block.error
        reason = getattr(error, "abort_reason", None) or str(error).split("\n")[-1]
        start = (block.start_line or 0) + 1
        stop = min(start + (block.raw or "").count("\n"), self.last_line)
        where = f"reading stopped on line {stop}" if stop != start else ""
        detail = "; ".join(p for p in (where, _SPACES.sub(" ", reason).strip()) if p)
        self.error(f"cannot parse this entry: syntax error{f' ({detail})' if detail else ''}",
                   block.start_line)

    def _duplicate(self, block: DuplicateBlockKeyBlock) -> None:
        first = (block.previous_block.start_line or 0) + 1
        if isinstance(block.ignore_error_block, String):
            self.error(f"@string '{block.key}' is defined twice (first on line {first})",
                       block.start_line)
        else:
            self.unreadable.add(block.key)
            self.error(f"duplicate entry key '{block.key}' (first on line {first})",
                       block.start_line)

    def _same_but_case(self, block: Entry | String, seen: dict[str, Entry | String],
                       what: str) -> bool:
        """An error at ``block`` if an earlier one's key differs only in case."""
        first = seen.setdefault(block.key.lower(), block)
        if first is block:
            return False
        self.error(f"{what} '{block.key}' differs from '{first.key}' (line "
                   f"{(first.start_line or 0) + 1}) only in case, and BibTeX and biber take "
                   "them for one: rename one", block.start_line)
        return True

    def _entry(self, raw: Entry, validate: bool = True) -> None:
        if self._same_but_case(raw, self._entry_case, "entry key"):
            self.unreadable.add(raw.key)
            return
        fields: dict[str, str] = {}
        lines: dict[str, int] = {}
        for item in raw.fields:
            line = (item.start_line or 0) + 1
            name = item.key.strip().lower()
            if "%" in name:
                # biber skips a %-comment inside an entry; BibTeX reads it as text
                name = " ".join(part.strip() for part in name.split("\n")
                                if not part.strip().startswith("%"))
                self.warn(f"entry '{raw.key}': a line commented out with % inside the entry "
                          f"({'field ' + repr(name) + ' is read, the comment ' if name else ''}"
                          "ignored here and by biber, but BibTeX refuses it): delete it",
                          item.start_line)
                if not name:
                    continue
            if not _NAME.fullmatch(name):
                self.error(f"entry '{raw.key}': '{_excerpt(item.key)}' is not a field name "
                           "(a comma or = out of place?)", item.start_line)
                continue
            if name in fields:
                self.error(f"entry '{raw.key}': field '{name}' is given twice (first on "
                           f"line {lines[name]}): keep one", item.start_line)
                continue
            fields[name] = str(item.value)
            lines[name] = line
        entry = BibEntry(key=raw.key, entry_type=raw.entry_type.lower(), fields=fields,
                         location=self.at(raw.start_line), field_lines=lines)
        if validate:
            self.errors.extend(_validate(entry))
            month = fields.get("month", "").strip().lower()
            if month and "date" not in fields and not (
                    1 <= int(month) <= 12 if month.isdecimal() else month[:3] in _MONTHS):
                self.warn(f"entry '{raw.key}': month '{fields['month']}' is not a month "
                          "(1-12, jan-dec or a month's name), so the date has none",
                          lines["month"] - 1)
        self.entries[entry.key] = entry

    def _stray_text(self, comment: ImplicitComment, previous: Block | None) -> None:
        """Text between entries is a comment to BibTeX; text that reads as fields is
        what a stray ``}`` cut off the entry before it."""
        text = comment.comment
        match = _FIELD_LIKE.search(text)
        if not (text.startswith((",", "}")) or match):
            return
        if isinstance(previous, ParsingFailedBlock):
            return  # the rest of an entry that could not be read: reported with it
        line = (comment.start_line or 0) + (text[:match.start(1)].count("\n") if match else 0)
        after = f"after entry '{previous.key}' " if isinstance(previous, Entry) else ""
        if not match:
            self.warn(f"'{_excerpt(text)}' {after}is outside every entry (a stray brace or "
                      "comma?)", line)
        elif isinstance(previous, Entry):
            closed = (previous.start_line or 0) + 1 + (previous.raw or "").count("\n")
            self.error(f"text {after}('{match.group(1)} = ...') is outside every entry, so "
                       f"it is lost: did a '}}' on line {closed} close the entry early?", line)
        else:
            self.error(f"text outside every entry ('{match.group(1)} = ...') reads as a "
                       "field, which no entry holds: a stray brace, or an entry's opening "
                       "'@type{key,' missing?", line)


_ENTRY_START = re.compile(r"^[ \t]*@(?!(?:string|preamble|comment)\b)\w+[ \t]*[{(]",
                          re.M | re.I)


def _refuse_too_many_sources(path: Path, text: str) -> None:
    """More than :data:`MAX_SOURCES` entries are refused before the parser reads them
    (it would spend its time on a file refused anyway), at the first entry too many."""
    starts = _ENTRY_START.finditer(text)
    count, first_over = 0, None
    for match in starts:
        count += 1
        if count == MAX_SOURCES + 1:
            first_over = match.start()
    if first_over is None:
        return
    raise BibliographyError(
        f"the bibliography has {count:,} sources; the limit is {MAX_SOURCES:,} (this is the "
        "first source over it)", Location.at(path, text, first_over))


def load_bibliography(path: Path) -> Bibliography:
    """Parse and validate ``path``; every broken entry is reported with its line, and
    what BibTeX and biber would read differently is kept as a located warning."""
    if not path.is_file():
        raise BibliographyError(f"bibliography file not found: {path.name}", Location(path))
    text = read_text(path)
    _refuse_too_many_sources(path, text)
    # bibtexparser logs its own account of a broken entry; we report it, located.
    logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)
    expressions = StringExpressions()
    library = parse_string(text, parse_stack=[
        ResolveStringReferencesMiddleware(allow_inplace_modification=True), expressions,
        RemoveEnclosingMiddleware(allow_inplace_modification=True)])
    reader = _Reader(path, len(text.splitlines()) or 1)
    reader.errors += [BibliographyError(message, Location(path, line, 1))
                      for line, message in expressions.problems]
    reader.read(library)
    entries = reader.entries
    errors = reader.errors + _resolve_crossrefs(entries, reader.unreadable)
    for entry in entries.values():
        if not entry.fields.get("title", "").strip():
            errors.append(BibliographyError(f"entry '{entry.key}' has no title",
                                            entry.location))
    raise_all(errors)
    return Bibliography(path, entries, reader.warnings)
