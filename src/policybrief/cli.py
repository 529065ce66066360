"""The ``brief`` command. ``main(argv) -> int``; heavy imports happen inside commands.

Exit status: 0 success, 1 a problem in the brief (reported as
``path:line:col: error: message``) or in the machine it runs on (a full disk, a
read-only folder, a missing pandoc or Pango: one line with the cause and what to do),
2 a usage error, 3 an internal error (details in a log file, never a traceback on the
terminal).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
import traceback
from collections.abc import Sequence
from pathlib import Path

from policybrief import __version__
from policybrief.errors import BriefError, Location, environment_fault


def _csv(choices: Sequence[str] | None = None):  # type: ignore[no-untyped-def]
    def parse(value: str) -> list[str]:
        items = [v.strip() for v in value.split(",") if v.strip()]
        if not items:
            raise argparse.ArgumentTypeError("expected a comma-separated list")
        if choices:
            bad = [v for v in items if v not in choices]
            if bad:
                raise argparse.ArgumentTypeError(
                    f"unknown format '{bad[0]}' (choose from {', '.join(choices)})")
        return items
    return parse


def _port(value: str) -> int:
    if not value.isdigit() or int(value) > 65535:
        raise argparse.ArgumentTypeError(f"'{value}' is not a port (0 to 65535)")
    return int(value)


def _format_names() -> list[str]:
    """The formats of the builders' registry (bundled and installed), by name."""
    from policybrief.builders.registry import format_names

    return format_names()


def _project_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--project", type=Path, default=Path("."), metavar="DIR",
                        help="the brief's directory (default: current directory)")


