from policybrief.pandoc.ast import collect, stringify, text
from policybrief.pandoc.filters import inline_notes, numbering, pullquotes, reference_list


def doc(blocks):  # type: ignore[no-untyped-def]
    return {"pandoc-api-version": [1, 23, 1, 1], "meta": {}, "blocks": blocks}


def header(level, title, classes=()):  # type: ignore[no-untyped-def]
    return {"t": "Header", "c": [level, ["id", list(classes), []], text(title)]}


def test_roman_numbering_of_top_level_only() -> None:
    out = numbering.apply(doc([header(1, "One"), header(2, "Sub"), header(1, "Two"),
                               header(1, "Sources", ["unnumbered"])]), "roman")
    titles = [stringify(b["c"][2]) for b in out["blocks"]]
    assert titles == ["I. One", "Sub", "II. Two", "Sources"]
    assert numbering.roman(14) == "XIV"


def test_pull_quote_copied_before_paragraph_without_notes() -> None:
    note = {"t": "Note", "c": [{"t": "Para", "c": text("source")}]}
    span = {"t": "Span", "c": [["", ["pull-quote"], []], [*text("Quoted words."), note]]}
    para = {"t": "Para", "c": [*text("Before."), {"t": "Space"}, span]}
    out = pullquotes.apply(doc([para]))["blocks"]
    assert [b["t"] for b in out] == ["Div", "Para"]
    assert stringify(out[0]) == "Quoted words."
    assert collect(out[0], "Note") == []
    assert stringify(out[1]) == "Before. Quoted words."
    assert len(collect(out[1], "Note")) == 1 and collect(out[1], "Span") == []


def test_inline_notes_numbered_and_flattened() -> None:
    note = {"t": "Note", "c": [{"t": "Para", "c": text("First.")},
                               {"t": "Para", "c": text("Second.")}]}
    out, count = inline_notes.apply(doc([{"t": "Para", "c": [*text("x"), note]}]))
    spans = collect(out["blocks"], "Span")
    assert count == 1
    # the word before the call and the note are kept together
    assert spans[0]["c"][0][1] == ["fn-anchor"] and stringify(spans[0]["c"][1][0]) == "x"
    assert spans[1]["c"][0][0] == "fn1" and spans[1]["c"][0][1] == ["footnote"]
    assert spans[2]["c"][0][1] == ["footnote-para"]


def test_a_chinese_clause_keeps_only_its_last_character_with_the_note_call() -> None:
    """A Chinese clause is one pandoc Str: kept whole with the call, it could not break
    (found on the world fixture: a half-empty line before it)."""
    note = {"t": "Note", "c": [{"t": "Para", "c": text("注。")}]}
    para = {"t": "Para", "c": [{"t": "Str", "c": "国际劳工组织对此表示赞同。"}, note]}
    out, _count = inline_notes.apply(doc([para]))
    inlines = out["blocks"][0]["c"]
    assert inlines[0] == {"t": "Str", "c": "国际劳工组织对此表示赞"}
    anchor = inlines[1]
    assert anchor["c"][0][1] == ["fn-anchor"] and stringify(anchor["c"][1][0]) == "同。"
    latin = inline_notes.apply(doc([{"t": "Para", "c": [{"t": "Str", "c": "agrees."},
                                                         note]}]))[0]["blocks"][0]["c"]
    assert stringify(latin[0]["c"][1][0]) == "agrees."  # a word stays whole


def test_reference_list_titled_or_removed() -> None:
    refs = {"t": "Div", "c": [["refs", [], []], [{"t": "Para", "c": text("entry")}]]}
    titled = reference_list.apply(doc([refs]), "Sources")["blocks"]
    assert titled[0]["t"] == "Header" and stringify(titled[0]) == "Sources"
    assert reference_list.apply(doc([refs]), None)["blocks"] == []


def _note_order(placement: str, inlines, space: str = ""):  # type: ignore[no-untyped-def]
    from policybrief.pandoc.filters import note_calls

    out = note_calls.apply(doc([{"t": "Para", "c": inlines}]), placement, space)
    return ["¹" if i["t"] == "Note" else stringify([i]) for i in out["blocks"][0]["c"]]


NOTE = {"t": "Note", "c": [{"t": "Para", "c": text("A note.")}]}


def test_own_note_calls_move_before_the_punctuation_in_french() -> None:
    typed = [*text("un texte."), NOTE, {"t": "Space"}, *text("Puis")]
    assert _note_order("before_punctuation", typed) == [
        "un", " ", "texte", "¹", ".", " ", "Puis"]
    # a high mark keeps its narrow no-break space: "texte¹\u202f:"
    colon = [*text("texte:"), NOTE]
    assert _note_order("before_punctuation", colon, "\u202f") == ["texte", "¹", "\u202f:"]
    already = [*text("texte"), NOTE, *text(".")]
    assert _note_order("before_punctuation", already) == ["texte", "¹", "."]


