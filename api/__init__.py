"""The zkmargin verifier service (FastAPI) and its storage."""
