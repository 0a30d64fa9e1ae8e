/* Candidate chat widget: talks to Rasa's socket.io channel. No build step; needs socket.io.min.js. */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      if (key === "text") node.textContent = attrs[key];
      else if (key === "className") node.className = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  function mount(root, config) {
    var storageKey = "candidate-chat-session";
    var sessionId = localStorage.getItem(storageKey);
    var log = el("div", { className: "chat-log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
    var typing = el("div", { className: "chat-typing", hidden: "hidden", text: "The assistant is typing…" });
    var input = el("input", { type: "text", id: "chat-input", "aria-label": "Your message", autocomplete: "off",
                              maxlength: String(config.maxMessageChars || 1000), placeholder: "Type your question…" });
    var send = el("button", { type: "submit", className: "chat-send", text: "Send" });
    var form = el("form", { className: "chat-form" }, [input, send]);
    root.appendChild(el("section", { className: "chat", "aria-label": "Chat with the careers assistant" }, [log, typing, form]));

    var socket = io(config.serverUrl, { path: config.socketPath || "/socket.io", transports: ["websocket", "polling"] });

    function customData() {
      var data = { page: window.location.pathname };
      if (typeof config.getCandidateToken === "function") {
        var token = config.getCandidateToken();
        if (token) data.candidate_token = token;
      }
      return data;
    }

    function addMessage(who, text) {
      var bubble = el("div", { className: "chat-msg chat-" + who, text: text });
      log.appendChild(bubble);
      log.scrollTop = log.scrollHeight;
      return bubble;
    }

    function sendText(text, shown) {
      addMessage("user", shown || text);
      typing.hidden = false;
      socket.emit("user_uttered", { message: text, session_id: sessionId, customData: customData() });
    }

    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (data) {
      sessionId = typeof data === "string" ? data : data.session_id;
      localStorage.setItem(storageKey, sessionId);
    });
    socket.on("bot_uttered", function (message) {
      typing.hidden = true;
      if (message.text) addMessage("bot", message.text);
      var buttons = message.quick_replies || message.buttons || [];
      if (buttons.length) {
        var group = el("div", { className: "chat-buttons", role: "group", "aria-label": "Suggested replies" });
        buttons.forEach(function (button) {
          var b = el("button", { type: "button", className: "chat-button", text: button.title });
          b.addEventListener("click", function () { sendText(button.payload, button.title); });
          group.appendChild(b);
        });
        log.appendChild(group);
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      sendText(text);
    });
    return { send: sendText };
  }

  window.CandidateChat = { mount: mount };
})();
