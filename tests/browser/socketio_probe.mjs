// Checks that a Rasa socket.io channel with session_persistence answers a client the way the widget
// talks to it: session_request -> session_confirm, then user_uttered -> bot_uttered.
// Usage: node socketio_probe.mjs <url> [message] [timeout_ms]; exit 0 when the bot answered.
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, "..", "..", "web", "widget", "package.json"));
const { io } = require("socket.io-client");

const [url, message = "/greet", timeout = "20000"] = process.argv.slice(2);
const sessionId = "probe" + Math.random().toString(16).slice(2);
const socket = io(url, { transports: ["websocket"], reconnection: false, timeout: 10000 });
let confirmed = false;
const finish = (code, text) => { console.log(text); socket.close(); process.exit(code); };
socket.on("connect", () => socket.emit("session_request", { session_id: sessionId }));
socket.on("session_confirm", () => {
  confirmed = true;
  socket.emit("user_uttered", { message, session_id: sessionId });
});
socket.on("bot_uttered", (m) => finish(0, "answered: " + JSON.stringify(m).slice(0, 200)));
socket.on("connect_error", (e) => finish(2, "cannot connect: " + e.message));
setTimeout(() => finish(1, confirmed ? "session confirmed, but no bot_uttered" : "no session_confirm"),
  Number(timeout));
