"""The war room's clock: what the server does by itself at an hour of the
day (closing days, `clock.closing`)."""
