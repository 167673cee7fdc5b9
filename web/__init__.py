"""wmkb's web page: `wmkb serve`. Read-only, in Dutch, rendered on the server (web/app.py)."""
