/*! Self-hosted DataFast-compatible tracker: one source served as script.js, script.hash.js and script.cookieless.js. */
// Owns the browser side of ingestion: identifiers, the event payload and when it is sent.
// It never throws into the host page: every entry point is wrapped in try/catch.
(function (w, d) {
  "use strict";
  try {
  var EVENTS_PATH = "/api/events";
  var SESSION_MS = 30 * 60 * 1000;
  var YEAR_S = 365 * 24 * 60 * 60;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
  var AD_IDS = ["gclid", "gclsrc", "wbraid", "gbraid", "li_fat_id", "fbclid", "msclkid", "ttclid", "twclid"];
  var BOT_UA = /headlesschrome|phantomjs|selenium|webdriver|puppeteer|playwright|python|curl|wget|java\/|go-http|node\.js|axios|postman/i;

  var me = d.currentScript || d.querySelector("script[data-website-id]");
  var attr = function (n) {
    return (me && me.getAttribute && me.getAttribute(n)) || "";
  };
  var flag = function (n) {
    return attr(n) === "true";
  };
  var log = function (m) {
    try {
      if (!flag("data-disable-console") && w.console) w.console.log("[datafast] " + m);
    } catch (e) {}
  };
  var safe = function (f) {
    return function () {
      try {
        return f.apply(this, arguments);
      } catch (e) {
        log("error " + e);
      }
    };
  };

  // The variant is chosen by the file name the page asked for, so one file can be
  // served under the three documented names without a build step.
  var src = String((me && me.src) || "");
  var file = src.split("?")[0].split("#")[0].split("/").pop();
  var HASH = /\.hash\./.test(file);
  var COOKIELESS = /\.cookieless\./.test(file);

  var websiteId = attr("data-website-id");
  var domain = attr("data-domain");
  var loc = w.location;
  var host = loc.hostname || "";

  var store = function (kind) {
    try {
      return w[kind] || null;
    } catch (e) {
      return null; // access itself throws when storage is blocked
    }
  };
  var ls = store("localStorage");
  var ss = store("sessionStorage");
  var get = function (s, k) {
    try {
      return s ? s.getItem(k) : null;
    } catch (e) {
      return null;
    }
  };
  var put = function (s, k, v) {
    try {
      if (s) s.setItem(k, v);
    } catch (e) {}
  };

  function reason() {
    var n = w.navigator || {};
    var ua = String(n.userAgent || "");
    if (!websiteId || !domain) return "missing data-website-id or data-domain";
    if (get(ls, "datafast_ignore") === "true") return "datafast_ignore is set";
    if (n.webdriver || w.callPhantom || w._phantom || w.__nightmare || w.__selenium_unwrapped ||
      (d.documentElement && d.documentElement.getAttribute &&
        (d.documentElement.getAttribute("webdriver") || d.documentElement.getAttribute("selenium"))) ||
      ua.length < 5 || BOT_UA.test(ua)) return "bot";
    if (loc.protocol === "file:" && !flag("data-allow-file-protocol")) return "file: page";
    if (/^(localhost|127(\.\d+){3}|\[::1\]|::1)$|\.local(host)?$/.test(host) && !flag("data-allow-localhost")) return "localhost";
    try {
      if (w.self !== w.top && !flag("data-debug")) return "inside an iframe";
    } catch (e) {
      if (!flag("data-debug")) return "inside an iframe";
    }
    return "";
  }

  // Without data-api-url we post to the origin that served this file: serving the
  // script from our server then needs no configuration. A data-api-url that is only an
  // origin gets /api/events; one with a path is used as the full endpoint.
  function endpoint() {
    var api = attr("data-api-url");
    try {
      if (api) {
        var u = new URL(api, loc.href);
        return u.pathname === "/" ? u.origin + EVENTS_PATH : u.href;
      }
      return new URL(EVENTS_PATH, src || loc.href).href;
    } catch (e) {
      return EVENTS_PATH;
    }
  }

  function uuid() {
    var c = w.crypto;
    if (c && c.randomUUID) return c.randomUUID();
    var b = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(b);
    else for (var i = 0; i < 16; i++) b[i] = (Math.random() * 256) | 0;
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) {
      return (x + 256).toString(16).slice(1);
    }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function cookie(name) {
    var all = String(d.cookie || "").split(/;\s*/);
    for (var i = 0; i < all.length; i++) {
      var p = all[i].indexOf("=");
      if (all[i].slice(0, p) === name) {
        try {
          return decodeURIComponent(all[i].slice(p + 1));
        } catch (e) {
          return "";
        }
      }
    }
    return "";
  }
  function setCookie(name, value, seconds) {
    if (COOKIELESS) return;
    // The domain attribute lets subdomains share the visitor; browsers reject it on
    // localhost, file: pages and hosts outside data-domain, so it is left out there.
    var dom = loc.protocol !== "file:" && host.indexOf(".") > 0 && !/^[\d.]+$/.test(host) &&
      (host === domain || host.slice(-domain.length - 1) === "." + domain) ? "; domain=." + domain : "";
    d.cookie = name + "=" + encodeURIComponent(value) + "; max-age=" + seconds + "; path=/" + dom + "; SameSite=Lax";
  }

  // Identifiers. Cookie mode keeps them in cookies (section 4.3); cookieless mode sends a
  // throw-away visitor id and lets the server derive the real one.
  var visitorId = cookie("datafast_visitor_id");
  var sessionId = cookie("datafast_session_id");
  var firstSeen = cookie("datafast_visitor_first_seen_at");
  var sessionCount = parseInt(cookie("datafast_visitor_session_count"), 10) || 0;
  function ids() {
    if (COOKIELESS) {
      sessionId = get(ss, "datafast_session_id") || "";
      if (!/^s/.test(sessionId) || !UUID.test(sessionId.slice(1))) {
        sessionId = "s" + uuid();
        put(ss, "datafast_session_id", sessionId);
      }
      return;
    }
    if (!UUID.test(visitorId)) {
      visitorId = uuid();
      firstSeen = new Date().toISOString();
      sessionCount = 0;
    }
    if (!firstSeen) firstSeen = new Date().toISOString();
    if (!/^s/.test(sessionId) || !UUID.test(sessionId.slice(1))) {
      sessionId = "s" + uuid();
      sessionCount = Math.min(sessionCount + 1, 1000000);
    }
    setCookie("datafast_visitor_id", visitorId, YEAR_S);
    setCookie("datafast_visitor_first_seen_at", firstSeen, YEAR_S);
    setCookie("datafast_visitor_session_count", String(sessionCount || 1), YEAR_S);
    setCookie("datafast_session_id", sessionId, SESSION_MS / 1000);
  }

  function clean(v) {
    return String(v == null ? "" : v)
      .replace(/[<>'"&]/g, "")
      .replace(/(javascript|data|vbscript):/gi, "")
      .replace(/on\w+\s*=/gi, "")
      .slice(0, 255);
  }
  function params(p, into) {
    var n = 0;
    if (p && typeof p === "object") {
      Object.keys(p).forEach(function (k) {
        var key = String(k).toLowerCase();
        if (n < 10 && /^[a-z0-9_-]{1,32}$/.test(key) && key !== "eventname") {
          into[key] = clean(p[k]);
          n++;
        }
      });
    }
    return into;
  }

  function send(type, extra) {
    ids();
    var body = {
      websiteId: websiteId,
      domain: domain,
      href: loc.href,
      referrer: d.referrer || null,
      type: type,
      viewport: { width: w.innerWidth || 0, height: w.innerHeight || 0 },
      visitorId: COOKIELESS ? uuid() : visitorId,
      sessionId: sessionId,
      visitorSessionNumber: COOKIELESS ? 0 : sessionCount || 1
    };
    if (COOKIELESS) body.cookieless = true;
    else body.visitorFirstSeenAt = firstSeen;
    var ad = {};
    var q = new URLSearchParams(loc.search);
    AD_IDS.forEach(function (k) {
      if (q.get(k)) ad[k] = q.get(k);
    });
    if (Object.keys(ad).length) body.adClickIds = ad;
    if (extra) body.extraData = extra;
    var json = JSON.stringify(body);
    var url = endpoint();
    if (w.fetch) {
      // keepalive lets an external-link event outlive the page it was sent from.
      w.fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: json, keepalive: true })
        .then(function (r) {
          // Only 200 counts as success (section 4.1): it extends the session.
          if (r && r.status === 200) setCookie("datafast_session_id", sessionId, SESSION_MS / 1000);
          else log("event not accepted: HTTP " + (r && r.status));
        })
        .catch(function (e) {
          log("event failed: " + e);
        });
    } else if (w.navigator && w.navigator.sendBeacon) {
      w.navigator.sendBeacon(url, json);
    }
  }

  function payments() {
    if (flag("data-disable-payments")) return;
    var q = new URLSearchParams(loc.search);
    var sid = q.get("session_id");
    [
      ["stripe", "stripe_session_id", sid && /^cs_/.test(sid) ? sid : ""],
      ["polar", "polar_checkout_id", q.get("checkout_id")],
      ["lemonsqueezy", "lemonsqueezy_order_id", q.get("order_id")]
    ].forEach(function (p) {
      var key = "datafast_" + p[0] + "_payment_sent_" + p[2];
      if (p[2] && !get(ss, key)) {
        put(ss, key, "1");
        var x = {};
        x[p[1]] = clean(p[2]);
        send("payment", x);
      }
    });
  }

  var route = function () {
    return loc.pathname + (HASH ? loc.hash : "");
  };
  var lastRoute = null;
  function pageview() {
    lastRoute = route();
    // A reload or a bounced navigation to the same URL within a minute is one view.
    var now = Date.now();
    var prev = null;
    try {
      prev = JSON.parse(get(ss, "datafast_pageview_state") || "null");
    } catch (e) {}
    if (!(prev && prev.url === loc.href && now - prev.time < 60000)) {
      put(ss, "datafast_pageview_state", JSON.stringify({ time: now, url: loc.href }));
      send("pageview");
    }
    payments();
  }

  function api(name, p) {
    var goal = String(name || "").toLowerCase();
    if (goal === "identify") {
      if (!p || !p.user_id) return log("identify needs user_id");
      var x = params(p, { user_id: clean(p.user_id), name: clean(p.name) });
      x.user_id = clean(p.user_id);
      return send("identify", x);
    }
    if (goal === "payment") {
      if (!p || !p.email) return log("payment needs email");
      return send("payment", { email: clean(p.email) });
    }
    if (!/^[a-z0-9_:-]{1,64}$/.test(goal)) return log("invalid goal name " + goal);
    send("custom", params(p, { eventName: goal }));
  }

  // The element attributes data-fast-goal-plan-type="pro" become {plan_type: "pro"}.
  function goalOf(el) {
    var p = {};
    Array.prototype.forEach.call(el.attributes || [], function (a) {
      var m = /^data-fast-goal-(.+)$/.exec(a.name);
      if (m) p[m[1].replace(/-/g, "_")] = a.value;
    });
    api(el.getAttribute("data-fast-goal"), p);
  }
  function up(t, test) {
    for (var n = t; n && n.getAttribute; n = n.parentNode) if (test(n)) return n;
    return null;
  }
  var onClick = safe(function (e) {
    var g = up(e.target, function (n) {
      return n.getAttribute("data-fast-goal");
    });
    if (g) goalOf(g);
    var a = up(e.target, function (n) {
      return String(n.tagName).toUpperCase() === "A" && n.getAttribute("href");
    });
    if (!a) return;
    var u = new URL(a.getAttribute("href"), loc.href);
    if (/^https?:$/.test(u.protocol) && u.hostname !== host) {
      send("external_link", { url: clean(u.href), text: clean(String(a.textContent || "").trim()) });
    }
  });
  var onKey = safe(function (e) {
    if (e.key !== "Enter" && e.key !== " ") return;
    var g = up(e.target, function (n) {
      return n.getAttribute("data-fast-goal");
    });
    // Buttons and links already turn Enter/Space into a click; avoid counting twice.
    if (g && !/^(A|BUTTON|INPUT|SUMMARY)$/.test(String(g.tagName).toUpperCase())) goalOf(g);
  });

  var timer = 0;
  var onRoute = safe(function () {
    clearTimeout(timer);
    timer = setTimeout(
      safe(function () {
        if (route() !== lastRoute) pageview();
      }),
      100
    );
  });

  var start = safe(function () {
    var queued = (w.datafast && w.datafast.q) || [];
    var why = reason();
    var fn = why
      ? function () {}
      : safe(function (n, p) {
          api(n, p);
        });
    fn.q = [];
    w.datafast = fn;
    if (why) return log("tracking off: " + why);
    pageview();
    // Calls made before the script loaded run after the first pageview, so the server
    // already knows the visitor when their goals arrive.
    Array.prototype.forEach.call(queued, function (args) {
      fn.apply(null, args);
    });
    d.addEventListener("click", onClick, true);
    d.addEventListener("keydown", onKey, true);
    var h = w.history;
    ["pushState", "replaceState"].forEach(function (m) {
      var orig = h && h[m];
      if (typeof orig !== "function") return;
      h[m] = function () {
        var r = orig.apply(this, arguments);
        onRoute();
        return r;
      };
    });
    w.addEventListener("popstate", onRoute);
    if (HASH) w.addEventListener("hashchange", onRoute);
  });
  start();
  } catch (e) {
    // Nothing the tracker does may break the host page.
  }
})(window, document);
