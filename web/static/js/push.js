// "Tell me on this device": notifications on this phone or computer when a
// meeting of mine changes, a request is given to me or is overdue in my
// hands, or a KIT action is given to me. The service worker (/sw.js) shows
// them; the server sends them through the browser's own push service.

import { api } from "./api.js";
import { $, fill } from "./dom.js";

const SUPPORTED = "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
let registration = null;
let checked = false; // this device's standing, asked once per page load

// The service worker, registered once the page has someone signed in.
export async function registerWorker() {
  if (!("serviceWorker" in navigator)) return null;
  if (!registration) {
    try {
      registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    } catch {
      registration = null;
    }
  }
  return registration;
}

function say(text) {
  fill("#day-push-status", text);
  $("#day-push-status").hidden = !text;
}

function offer(subscribed) {
  const button = $("#day-push");
  button.hidden = false;
  button.disabled = false;
  button.dataset.subscribed = String(subscribed);
  button.textContent = subscribed ? "Stop telling me" : "Tell me on this device";
}

// Shows the control as this device stands: told or not.
export async function showPushControl() {
  if (checked) return;
  checked = true;
  const button = $("#day-push");
  if (!SUPPORTED) {
    button.hidden = true;
    say(iPhoneNotInstalled()
      ? "To be told of changes on this iPhone, add this page to the home screen (Share, then "
        + "Add to Home Screen) and open it from there."
      : "");
    return;
  }
  const reg = await registerWorker();
  try {
    const subscription = reg ? await reg.pushManager.getSubscription() : null;
    offer(Boolean(subscription && (await mine(subscription))));
  } catch {
    checked = false; // asked again when My day is next drawn
    return;
  }
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this page: allow them in the browser's settings first.");
  }
}

async function mine(subscription) {
  const { devices } = await api("/me/push-subscriptions");
  return devices.find((d) => d.endpoint === subscription.endpoint) || null;
}

export async function togglePush() {
  const button = $("#day-push");
  button.disabled = true;
  try {
    if (button.dataset.subscribed === "true") await stop();
    else await start();
  } catch (error) {
    say(error.message || "That did not work. Try again in a moment.");
    button.disabled = false;
  }
}

async function start() {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") {
    say("Notifications are blocked for this page: allow them in the browser's settings, then try again.");
    offer(false);
    return;
  }
  const reg = await registerWorker();
  if (!reg) throw new Error("This browser could not set up notifications for this page.");
  const { key } = await api("/push/key");
  let subscription = await reg.pushManager.getSubscription();
  if (!subscription) {
    try {
      subscription = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytesOf(key) });
    } catch {
      throw new Error("The browser's notification service could not be reached. Try again later.");
    }
  }
  await api("/me/push-subscriptions", { method: "POST", json: subscription.toJSON() });
  offer(true);
  say("This device will be told when your meetings change, or a request or action is given to you.");
}

async function stop() {
  const reg = await registerWorker();
  const subscription = reg ? await reg.pushManager.getSubscription() : null;
  const held = subscription ? await mine(subscription) : null;
  if (held) await api(`/me/push-subscriptions/${encodeURIComponent(held.id)}`, { method: "DELETE" });
  if (subscription) await subscription.unsubscribe();
  offer(false);
  say("This device will no longer be told.");
}

function bytesOf(base64url) {
  const text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

// Safari on an iPhone offers push only to a page added to the home screen.
function iPhoneNotInstalled() {
  return /iPhone|iPad/.test(navigator.userAgent) && !window.matchMedia("(display-mode: standalone)").matches;
}
