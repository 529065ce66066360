/* Note popovers for the web edition (progressive enhancement: without this script
   every note call is still a link to its note, and every note links back).
   On hover or keyboard focus of a note call, the note's text shows beside it;
   Escape or moving away closes it. */
(function () {
  "use strict";
  var popover = null;
  var current = null;

  function close() {
    if (popover) { popover.remove(); popover = null; }
    if (current) { current.removeAttribute("aria-describedby"); current = null; }
  }

  function open(call) {
    var note = document.getElementById(call.getAttribute("href").slice(1));
    if (!note || current === call) { return; }
    close();
    var copy = note.cloneNode(true);
    copy.querySelectorAll(".footnote-back").forEach(function (back) { back.remove(); });
    copy.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    popover = document.createElement("div");
    popover.className = "note-popover";
    popover.id = "note-popover";
    popover.setAttribute("role", "tooltip");
    var number = document.createElement("span");
    number.className = "note-popover-number";
    number.textContent = call.textContent.trim() + ". ";
    while (copy.firstChild) { popover.appendChild(copy.firstChild); }
    var first = popover.querySelector("p") || popover;
    first.insertBefore(number, first.firstChild);
    document.body.appendChild(popover);
    var box = call.getBoundingClientRect();
    var width = Math.min(420, document.documentElement.clientWidth - 24);
    popover.style.width = width + "px";
    var left = Math.max(12, Math.min(box.left + window.scrollX - width / 2,
      window.scrollX + document.documentElement.clientWidth - width - 12));
    popover.style.left = left + "px";
    popover.style.top = (box.bottom + window.scrollY + 6) + "px";
    call.setAttribute("aria-describedby", popover.id);
    current = call;
  }

  document.querySelectorAll("a.footnote-ref").forEach(function (call) {
    call.addEventListener("mouseenter", function () { open(call); });
    call.addEventListener("focus", function () { open(call); });
    call.addEventListener("mouseleave", function (event) {
      if (!popover || !popover.contains(event.relatedTarget)) { close(); }
    });
    call.addEventListener("blur", close);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { close(); }
  });
})();
