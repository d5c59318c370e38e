// Progressive enhancement only: every page works without this file.
// Makes the columns of `table.sortable` sortable with buttons in their
// headers, announcing the order through aria-sort.
(function () {
  "use strict";
  // A cell's `data-sort` value, when it has one, sorts in place of its text.
  function cellValue(row, index) {
    var cell = row.children[index];
    var text = cell ? (cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent).trim() : "";
    var number = Number(text.replace(/,/g, ""));
    return text !== "" && !isNaN(number) ? number : text.toLowerCase();
  }
  function sortBy(table, index, header) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (x < y) return ascending ? -1 : 1;
      if (x > y) return ascending ? 1 : -1;
      return 0;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }
  // A running import reports its progress in its status region and the
  // page reloads once it has finished.
  var poll = document.querySelector("[data-poll]");
  if (poll && window.fetch) {
    var tick = function () {
      fetch(poll.getAttribute("data-poll"), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (job) {
          if (!job) return;
          if (job.status !== "queued" && job.status !== "running") { window.location.reload(); return; }
          if (job.progress && poll.textContent !== job.progress) poll.textContent = job.progress;
          window.setTimeout(tick, 2000);
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    };
    window.setTimeout(tick, 2000);
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    if (!table.tHead) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      if (!th.textContent.trim() || th.hasAttribute("data-nosort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, index, th); });
    });
  });
})();

// A search box with `data-filter="selector"` hides the matching items whose
// text does not contain what is typed. Without JavaScript everything shows.
(function () {
  "use strict";
  document.querySelectorAll("input[data-filter]").forEach(function (input) {
    var items = document.querySelectorAll(input.getAttribute("data-filter"));
    input.addEventListener("input", function () {
      var q = input.value.trim().toLowerCase();
      Array.prototype.forEach.call(items, function (item) {
        item.hidden = q !== "" && item.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
})();

// `data-print` buttons print the page.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();

// The ranking form: buttons that move a choice up or down (Alt+Arrow keys
// on a choice do the same), with a polite announcement of where it went.
// Without JavaScript the selects alone rank.
(function () {
  "use strict";
  var form = document.getElementById("ranking");
  if (!form) return;
  var items = Array.prototype.slice.call(form.querySelectorAll("ol.ranking > li"));
  if (items.length < 2) return;
  var live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("aria-live", "polite");
  form.appendChild(live);
  function choice(i) { return items[i].querySelector("select"); }
  function name(i) { return items[i].querySelector("label").textContent.trim(); }
  function move(i, by, button) {
    var j = i + by;
    if (j < 0 || j >= items.length) return;
    var a = choice(i), b = choice(j), v = a.value;
    a.value = b.value;
    b.value = v;
    var picked = b.options[b.selectedIndex];
    live.textContent = (b.value && picked ? picked.text : "No choice") + " is now your " + name(j) + ".";
    var next = button ? items[j].querySelector(by < 0 ? "[data-up]" : "[data-down]") : b;
    if (next && !next.disabled) next.focus(); else b.focus();
  }
  items.forEach(function (li, i) {
    var box = document.createElement("span");
    box.className = "reorder";
    [["\u2191", "up", -1], ["\u2193", "down", 1]].forEach(function (d) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-quiet btn-small";
      button.textContent = d[0];
      button.setAttribute("data-" + d[1], "");
      button.setAttribute("aria-label", "Move " + name(i) + " " + d[1]);
      button.disabled = (i === 0 && d[2] < 0) || (i === items.length - 1 && d[2] > 0);
      button.addEventListener("click", function () { move(i, d[2], true); });
      box.appendChild(button);
    });
    li.appendChild(box);
    choice(i).addEventListener("keydown", function (e) {
      if (e.altKey && (e.key === "ArrowUp" || e.key === "ArrowDown")) {
        e.preventDefault();
        move(i, e.key === "ArrowUp" ? -1 : 1, false);
      }
    });
  });
})();

// The session catalogue: search text, a slot and a tag narrow the cards
// together; the count of what shows is announced.
(function () {
  "use strict";
  document.querySelectorAll("[data-catalogue]").forEach(function (bar) {
    var cards = document.querySelectorAll(bar.getAttribute("data-catalogue"));
    var text = bar.querySelector("[data-catalogue-text]");
    var slot = bar.querySelector("[data-catalogue-slot]");
    var tag = bar.querySelector("[data-catalogue-tag]");
    var audience = bar.querySelector("[data-catalogue-audience]");
    var count = bar.querySelector("[data-catalogue-count]");
    bar.querySelectorAll("[data-catalogue-only]").forEach(function (el) { el.hidden = false; });
    function apply() {
      var q = text.value.trim().toLowerCase(), s = slot.value, t = tag.value.toLowerCase(), shown = 0;
      var a = audience ? audience.value : "";
      Array.prototype.forEach.call(cards, function (card) {
        var ok = (q === "" || card.textContent.toLowerCase().indexOf(q) >= 0) &&
          (s === "" || card.getAttribute("data-slots").split("|").indexOf(s) >= 0) &&
          (t === "" || card.getAttribute("data-tags").toLowerCase().split("|").indexOf(t) >= 0) &&
          (a === "" || card.getAttribute("data-audience") === a);
        card.hidden = !ok;
        if (ok) shown += 1;
      });
      count.textContent = shown === cards.length ? "" : shown + " of " + cards.length + " sessions shown";
    }
    [text, slot, tag, audience].filter(Boolean).forEach(function (el) { el.addEventListener("input", apply); el.addEventListener("change", apply); });
  });
})();
