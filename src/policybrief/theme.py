"""The theme: every file that decides how a brief looks and what its interface says.

A theme is a folder of templates (Jinja2), stylesheets, fonts, interface-string
catalogues (``locales/<lang>.yml``), the chart style (``figures.yml``), the Word
styles (``docx/styles.yml``) and citation styles (``csl/<name>.csl``; ``house`` is
the default note style). It comes from one of three places, as ``brief.yml``'s
``theme`` says:

* a theme bundled with policybrief, by name (``default``);
* a folder in the project (``theme: ./theme``), whose ``theme.yml`` may say
  ``extends: NAME`` (default: ``default``): it holds only the files it overrides, as
  MkDocs' ``custom_dir`` does;
* an installed Python package registered under the ``policybrief.themes`` entry
  point, so an organisation keeps one house style for all its briefs in one package
  (the package's folder is the theme; it may extend another theme too).

A theme is a stack of folders, most specific first; a file is taken from the first
folder that has it. The project's own ``templates/`` and ``locales/`` folders stand
on top of the stack. Every file a theme must have is checked when it is loaded.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata, resources
from pathlib import Path

from policybrief.config.yamlsource import load_yaml
from policybrief.errors import ConfigError, Location
from policybrief.i18n import PLURAL_CATEGORIES, Messages, Text

ENTRY_POINT_GROUP = "policybrief.themes"
MANIFEST = "theme.yml"
DEFAULT_BASE = "default"
HOUSE_STYLE = "house"

# What every theme must have, whatever the formats built. Formats add what they
# need (see ``Format.theme_files``), checked before they build.
REQUIRED = ("figures.yml", "locales/en.yml", f"csl/{HOUSE_STYLE}.csl")
# What theme.yml may say: key -> allowed values (empty: any text).
MANIFEST_KEYS: dict[str, tuple[str, ...]] = {
    "name": (), "extends": (), "description": (),
    # tables and figures in appendices: numbered on (Table 7) or per appendix (Table A-1)
    "appendix_numbering": ("continuous", "lettered"),
}
# Project folders that override single theme files (the project's root is no theme).
PROJECT_OVERRIDES = ("templates", "locales")


@dataclass(frozen=True)
class Layer:
    """One folder of a theme's stack; ``only`` limits it to some subfolders."""

    folder: Path
    only: tuple[str, ...] = ()
    from_project: bool = False  # the project's own files (a pull request may change them)

    def find(self, relative: str) -> Path | None:
        if self.only and relative.split("/", 1)[0] not in self.only:
            return None
        path = self.folder / relative
        if not path.is_file():
            return None
        # a link out of its folder is no theme file (a pull request may add links)
        return path if path.resolve().is_relative_to(self.folder.resolve()) else None

    def files(self) -> list[Path]:
        roots = [self.folder / sub for sub in self.only] if self.only else [self.folder]
        return sorted(p for root in roots if root.is_dir() for p in root.rglob("*")
                      if p.is_file() and "__pycache__" not in p.parts)


