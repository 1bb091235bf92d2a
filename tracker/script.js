// Self-hosted DataFast-compatible tracker. One source, served as script.js, script.hash.js
// and script.cookieless.js; it owns the browser side of ingestion: identifiers, the event
// payload (reference section 4.1) and when events are sent. It never throws into the host
// page: the whole body and every callback run inside try/catch.
(function (w, d) {
  "use strict";
  try {
    var P = "datafast_";
    var EVENTS = "/api/events";
    var YEAR = 31536000; // visitor cookies: 365 days, in seconds
    var HALF_HOUR = 1800; // session cookie: 30 minutes, refreshed after each HTTP 200
    var UUID = /^[\da-f]{8}-[\da-f]{4}-4[\da-f]{3}-[89ab][\da-f]{3}-[\da-f]{12}$/i;
    var BOT_UA = /headlesschrome|phantomjs|selenium|webdriver|puppeteer|playwright|python|curl|wget|java\/|go-http|node\.js|axios|postman/i;
    var loc = w.location;
    var host = loc.hostname;
    var me = d.currentScript || d.querySelector("script[data-website-id]");
    var attr = (n) => (me && me.getAttribute("data-" + n)) || "";
    var flag = (n) => attr(n) == "true";
    var log = (m) => flag("disable-console") || console.log("[datafast] " + m);
    var safe = (f) => (...a) => {
      try {
        return f(...a);
      } catch (e) {
        log(e);
      }
    };
    var search = () => new URLSearchParams(loc.search);
    var now = () => new Date().toISOString();

    // The variant comes from the file name the page asked for, so the server can serve
    // one file under the three documented names with no build step.
    var src = (me && me.src) || "";
    var file = src.split(/[?#]/)[0].split("/").pop();
    var HASH = /\.hash\./.test(file);
    var COOKIELESS = /\.cookieless\./.test(file);
    var websiteId = attr("website-id");
    var domain = attr("domain");

    // Storage access itself throws when the browser blocks it, hence the wrappers.
    var store = (k) => {
      try {
        return w[k];
      } catch (e) {}
    };
    var ls = store("localStorage");
    var ss = store("sessionStorage");
    var get = (s, k) => {
      try {
        return s.getItem(k);
      } catch (e) {}
    };
    var put = (s, k, v) => {
      try {
        s.setItem(k, v);
      } catch (e) {}
    };

    var uuid = () =>
      "10000000-1000-4000-8000-100000000000".replace(/[018]/g, (c) =>
        (c ^ (crypto.getRandomValues(new Uint8Array(1))[0] & (15 >> (c / 4)))).toString(16)
      );
    var validSession = (s) => /^s/.test(s) && UUID.test(s.slice(1));

    var cookie = (n) => {
      try {
        return decodeURIComponent(("; " + d.cookie).split("; " + P + n + "=")[1].split(";")[0]);
      } catch (e) {
        return ""; // absent or malformed: a fresh id replaces it
      }
    };
    // The domain attribute lets subdomains share one visitor; browsers refuse it on
    // localhost, IP addresses and hosts outside data-domain, so it is left out there.
    var shared = /\./.test(host) && !/^[\d.]+$/.test(host) && ("." + host).slice(-domain.length - 1) == "." + domain;
    var setCookie = (n, v, s) => {
      if (!COOKIELESS) {
        d.cookie = P + n + "=" + encodeURIComponent(v) + "; max-age=" + s + "; path=/" + (shared ? "; domain=." + domain : "") + "; SameSite=Lax";
      }
    };

    var why = !websiteId || !domain
      ? "no website-id or domain"
      : get(ls, P + "ignore") == "true"
      ? "opted out"
      : navigator.webdriver || w.callPhantom || w._phantom || w.__nightmare || w.__selenium_unwrapped ||
        !(navigator.userAgent.length > 4) || BOT_UA.test(navigator.userAgent)
      ? "bot"
      : loc.protocol == "file:"
      ? !flag("allow-file-protocol") && "file: page"
      : /^(localhost|127(\.\d+){3}|\[::1\])$|\.local(host)?$/.test(host) && !flag("allow-localhost")
      ? "localhost"
      : w.self != w.top && !flag("debug") && "iframe";

    // Without data-api-url we post to the origin that served this file, so serving the
    // script from our server needs no configuration. A data-api-url that is only an
    // origin gets /api/events; one with a path is the full endpoint.
    var api = attr("api-url");
    var url = api ? new URL(api, loc.href) : new URL(EVENTS, src || loc.href);
    url = (url.pathname == "/" ? new URL(EVENTS, url) : url).href;

    // Cookie mode keeps ids in cookies (section 4.3); cookieless mode keeps only the
    // session in sessionStorage and sends a throw-away visitor id for the server to replace.
    var visitorId = cookie("visitor_id");
    var sessionId = COOKIELESS ? get(ss, P + "session_id") : cookie("session_id");
    var firstSeen = cookie("visitor_first_seen_at") || now();
    var count = +cookie("visitor_session_count") || 0;

    // Cross-domain tracking: between sites listed in data-allowed-hostnames (on both tags),
    // links carry the ids in _df_vid, _df_sid, _df_vfs and _df_vsn. The page that receives them
    // takes them over and removes them from its URL before its first pageview.
    var allowed = attr("allowed-hostnames").split(",").map((h) => h.trim().toLowerCase()).filter(Boolean);
    var HANDOFF = ["_df_vid", "_df_sid", "_df_vfs", "_df_vsn"];
    var takeHandoff = () => {
      var q = search();
      if (!allowed.length || COOKIELESS || !q.has("_df_vid")) return;
      var vid = q.get("_df_vid");
      var sid = q.get("_df_sid") || "";
      if (UUID.test(vid)) {
        visitorId = vid.toLowerCase();
        if (validSession(sid)) sessionId = sid.toLowerCase();
        var vfs = q.get("_df_vfs");
        firstSeen = vfs && !isNaN(Date.parse(vfs)) ? new Date(vfs).toISOString() : now();
        count = +q.get("_df_vsn") || 0;
      }
      HANDOFF.forEach((k) => q.delete(k));
      var rest = q.toString();
      history.replaceState(history.state, "", loc.pathname + (rest ? "?" + rest : "") + loc.hash);
    };
    // The link to an allowed host, with the ids added, just before the browser follows it.
    var handOff = (a, u) => {
      ids();
      [visitorId, sessionId, firstSeen, count].forEach((v, i) => u.searchParams.set(HANDOFF[i], v));
      a.setAttribute("href", u.href);
    };
    var isAllowed = (h) => allowed.some((a) => h == a || h.endsWith("." + a));
    var ids = () => {
      if (!UUID.test(visitorId)) {
        visitorId = uuid();
        firstSeen = now();
        count = 0;
      }
      if (!validSession(sessionId)) {
        sessionId = "s" + uuid();
        count++;
        if (COOKIELESS) put(ss, P + "session_id", sessionId);
      }
      // A lost or corrupt count cookie still yields a number in the documented range.
      count = Math.min(Math.max(count, 1), 1e6);
      setCookie("visitor_id", visitorId, YEAR);
      setCookie("visitor_first_seen_at", firstSeen, YEAR);
      setCookie("visitor_session_count", count, YEAR);
      setCookie("session_id", sessionId, HALF_HOUR);
    };

    // Values reach dashboards: strip markup and script-ish prefixes, cap the length.
    var clean = (v) =>
      String(v == null ? "" : v)
        .replace(/[<>'"&]|(javascript|data|vbscript):|on\w+\s*=/gi, "")
        .slice(0, 255);
    var params = (p, into) => {
      var n = 0;
      for (var k in Object(p)) {
        var key = k.toLowerCase();
        if (n < 10 && /^[\w-]{1,32}$/.test(key) && !(key in into)) {
          into[key] = clean(p[k]);
          n++;
        }
      }
      return into;
    };

    var send = (type, extraData) => {
      ids();
      var q = search();
      var ad = {};
      var body = {
        websiteId,
        domain,
        href: loc.href,
        referrer: d.referrer || null,
        type,
        viewport: { width: w.innerWidth, height: w.innerHeight },
        visitorId: COOKIELESS ? uuid() : visitorId,
        sessionId,
        visitorSessionNumber: COOKIELESS ? 0 : count,
        extraData
      };
      if (COOKIELESS) body.cookieless = true;
      else body.visitorFirstSeenAt = firstSeen;
      "gclid gclsrc wbraid gbraid li_fat_id fbclid msclkid ttclid twclid".split(" ").forEach((k) => {
        if (q.get(k)) body.adClickIds = Object.assign(ad, { [k]: q.get(k) });
      });
      var json = JSON.stringify(body);
      if (w.fetch) {
        // keepalive lets an external-link event outlive the page that sent it.
        fetch(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: json, keepalive: true })
          .then((r) => (r.status == 200 ? setCookie("session_id", sessionId, HALF_HOUR) : log("HTTP " + r.status)))
          .catch(log);
      } else navigator.sendBeacon(url, json);
    };

    // Checkout return pages carry the provider's id; each id is sent once per tab session.
    var payments = () => {
      // Stripe's session_id is generic, so only its checkout ids (cs_...) count.
      ["stripe session_id", "polar checkout_id", "lemonsqueezy order_id"].forEach((pair) => {
        var [name, param] = pair.split(" ");
        var id = search().get(param);
        var key = P + name + "_payment_sent_" + id;
        if (id && (name != "stripe" || /^cs_/.test(id)) && !get(ss, key)) {
          put(ss, key, 1);
          send("payment", { [name + "_" + param]: clean(id) });
        }
      });
    };

    var route = () => loc.pathname + (HASH ? loc.hash : "");
    var last;
    var pageview = () => {
      last = route();
      // A reload of the same URL within a minute is the same view.
      var t = Date.now();
      var prev = {};
      try {
        prev = JSON.parse(get(ss, P + "pageview_state")) || {};
      } catch (e) {}
      if (prev.url != loc.href || t - prev.time > 6e4) {
        put(ss, P + "pageview_state", JSON.stringify({ time: t, url: loc.href }));
        send("pageview");
      }
      if (!flag("disable-payments")) payments();
      watchScrolls();
    };

    var track = (name, p) => {
      var goal = String(name || "").toLowerCase();
      p = Object(p);
      if (goal == "identify") {
        if (!p.user_id) return log("no user_id");
        return send(goal, params(p, { user_id: clean(p.user_id), name: clean(p.name) }));
      }
      if (goal == "payment") {
        if (!p.email) return log("no email");
        return send(goal, { email: clean(p.email) });
      }
      if (!/^[\w:-]{1,64}$/.test(goal)) return log("bad goal " + goal);
      send("custom", params(p, { eventName: goal }));
    };

    var up = (n, test) => {
      for (; n && n.getAttribute; n = n.parentNode) if (test(n)) return n;
    };
    var goalOf = (t) => up(t, (n) => n.getAttribute("data-fast-goal"));
    // data-fast-goal-plan-type="pro" becomes {plan_type: "pro"}.
    var sendGoal = (el) => {
      var p = {};
      for (var a of el.attributes) {
        var m = /^data-fast-goal-(.+)/.exec(a.name);
        if (m) p[m[1].replace(/-/g, "_")] = a.value;
      }
      track(el.getAttribute("data-fast-goal"), p);
    };

    // Scroll goals: an element with data-fast-scroll sends its goal once, when at least
    // data-fast-scroll-threshold of it (0 to 1, default 0.5) has stayed in view for
    // data-fast-scroll-delay ms (default 0). Other data-fast-scroll-* attributes are params.
    var watched = new WeakSet();
    var scrolled = () => {
      var room = d.documentElement.scrollHeight - w.innerHeight;
      return room > 0 ? Math.min(100, Math.round((100 * w.scrollY) / room)) : 100;
    };
    var scrollGoal = (el, threshold, delay) => {
      var p = { scroll_percentage: String(scrolled()), threshold: String(threshold), delay: String(delay) };
      for (var a of el.attributes) {
        var m = /^data-fast-scroll-(.+)/.exec(a.name);
        if (m && m[1] != "threshold" && m[1] != "delay") p[m[1].replace(/-/g, "_")] = a.value;
      }
      track(el.getAttribute("data-fast-scroll"), p);
    };
    var watchScroll = (el) => {
      watched.add(el);
      var t = parseFloat(el.getAttribute("data-fast-scroll-threshold"));
      var threshold = t >= 0 && t <= 1 ? t : 0.5;
      var delay = Math.max(parseInt(el.getAttribute("data-fast-scroll-delay")) || 0, 0);
      var wait;
      var seen = new IntersectionObserver(
        safe((entries) => {
          var e = entries[entries.length - 1];
          clearTimeout(wait);
          if (e.isIntersecting && e.intersectionRatio >= threshold) {
            wait = setTimeout(safe(() => seen.disconnect() || scrollGoal(el, threshold, delay)), delay);
          }
        }),
        { threshold }
      );
      seen.observe(el);
    };
    // Elements a single-page app adds later are picked up at its next pageview.
    var watchScrolls = () => {
      if (w.IntersectionObserver) d.querySelectorAll("[data-fast-scroll]").forEach((el) => watched.has(el) || watchScroll(el));
    };

    var timer;
    var onRoute = safe(() => {
      clearTimeout(timer);
      timer = setTimeout(safe(() => route() != last && pageview()), 100);
    });

    // A second copy of the tag on the page must not double every event.
    if (w.datafast && w.datafast.loaded) return;
    var queued = (w.datafast && w.datafast.q) || [];
    var fn = (w.datafast = safe((n, p) => why || track(n, p)));
    fn.q = [];
    fn.loaded = 1;
    if (why) return log("off: " + why);
    safe(takeHandoff)();
    pageview();
    // Calls made before the script loaded run after the first pageview, so the server
    // already knows the visitor when their goals arrive.
    for (var args of queued) fn(...args);

    d.addEventListener(
      "click",
      safe((e) => {
        var g = goalOf(e.target);
        if (g) sendGoal(g);
        var a = up(e.target, (n) => n.tagName == "A" && n.getAttribute("href"));
        var u = a && new URL(a.getAttribute("href"), loc.href);
        if (u && /^https?:$/.test(u.protocol) && u.hostname != host) {
          // A site of one's own continues the visit; any other site is an outbound click.
          if (isAllowed(u.hostname) && !COOKIELESS) handOff(a, u);
          else send("external_link", { url: clean(u.href), text: clean(a.textContent.trim()) });
        }
      }),
      true
    );
    d.addEventListener(
      "keydown",
      safe((e) => {
        var g = (e.key == "Enter" || e.key == " ") && goalOf(e.target);
        // Buttons and links already turn Enter/Space into a click: count them once.
        if (g && !/^(A|BUTTON|INPUT|SUMMARY)$/.test(g.tagName)) sendGoal(g);
      }),
      true
    );
    w.addEventListener("popstate", onRoute);
    if (HASH) w.addEventListener("hashchange", onRoute);
    ["pushState", "replaceState"].forEach((m) => {
      var orig = history[m];
      history[m] = function () {
        var r = orig.apply(this, arguments);
        onRoute();
        return r;
      };
    });
  } catch (e) {
    // Nothing the tracker does may break the host page.
  }
})(window, document);
