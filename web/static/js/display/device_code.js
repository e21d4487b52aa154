// A wall screen signs in as a device, not a person (issue 25), the way a TV
// signs in to a streaming service (RFC 8628, in spirit): signed out, the
// screen shows a short code and waits; a lead or an admin types the code on
// their own page ("Connect a wall screen") and chooses the inspection; the
// screen then gets a token that may only read and stream that inspection.
// A screen disconnected by the lead is signed out and shows a new code.

const $ = (selector) => document.querySelector(selector);

let waiting = null; // { deviceCode, interval, timer } while a code is shown
let signedIn = null; // what to do with the token once the code is typed

// Shows a code and waits for it to be typed; `onToken` signs the screen in.
export function waitForCode(onToken) {
  signedIn = onToken;
  $("#wall-code").hidden = false;
  if (!waiting) newCode();
}

export function stopWaiting() {
  if (waiting) clearTimeout(waiting.timer);
  waiting = null;
  $("#wall-code").hidden = true;
}

function say(words) {
  $("#wall-code-status").textContent = words;
}

async function newCode() {
  if (waiting) clearTimeout(waiting.timer);
  waiting = null;
  const asked = await post("/api/device/codes", {});
  if (!asked.ok) {
    $("#wall-code-value").textContent = "…";
    say(asked.status === 429
      ? "Many screens are waiting to be connected. A code will show here in a minute."
      : "The war room cannot be reached. A code will show here as soon as it can.");
    waiting = { timer: setTimeout(newCode, 60_000) };
    return;
  }
  const code = asked.body;
  $("#wall-code-value").textContent = code.user_code;
  const minutes = Math.round(code.expires_in / 60);
  say(`The screen will show the war room as soon as the code is typed. A new code shows after ${minutes} minutes.`);
  waiting = { deviceCode: code.device_code, interval: code.interval, timer: null };
  schedulePoll();
}

function schedulePoll() {
  waiting.timer = setTimeout(pollOnce, waiting.interval * 1000);
}

// RFC 8628's answers: pending (ask again), slow down (ask less often),
// anything else (expired, used): a new code.
async function pollOnce() {
  const current = waiting;
  if (!current) return;
  const answer = await post("/api/device/token", { device_code: current.deviceCode });
  if (waiting !== current) return;
  if (answer.ok) {
    stopWaiting();
    signedIn(answer.body.token);
    return;
  }
  const error = answer.body?.error;
  if (answer.status === 0 || error === "authorization_pending") schedulePoll();
  else if (error === "slow_down") {
    current.interval += 5;
    schedulePoll();
  } else newCode();
}

// No bearer token here: the screen is signed in as nobody yet.
async function post(path, json) {
  try {
    const response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(json),
    });
    return { ok: response.ok, status: response.status, body: await response.json().catch(() => ({})) };
  } catch {
    return { ok: false, status: 0, body: {} };
  }
}