@dataclass(frozen=True)
class Theme:
    """A loaded theme: its stack of folders, most specific first."""

    name: str
    layers: tuple[Layer, ...]
    where: Location  # where brief.yml chose it (errors about the theme point there)
    _catalogues: dict[str, dict[str, Text]] = field(default_factory=dict, compare=False,
                                                   repr=False)

    @property
    def folders(self) -> list[Path]:
        """Every folder the theme's files may come from (the print edition may read
        fonts and images from these, and nothing else besides the project)."""
        return [layer.folder for layer in self.layers]

    def find(self, relative: str) -> Path | None:
        for layer in self.layers:
            found = layer.find(relative)
            if found is not None:
                return found
        return None

    def path(self, relative: str) -> Path:
        """The file ``relative`` (e.g. ``css/print.css``) from the first folder that has it."""
        found = self.find(relative)
        if found is None:
            raise ConfigError(f"theme '{self.name}' has no {relative}", self.where)
        return found

    def read_text(self, relative: str) -> str:
        return self.path(relative).read_text(encoding="utf-8")

    def require(self, files: tuple[str, ...] | list[str], what: str = "") -> None:
        """A located error naming every file of ``files`` the theme lacks."""
        missing = [f for f in files if self.find(f) is None]
        if missing:
            needed = f" (needed by {what})" if what else ""
            raise ConfigError(f"theme '{self.name}' lacks {', '.join(missing)}{needed}",
                              self.where)

    def fallback(self, path: Path) -> Path | None:
        """A file a theme file refers to relatively (``url(../fonts/x.ttf)`` in an
        overriding stylesheet), found in the folders below when its own has none."""
        holders = [layer for layer in self.layers if path.is_relative_to(layer.folder)
                   and not layer.only]  # the project's root is no theme folder
        if not holders:
            return None
        nearest = max(holders, key=lambda layer: len(layer.folder.parts))
        return self.find(path.relative_to(nearest.folder).as_posix())

    def template_folders(self) -> list[Path]:
        return [layer.folder / "templates" for layer in self.layers
                if (layer.folder / "templates").is_dir()
                and (not layer.only or "templates" in layer.only)]

    def files(self, folder: str) -> list[Path]:
        """The files of a theme folder (e.g. ``fonts``), each name from the first layer
        that has it."""
        found: dict[str, Path] = {}
        for layer in self.layers:
            if layer.only and folder not in layer.only:
                continue
            base = layer.folder / folder
            for path in sorted(base.rglob("*")) if base.is_dir() else []:
                if path.is_file():
                    found.setdefault(path.relative_to(base).as_posix(), path)
        return [found[name] for name in sorted(found)]

    def catalogue(self, lang: str) -> dict[str, Text]:
        """One language's interface strings: each layer's catalogue over the ones below."""
        if lang not in self._catalogues:
            merged: dict[str, Text] = {}
            # BCP 47 falls back by dropping subtags: pt-BR takes pt's strings, then its own
            parts = lang.split("-")
            for code in ["-".join(parts[:n]) for n in range(1, len(parts) + 1)]:
                for layer in reversed(self.layers):
                    path = layer.find(f"locales/{code}.yml")
                    if path is not None:
                        merged.update(_read_catalogue(path))
            if merged:  # a catalogue written before a setting existed still has its value
                for key, default in DEFAULTS.items():
                    if key not in merged and default in merged:
                        merged[key] = merged[default]
                for key, value in PLAIN_DEFAULTS.items():
                    merged.setdefault(key, value)
            self._catalogues[lang] = merged
        return dict(self._catalogues[lang])

    def section_numerals(self, lang: str) -> list[str]:
        """The language's counterparts of I, II, III... (its catalogue's
        ``section_numerals``; none: Roman numerals)."""
        value = self.catalogue(lang).get("section_numerals", [])
        return [str(v) for v in value] if isinstance(value, list) else []

    def currency_display(self, lang: str) -> str:
        """How ``lang`` writes an amount, in charts and tables alike: its catalogue's
        ``currency_display``, or CLDR's symbol for a language without a catalogue."""
        return str(self.catalogue(lang).get("currency_display", "symbol"))

    def messages(self, lang: str, source_lang: str) -> Messages:
        """The edition's strings, falling back to the source language's, then English."""
        return Messages(lang, self.catalogue(lang),
                        self.catalogue("en") | self.catalogue(source_lang))

    def option(self, key: str, default: str) -> str:
        """A house-style setting of theme.yml (the most specific theme that sets it)."""
        for layer in self.layers:
            path = layer.find(MANIFEST)
            if path is not None:
                data = load_yaml(path).data
                if isinstance(data, dict) and key in data:
                    return str(data[key])
        return default

    def citation_style(self, name: str) -> Path | None:
        """The theme's CSL file called ``name`` (``house`` is the house note style)."""
        return self.find(f"csl/{name}.csl")

    @cached_property
    def digest(self) -> str:
        """A hash of every file of the stack: any change makes every output stale."""
        h = hashlib.sha256()
        for index, layer in enumerate(self.layers):
            h.update(f"layer {index}\0".encode())
            for path in layer.files():
                h.update(path.relative_to(layer.folder).as_posix().encode() + b"\0")
                h.update(hashlib.sha256(path.read_bytes()).digest())
        return h.hexdigest()


# Entries a catalogue may leave out, and the entry whose value they then take (a
# project's locales/it.yml written before they existed keeps working).
DEFAULTS = {"title_open": "quote_open", "title_close": "quote_close"}
PLAIN_DEFAULTS: dict[str, Text] = {
    "currency_display": "symbol", "section_numerals": [], "section_number": "{n}."}

# Catalogue entries that are lists: a language's counterparts of I, II, III... for
# sections numbered 'roman' (一 二 三 in Chinese, أولاً ثانياً in UN Arabic; empty:
# Roman numerals), beyond which Roman numerals go on.
LISTS = {"section_numerals"}

# Catalogue entries that are settings of the language, not text to print.
SETTINGS = {"note_calls": ("after_punctuation", "before_punctuation"),
            "currency_display": ("symbol", "name")}


