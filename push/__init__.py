"""Notifications on a person's phone: Web Push (RFC 8030), payloads encrypted
per RFC 8291 (aes128gcm), signed per RFC 8292 (VAPID), through pywebpush."""
