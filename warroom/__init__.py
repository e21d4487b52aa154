"""The war room: domain, application and storage of the inspection log."""
