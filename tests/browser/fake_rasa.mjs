// A stand-in for Rasa's socket.io channel (bot/credentials.yml: user_uttered / bot_uttered,
// session_persistence: true), so the widget can be tested before, and independently of, the trained bot.
// It speaks the same events with the same payload shapes as rasa/core/channels/socketio.py (Rasa 3.6):
//   client -> "session_request" {session_id}      server -> "session_confirm" session_id
//   client -> "user_uttered" {message, session_id} server -> "bot_uttered" {text} | {text, quick_replies} | custom
// Usage: node fake_rasa.mjs <port>   (prints "fake-rasa: listening on <port>")
import { createServer } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "web", "widget", "package.json"));
const { Server } = require("socket.io");

const port = Number(process.argv[2] || 25099);
const sessions = new Map(); // session_id -> number of user messages seen (proves the session continues)
const http = createServer((req, res) => {
  if (req.url === "/status" || req.url === "/") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ ok: true, sessions: sessions.size }));
    return;
  }
  if (req.url.startsWith("/region-1177")) {
    // a stand-in for a region's page on 1177.se that embeds the widget with one script tag
    const q = new URL(req.url, "http://x").searchParams;
    const esc = (v) => String(v || "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8",
      "Content-Security-Policy": `default-src 'self'; script-src 'self' ${esc(q.get("backend"))}; ` +
        `style-src 'self' 'unsafe-inline'; connect-src 'self' ${esc(q.get("socket"))} ${esc(q.get("socket")).replace("http", "ws")}; ` +
        `img-src 'self'` });
    res.end(`<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Synpunkter och klagomål – 1177</title>
<style>* { color: #f0f !important; font-size: 30px !important; } button { display: none !important; }</style></head>
<body><main><h1>Synpunkter och klagomål i Region Jämtland Härjedalen</h1><p>Här kan du lämna synpunkter.</p></main>
<script src="${esc(q.get("backend"))}/static/dist/klagomalsguiden.js" data-socket-url="${esc(q.get("socket"))}"
        data-backend-url="${esc(q.get("backend"))}" defer></script></body></html>`);
    return;
  }
  if (req.url === "/drop") { // cut every other TCP connection without a goodbye, as a network drop would
    let n = 0;
    for (const s of http._kgSockets) if (s !== req.socket) { s.destroy(); n++; }
    res.writeHead(200, { "Content-Type": "application/json", Connection: "close" });
    res.end(JSON.stringify({ dropped: n }));
    return;
  }
  res.writeHead(404); res.end();
});
http._kgSockets = new Set();
http.on("connection", (s) => { http._kgSockets.add(s); s.on("close", () => http._kgSockets.delete(s)); });

const io = new Server(http, { cors: { origin: "*" }, pingInterval: 2000, pingTimeout: 2000 });
const delay = (ms) => new Promise((r) => setTimeout(r, ms));

io.on("connection", (socket) => {
  socket.on("session_request", (data) => {
    const sid = (data && data.session_id) || Math.random().toString(16).slice(2);
    socket.join(sid);
    socket.emit("session_confirm", sid);
  });
  socket.on("user_uttered", async (data) => {
    const sid = data && data.session_id;
    if (!sid) return; // Rasa ignores messages without a session id when persistence is on
    const n = (sessions.get(sid) || 0) + 1;
    sessions.set(sid, n);
    const say = (msg) => io.to(sid).emit("bot_uttered", msg);
    const text = String(data.message || "");
    await delay(350); // long enough to see "skriver…"
    if (text === "/greet") {
      say({ text: "Hej! Jag är Klagomålsguiden. Vad vill du göra?", quick_replies: [
        { content_type: "text", title: "Lämna synpunkter eller klagomål", payload: "/file_complaint" },
        { content_type: "text", title: "Följa mitt ärende", payload: "/check_status" },
      ] });
    } else if (text === "/file_complaint" || /klaga/i.test(text)) {
      say({ text: "Vem lämnar synpunkterna?", quick_replies: [
        { content_type: "text", title: "Jag är patienten", payload: "/inform{\"reporter_role\":\"patient\"}" },
        { content_type: "text", title: "Jag är närstående", payload: "/inform{\"reporter_role\":\"relative\"}" },
      ] });
    } else if (/bröstsmärt|andas/i.test(text)) {
      say({ text: "Ring 112 nu. Det du beskriver kan vara livshotande och behöver hjälp direkt." });
    } else if (/orkar inte leva/i.test(text)) {
      say({ text: "Det låter som att du har det väldigt tungt just nu." });
      say({ kind: "safety" }); // custom payload: marks the turn as a safety answer
    } else if (/skicka ärendet/i.test(text)) {
      // like action_submit_complaint: the reference and code, then the hand-over marker (json_message["data"])
      say({ text: "Tack! Ditt ärende är skickat till Region Jämtland Härjedalen.\nÄrendenummer: KG-2026-000042\nKod: N5AS-D3HC-TGQF" });
      say({ kind: "handover", keep: 1 });
    } else if (/e-legitimation/i.test(text)) {
      // like action_ask_identity_choice: json_message["data"] arrives as the message itself
      say({ kind: "eid", text: "Du kan logga in med e-legitimation, så slipper du skriva ditt namn och personnummer.",
        login_path: "/e-legitimation/logga-in?for=chat",
        buttons: [{ title: "Logga in med e-legitimation", payload: "/eid_login", eid: true },
                  { title: "Fortsätt utan", payload: "/skip" }] });
    } else if (data && data.metadata && data.metadata.kg_identity_ticket) {
      // shows what the widget sent with the message: the ticket goes as metadata, never as text
      const meta = data.metadata;
      say({ text: `Biljett mottagen: ${meta.kg_identity_ticket || "ingen"} (${meta.channel || "?"})` });
    } else if (/länk/i.test(text)) {
      say({ text: "Läs mer på [1177.se](https://www.1177.se) eller https://www.ivo.se." });
    } else if (/stycken/i.test(text)) {
      say({ text: "Första stycket." });
      say({ text: "Andra stycket." });
    } else {
      say({ text: `Tack. Det här är meddelande ${n} i samma samtal. Du skrev: ${text}` });
    }
  });
});

http.listen(port, "127.0.0.1", () => console.log(`fake-rasa: listening on ${port}`));
process.on("SIGTERM", () => { io.close(); http.close(); process.exit(0); });
