"""``brief preview``: the web edition and the PDF in a browser, rebuilt on save.

Changes arrive as the operating system's file events (``watchfiles``); each one is
built by the warm process of ``brief watch`` (:class:`WarmBuilds`), the web edition
first, so the page reloads before the PDF is laid out. Pages learn of a build through
Server-Sent Events; a failed build shows its located errors over the page until a
build passes, as Vite and ``mkdocs serve`` do.

The server (Starlette on uvicorn) listens on 127.0.0.1 only, answers only requests
whose ``Host`` is 127.0.0.1:PORT or localhost:PORT (a page elsewhere cannot reach it
by DNS rebinding), sends no CORS headers and serves only the outputs its builds
wrote, looked up by exact name (no path from the request reaches the file system).
The reload script is added to the page as it is served; the file on disk stays as
``brief build`` writes it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import html
import json
import os
import socket
import sys
import threading
import webbrowser
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from policybrief.errors import BriefError, EnvironmentFault
from policybrief.log import Reporter
from policybrief.watch import IGNORED, Outcome, WarmBuilds, settle

HOST = "127.0.0.1"  # never 0.0.0.0: a draft is not published to the network
DEFAULT_PORT = 8000
EVENTS = "/_preview/events"
KEEP_ALIVE = 15.0  # seconds between comments on an idle event stream
FORMATS = ("html", "pdf")  # the web edition first: it is ready long before the PDF


@dataclass
class Status:
    """What every open page is told: builds so far per format, and what stops the
    current one (one line each, ``path:line:col: error: message``)."""

    generations: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FORMATS, 0))
    problems: list[dict[str, str]] = field(default_factory=list)
    building: bool = False

    def as_json(self) -> str:
        return json.dumps({"generations": self.generations, "problems": self.problems,
                           "building": self.building}, sort_keys=True)


class Hub:
    """The outputs a preview serves and the status its pages follow. Used only on the
    event loop's thread."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.status = Status()
        self.files: dict[str, Path] = {}  # URL path -> output, exactly as built
        self.home = ""  # the first web edition's URL path
        self.version = 0
        self.closed = False
        self._changed = asyncio.Event()  # set, and replaced, at each change
        self.open_pages: Counter[str] = Counter()  # pages following the stream, by format
        self.page_opened = asyncio.Event()  # a web page (re)opened since the last build

    def add_outputs(self, outputs: Iterable[Path]) -> None:
        """Serve these outputs (under the output folder; anything else is ignored)."""
        for output in outputs:
            path = output.resolve()
            if not path.is_relative_to(self.out_dir):
                continue
            url = "/" + path.relative_to(self.out_dir).as_posix()
            self.files[url] = path
            if not self.home and path.suffix == ".html":
                self.home = url

    async def publish(self, outcome: Outcome | None, formats: Iterable[str],
                      root: Path) -> None:
        """A build started (``outcome`` None) or ended: tell every page."""
        status = self.status
        status.building = outcome is None
        if outcome is not None and outcome.built:
            self.add_outputs(outcome.outputs)
            for fmt in formats:
                status.generations[fmt] = status.generations.get(fmt, 0) + 1
            self.page_opened.clear()
            status.problems = []
        elif outcome is not None:
            status.problems = [problem_entry(p, root) for p in outcome.problems]
        await self._notify()

    async def close(self) -> None:
        self.closed = True
        await self._notify()

    async def _notify(self) -> None:
        self.version += 1
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def stream(self, page: str) -> AsyncIterator[str]:
        """Server-Sent Events: the status now, then after every change."""
        seen = -1
        self.open_pages[page] += 1
        if page == "html":
            self.page_opened.set()
        try:
            while not self.closed:
                if seen != self.version:
                    seen = self.version
                    yield f"data: {self.status.as_json()}\n\n"
                    continue
                try:
                    await asyncio.wait_for(self._changed.wait(), KEEP_ALIVE)
                except TimeoutError:
                    yield ": still here\n\n"
        finally:
            self.open_pages[page] -= 1

    async def pages_reloaded(self, timeout: float) -> None:
        """Wait (a moment at most) for an open web page to load the new build (its
        script follows the stream again), so that the PDF's layout, started after,
        does not slow the reload down."""
        if self.open_pages["html"] > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.page_opened.wait(), timeout)