def _edition_options(parser: argparse.ArgumentParser, formats: list[str],
                     known: list[str]) -> None:
    """Which editions (formats, languages) and where: build and watch take the same."""
    parser.add_argument("--to", type=_csv(known), default=formats, metavar="FORMATS",
                        help=f"comma-separated formats: {','.join(known)} (default: "
                             f"{','.join(formats)})")
    parser.add_argument("--lang", type=_csv(), default=None, metavar="LANGS",
                        help="comma-separated language codes (default: the source "
                             "language); 'all' for every language")
    _project_option(parser)
    parser.add_argument("--out", type=Path, default=None, metavar="DIR",
                        help="output directory (default: DIR/build)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="brief",
        description="Build a policy brief (Markdown chapters + BibTeX) into PDF, HTML and DOCX.",
    )
    parser.add_argument("--version", action="version", version=f"policybrief {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    known = _format_names()
    bundled: list[str] = [name for name in ("pdf", "html", "docx") if name in known]

    build = commands.add_parser("build", help="build editions into build/<lang>/<slug>.<ext>",
                                description="Build the brief's editions.")
    _edition_options(build, bundled, known)
    build.add_argument("--quiet", action="store_true", help="print only warnings and errors")
    build.add_argument("--force", action="store_true",
                       help="rebuild even the outputs that are up to date")

    check = commands.add_parser("check",
                                help="check the content (citations, notes, figures, "
                                     "translations, typography)",
                                description="Check the brief's content without rendering it.")
    _project_option(check)
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    check.add_argument("--release", action="store_true",
                       help="also require every translation current with its source and "
                            "in parity (before publishing)")
    check.add_argument("--format", choices=("text", "github", "json"), default="text",
                       help="text (default), github (pull-request annotations) or json")

    watch = commands.add_parser("watch", help="rebuild on every save (a warm process)",
                                description="Build, then rebuild whenever a source file "
                                            "changes, until interrupted (Ctrl-C).")
    _edition_options(watch, ["pdf"], known)

    preview = commands.add_parser(
        "preview", help="the web edition and the PDF in a browser, reloaded on every save",
        description="Serve the web edition and the PDF on 127.0.0.1 and open them in the "
                    "browser; on every save rebuild (in a warm process) and reload the "
                    "page where you were; a build error shows over the page until fixed.")
    preview.add_argument("--lang", type=_csv(), default=None, metavar="LANG",
                         help="the edition's language (default: the source language)")
    _project_option(preview)
    preview.add_argument("--port", type=_port, default=8000, metavar="N",
                         help="the port on 127.0.0.1 (default: 8000; 0: any free one)")
    preview.add_argument("--no-open", action="store_true",
                         help="do not open a browser (never opened under CI or without "
                              "a display)")

    figures = commands.add_parser("figures", help="redraw every figure from its data",
                                  description="Redraw every figure of every language, "
                                              "ignoring the cache.")
    _project_option(figures)
    figures.add_argument("--out", type=Path, default=None, metavar="DIR",
                         help="output directory (default: DIR/build)")

    translations = commands.add_parser(
        "translations", help="show which translations are current, stale or missing",
        description="Show the status of every translated chapter, or record reviewed "
                    "translations as current.")
    _project_option(translations)
    translations.add_argument("--mark-current", nargs="+", default=None,
                              metavar="FILE[:LINE]", help="record these translated chapters "
                              "(or, with :LINE, the paragraph at that line) as current with "
                              "their source")
    translations.add_argument("--lang", type=_csv(), default=None, metavar="LANG[,LANG]",
                              help="only these languages")
    exchange = translations.add_subparsers(dest="exchange", metavar="ACTION")
    export = exchange.add_parser(
        "export", help="write a language's exchange file for a CAT tool (XLIFF 2.0 or PO)",
        description="Write one file with one unit per source paragraph: the source text, "
                    "the translation, its state (new, translated, stale, current) and the "
                    "Markdown as protected codes.")
    export.add_argument("--lang", dest="export_lang", required=True, metavar="LANG")
    export.add_argument("--format", dest="exchange_format", choices=("xliff", "po"),
                        default="xliff", help="xliff (XLIFF 2.0, default) or po")
    export.add_argument("--out", dest="exchange_out", type=Path, default=None,
                        metavar="FILE", help="default: build/translations/LANG.xlf or .po")
    imported = exchange.add_parser(
        "import", help="write a translator's returned XLIFF or PO file into the chapters",
        description="Check every returned unit (placeholders intact, source unchanged "
                    "since export), then write the chapters; units marked final are "
                    "recorded as current.")
    imported.add_argument("exchange_file", type=Path, metavar="FILE")

    add_language = commands.add_parser(
        "add-language", help="add an edition in another language, ready to translate",
        description="Add LANG (a BCP 47 code: fr, pt-BR, zh-Hans) to brief.yml with a "
                    "translations block to fill, create chapters/LANG/ with one untranslated "
                    "file per source chapter, give every figure its LANG texts and columns, "
                    "and list what remains to translate.")
    add_language.add_argument("lang", metavar="LANG", help="the language's code")
    _project_option(add_language)

    diff = commands.add_parser(
        "diff", help="redline of the rendered text between two git revisions",
        description="Compare the rendered text of every edition between two git revisions "
                    "and write build/diff/<lang>.html with insertions and deletions marked "
                    "word by word, notes included, and a summary of sources, figures, "
                    "translations and word counts.")
    diff.add_argument("base", metavar="BASE", help="the older revision, e.g. main")
    diff.add_argument("head", metavar="HEAD", nargs="?", default=None,
                      help="the newer revision (default: the working tree)")
    _project_option(diff)
    diff.add_argument("--out", type=Path, default=None, metavar="DIR",
                      help="output directory (default: DIR/build)")

    summary = commands.add_parser(
        "summary", help="a pull request's review: findings and the redline's summary",
        description="Check the brief and summarise its redline against BASE as Markdown "
                    "(a GitHub job summary): findings grouped by file; sources, figures, "
                    "stale translations and word counts. Exit status as brief check.")
    summary.add_argument("base", metavar="BASE", help="the revision compared with, e.g. "
                         "origin/main")
    _project_option(summary)
    summary.add_argument("--strict", action="store_true", help="treat warnings as errors")
    summary.add_argument("--annotate", action="store_true",
                         help="also print GitHub annotations for the findings in the files "
                              "changed since BASE")
    summary.add_argument("--markdown", type=Path, default=None, metavar="FILE",
                         help="append the Markdown to FILE (e.g. $GITHUB_STEP_SUMMARY) "
                              "instead of printing it")

    review = commands.add_parser(
        "review", help="bring a Word review (tracked changes, comments) back to the Markdown",
        description="Report each tracked change and comment of a marked-up Word edition at "
                    "its chapter's line and column; with --apply, write the changes to "
                    "paragraphs unchanged since the edition was built.")
    review.add_argument("docx", type=Path, metavar="DOCX", help="the marked-up Word file")
    _project_option(review)
    review.add_argument("--apply", action="store_true",
                        help="apply the text changes to the Markdown where it is safe")

    new = commands.add_parser("new", help="create a new brief from the default template",
                              description="Create a new, buildable brief in DIR.")
    new.add_argument("directory", type=Path, metavar="DIR",
                     help="where to create it (new or empty)")
    return parser


def _cmd_build(args: argparse.Namespace) -> int:
    from policybrief import uptodate

    # nothing changed since this same build last succeeded: say so before importing the
    # build (a second or more); anything else and the build decides by content
    out_dir = (args.out or args.project / "build").resolve()
    key = uptodate.request_key(args.to, args.lang, out_dir)
    state = None if args.force else uptodate.inputs_state(args.project.resolve(), out_dir)
    done = uptodate.outputs_if_current(out_dir, key, state)
    if done is not None:
        for name in done:
            print(name)
        return 0
    from policybrief.log import Reporter, default_quiet
    from policybrief.pipeline import build

    reporter = Reporter(quiet=args.quiet or default_quiet())
    # stdout lists the outputs and nothing else: what a library prints while building
    # (WeasyPrint's banner when a system library fails to load) goes to stderr, or
    # nowhere when quiet (the error line says what to do)
    with contextlib.ExitStack() as stack:
        chatter = (stack.enter_context(open(os.devnull, "w")) if reporter.quiet
                   else sys.stderr)
        stack.enter_context(contextlib.redirect_stdout(chatter))
        result = build(args.project, args.to, args.lang, args.out, reporter,
                       force=args.force)
    for path in result.outputs:
        print(path)
    uptodate.remember(out_dir, key, state, result.outputs)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    import json
    import time

    from policybrief.pipeline import check_only

    start = time.perf_counter()
    project, findings = check_only(args.project, release=args.release)
    errors = sum(f.is_error for f in findings)
    warnings = sum(f.severity == "warning" for f in findings)
    notes = len(findings) - errors - warnings
    if args.format == "json":
        print(json.dumps([f.as_dict(project.root) for f in findings], indent=1,
                         ensure_ascii=False))
    elif args.format == "github":
        # annotations name files from the repository's top (a brief may be a folder of
        # a larger repository); outside git, from the brief's folder
        from policybrief.diff.git import Repository

        try:
            top = Repository.find(project.root).top
        except BriefError:
            top = project.root
        for finding in findings:
            print(finding.github(top))
    else:
        for finding in findings:
            print(finding.format(project.root), file=sys.stderr)
    said = f", {notes} notes" if notes else ""
    print(f"{errors} errors, {warnings} warnings{said} ({time.perf_counter() - start:.2f} s)",
          file=sys.stderr)
    return 1 if errors or (args.strict and warnings) else 0


def _cmd_watch(args: argparse.Namespace) -> int:
    from policybrief.log import Reporter
    from policybrief.watch import watch

    watch(args.project, args.to, args.lang, args.out, Reporter(quiet=False))
    return 0


def _cmd_preview(args: argparse.Namespace) -> int:
    from policybrief.log import Reporter
    from policybrief.preview import preview

    preview(args.project, args.lang, args.port, not args.no_open, Reporter(quiet=False))
    return 0


def _cmd_figures(args: argparse.Namespace) -> int:
    from policybrief.pipeline import redraw_figures

    for path in redraw_figures(args.project, args.out):
        print(path)
    return 0


def _cmd_translations(args: argparse.Namespace) -> int:
    from policybrief.project import load_project
    from policybrief.translations import mark_current, stale_report, table

    project = load_project(args.project)
    translated = [e.lang for e in project.editions[1:]]
    unknown = [lang for lang in args.lang or [] if lang not in translated]
    if unknown:
        raise BriefError(f"'{unknown[0]}' is not a translated edition of this brief "
                         f"(translations: {', '.join(translated) or 'none'})",
                         Location(project.root / "brief.yml"))
    if getattr(args, "exchange", None) == "export":
        from policybrief.exchange import export
        from policybrief.writer import write_atomic

        suffix = ".po" if args.exchange_format == "po" else ".xlf"
        out = args.exchange_out or project.root / "build" / "translations" / (
            args.export_lang + suffix)
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, export(project, args.export_lang, args.exchange_format))
        print(out)
        return 0
    if getattr(args, "exchange", None) == "import":
        from policybrief.exchange import import_file

        done = import_file(project, args.exchange_file)
        for path in done.written:
            print(f"wrote {path.resolve().relative_to(project.root.resolve())}")
        print(f"{done.units} units imported into '{done.lang}', {done.final} marked final "
              "(recorded as current)", file=sys.stderr)
        return 0
    if args.mark_current:
        for given in args.mark_current:
            name, _, line = given.rpartition(":") if re.fullmatch(r".+:\d+", given) \
                else (given, "", "")
            path = Path(name)
            # a path from the project's folder, or from the current one
            target = next((c for c in (project.root / path, path) if c.exists()), None)
            if target is None or not target.is_file():
                raise BriefError("no such file", Location(target or project.root / path))
            if not target.resolve().is_relative_to(project.root.resolve()):
                raise BriefError("not a file of this brief", Location(target))
            if target.suffix != ".md":  # figure.yml, brief.yml, references.bib
                from policybrief.translated_texts import mark_texts_current

                relative = target.resolve().relative_to(project.root.resolve()).as_posix()
                langs = args.lang or [e.lang for e in project.editions[1:]]
                count = mark_texts_current(project, relative, langs)
                if not count:
                    raise BriefError("has no translated texts (figure.yml texts, brief.yml "
                                     "translations, references.bib language fields) to mark "
                                     f"in {', '.join(langs)}", Location(target))
                print(f"marked current: {count} translated texts of {relative} "
                      f"({', '.join(langs)})")
            else:
                print(mark_current(project, target, int(line) if line else None))
            project = load_project(args.project)
    print(table(project))
    from policybrief.translated_texts import text_statuses

    lagging_texts = [(lang, s) for lang in (args.lang or [e.lang for e in
                                                         project.editions[1:]])
                     for s in text_statuses(project, lang) if s.status != "current"]
    if lagging_texts:
        print("\nTexts outside the chapters that are not current:")
        for lang, status in lagging_texts:
            print(f"  {lang}  {status.status:<9}  {status.field.key}")
    details = list(stale_report(project, args.lang))
    if details:
        print("\nWhat changed in the source since each stale translation was made "
              "([-removed-] {+added+}), and the paragraph to revise:")
        print("\n".join(details))
    return 0


