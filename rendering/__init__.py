"""What the read models' answers look like outside the JSON API: calendars
(iCalendar), the blog's Atom feed, print-ready pages and their PDFs, and the
hand-over packet (a zip file). Files and text only: `web/` serves them, `mail/`
sends them."""
