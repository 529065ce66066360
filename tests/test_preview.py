"""`brief preview`: the page reloads after a save and shows a failed build's location
over the page until it is fixed (in Debian's chromium, driven by Playwright); the
server answers only on 127.0.0.1, to its own name, with the outputs it built."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from policybrief.errors import EnvironmentFault, Location, SourceError
from policybrief.log import Reporter
from policybrief.preview import Hub, Preview, bind, make_app
from policybrief.watch import Outcome

SCRIPT_MARK = b"policybrief-preview:"  # in the reload script, never in a built file


@contextmanager
def running(preview: Preview) -> Iterator[Preview]:
    """The preview serving and building in a thread, stopped (and joined) after."""
    thread = threading.Thread(target=preview.run, daemon=True)
    thread.start()
    try:
        assert preview.ready.wait(60), "the first build did not end"
        yield preview
    finally:
        preview.stop()
        thread.join(30)
    assert not thread.is_alive(), "the preview did not stop"


@contextmanager
def serving(hub: Hub) -> Iterator[int]:
    """Only the preview's app on a free port, for requests (no builds)."""
    import uvicorn

    sock = bind(0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(make_app(hub, port), log_config=None,
                                           log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        # the socket listens already: a request waits for the server instead of failing
        yield port
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def get(port: int, path: str, host: str | None = None,
        method: str = "GET", headers: dict[str, str] | None = None) -> http.client.HTTPResponse:
    """A request sent as written (no path normalisation), with the Host given."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    connection.putheader("Host", host or f"127.0.0.1:{port}")
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    return response


@pytest.fixture
def built_hub(tmp_path: Path) -> Hub:
    """A hub serving one made-up edition, beside files it must never serve."""
    out = tmp_path / "brief" / "build"
    (out / "en").mkdir(parents=True)
    (out / ".cache").mkdir()
    (out / "en" / "x.html").write_bytes(b"<html><body><main><p>Text.</p></main></body></html>")
    (out / "en" / "x.pdf").write_bytes(b"%PDF-1.7\n")
    (out / ".cache" / "secret.json").write_text("{}")
    (out / "manifest.json").write_text("{}")
    (tmp_path / "brief" / "brief.yml").write_text("title: secret\n")
    (tmp_path / "outside.html").write_text("<p>secret</p>")
    hub = Hub(out)
    hub.add_outputs([out / "en" / "x.html", out / "en" / "x.pdf", tmp_path / "outside.html"])
    return hub


def test_binds_loopback_only_and_says_when_the_port_is_taken() -> None:
    sock = bind(0)
    try:
        address, port = sock.getsockname()
        assert address == "127.0.0.1" and port > 0
        with pytest.raises(EnvironmentFault) as taken:
            bind(port)
        assert str(port) in taken.value.format() and "\n" not in taken.value.format()
    finally:
        sock.close()


def test_rejects_other_host_names(built_hub: Hub) -> None:
    """DNS rebinding: a page of another site, its name resolved to 127.0.0.1, sends its
    own name as Host, and gets nothing."""
    with serving(built_hub) as port:
        assert get(port, "/en/x.html").status == 200
        assert get(port, "/en/x.html", host=f"localhost:{port}").status == 200
        for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}",
                     f"localhost.evil.example:{port}", f"[::1]:{port}"):
            assert get(port, "/en/x.html", host=host).status == 421, host
            assert get(port, "/_preview/events", host=host).status == 421, host


def test_serves_only_the_outputs_it_built(built_hub: Hub) -> None:
    with serving(built_hub) as port:
        page = get(port, "/en/x.pdf")
        assert page.status == 200 and page.getheader("Content-Type") == "application/pdf"
        for path in ("/../brief.yml", "/en/../../brief.yml", "/en/..%2F..%2Fbrief.yml",
                     "/%2e%2e/brief.yml", "/en/%2e%2e/%2e%2e/brief.yml", "/manifest.json",
                     "/.cache/secret.json", "/en/..%2f.cache%2fsecret.json",
                     "/outside.html", "/../outside.html", "//etc/passwd", "/en/x.html/",
                     "/_preview/pdf/..%2F..", "/EN/x.html", "/en/x.docx"):
            assert get(port, path).status == 404, path


def test_no_cors_and_page_script_only_in_the_response(built_hub: Hub) -> None:
    on_disk = (built_hub.out_dir / "en" / "x.html").read_bytes()
    with serving(built_hub) as port:
        page = get(port, "/en/x.html", headers={"Origin": "https://evil.example"})
        assert page.getheader("Access-Control-Allow-Origin") is None
        assert page.getheader("Cache-Control") == "no-store"
        preflight = get(port, "/en/x.html", method="OPTIONS",
                        headers={"Origin": "https://evil.example",
                                 "Access-Control-Request-Method": "GET"})
        assert preflight.status == 405
        assert preflight.getheader("Access-Control-Allow-Origin") is None
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/en/x.html")
        served = connection.getresponse().read()
    assert SCRIPT_MARK in served and served.index(SCRIPT_MARK) < served.index(b"</body>")
    assert (built_hub.out_dir / "en" / "x.html").read_bytes() == on_disk
    assert SCRIPT_MARK not in on_disk


def test_event_stream_says_the_status_keeps_alive_and_ends(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page gets the status at once, a comment while idle (so a closed tab is
    noticed), each build's problems with their place, and an end when the preview
    stops."""
    import asyncio

    from policybrief import preview as preview_module

    monkeypatch.setattr(preview_module, "KEEP_ALIVE", 0.05)
    chapter = tmp_path / "chapters/en/01-a.md"

    async def scenario() -> list[str]:
        hub = Hub(tmp_path / "build")
        stream = hub.stream("html")
        said = [await anext(stream), await anext(stream)]
        failed = Outcome(None, [SourceError("unknown citation key 'x'",
                                            Location(chapter, 3, 7))], 0.1)
        await hub.publish(failed, ["html"], tmp_path)
        said.append(await anext(stream))
        await hub.close()
        said += [message async for message in stream]
        return said

    first, idle, failed, *rest = asyncio.run(scenario())
    assert first.startswith("data: ") and '"html": 0' in first and '"problems": []' in first
    assert idle.startswith(":")
    assert '"where": "chapters/en/01-a.md:3:7"' in failed
    assert "unknown citation key 'x'" in failed
    assert rest == []


def test_source_filter_sees_what_brief_watch_sees(tmp_path: Path) -> None:
    from watchfiles import Change

    from policybrief.preview import SourceFilter

    wanted = SourceFilter(tmp_path / "out")
    for path in ("chapters/en/01-a.md", "brief.yml", "figures/x/data.csv", "theme/web.css"):
        assert wanted(Change.modified, str(tmp_path / path)), path
    for path in ("out/en/x.html", "build/en/x.pdf", ".git/index", ".venv-3.12/x.py",
                 "chapters/en/.01-a.md.swp", "chapters/en/01-a.md~", "node_modules/a.js"):
        assert not wanted(Change.modified, str(tmp_path / path)), path


def test_cli_refuses_a_port_out_of_range(capsys: pytest.CaptureFixture[str]) -> None:
    from policybrief.cli import main

    assert main(["preview", "--port", "70000", "--no-open"]) == 2
    assert "not a port" in capsys.readouterr().err


def test_page_reloads_on_save_and_shows_a_build_error_until_fixed(
        browser: Any, make_project: Callable[..., Path]) -> None:
    root = make_project(only="en")
    chapter = root / "chapters/en/02-findings.md"
    source = chapter.read_text(encoding="utf-8")
    preview = Preview(root, None, Reporter(quiet=True), port=0, open_browser=False)
    with running(preview):
        built = root / "build/en/fixture-brief.html"
        on_disk = built.read_bytes()
        page = browser.new_page(viewport={"width": 1000, "height": 400})
        problems: list[str] = []
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(f"{preview.url}/")  # redirected to the web edition
        assert page.url == f"{preview.url}/en/fixture-brief.html"
        pdf_view = browser.new_page()
        pdf_view.goto(f"{preview.url}/_preview/pdf/en")
        assert pdf_view.get_attribute("#policybrief-pdf", "src") == "/en/fixture-brief.pdf"

        # an edit far below the top of the page: the page reloads, shows it, in view
        chapter.write_text(source.replace("The conclusion follows.",
                                          "The conclusion, now revised, follows."))
        page.wait_for_function("""() => {
            const edited = [...document.querySelectorAll('main p')]
                .find(p => p.textContent.includes('now revised'));
            if (!edited) return false;
            const box = edited.getBoundingClientRect();
            return scrollY > 0 && box.top >= 0 && box.bottom <= innerHeight;
        }""", timeout=20_000)
        assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"
        assert built.read_bytes() != on_disk and SCRIPT_MARK not in built.read_bytes()
        # the PDF view reloads its frame when the PDF is built again
        pdf_view.wait_for_function(
            "document.getElementById('policybrief-pdf').src.includes('?build=2')",
            timeout=20_000)

        # a citation key that does not exist: the overlay names the place
        broken = source.replace("The conclusion follows.[@smith-2015]",
                                "The conclusion follows.[@no-such-key]")
        assert broken != source
        chapter.write_text(broken)
        line_no, line = next((n, text) for n, text in enumerate(broken.splitlines(), 1)
                             if "no-such-key" in text)
        where = page.wait_for_selector("policybrief-preview-errors .where", timeout=20_000)
        assert where.inner_text() == \
            f"chapters/en/02-findings.md:{line_no}:{line.index('no-such-key') + 1}"
        overlay = page.inner_text("policybrief-preview-errors li")
        assert "unknown citation key 'no-such-key'" in overlay
        assert "now revised" in page.inner_text("main")  # the last good build stays

        # fixed: the overlay goes
        chapter.write_text(source)
        page.wait_for_selector("policybrief-preview-errors", state="detached",
                               timeout=20_000)
        page.wait_for_function("!document.body.innerText.includes('now revised')",
                               timeout=20_000)
        assert problems == []
