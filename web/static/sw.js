// The war room's service worker: shows the notifications the server sends
// (Web Push) and opens the page where a tap on one should land. Served from
// the site's root, so that its scope is the whole page. It keeps nothing
// offline: the page is live or it is nothing.

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let told = {};
  try {
    told = event.data ? event.data.json() : {};
  } catch {
    told = { body: event.data ? event.data.text() : "" };
  }
  const title = told.title || "War room";
  event.waitUntil(self.registration.showNotification(title, {
    body: told.body || "Something changed for you.",
    icon: "/icons/icon-192.png",
    badge: "/icons/icon-192.png",
    data: { url: told.url || "/" },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/", self.location.origin);
  // Only this site's own pages: a notification never opens another address.
  const target = url.origin === self.location.origin ? url.href : self.location.origin + "/";
  event.waitUntil((async () => {
    const open = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
    for (const client of open) {
      if (new URL(client.url).origin === self.location.origin) {
        await client.focus();
        return client.navigate(target);
      }
    }
    return self.clients.openWindow(target);
  })());
});
