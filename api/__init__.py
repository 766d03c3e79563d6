"""The REST API (/api/v1/) and the keys that open it; docs/api.md tells its users."""
