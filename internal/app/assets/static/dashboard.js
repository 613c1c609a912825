// The dashboard follows /dashboard/events (server-sent events) and redraws
// the session table and the chart from each snapshot. Everything is built
// with DOM calls and textContent: no string of the server's ever becomes HTML.
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root || !window.EventSource) { return; }
  var token = root.dataset.csrf;
  var statusEl = document.getElementById("status");
  var updatedEl = document.getElementById("updated");
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { for (var k in attrs) { e.setAttribute(k, attrs[k]); } }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function clock(iso) {
    var d = new Date(iso);
    return isNaN(d) ? "—" : d.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  }

  function relative(iso, now) {
    var s = Math.round((new Date(iso) - now) / 1000);
    var past = s < 0; s = Math.abs(s);
    var txt = s < 60 ? s + "s" : s < 3600 ? Math.round(s / 60) + "m" : Math.round(s / 360) / 10 + "h";
    return past ? txt + " ago" : "in " + txt;
  }

  function form(action, name, value, label) {
    var f = el("form", { method: "post", action: action });
    f.appendChild(el("input", { type: "hidden", name: "csrf_token", value: token }));
    f.appendChild(el("input", { type: "hidden", name: name, value: value }));
    f.appendChild(el("button", { type: "submit" }, label));
    return f;
  }

  function timeCell(iso, now, rel) {
    var td = el("td");
    var t = el("time", { datetime: iso, title: clock(iso) }, rel ? relative(iso, now) : clock(iso));
    td.appendChild(t);
    return td;
  }

  function renderTable(snap) {
    var now = new Date(snap.now);
    var tbody = document.getElementById("sessions");
    var rows = document.createDocumentFragment();
    snap.sessions.forEach(function (s) {
      var tr = el("tr", { "data-key": s.key });
      if (s.current) { tr.className = "current"; }
      var id = el("td"); id.appendChild(el("code", null, s.short)); tr.appendChild(id);
      var who = el("td");
      if (s.principal) { who.textContent = s.principal; } else { who.appendChild(el("span", { "class": "muted" }, "anonymous")); }
      tr.appendChild(who);
      tr.appendChild(timeCell(s.created, now, false));
      tr.appendChild(timeCell(s.lastAccess, now, true));
      tr.appendChild(timeCell(s.expiry, now, true));
      tr.appendChild(el("td", null, s.size + " B"));
      var act = el("td", { "class": "actions" });
      act.appendChild(form(root.dataset.revoke, "key", s.key, "revoke"));
      if (s.principal) { act.appendChild(form(root.dataset.revokeUser, "user", s.principal, "revoke all of " + s.principal)); }
      tr.appendChild(act);
      rows.appendChild(tr);
    });
    tbody.replaceChildren(rows);
    document.getElementById("active").textContent = snap.active;
    document.getElementById("users").textContent = snap.users;
  }

  function renderChart(history) {
    var line = document.getElementById("chart-line");
    var svg = document.getElementById("chart");
    var W = 600, H = 140, pad = 6;
    svg.querySelectorAll(".grid").forEach(function (g) { g.remove(); });
    if (!history.length) { line.setAttribute("points", ""); return; }
    var t0 = new Date(history[0].t).getTime();
    var t1 = new Date(history[history.length - 1].t).getTime();
    var max = 1;
    history.forEach(function (p) { if (p.n > max) { max = p.n; } });
    var span = Math.max(t1 - t0, 1);
    for (var i = 1; i <= 3; i++) {
      var y = H - pad - (H - 2 * pad) * i / 4;
      var g = document.createElementNS(SVG, "line");
      g.setAttribute("class", "grid");
      g.setAttribute("x1", 0); g.setAttribute("x2", W);
      g.setAttribute("y1", y); g.setAttribute("y2", y);
      svg.insertBefore(g, line);
    }
    var pts = history.map(function (p) {
      var x = history.length === 1 ? W : (new Date(p.t).getTime() - t0) / span * W;
      var y = H - pad - (H - 2 * pad) * p.n / max;
      return x.toFixed(1) + "," + y.toFixed(1);
    });
    line.setAttribute("points", pts.join(" "));
    document.getElementById("chart-max").textContent = "max " + max;
    document.getElementById("chart-span").textContent = "last " + Math.round(span / 1000) + "s";
  }

  // The stream. EventSource reconnects by itself after a dropped
  // connection, but gives up for good (readyState CLOSED) when a reconnect
  // gets anything but a 200 event stream: a 503 while the session store is
  // down, a 502 from a proxy during a restart. The page then opens a new one
  // itself, after 1 s, doubling up to 30 s, back to 1 s once one opens. Only
  // the event "gone" (the viewer's session has ended) stops it for good.
  var MIN_BACKOFF = 1000, MAX_BACKOFF = 30000;
  var es = null, backoff = MIN_BACKOFF, timer = null, stopped = false;

  function status(text, cls) { statusEl.textContent = text; statusEl.className = cls; }

  function connect() {
    timer = null;
    if (stopped) { return; }
    es = new EventSource(root.dataset.events);
    es.addEventListener("open", function () {
      backoff = MIN_BACKOFF;
      status("live", "dot live");
    });
    es.addEventListener("error", function (ev) {
      if (stopped || ev.target !== es) { return; }
      if (es.readyState !== EventSource.CLOSED) {
        // The browser retries by itself.
        status("reconnecting…", "dot");
        return;
      }
      es = null;
      var wait = backoff;
      backoff = Math.min(backoff * 2, MAX_BACKOFF);
      status("disconnected, retrying in " + Math.round(wait / 1000) + "s", "dot down");
      root.dataset.reopens = String(Number(root.dataset.reopens || "0") + 1);
      timer = setTimeout(connect, wait);
    });
    es.addEventListener("unavailable", function () {
      status("session store unavailable", "dot down");
    });
    es.addEventListener("sessions", function (ev) {
      var snap = JSON.parse(ev.data);
      status("live", "dot live");
      renderTable(snap);
      renderChart(snap.history);
      updatedEl.textContent = "updated " + clock(snap.now);
      root.dataset.updates = String(Number(root.dataset.updates || "0") + 1);
    });
    es.addEventListener("gone", function () {
      stopped = true;
      if (timer !== null) { clearTimeout(timer); timer = null; }
      if (es) { es.close(); es = null; }
      status("your session has ended", "dot");
    });
  }
  connect();
})();
