"""What the read models' answers look like outside the JSON API: calendars
(iCalendar), the blog's Atom feed, and print-ready pages and PDFs."""
