"""Where a page may send the user back to after an action (``next`` arguments)."""

from __future__ import annotations

from urllib.parse import urlsplit


def local_target(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site, else ``default`` (never an off-site redirect).

    Browsers read a backslash as a slash and drop tabs and newlines inside URLs, so
    ``/\\evil.example`` and ``/\\t/evil.example`` lead off-site as surely as ``//evil.example``.
    """
    cleaned = "".join(ch for ch in (target or "") if ch not in "\t\r\n").replace("\\", "/")
    parts = urlsplit(cleaned)
    if not cleaned.startswith("/") or cleaned.startswith("//") or parts.scheme or parts.netloc:
        return default
    return cleaned