def _read_catalogue(path: Path) -> dict[str, Text]:
    """Names to text; a text with a count in it may map CLDR plural categories (zero,
    one, two, few, many, other) to text, ``other`` always among them."""
    located = load_yaml(path)
    data = located.data
    if not isinstance(data, dict):
        raise ConfigError("a locale catalogue maps names to text", Location(path, 1, 1))
    for key, value in data.items():
        if key in LISTS:
            if not (isinstance(value, list) and all(isinstance(v, str) and v for v in value)):
                raise ConfigError(f"'{key}' is a list of texts", located.where((key,)))
            continue
        allowed = SETTINGS.get(str(key))
        if allowed is not None and value not in allowed:
            raise ConfigError(f"'{key}' is one of {', '.join(allowed)}, not {value!r}",
                              located.where((key,)))
        if isinstance(value, str):
            continue
        if (isinstance(value, dict) and "other" in value and set(value) <= PLURAL_CATEGORIES
                and all(isinstance(v, str) for v in value.values())):
            continue
        raise ConfigError(f"'{key}' must be text, or a mapping of plural categories "
                          f"({', '.join(sorted(PLURAL_CATEGORIES))}) with 'other' to text",
                          located.where((key,)))
    return {str(k): v for k, v in data.items()}


def bundled_themes() -> dict[str, Path]:
    folder = Path(str(resources.files("policybrief") / "themes"))
    return {p.name: p for p in sorted(folder.iterdir()) if (p / MANIFEST).is_file()}


def installed_themes() -> dict[str, metadata.EntryPoint]:
    """Themes installed as packages, by the name they register under."""
    return {ep.name: ep for ep in metadata.entry_points(group=ENTRY_POINT_GROUP)}


def _installed_folder(entry: metadata.EntryPoint, where: Location) -> Path:
    """The folder of a theme package: the module the entry point names, or what the
    function it names returns."""
    try:
        target = entry.load()
    except Exception as exc:  # an installed package that does not import
        raise ConfigError(f"theme '{entry.name}' (package {entry.value}) cannot be "
                          f"loaded: {exc}", where) from None
    if callable(target):
        target = target()
    if isinstance(target, (str, Path)):
        return Path(target).resolve()
    module_file = getattr(target, "__file__", None)
    if module_file:
        return Path(module_file).resolve().parent
    raise ConfigError(f"theme '{entry.name}': its entry point {entry.value} names neither "
                      "a package nor a folder", where)


def _is_folder_name(name: str) -> bool:
    return name.startswith((".", "/")) or "/" in name


def _resolve(name: str, root: Path, where: Location, origin: Path | None) -> Path:
    """The folder of the theme called ``name`` (a folder name is relative to ``origin``,
    the theme or project that names it, and must stay inside the project)."""
    if _is_folder_name(name):
        base = origin or root
        folder = (base / name).resolve()
        if not folder.is_relative_to(root.resolve()):
            raise ConfigError(f"theme folder '{name}' is outside the project", where)
        if not folder.is_dir():
            raise ConfigError(f"theme folder '{name}' does not exist", where)
        return folder
    bundled = bundled_themes()
    if name in bundled:
        return bundled[name]
    installed = installed_themes()
    if name in installed:
        return _installed_folder(installed[name], where)
    known = sorted(bundled.keys() | installed.keys())
    raise ConfigError(f"unknown theme '{name}' (known: {', '.join(known)}; or a folder in "
                      "the project such as './theme')", where)


def _manifest(folder: Path, where: Location) -> tuple[str | None, Location]:
    """What a theme folder extends (None: nothing; it is complete on its own)."""
    path = folder / MANIFEST
    if not path.is_file():
        return DEFAULT_BASE, where
    source = load_yaml(path)
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        raise ConfigError("theme.yml must be a mapping", Location(path, 1, 1))
    unknown = sorted(set(data) - set(MANIFEST_KEYS))
    if unknown:
        raise ConfigError(f"unknown key '{unknown[0]}' in theme.yml (known: "
                          f"{', '.join(MANIFEST_KEYS)})", source.where((unknown[0],)))
    for key, allowed in MANIFEST_KEYS.items():
        if allowed and key in data and data[key] not in allowed:
            raise ConfigError(f"{key} is one of: {', '.join(allowed)}", source.where((key,)))
    extends = data.get("extends")
    if extends is not None and not isinstance(extends, str):
        raise ConfigError("extends names one theme", source.where(("extends",)))
    return extends, source.where(("extends",)) if extends else Location(path, 1, 1)


def load_theme(name: str, root: Path, where: Location | None = None) -> Theme:
    """The theme ``name`` for the project in ``root``, with every required file checked."""
    root = root.resolve()
    where = where or Location(root / "brief.yml")
    layers = [Layer(root, PROJECT_OVERRIDES, from_project=True)]
    chain: list[Path] = []
    current: str | None = name
    origin: Path | None = None
    place = where
    while current is not None:
        folder = _resolve(current, root, place, origin)
        if folder in chain:
            raise ConfigError(f"theme '{current}' extends itself (through "
                              f"{' -> '.join(p.name for p in chain)})", place)
        chain.append(folder)
        layers.append(Layer(folder, from_project=_is_folder_name(current)))
        current, place = _manifest(folder, place)
        origin = folder
    theme = Theme(name, tuple(layers), where)
    theme.require(list(REQUIRED))
    return theme


__all__ = ["HOUSE_STYLE", "Layer", "Theme", "load_theme"]
