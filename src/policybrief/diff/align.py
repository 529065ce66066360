"""Alignment: two sequences of token tuples paired in order (equal items, similar
items as one item changed, the rest removed or added), and the word diff of one
changed block or note."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Sequence
from typing import Literal

from policybrief.diff.flatten import is_note_call, is_word


def _ratio(a: Sequence[str], b: Sequence[str], threshold: float) -> float:
    """Similarity of two token sequences, 0 when cheap bounds show it is below
    ``threshold``."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
        return 0.0
    return matcher.ratio()


def _pair_similar(a: Sequence[tuple[str, ...]], b: Sequence[tuple[str, ...]],
                  threshold: float = 0.5) -> Iterator[tuple[int | None, int | None]]:
    """Pair the items of a replaced run in order: similar ones are one item changed,
    the rest were removed or added. Yields (index in a | None, index in b | None)."""
    if len(a) * len(b) > 40_000:  # a rewrite too large to pair: all out, all in
        yield from ((i, None) for i in range(len(a)))
        yield from ((None, j) for j in range(len(b)))
        return
    start = 0
    for i, item in enumerate(a):
        best, best_ratio = -1, threshold
        for j in range(start, len(b)):
            ratio = _ratio(item, b[j], threshold)
            if ratio >= best_ratio and (best < 0 or ratio > best_ratio):
                best, best_ratio = j, ratio
        if best < 0:
            yield (i, None)
            continue
        yield from ((None, j) for j in range(start, best))
        yield (i, best)
        start = best + 1
    yield from ((None, j) for j in range(start, len(b)))


def align(a: Sequence[tuple[str, ...]], b: Sequence[tuple[str, ...]],
          threshold: float = 0.5) -> list[tuple[int | None, int | None]]:
    """Align two sequences of token tuples: equal items, changed (similar) items
    paired, the others unpaired; in order."""
    pairs: list[tuple[int | None, int | None]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pairs += [(i1 + k, j1 + k) for k in range(i2 - i1)]
        elif tag == "delete":
            pairs += [(i, None) for i in range(i1, i2)]
        elif tag == "insert":
            pairs += [(None, j) for j in range(j1, j2)]
        else:
            pairs += [(None if i is None else i1 + i, None if j is None else j1 + j)
                      for i, j in _pair_similar(a[i1:i2], b[j1:j2], threshold)]
    return pairs


Op = Literal["equal", "delete", "insert", "replace"]


def word_diff(a: Sequence[str], b: Sequence[str]) -> list[tuple[Op, list[str], list[str]]]:
    """Token-level opcodes; changes separated only by spaces or punctuation are merged,
    so a rewritten phrase reads as one deletion and one insertion."""
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    segments: list[tuple[Op, list[str], list[str]]] = []
    opcodes = matcher.get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        op: Op = tag
        before, after = list(a[i1:i2]), list(b[j1:j2])
        filler = (op == "equal" and 0 < index < len(opcodes) - 1 and len(before) <= 3
                  and not any(is_word(t) or is_note_call(t) for t in before))
        if segments and segments[-1][0] != "equal" and (op != "equal" or filler):
            _, old_before, old_after = segments[-1]
            segments[-1] = ("replace", old_before + before, old_after + after)
        else:
            segments.append((op, before, after))
    return segments


__all__ = ["Op", "align", "word_diff"]