def _cmd_add_language(args: argparse.Namespace) -> int:
    from policybrief.newlanguage import add_language

    added = add_language(args.project, args.lang)
    root = args.project.resolve()
    for path in added.written:
        print(f"wrote {path.resolve().relative_to(root)}")
    print(f"\nTo translate into '{added.lang}':")
    for item in added.to_translate:
        print(f"  - {item}")
    print("\nWhen a chapter is translated and reviewed: brief translations --mark-current "
          f"chapters/{added.lang}/<file>.md")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from policybrief.diff import redline

    for path in redline(args.project.resolve(), args.base, args.head, args.out):
        print(path)
    return 0


def _cmd_summary(args: argparse.Namespace) -> int:
    from policybrief.summary import command

    return command(args.project, args.base, strict=args.strict, annotate=args.annotate,
                   markdown_file=args.markdown)


def _cmd_review(args: argparse.Namespace) -> int:
    from policybrief.review import review

    report, problems = review(args.project, args.docx, apply=args.apply)
    for line in report:
        print(line)
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if any(": error: " in line for line in problems) else 0


def _cmd_new(args: argparse.Namespace) -> int:
    from policybrief.scaffold import create

    create(args.directory)
    print(f"created a new brief in {args.directory}; build it with: "
          f"brief build --project {args.directory}")
    return 0