def problem_entry(problem: BriefError, root: Path) -> dict[str, str]:
    """One error as the overlay shows it: where, what, and the terminal's line."""
    where = "" if isinstance(problem, EnvironmentFault) or problem.location is None \
        else problem.location.display(root)
    return {"where": where, "message": problem.message, "line": problem.format(root)}


# The page's side: follows the event stream; reloads the page (or the PDF frame) when
# its format was built again; shows the errors in an overlay. Before reloading it
# remembers the reader's place (the first block in view and how far down) and every
# block's text digest; after, it scrolls back to that place, then, if the edited
# passage (the first block that differs, after the unchanged opening) is out of view,
# brings it to the middle of the window and outlines it for a moment.
CLIENT_SCRIPT = r"""
(() => {
  "use strict";
  const config = __CONFIG__;
  const key = "policybrief-preview:" + location.pathname;
  const selector = "main :is(p, li, h1, h2, h3, h4, h5, h6, blockquote, pre, figcaption, " +
    "th, td, dt, dd)";
  const blocks = () => [...document.querySelectorAll(selector)];
  const digest = (text) => {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) { h ^= text.charCodeAt(i); h = Math.imul(h, 16777619); }
    return (h >>> 0).toString(36);
  };
  if ("scrollRestoration" in history) history.scrollRestoration = "manual";

  function remember() {
    const all = blocks();
    const anchor = all.findIndex((b) => b.getBoundingClientRect().bottom > 0);
    sessionStorage.setItem(key, JSON.stringify({
      y: scrollY, anchor, top: anchor >= 0 ? all[anchor].getBoundingClientRect().top : 0,
      digests: all.map((b) => digest(b.textContent)),
    }));
  }

  function restore() {
    const saved = JSON.parse(sessionStorage.getItem(key) || "null");
    sessionStorage.removeItem(key);
    if (!saved) return;
    const all = blocks();
    const anchor = all[saved.anchor];
    if (anchor) scrollBy(0, anchor.getBoundingClientRect().top - saved.top);
    else scrollTo(0, saved.y);
    const now = all.map((b) => digest(b.textContent));
    let first = 0;
    while (first < now.length && now[first] === saved.digests[first]) first++;
    if (first === now.length && now.length === saved.digests.length) return;
    const edited = all[Math.min(first, all.length - 1)];
    if (!edited) return;
    const box = edited.getBoundingClientRect();
    if (box.top < 0 || box.bottom > innerHeight) edited.scrollIntoView({block: "center"});
    edited.animate([{outline: "3px solid #e8a33d", outlineOffset: "3px"},
                    {outline: "3px solid transparent", outlineOffset: "3px"}],
                   {duration: 1600, easing: "ease-in"});
  }

  let host = null;
  function showProblems(problems) {
    if (!problems.length) { if (host) { host.remove(); host = null; } return; }
    if (!host) {
      host = document.createElement("policybrief-preview-errors");
      host.attachShadow({mode: "open"});
      document.documentElement.append(host);
    }
    const root = host.shadowRoot;
    root.replaceChildren();
    const style = document.createElement("style");
    style.textContent = `
      .backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgb(0 0 0 / .66);
                  display: flex; align-items: flex-start; justify-content: center;
                  padding: 8vh 1rem; overflow: auto; }
      .panel { background: #1e1e1e; color: #f3f3f3; border-top: 6px solid #e5484d;
               max-width: 60rem; width: 100%; padding: 1.25rem 1.5rem; border-radius: 6px;
               font: 15px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
      h1 { font-size: 1rem; margin: 0 0 .75rem; color: #ff9592; }
      ol { margin: 0; padding: 0; list-style: none; }
      li { margin: 0 0 .75rem; white-space: pre-wrap; overflow-wrap: anywhere; }
      .where { color: #7fd4ff; display: block; }
      p { color: #b4b4b4; margin: .75rem 0 0; font-size: 13px; }`;
    const backdrop = document.createElement("div");
    backdrop.className = "backdrop";
    const panel = document.createElement("div");
    panel.className = "panel";
    panel.setAttribute("role", "alertdialog");
    panel.setAttribute("aria-label", "Build failed");
    const title = document.createElement("h1");
    title.textContent = problems.length === 1 ? "The build failed" :
      `The build failed: ${problems.length} problems`;
    const list = document.createElement("ol");
    for (const problem of problems) {
      const item = document.createElement("li");
      if (problem.where) {
        const where = document.createElement("span");
        where.className = "where";
        where.textContent = problem.where;
        item.append(where);
      }
      item.append(document.createTextNode(problem.message));
      list.append(item);
    }
    const hint = document.createElement("p");
    hint.textContent = "Fix the source and save: this goes away when the build passes. " +
      "The page shows the last good build.";
    panel.append(title, list, hint);
    backdrop.append(panel);
    root.append(style, backdrop);
  }

  let badge = null;  // "building" in a corner while a build runs
  function showBuilding(building) {
    if (!building) { if (badge) { badge.remove(); badge = null; } return; }
    if (badge) return;
    badge = document.createElement("policybrief-preview-building");
    badge.attachShadow({mode: "open"}).innerHTML = `<style>div { position: fixed;
      inset-block-end: .75rem; inset-inline-end: .75rem; z-index: 2147483646;
      background: #1e1e1e; color: #f3f3f3; padding: .25rem .6rem; border-radius: 1rem;
      font: 12px/1.4 system-ui, sans-serif; opacity: .85; }</style>
      <div role="status">building…</div>`;
    document.documentElement.append(badge);
  }

  let reloading = false;
  const events = new EventSource(config.events + "?page=" + config.format);
  events.onmessage = (event) => {
    const status = JSON.parse(event.data);
    showProblems(status.problems);
    showBuilding(status.building);
    const generation = status.generations[config.format] || 0;
    if (generation <= config.generation || reloading) return;
    if (config.format === "pdf") {
      config.generation = generation;
      const frame = document.getElementById("policybrief-pdf");
      frame.src = frame.dataset.src + "?build=" + generation;
      return;
    }
    reloading = true;
    events.close();
    if (config.format === "html") remember();
    location.reload();
  };
  if (config.format === "html") {
    (document.fonts ? document.fonts.ready : Promise.resolve()).then(restore);
  }
})();
"""


