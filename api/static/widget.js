/* Candidate chat widget: one script tag (after socket.io.min.js) and CandidateChat.mount(el, config).
 *
 * Talks to Rasa's socket.io channel (events user_uttered / bot_uttered, session persistence, metadata
 * under `customData`). Keeps the session id and the rendered conversation in sessionStorage, for this tab
 * only, so a reload restores both; closing the tab, "New chat", a different signed-in candidate (or signing
 * out) or a conversation left alone longer than `idleMinutes` starts a fresh one.
 *
 * Every message carries this tab's random `client_key`: a verification by e-mail code holds only for the
 * window that earned it, so knowing the conversation id is not enough to read someone's status (the Rasa
 * channel keeps only its hash; see assistant/identity/service.py).
 *
 * Bot messages as Rasa 3.6's socket.io channel emits them:
 *   {text}                      a text part (Rasa splits texts at blank lines)
 *   {text, quick_replies:[…]}   buttons, attached to the last text part
 *   {type: …, …}                a custom payload: the action's json_message must be {"data": payload},
 *                               because the channel calls sio.emit(event, **json_message)
 * Message text is rendered with a tiny, safe Markdown subset built from DOM nodes (never innerHTML).
 */
(function () {
  "use strict";

  var STATE_VERSION = 2;
  var MAX_RECORDS = 200;
  var REPLY_TIMEOUT_MS = 20000;

  /* ---------- DOM helpers ---------- */

  /** A speech-bubble icon drawn as SVG (an emoji needs a colour-emoji font, which many systems lack). */
  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    [["viewBox", "0 0 24 24"], ["width", "18"], ["height", "18"], ["aria-hidden", "true"], ["focusable", "false"],
     ["class", "cc-launcher-icon"]].forEach(function (pair) { svg.setAttribute(pair[0], pair[1]); });
    var path = document.createElementNS(ns, "path");
    path.setAttribute("fill", "currentColor");
    path.setAttribute("d", "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H10l-5 4v-4H4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "className") node.className = value;
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + "-" + uid; }

  /** Returns url if it is absolute http(s) (or root-relative when allowRelative), else null. */
  function safeUrl(url, allowRelative) {
    if (typeof url !== "string" || !url) return null;
    if (allowRelative && url.charAt(0) === "/" && url.charAt(1) !== "/" && url.charAt(1) !== "\\") return url;
    try {
      var parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function link(href, text, external) {
    var attrs = { href: href, text: text };
    if (external) { attrs.target = "_blank"; attrs.rel = "noopener noreferrer"; }
    return el("a", attrs);
  }

  /* ---------- Markdown subset: escape by construction, then **bold**, _italic_, [text](https://…), lists ---------- */

  var INLINE = /\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)|(^|[^A-Za-z0-9])_([^_\n]+?)_(?![A-Za-z0-9])/g;

  function appendInline(parent, text, mapUrl) {
    var last = 0;
    var match;
    INLINE.lastIndex = 0;
    while ((match = INLINE.exec(text)) !== null) {
      var start = match.index;
      var end = start + match[0].length;
      if (match[1] !== undefined) {
        parent.appendChild(document.createTextNode(text.slice(last, start)));
        var strong = el("strong");
        appendInline(strong, match[1], mapUrl);
        parent.appendChild(strong);
      } else if (match[2] !== undefined) {
        parent.appendChild(document.createTextNode(text.slice(last, start)));
        var href = safeUrl(mapUrl(match[3]));
        parent.appendChild(href ? link(href, match[2], true) : document.createTextNode(match[0]));
      } else {
        parent.appendChild(document.createTextNode(text.slice(last, start) + match[4]));
        parent.appendChild(el("em", { text: match[5] }));
      }
      last = end;
      INLINE.lastIndex = end; // the nested call for bold text reuses the shared regex
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /** Returns a fragment for text: every character is text content; only the subset becomes elements. */
  function renderMarkdown(text, mapUrl) {
    var fragment = document.createDocumentFragment();
    var list = null;
    var afterText = false;
    mapUrl = mapUrl || function (url) { return url; };
    String(text).split(/\r?\n/).forEach(function (line) {
      var item = /^\s*[-*•]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) { list = el("ul"); fragment.appendChild(list); }
        var li = el("li");
        appendInline(li, item[1], mapUrl);
        list.appendChild(li);
        afterText = false;
        return;
      }
      list = null;
      if (afterText) fragment.appendChild(el("br"));
      var span = el("span");
      appendInline(span, line, mapUrl);
      fragment.appendChild(span);
      afterText = true;
    });
    return fragment;
  }

  /* ---------- storage ---------- */

  function storageGet(key) {
    try { return JSON.parse(window.sessionStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function storageSet(key, value) {
    try { window.sessionStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode or full: keep going */ }
  }

  /** Returns the `sub` claim of a JWT without verifying it (only to notice who is signed in). */
  function tokenSubject(token) {
    if (typeof token !== "string") return "";
    var part = token.split(".")[1];
    if (!part) return "";
    try {
      var json = atob(part.replace(/-/g, "+").replace(/_/g, "/"));
      return String(JSON.parse(json).sub || "");
    } catch (e) {
      return "";
    }
  }

  /** Returns a new random key for this chat window (256 bits, hex). */
  function newClientKey() {
    var bytes = new Uint8Array(32);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function newSessionId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(16) + Math.random().toString(16).slice(2);
  }

  /* ---------- the widget ---------- */

  function mount(root, options) {
    var config = Object.assign({
      serverUrl: window.location.origin,
      socketPath: "/socket.io",
      apiUrl: "",
      title: "Careers assistant",
      privacyUrl: "",
      maxMessageChars: 1000,
      inline: false,
      storageKey: "candidate-chat",
      launcherLabel: "Chat with us",
      idleMinutes: 30,
      getCandidateToken: null,
      pageContext: null,
      visitorId: null,
      jobUrl: null,
      mapUrl: null,
      io: window.io
    }, options || {});
    var mapUrl = typeof config.mapUrl === "function" ? config.mapUrl : function (url) { return url; };
    var ids = { panel: nextId("cc-panel"), title: nextId("cc-title"), input: nextId("cc-input"), note: nextId("cc-note") };

    var state = { v: STATE_VERSION, sessionId: null, clientKey: newClientKey(), identity: "", open: !!config.inline,
                  records: [], lastActive: Date.now() };
    var socket = null;
    var confirmed = false;
    var outbox = [];
    var waitingSince = null;
    var replyTimer = null;
    var handoff = { state: "", name: "" };
    var lastBotBubble = null;
    var starters = null;
    var lastButtons = null;

    /* layout */
    var titleEl = el("h2", { id: ids.title, className: "cc-title", text: config.title });
    var newChat = el("button", { type: "button", className: "cc-icon-button", text: "New chat",
                                 title: "Start a new conversation (clears this one from this browser)" });
    var close = config.inline ? null : el("button", { type: "button", className: "cc-icon-button cc-close",
                                                     "aria-label": "Close chat", text: "×" });
    var header = el("div", { className: "cc-header" }, [titleEl, el("div", { className: "cc-header-actions" }, [newChat, close])]);
    var banner = el("div", { className: "cc-banner", role: "status", hidden: true });
    var connection = el("div", { className: "cc-connection", role: "status", "aria-live": "polite" });
    var log = el("div", { className: "cc-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
                          "aria-label": "Conversation", tabindex: "0" });
    var typing = el("div", { className: "cc-typing", hidden: true }, [
      el("span", { className: "cc-dots", "aria-hidden": "true" }, [el("span"), el("span"), el("span")]),
      el("span", { className: "cc-typing-text", text: "The assistant is typing…" })
    ]);
    var input = el("textarea", { id: ids.input, className: "cc-input", rows: "1", autocomplete: "off",
                                 "aria-describedby": ids.note, placeholder: "Type your question…" });
    var inputLabel = el("label", { className: "cc-visually-hidden", "for": ids.input, text: "Your message" });
    var send = el("button", { type: "submit", className: "cc-send", text: "Send" });
    var note = el("div", { id: ids.note, className: "cc-note", "aria-live": "polite" });
    var form = el("form", { className: "cc-form" }, [inputLabel, input, send]);
    var panel = el("section", {
      id: ids.panel, className: "cc-panel" + (config.inline ? " cc-inline" : " cc-floating"),
      role: config.inline ? "region" : "dialog", "aria-labelledby": ids.title, hidden: !config.inline
    }, [header, banner, connection, log, typing, form, note]);
    var launcher = config.inline ? null : el("button", {
      type: "button", className: "cc-launcher", "aria-expanded": "false", "aria-controls": ids.panel
    }, [chatIcon(), el("span", { text: config.launcherLabel })]);

    root.classList.add("cc-root");
    root.appendChild(panel);
    if (launcher) root.appendChild(launcher);

    function emit(name, detail) {
      root.dispatchEvent(new CustomEvent("candidatechat:" + name, { bubbles: true, detail: detail || {} }));
    }

    /* ---------- conversation state ---------- */

    function save() {
      state.records = state.records.slice(-MAX_RECORDS);
      state.lastActive = Date.now();
      storageSet(config.storageKey, state);
    }

    function remember(record) {
      state.records.push(record);
      save();
      return record;
    }

    function scrollToEnd() { log.scrollTop = log.scrollHeight; }

    /* ---------- rendering (the same functions render live messages and restored history) ---------- */

    function renderDisclosure() {
      var privacy = safeUrl(mapUrl(config.privacyUrl), true);
      return el("div", { className: "cc-disclosure" }, [
        el("p", {}, [el("strong", { text: "You are chatting with an automated assistant." }),
          " It answers questions and suggests jobs; it never makes hiring decisions, and a recruiter can take over at any time."]),
        privacy ? el("p", {}, ["How we handle what you share: ", link(privacy, "privacy notice", true), "."]) : null
      ]);
    }

    function renderStarters() {
      var starters = [
        { title: "How does the hiring process work?", payload: "How does the hiring process work?" },
        { title: "Find jobs for me", payload: "/find_jobs" },
        { title: "Where is my application?", payload: "/check_status" },
        { title: "Talk to a recruiter", payload: "/request_human" }
      ];
      return renderButtons({ items: starters, used: false, starter: true }, "Suggested questions");
    }

    function renderText(record) {
      var human = record.from === "recruiter";
      var bubble = el("div", { className: "cc-msg " + (record.who === "user" ? "cc-user" : human ? "cc-human" : "cc-bot") });
      if (human) bubble.appendChild(el("div", { className: "cc-sender", text: (record.name || "Recruiter") + " · Recruiting" }));
      var body = el("div", { className: "cc-body" });
      if (record.who === "user") body.textContent = record.text;
      else body.appendChild(renderMarkdown(record.text, mapUrl));
      bubble.appendChild(body);
      var label = record.who === "user" ? "You said: " : human ? (record.name || "Recruiter") + " said: " : "Assistant said: ";
      bubble.insertBefore(el("span", { className: "cc-visually-hidden", text: label }), bubble.firstChild);
      return bubble;
    }

    function renderButtons(record, label) {
      var group = el("div", { className: "cc-buttons", role: "group", "aria-label": label || "Suggested replies" });
      record.items.forEach(function (item) {
        group.appendChild(el("button", {
          type: "button", className: "cc-chip", text: item.title, disabled: record.used,
          onclick: function () {
            if (!record.starter) { record.used = true; save(); }
            Array.prototype.forEach.call(group.querySelectorAll("button"), function (b) { b.disabled = !record.starter; });
            if (record.starter && group.parentNode) group.parentNode.removeChild(group);
            sendMessage(item.payload, item.title);
          }
        }));
      });
      return group;
    }

    function jobHref(job) {
      if (typeof config.jobUrl === "function") return safeUrl(config.jobUrl(job), true);
      return safeUrl(mapUrl(job.url), true);
    }

    function renderCards(record) {
      var wrapper = el("div", { className: "cc-cards" });
      var list = el("ul", { className: "cc-card-list", "aria-label": "Suggested jobs" });
      record.jobs.forEach(function (job) {
        if (record.hidden.indexOf(job.id) !== -1) return;
        var href = jobHref(job);
        var heading = el("h3", { className: "cc-card-title" }, [href ? link(href, job.title, false) : job.title]);
        var facts = [job.location, job.workplace, job.salary].filter(function (x) { return x; }).join(" · ");
        var card = el("li", { className: "cc-card", "data-job-id": job.id }, [
          heading,
          facts ? el("p", { className: "cc-card-facts", text: facts }) : null,
          job.why ? el("p", { className: "cc-card-why" }, [el("span", { className: "cc-visually-hidden", text: "Why: " }), job.why]) : null,
          el("button", {
            type: "button", className: "cc-link-button", text: "Not interested",
            "aria-label": "Not interested in " + job.title,
            onclick: function () {
              record.hidden.push(job.id);
              save();
              card.parentNode.removeChild(card);
              sendMessage("/not_interested" + JSON.stringify({ job_id: String(job.id) }), "Not interested in " + job.title);
            }
          })
        ]);
        list.appendChild(card);
      });
      wrapper.appendChild(list);
      if (record.more && !record.moreUsed) {
        var more = el("button", {
          type: "button", className: "cc-chip", text: "Show more jobs",
          onclick: function () {
            record.moreUsed = true;
            save();
            more.parentNode.removeChild(more);
            sendMessage("/more_jobs", "Show more jobs");
          }
        });
        wrapper.appendChild(more);
      }
      return wrapper;
    }

    function renderCitation(record) {
      var source = record.source || {};
      var href = safeUrl(mapUrl(source.url), true);
      var label = source.title || "";
      if (source.section && source.section !== source.title) label += (label ? " — " : "") + source.section;
      var box = el("div", { className: "cc-citation" }, [
        el("p", { className: "cc-source" }, ["Source: ", href ? link(href, label || href, true) : (label || "our careers help pages")])
      ]);
      if (record.feedback) {
        var status = el("span", { className: "cc-feedback-status", role: "status" });
        var buttons = [true, false].map(function (helpful) {
          return el("button", {
            type: "button", className: "cc-thumb", "aria-label": helpful ? "This answer helped" : "This answer did not help",
            "aria-pressed": record.voted === helpful ? "true" : "false", disabled: record.voted !== undefined && record.voted !== null,
            text: helpful ? "👍" : "👎",
            onclick: function () { sendFeedback(record, helpful, buttons, status); }
          });
        });
        if (record.voted !== undefined && record.voted !== null) status.textContent = "Thanks for your feedback.";
        box.appendChild(el("div", { className: "cc-feedback" }, [el("span", { text: "Was this helpful?" }), buttons[0], buttons[1], status]));
      }
      return box;
    }

    function renderHandoffNote(record) {
      return el("p", { className: "cc-system", text: handoffText(record) });
    }

    function handoffText(record) {
      if (record.state === "ended") return "The recruiter has closed this chat. You are back with the automated assistant.";
      if (record.state === "live" && record.name) return "You are chatting with " + record.name + " from Recruiting.";
      if (record.state === "live") return "You are chatting with a recruiter.";
      return "A recruiter will reply here. You can keep this page open; we will also follow up by e-mail if you leave.";
    }

    function render(record) {
      switch (record.t) {
        case "text": return renderText(record);
        case "buttons": return renderButtons(record);
        case "cards": return renderCards(record);
        case "citation": return renderCitation(record);
        case "handoff": return renderHandoffNote(record);
        default: return null;
      }
    }

    function show(record, live) {
      if (starters && starters.parentNode) starters.parentNode.removeChild(starters);
      var node = render(record);
      if (!node) return null;
      if (record.t === "citation" && lastBotBubble && lastBotBubble.parentNode === log) lastBotBubble.appendChild(node);
      else log.appendChild(node);
      if (record.t === "buttons") lastButtons = { record: record, node: node };
      if (record.t === "text" && record.who === "bot") lastBotBubble = node;
      else if (record.t !== "citation" && record.t !== "buttons") lastBotBubble = null;
      if (live) scrollToEnd();
      return node;
    }

    function setHandoff(record) {
      handoff = { state: record.state, name: record.name || handoff.name || "" };
      if (record.state === "ended") handoff = { state: "", name: "" };
      banner.hidden = !handoff.state;
      banner.textContent = handoff.state ? handoffText(handoff) : "";
      panel.classList.toggle("cc-handoff", !!handoff.state);
    }

    function restore() {
      log.textContent = "";
      log.appendChild(renderDisclosure());
      lastBotBubble = null;
      state.records.forEach(function (record) {
        show(record, false);
        if (record.t === "handoff") setHandoff(record);
      });
      starters = state.records.length ? null : log.appendChild(renderStarters());
      scrollToEnd();
    }

    /* ---------- incoming messages ---------- */

    function settle() {
      typing.hidden = true;
      clearTimeout(replyTimer);
      if (waitingSince !== null) {
        var latency = performance.now() - waitingSince;
        waitingSince = null;
        emit("reply", { latencyMs: latency });
      }
    }

    function receive(message) {
      if (!message || typeof message !== "object") return;
      settle();
      if (typeof message.type === "string") return receiveCustom(message);
      // Only an explicit marker makes a message human: calling the bot a person would break the AI disclosure.
      var recruiter = message.from === "recruiter";
      if (typeof message.text === "string" && message.text.trim()) {
        var record = { t: "text", who: "bot", text: message.text };
        if (recruiter) { record.from = "recruiter"; record.name = message.name || handoff.name; }
        show(remember(record), true);
        if (message.from === "recruiter") setHandoff(remember({ t: "handoff", state: "live", name: record.name }));
      }
      var buttons = message.quick_replies || message.buttons || [];
      if (buttons.length) {
        var items = buttons.map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
        show(remember({ t: "buttons", items: items, used: false }), true);
      }
      emit("message", { message: message });
    }

    /** The answer's thumbs replace quick replies that only carry the same feedback (/answer_feedback…). */
    function dropFeedbackButtons() {
      var last = state.records[state.records.length - 1];
      if (!last || last.t !== "buttons" || !lastButtons || lastButtons.record !== last) return;
      if (!last.items.every(function (item) { return item.payload.indexOf("/answer_feedback") === 0; })) return;
      state.records.pop();
      if (lastButtons.node.parentNode) lastButtons.node.parentNode.removeChild(lastButtons.node);
      lastButtons = null;
    }

    function markLastTextAsRecruiter(name) {
      var previous = state.records[state.records.length - 1];
      if (!previous || previous.t !== "text" || previous.who !== "bot" || previous.from === "recruiter") return;
      if (!lastBotBubble || lastBotBubble.parentNode !== log) return;
      previous.from = "recruiter";
      previous.name = name;
      var replacement = renderText(previous);
      log.replaceChild(replacement, lastBotBubble);
      lastBotBubble = replacement;
    }

    function receiveCustom(payload) {
      if (payload.type === "job_cards" && Array.isArray(payload.jobs)) {
        var jobs = payload.jobs.map(function (job) {
          return { id: String(job.id), title: String(job.title || ""), location: job.location || "", workplace: job.workplace || "",
                   salary: job.salary || "", url: job.url || "", why: job.why || "" };
        });
        if (payload.text) receive({ text: payload.text });
        show(remember({ t: "cards", jobs: jobs, more: !!payload.more, hidden: [] }), true);
      } else if (payload.type === "cited_answer") {
        if (payload.text || payload.answer) receive({ text: payload.text || payload.answer });
        if (payload.feedback !== false) dropFeedbackButtons();
        show(remember({ t: "citation", answer_id: String(payload.answer_id || ""), source: payload.source || {},
                        feedback: payload.feedback !== false && !!payload.answer_id }), true);
      } else if (payload.type === "handoff") {
        var record = { t: "handoff", state: String(payload.state || "waiting"), name: payload.name || "" };
        // A recruiter's reply arrives as its text followed by this payload (Rasa sends text first).
        if (record.state === "live") markLastTextAsRecruiter(record.name || handoff.name);
        if (record.state !== handoff.state || (record.name && record.name !== handoff.name)) {
          show(remember(record), true);
          setHandoff(record);
        }
        save();
      }
      emit("message", { message: payload });
    }

    /* ---------- outgoing messages ---------- */

    function resolveToken() {
      if (typeof config.getCandidateToken !== "function") return Promise.resolve("");
      return Promise.resolve().then(config.getCandidateToken).then(function (t) { return t || ""; }, function () { return ""; });
    }

    function valueOf(option) { return typeof option === "function" ? option() : option; }

    function customData(token) {
      var page = Object.assign({ path: window.location.pathname, title: document.title }, valueOf(config.pageContext) || {});
      var data = { page: page, client_key: state.clientKey };
      var visitor = valueOf(config.visitorId);
      if (visitor) data.visitor_id = String(visitor);
      if (token) data.candidate_token = token;
      return data;
    }

    function flush() {
      if (!socket || !socket.connected || !confirmed) return;
      while (outbox.length) socket.emit("user_uttered", outbox.shift());
    }

    function sendMessage(text, shown) {
      var limit = config.maxMessageChars;
      if (!text || text.length > limit) return false;
      show(remember({ t: "text", who: "user", text: shown || text }), true);
      if (!handoff.state) {
        typing.hidden = false;
        waitingSince = performance.now();
        clearTimeout(replyTimer);
        replyTimer = setTimeout(function () {
          typing.hidden = true;
          waitingSince = null;
          note.textContent = "The assistant is taking longer than usual. Your message is saved; please wait or try again.";
        }, REPLY_TIMEOUT_MS);
      }
      emit("sent", { text: text });
      connect();
      resolveToken().then(function (token) {
        outbox.push({ message: text, session_id: state.sessionId, customData: customData(token) });
        flush();
      });
      return true;
    }

    function sendFeedback(record, helpful, buttons, status) {
      buttons.forEach(function (b) { b.disabled = true; });
      status.textContent = "Sending…";
      fetch(config.apiUrl + "/api/knowledge/feedback", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ answer_id: record.answer_id, conversation_id: state.sessionId, helpful: helpful })
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        record.voted = helpful;
        save();
        buttons[helpful ? 0 : 1].setAttribute("aria-pressed", "true");
        status.textContent = "Thanks for your feedback.";
      }).catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        status.textContent = "Sorry, your feedback could not be sent. Please try again.";
      });
    }

    /* ---------- the socket ---------- */

    function connect() {
      if (socket) return;
      if (typeof config.io !== "function") {
        connection.textContent = "The chat could not load. Please refresh the page.";
        return;
      }
      connection.textContent = "Connecting…";
      if (!state.sessionId) { state.sessionId = newSessionId(); save(); }
      // The proxy in front of several Rasa replicas routes by this id (see assistant/cluster.py).
      socket = config.io(config.serverUrl, { path: config.socketPath, transports: ["websocket", "polling"],
                                             query: { conversation: state.sessionId } });
      socket.on("connect", function () {
        confirmed = false;
        socket.emit("session_request", { session_id: state.sessionId });
      });
      socket.on("session_confirm", function (data) {
        var id = typeof data === "string" ? data : data && data.session_id;
        if (id && id !== state.sessionId) {
          state.sessionId = id;
          outbox.forEach(function (m) { m.session_id = id; });
          save();
        }
        confirmed = true;
        connection.textContent = "";
        flush();
      });
      socket.on("disconnect", function () {
        confirmed = false;
        connection.textContent = "Connection lost. Reconnecting…";
      });
      socket.on("connect_error", function () {
        connection.textContent = "Cannot reach the assistant right now. Retrying…";
      });
      socket.on("bot_uttered", receive);
    }

    /* ---------- input, limits, keyboard ---------- */

    function updateLimit() {
      var length = input.value.length;
      var limit = config.maxMessageChars;
      var over = length - limit;
      send.disabled = over > 0;
      input.setAttribute("aria-invalid", over > 0 ? "true" : "false");
      if (over > 0) note.textContent = "Messages can be up to " + limit + " characters. Please shorten yours by " + over + ".";
      else if (length >= limit * 0.8) note.textContent = length + " of " + limit + " characters";
      else note.textContent = "";
      note.classList.toggle("cc-note-error", over > 0);
    }

    function submit() {
      var text = input.value.trim();
      if (!text) return;
      if (text.length > config.maxMessageChars) { updateLimit(); input.focus(); return; }
      if (sendMessage(text)) {
        input.value = "";
        updateLimit();
        autosize();
      }
    }

    function autosize() {
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight, 120) + "px";
    }

    form.addEventListener("submit", function (event) { event.preventDefault(); submit(); });
    input.addEventListener("input", function () { updateLimit(); autosize(); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) { event.preventDefault(); submit(); }
    });

    function open() {
      if (config.inline) { input.focus(); return; }
      panel.hidden = false;
      launcher.setAttribute("aria-expanded", "true");
      launcher.hidden = true;
      state.open = true;
      save();
      connect();
      scrollToEnd();
      input.focus();
    }

    function closePanel() {
      if (config.inline) return;
      panel.hidden = true;
      launcher.hidden = false;
      launcher.setAttribute("aria-expanded", "false");
      state.open = false;
      save();
      launcher.focus();
    }

    if (launcher) launcher.addEventListener("click", open);
    if (close) close.addEventListener("click", closePanel);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !config.inline) { event.preventDefault(); closePanel(); }
    });
    newChat.addEventListener("click", function () { reset(); input.focus(); });

    /** Forgets this conversation in this browser and starts a new session id. */
    function reset() {
      state.sessionId = newSessionId();
      state.clientKey = newClientKey(); // the old window's verification stays behind
      state.records = [];
      handoff = { state: "", name: "" };
      setHandoff({ state: "ended" });
      outbox = [];
      save();
      restore();
      if (socket) { // a fresh socket leaves the old conversation's room
        socket.disconnect();
        socket = null;
        confirmed = false;
        connect();
      }
    }

    /* ---------- start ---------- */

    resolveToken().then(function (token) {
      var stored = storageGet(config.storageKey);
      var identity = tokenSubject(token);
      var fresh = stored && Date.now() - (stored.lastActive || 0) < config.idleMinutes * 60000;
      if (fresh && stored.v === STATE_VERSION && stored.identity === identity && stored.sessionId && stored.clientKey) {
        state = stored;
      } else {
        state.sessionId = newSessionId();
        state.identity = identity;
      }
      state.open = config.inline ? true : !!state.open;
      save();
      restore();
      if (config.inline || state.open) {
        panel.hidden = false;
        if (launcher) { launcher.hidden = true; launcher.setAttribute("aria-expanded", "true"); }
        connect();
      } else if (state.records.length) {
        connect(); // an open conversation may receive a recruiter's reply
      }
      emit("ready", { sessionId: state.sessionId });
    });

    return { open: open, close: closePanel, send: sendMessage, reset: reset,
             sessionId: function () { return state.sessionId; } };
  }

  window.CandidateChat = { mount: mount, renderMarkdown: renderMarkdown, safeUrl: safeUrl };
})();
