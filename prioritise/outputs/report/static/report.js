// The report's only script: map tooltip, details panel, legend toggles, zoom and pan.
// It reads data from an inline JSON block and writes text with textContent only, so text
// from input files can never become markup.
(function () {
  "use strict";
  var dataEl = document.getElementById("hazard-data");
  var data = dataEl ? JSON.parse(dataEl.textContent) : {cols: [], h: {}};
  var svg = document.getElementById("plan-map");
  var tip = document.getElementById("map-tip");
  var panel = document.getElementById("hazard-details");

  function money(x) {
    if (x === null || x === undefined) return "\u2013";
    if (Math.abs(x) >= 1e6) return "$" + (x / 1e6).toFixed(2) + "m";
    return "$" + Math.round(x).toLocaleString("en");
  }
  function area(x) {
    if (x === null || x === undefined) return "\u2013";
    if (Math.abs(x) >= 1e5) return (x / 1e6).toFixed(2) + " km\u00b2";
    return Math.round(x).toLocaleString("en") + " m\u00b2";
  }
  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function rows(h) {
    return [
      ["Hazard", h.id], ["Name", h.n || "\u2013"], ["Province", h.p],
      ["Planned year", h.y === null ? "not scheduled" : h.y],
      ["Method", h.y === null ? "\u2013" : h.m + " (" + h.o + ")"],
      ["Cost", money(h.c)], ["Area", area(h.a)], ["Released", area(h.r)],
      ["Baseline year", h.b === null ? "not in baseline" : h.b],
      ["Score (impact)", h.i === null ? "\u2013" : h.i.toFixed(2)]
    ];
  }
  function fill(target, id, full) {
    var h = data.h[id];
    if (!h) return;
    h.id = id;
    while (target.firstChild) target.removeChild(target.firstChild);
    var t = el("table");
    rows(h).forEach(function (r) {
      var tr = el("tr");
      tr.appendChild(el("th", r[0]));
      tr.appendChild(el("td", r[1]));
      t.appendChild(tr);
    });
    target.appendChild(t);
    var max = 0;
    (h.k || []).forEach(function (v) { max = Math.max(max, Math.abs(v)); });
    if (data.cols.length) {
      target.appendChild(el("div", "Score breakdown", "bh"));
      var bt = el("table", null, "breakdown");
      data.cols.forEach(function (name, i) {
        var v = (h.k || [])[i] || 0;
        var tr = el("tr");
        tr.appendChild(el("td", name));
        var td = el("td", null, "barcell");
        var bar = el("span", null, "bar");
        bar.style.width = (max > 0 ? Math.round(100 * Math.abs(v) / max) : 0) + "px";
        td.appendChild(bar);
        td.appendChild(el("span", v.toFixed(2), "bv"));
        tr.appendChild(td);
        bt.appendChild(tr);
      });
      target.appendChild(bt);
    }
    if (full && h.e) target.appendChild(el("p", h.e, "why"));
  }
  function idOf(ev) {
    var t = ev.target;
    return t && t.getAttribute ? t.getAttribute("data-id") : null;
  }
  if (svg && tip) {
    svg.addEventListener("mousemove", function (ev) {
      var id = idOf(ev);
      if (!id) { tip.hidden = true; return; }
      fill(tip, id, false);
      tip.hidden = false;
      var box = svg.parentNode.getBoundingClientRect();
      tip.style.left = (ev.clientX - box.left + 14) + "px";
      tip.style.top = (ev.clientY - box.top + 14) + "px";
    });
    svg.addEventListener("mouseleave", function () { tip.hidden = true; });
    svg.addEventListener("click", function (ev) {
      var id = idOf(ev);
      if (id && panel) { fill(panel, id, true); panel.setAttribute("data-shown", id); }
      if (id) showChain(id);
    });
  }
  // A hazard's access chain: the hazards it needs first (transitively) and those needing it.
  var byA = {}, byB = {};
  if (svg) {
    svg.querySelectorAll(".deps line").forEach(function (ln) {
      var a = ln.getAttribute("data-a"), b = ln.getAttribute("data-b");
      (byA[a] = byA[a] || []).push(ln);
      (byB[b] = byB[b] || []).push(ln);
    });
  }
  function walk(start, index, key, seen) {
    var stack = [start];
    while (stack.length) {
      var id = stack.pop();
      (index[id] || []).forEach(function (ln) {
        ln.classList.add("on");
        var next = ln.getAttribute(key);
        if (!seen[next]) { seen[next] = true; stack.push(next); }
      });
    }
  }
  function showChain(id) {
    svg.querySelectorAll(".deps line.on").forEach(function (ln) { ln.classList.remove("on"); });
    svg.querySelectorAll(".sel").forEach(function (s) { s.classList.remove("sel"); });
    svg.querySelectorAll('[data-id="' + CSS.escape(id) + '"]').forEach(function (s) {
      s.classList.add("sel");
    });
    walk(id, byA, "data-b", {});
    walk(id, byB, "data-a", {});
  }
  var allDeps = document.getElementById("all-deps");
  if (allDeps && svg) {
    allDeps.addEventListener("click", function () {
      var on = svg.classList.toggle("show-deps");
      allDeps.setAttribute("aria-pressed", on ? "true" : "false");
      allDeps.textContent = on ? "Hide access links" : "Show all access links";
    });
  }
  // Long tables: filter the rows by the text typed (the totals row stays).
  document.querySelectorAll("input.tfilter").forEach(function (input) {
    var table = input.closest("details").querySelector("table");
    input.addEventListener("input", function () {
      var q = input.value.toLowerCase();
      table.querySelectorAll("tbody tr:not(.total)").forEach(function (tr) {
        tr.hidden = q !== "" && tr.textContent.toLowerCase().indexOf(q) < 0;
      });
    });
  });
  // The section menu marks the section being read.
  var links = {};
  document.querySelectorAll("nav.toc a[href^='#']").forEach(function (a) {
    links[a.getAttribute("href").slice(1)] = a;
  });
  if ("IntersectionObserver" in window) {
    var observer = new IntersectionObserver(function (entries) {
      entries.forEach(function (e) {
        if (!e.isIntersecting || !links[e.target.id]) return;
        Object.keys(links).forEach(function (k) { links[k].classList.remove("active"); });
        links[e.target.id].classList.add("active");
      });
    }, {rootMargin: "-45% 0px -50% 0px"});
    document.querySelectorAll("main section[id]").forEach(function (s) { observer.observe(s); });
  }
  // Legend: toggle a year or the unscheduled hazards.
  document.querySelectorAll("#map-legend [data-toggle]").forEach(function (b) {
    b.addEventListener("click", function () {
      var k = "hide-" + b.getAttribute("data-toggle");
      var on = svg.classList.toggle(k);
      document.querySelectorAll('#map-legend [data-toggle="' + b.getAttribute("data-toggle")
        + '"]').forEach(function (x) { x.setAttribute("aria-pressed", on ? "false" : "true"); });
    });
  });
  // Zoom (wheel, buttons) and pan (drag) by changing the viewBox.
  if (svg) {
    var W = +svg.getAttribute("data-w"), H = +svg.getAttribute("data-h");
    var R = +svg.getAttribute("data-marker-r");
    var view = {x: 0, y: 0, w: W, h: H};
    var markers = svg.querySelectorAll(".mk circle");
    var apply = function () {
      svg.setAttribute("viewBox", view.x + " " + view.y + " " + view.w + " " + view.h);
      var r = String(Math.max(R * view.w / W, R / 16));
      for (var i = 0; i < markers.length; i++) markers[i].setAttribute("r", r);
      svg.style.setProperty("--z", String(W / view.w));
    };
    var zoom = function (f, cx, cy) {
      var nw = Math.min(W, Math.max(W / 64, view.w / f));
      var nh = nw * H / W;
      view.x = cx - (cx - view.x) * nw / view.w;
      view.y = cy - (cy - view.y) * nh / view.h;
      view.w = nw; view.h = nh;
      apply();
    };
    var point = function (ev) {
      var b = svg.getBoundingClientRect();
      var s = Math.max(view.w / b.width, view.h / b.height);
      var ox = (b.width - view.w / s) / 2, oy = (b.height - view.h / s) / 2;
      return [view.x + (ev.clientX - b.left - ox) * s, view.y + (ev.clientY - b.top - oy) * s];
    };
    svg.addEventListener("wheel", function (ev) {
      ev.preventDefault();
      var p = point(ev);
      zoom(ev.deltaY < 0 ? 1.25 : 0.8, p[0], p[1]);
    }, {passive: false});
    var drag = null;
    svg.addEventListener("mousedown", function (ev) { drag = point(ev); });
    window.addEventListener("mouseup", function () { drag = null; });
    svg.addEventListener("mousemove", function (ev) {
      if (!drag || !(ev.buttons & 1)) return;
      var p = point(ev);
      view.x += drag[0] - p[0]; view.y += drag[1] - p[1];
      apply();
    });
    document.querySelectorAll("[data-zoom]").forEach(function (b) {
      b.addEventListener("click", function () {
        var z = b.getAttribute("data-zoom");
        if (z === "reset") { view = {x: 0, y: 0, w: W, h: H}; apply(); return; }
        zoom(z === "in" ? 1.5 : 1 / 1.5, view.x + view.w / 2, view.y + view.h / 2);
      });
    });
    apply();
  }
  document.body.setAttribute("data-script", "ok");
})();
