"""The HTTP side: the FastAPI app, its routes, the live stream and the page."""