def client_script(format_name: str, generation: int) -> str:
    """The script for one page, with what it was served from."""
    config = json.dumps({"format": format_name, "generation": generation, "events": EVENTS})
    return "<script>" + CLIENT_SCRIPT.replace("__CONFIG__", config) + "</script>"


def inject(page: bytes, script: str) -> bytes:
    """The page with the script before its closing ``</body>`` (or at its end)."""
    at = page.rfind(b"</body>")
    if at < 0:
        at = len(page)
    return page[:at] + script.encode() + page[at:]


def _shell(title: str, body: str, script: str) -> HTMLResponse:
    return HTMLResponse(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{title}</title><style>html,body{{margin:0;height:100%;"
        "font-family:system-ui,sans-serif}iframe{border:0;width:100%;height:100%;"
        f"display:block}}p{{margin:2rem}}</style></head><body>{body}{script}</body></html>")


class Guard:
    """Only requests to this server by its own name (no DNS rebinding: a page of
    another site that resolves its name to 127.0.0.1 sends its own Host); every
    response uncacheable, not sniffed, not embeddable elsewhere."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.allowed = {f"{HOST}:{port}", f"localhost:{port}"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        hosts = Headers(scope=scope).getlist("host")
        if len(hosts) != 1 or hosts[0] not in self.allowed:
            refused = PlainTextResponse("unknown host: this preview answers only "
                                        f"{' or '.join(sorted(self.allowed))}", 421)
            await refused(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Cache-Control"] = "no-store"
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["Cross-Origin-Resource-Policy"] = "same-origin"
                headers["X-Frame-Options"] = "SAMEORIGIN"
            await send(message)

        await self.app(scope, receive, send_guarded)


def make_app(hub: Hub, port: int) -> ASGIApp:
    """The preview's routes: the outputs (web pages with the script), a page holding
    the PDF, the event stream."""

    async def home(request: Request) -> Response:
        if hub.home:
            return RedirectResponse(hub.home, 307)
        return _shell("Preview", "<p>Building the brief…</p>", client_script("html", 0))

    async def output(request: Request) -> Response:
        path = hub.files.get(request.url.path)
        if path is None or not path.is_file():
            return PlainTextResponse("not an output of this preview", 404)
        if path.suffix == ".html":
            script = client_script("html", hub.status.generations["html"])
            return HTMLResponse(inject(path.read_bytes(), script))
        return FileResponse(path)

    async def pdf_view(request: Request) -> Response:
        lang = request.path_params["lang"]
        found = [url for url, path in hub.files.items()
                 if path.suffix == ".pdf" and path.parent.name == lang]
        if not found:
            return PlainTextResponse(f"no PDF edition in '{lang}' in this preview", 404)
        src = html.escape(found[0])
        frame = (f'<iframe id="policybrief-pdf" title="PDF edition" src="{src}" '
                 f'data-src="{src}"></iframe>')
        return _shell(f"PDF ({lang})", frame,
                      client_script("pdf", hub.status.generations["pdf"]))

    async def events(request: Request) -> Response:
        page = "pdf" if request.query_params.get("page") == "pdf" else "html"
        return StreamingResponse(hub.stream(page), media_type="text/event-stream")

    app = Starlette(routes=[
        Route("/", home),
        Route(EVENTS, events),
        Route("/_preview/pdf/{lang}", pdf_view),
        Route("/{lang}/{name}", output),
    ])
    app.router.redirect_slashes = False  # a name is served as built, or not at all
    return Guard(app, port)


def bind(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (port 0: any free one), or one line saying why
    not."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind((HOST, port))
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise EnvironmentFault(f"port {port} on {HOST} is in use; stop what uses it "
                                   "or choose another port (brief preview --port N)") from None
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


def can_open_browser() -> bool:
    """Not in CI, nor on a Linux machine without a display (ssh, containers)."""
    if os.environ.get("CI"):
        return False
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


class Preview:
    """One preview server: bound when made (so its address is known), serving and
    building in :meth:`run` until :meth:`stop` or Ctrl-C."""

    def __init__(self, root: Path, langs: list[str] | None, reporter: Reporter,
                 port: int = DEFAULT_PORT, open_browser: bool = True,
                 formats: tuple[str, ...] = FORMATS) -> None:
        self.root = root.resolve()
        self.formats = [f for f in FORMATS if f in formats]
        self.open_browser = open_browser
        self.reporter = reporter
        self.builds = WarmBuilds(self.root, langs, None, reporter)
        self.socket = bind(port)
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://{HOST}:{self.port}"
        self.ready = threading.Event()  # set when the first build has ended
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._wake: asyncio.Event | None = None

    def run(self) -> None:
        try:
            asyncio.run(self.serve())
        finally:
            gc.unfreeze()
            self.socket.close()

    def stop(self) -> None:
        """Stop serving and watching (from any thread)."""
        if self._loop is not None and self._stopping is not None:
            self._loop.call_soon_threadsafe(self._stopping.set)

    async def serve(self) -> None:
        import uvicorn

        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        hub = Hub(self.root / "build")
        config = uvicorn.Config(make_app(hub, self.port), log_config=None,
                                log_level="warning", access_log=False, lifespan="off",
                                timeout_graceful_shutdown=1)
        preview = self

        class Server(uvicorn.Server):
            def handle_exit(self, sig: int, frame: Any) -> None:  # Ctrl-C
                preview.stop()
                super().handle_exit(sig, frame)

        server = Server(config)
        serving = asyncio.create_task(server.serve(sockets=[self.socket]))
        watching = asyncio.create_task(self._watch_sources(hub.out_dir))
        building = asyncio.create_task(self._build_on_change(hub))
        stopped = asyncio.create_task(self._stopping.wait())
        # until stopped, or until the builder or the watcher fails (a bug: raised)
        await asyncio.wait([stopped, watching, building], return_when=asyncio.FIRST_COMPLETED)
        self._stopping.set()
        self._wake.set()
        self.ready.set()
        await hub.close()
        server.should_exit = True
        ended = await asyncio.gather(serving, watching, building, stopped,
                                     return_exceptions=True)
        for failure in ended:
            if isinstance(failure, BaseException):
                raise failure

    async def _watch_sources(self, out_dir: Path) -> None:
        """Wake the builder on every change the operating system reports."""
        from watchfiles import awatch

        assert self._stopping is not None and self._wake is not None
        async for _changes in awatch(self.root, watch_filter=SourceFilter(out_dir),
                                     step=30, stop_event=self._stopping):
            self._wake.set()

    async def _build_on_change(self, hub: Hub) -> None:
        """Build now, then after each change (those made during a build, at once)."""
        assert self._stopping is not None and self._wake is not None
        first = True
        while not self._stopping.is_set():
            self._wake.clear()
            await self._build(hub)
            if first:
                first = False
                self.ready.set()
                await self._announce(hub)
            await self._wake.wait()

    async def _announce(self, hub: Hub) -> None:
        page = hub.home or "/"
        print(f"preview: web edition at {self.url}{page}", flush=True)
        for path in hub.files.values():
            if path.suffix == ".pdf":
                print(f"preview: print edition at {self.url}/_preview/pdf/{path.parent.name}",
                      flush=True)
        print("preview: rebuilding on every save (Ctrl-C stops)", flush=True)
        if self.open_browser and can_open_browser():
            await asyncio.to_thread(webbrowser.open, self.url + page)

    async def _build(self, hub: Hub) -> None:
        """The web edition, its pages told, then the PDF, its view told; the PDF waits
        when another save came in meanwhile (the page first, again)."""
        assert self._wake is not None
        for formats in ([f] for f in self.formats):
            if formats != self.formats[:1] and self._wake.is_set():
                break
            await hub.publish(None, formats, self.root)
            outcome = await asyncio.to_thread(self.builds.rebuild, formats)
            await hub.publish(outcome, formats, self.root)
            if outcome.built:
                self.reporter.step(f"{formats[0]} rebuilt in {outcome.seconds:.2f} s")
            for problem in outcome.problems:
                print(problem.format(self.root), flush=True)
            if not outcome.built:
                break
            if formats == ["html"]:
                await hub.pages_reloaded(timeout=1.0)
        await asyncio.to_thread(settle)


class SourceFilter:
    """The files a change of which may change an edition: those ``brief watch`` looks
    at (not the outputs, not tools' folders), less editors' swap and backup files."""

    def __init__(self, out_dir: Path) -> None:
        from watchfiles import DefaultFilter

        self.out_dir = out_dir
        self.editors = DefaultFilter(ignore_dirs=sorted(IGNORED))

    def __call__(self, change: Any, path: str) -> bool:
        where = Path(path)
        if where.is_relative_to(self.out_dir):
            return False
        if any(part.startswith(".venv") for part in where.parts):
            return False
        return bool(self.editors(change, path))


def preview(root: Path, langs: list[str] | None, port: int, open_browser: bool,
            reporter: Reporter) -> None:
    """``brief preview``: serve, build and rebuild until Ctrl-C."""
    Preview(root, langs, reporter, port, open_browser).run()
