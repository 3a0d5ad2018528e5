"""The base-URL policy: where a key may be sent, and what a base URL may not contain."""

from __future__ import annotations

import ipaddress

import httpx

from playground.core.errors import UnsafeBaseUrlError

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"


def is_loopback_host(host: str) -> bool:
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _shown(url: str) -> str:
    """The URL for a message: as typed, or only scheme and host when it carries secret parts."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, AttributeError):
        return "given"
    if parsed.userinfo or "?" in url or "#" in url:
        return f"for {parsed.scheme}://{parsed.host}"
    return repr(url)


def _parse(url: str) -> httpx.URL:
    """The URL parsed, refusing credentials, a query or a fragment: a password in a URL ends up in
    logs and messages, and a query or fragment would be glued in front of every API path."""
    text = url.strip() if isinstance(url, str) else ""
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, TypeError):
        raise UnsafeBaseUrlError(f"The base URL {_shown(text)} is not a valid URL.") from None
    if parsed.userinfo or "@" in parsed.netloc.decode("ascii", "replace"):
        raise UnsafeBaseUrlError(
            f"The base URL {_shown(text)} contains a user name or password (user:pass@host): "
            "keep keys in the keyring, not in the URL."
        )
    if "?" in text or "#" in text:
        raise UnsafeBaseUrlError(
            f"The base URL {_shown(text)} contains '?' or '#': give the API root only, e.g. .../v1."
        )
    if parsed.port is not None and not 0 < parsed.port < 65536:
        raise UnsafeBaseUrlError(
            f"The base URL {_shown(text)} has port {parsed.port}: ports go from 1 to 65535."
        )
    return parsed


def valid_url(url: str) -> str:
    """An http(s) URL with a host, normalised; UnsafeBaseUrlError otherwise."""
    parsed = _parse(url)
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise UnsafeBaseUrlError(f"{url!r} is not an http(s) URL, e.g. http://localhost:11434/v1.")
    return str(parsed).rstrip("/")


def check_base_url(url: str) -> str:
    """The URL, if a key may be sent to it: https anywhere, plain http only to this machine."""
    parsed = _parse(url)
    if parsed.scheme == "https" and parsed.host:
        return str(parsed).rstrip("/")
    if parsed.scheme == "http" and parsed.host and is_loopback_host(parsed.host):
        return str(parsed).rstrip("/")
    raise UnsafeBaseUrlError(
        f"Refusing to use {url!r}: the key is only sent over https, or over http to this "
        "machine (localhost, 127.0.0.1, ::1). Fix OPENROUTER_BASE_URL or the base URL setting."
    )