COMMANDS = {"build": _cmd_build, "check": _cmd_check, "watch": _cmd_watch,
            "preview": _cmd_preview,
            "figures": _cmd_figures, "translations": _cmd_translations,
            "add-language": _cmd_add_language, "diff": _cmd_diff, "summary": _cmd_summary,
            "review": _cmd_review, "new": _cmd_new}


# Control characters in a message (from a file name or a brief.yml key) are shown, not
# sent to the terminal, where an escape sequence could rewrite what the user sees.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _say(text: str) -> None:
    print(_UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text), file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help/--version exit 0, usage errors exit 2
        return int(exc.code or 0)
    root = getattr(args, "project", None)
    try:
        return COMMANDS[args.command](args)
    except BriefError as exc:
        _say(exc.format(root.resolve() if root else None))
        return 1
    except BrokenPipeError:
        # the reader went away (`brief translations | head`): not an error of ours; stop
        # writing (Python would complain again at exit) and say nothing
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except KeyboardInterrupt:
        if args.command in ("watch", "preview"):
            return 0
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        # the machine (a full disk, a read-only folder, Pango missing): the user can act
        fault = environment_fault(exc)
        if fault is not None:
            _say(fault.format(root.resolve() if root else None))
            return 1
        # a bug in policybrief: one line for the user, details in a file
        details = traceback.format_exc()
        try:
            with tempfile.NamedTemporaryFile("w", prefix="policybrief-crash-",
                                             suffix=".log", delete=False) as log:
                log.write(f"policybrief {__version__}, python {sys.version}\n")
                log.write(f"argv: {list(argv) if argv is not None else sys.argv}\n\n")
                log.write(details)
            where = f"details in {log.name}"
        except OSError as failed:  # no room for the log either
            where = (f"{type(exc).__name__}: {' '.join(str(exc).split())}; "
                     f"no log written: {failed.strerror}")
        _say(f"error: internal error in policybrief ({where}); please report it")
        return 3
