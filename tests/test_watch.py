"""`brief watch` rebuilds after an edit, survives a bad edit, and keeps the last good
edition."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from policybrief.log import Reporter
from policybrief.watch import snapshot, watch


def test_watch_rebuilds_on_save_and_survives_errors(make_project, capsys) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    output = root / "build/en/fixture-brief.html"
    chapter = root / "chapters/en/02-findings.md"
    stop = threading.Event()
    result: list[int] = []
    thread = threading.Thread(target=lambda: result.append(watch(
        root, ["html"], None, None, Reporter(quiet=True), interval=0.05,
        keep_going=lambda: not stop.is_set())))
    thread.start()

    def wait_for(condition, seconds: float = 60.0) -> None:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, "timed out"
            time.sleep(0.05)

    try:
        wait_for(output.is_file)
        first = output.read_bytes()
        time.sleep(0.05)
        chapter.write_text(chapter.read_text().replace("The conclusion follows.",
                                                       "The revised conclusion follows."))
        wait_for(lambda: b"revised conclusion" in output.read_bytes())
        good = output.read_bytes()
        chapter.write_text(chapter.read_text().replace("[@smith-2015]", "[@nobody]"))
        wait_for(lambda: "unknown citation key 'nobody'" in capsys.readouterr().out)
        assert output.read_bytes() == good != first
    finally:
        stop.set()
        thread.join(timeout=60)
    assert result and result[0] >= 3


def test_snapshot_sees_sources_only(make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(only="en")
    before = snapshot(root)
    (root / "build").mkdir()
    (root / "build/x.txt").write_text("output")
    assert snapshot(root) == before
    (root / "figures/workers/data.csv").write_text("year,workers\n2002,1\n")
    assert snapshot(root) != before
    assert any(Path(k).name == "brief.yml" for k in before)


def test_watch_survives_a_full_disk(make_project, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A cache write that hits a full disk is one line with the cause; the watch goes
    on and builds again after the next save (freeing space needs no restart)."""
    import errno

    from policybrief import watch as watch_module

    root = make_project(only="en")
    calls: list[int] = []

    def full_disk_once(*_args, **_kwargs) -> None:  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device",
                          str(root / ".brief-cache/x"))

    chapter = root / "chapters/en/02-findings.md"
    monkeypatch.setattr(watch_module, "build", full_disk_once)
    rounds = iter(range(6))
    edited = False

    def keep_going() -> bool:
        nonlocal edited
        if len(calls) == 1 and not edited:
            edited = True
            chapter.write_text(chapter.read_text() + "\nMore.\n")
        return next(rounds, None) is not None

    watch(root, ["html"], None, None, Reporter(quiet=True), interval=0.01,
          keep_going=keep_going)
    out = capsys.readouterr().out
    assert "the disk is full; free space and try again" in out
    assert "internal error" not in out and len(calls) == 2