def test_own_note_calls_move_after_the_punctuation_in_english() -> None:
    typed = [*text("some text"), NOTE, {"t": "Str", "c": ".»"}]
    assert _note_order("after_punctuation", typed) == ["some", " ", "text.", "¹", "»"]
    quoted = [{"t": "Quoted", "c": [{"t": "DoubleQuote"}, text("word")]}, NOTE,
              {"t": "Str", "c": ","}]
    assert _note_order("after_punctuation", quoted)[1:] == [",", "¹"]
    spaced = [*text("text"), {"t": "Space"}, NOTE, *text(".")]  # left as typed
    assert _note_order("after_punctuation", spaced) == ["text", " ", "¹", "."]


def test_a_notes_closing_full_stop_is_the_languages() -> None:
    """"同上。", "页 14。", a title's closing mark then "。"; a Latin word's "." stays
    (it may be an abbreviation's, and it is in that word's script)."""
    from policybrief.pandoc.filters import punctuation

    def note(*inlines):  # type: ignore[no-untyped-def]
        return {"t": "Note", "c": [{"t": "Para", "c": list(inlines)}]}

    quoted = {"t": "Span", "c": [["", ["quoted"], []], text("《Title》")]}
    notes = [note(*text("同上.")), note(*text("页 14.")), note(quoted, *text(".")),
             note(*text("International Labour Organization."))]
    out = punctuation.note_full_stops(doc([{"t": "Para", "c": notes}]), "。")
    assert [stringify(n["c"]) for n in out["blocks"][0]["c"]] == [
        "同上。", "页 14。", "《Title》。", "International Labour Organization."]
    same = doc([{"t": "Para", "c": notes}])
    assert punctuation.note_full_stops(same, ".") is same  # "." languages: untouched


def test_latin_runs_in_an_arabic_citation_keep_their_brackets_and_abbreviations() -> None:
    """Only the separator after a run ("Office (ILO),") leaves it: a closing bracket
    or an abbreviation's period outside it would be mirrored or misplaced."""
    from policybrief.pandoc.filters import isolate

    inlines = [*text("International Labour Office (ILO),"), {"t": "Space"}, *text("عدد 4"),
               {"t": "Space"}, *text("Smith et al."), {"t": "Space"}, *text("ص")]
    out = isolate._isolated(inlines, "rtl")
    runs = [stringify(n["c"][1]) for n in out if n["t"] == "Span"]
    assert runs == ["International Labour Office (ILO)", "Smith et al."]
    assert out[1] == {"t": "Str", "c": ","}  # the separator, in the Arabic sentence


def test_a_citation_after_an_emphasis_and_its_full_stop_moves_before_it() -> None:
    """"see *Report*.[@x]" -> "see *Report* (X)." (the stop is a Str of its own)."""
    from policybrief.pandoc.filters import parenthetical

    cite = {"t": "Cite", "c": [[{"citationId": "x", "citationPrefix": [],
                                 "citationSuffix": [],
                                 "citationMode": {"t": "NormalCitation"},
                                 "citationNoteNum": 1, "citationHash": 0}], []]}
    para = {"t": "Para", "c": [*text("see"), {"t": "Space"},
                               {"t": "Emph", "c": text("Report")}, *text("."), cite]}
    out = parenthetical.apply(doc([para]))["blocks"][0]["c"]
    assert [n["t"] for n in out] == ["Str", "Space", "Emph", "Space", "Cite", "Str"]
    assert out[-1] == {"t": "Str", "c": "."}


def test_roman_section_numbers_are_written_the_languages_way() -> None:
    """Chinese 一、二、 (no space after the full-width mark), UN Arabic أولاً - (its
    span marked right to left); Roman numerals go on past the language's list."""
    blocks = [header(1, "A"), header(1, "B"), header(1, "C")]
    chinese = numbering.apply(doc(blocks), "roman", "附录", ["一", "二"], "{n}、")["blocks"]
    assert [stringify(b["c"][2]) for b in chinese] == ["一、A", "二、B", "III、C"]
    assert [dict(b["c"][1][2])["number"] for b in chinese] == ["一", "二", "III"]
    arabic = numbering.apply(doc(blocks[:1]), "roman", "التذييل", ["أولاً"], "{n} -")
    mark = arabic["blocks"][0]["c"][2][0]
    assert stringify(arabic["blocks"][0]["c"][2]) == "أولاً - A"
    assert mark["c"][0] == ["", ["section-number"], [["dir", "rtl"]]]
    english = numbering.apply(doc(blocks[:1]), "roman")["blocks"][0]
    assert english["c"][2][0]["c"][0] == ["", ["section-number"], []]  # no dir: "I." as before
