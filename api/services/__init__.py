"""Service functions: the service's behaviour, independent of HTTP (keyword-only arguments)."""
