"""One hierarchy of typed errors; the CLI and the window turn them into words."""

from __future__ import annotations


class PlaygroundError(Exception):
    """Base of every error the core raises on purpose. ``str()`` is a sentence for a person."""


class ConfigError(PlaygroundError):
    """Bad configuration or usage: no key, an unsafe base URL, an unknown name."""


class UnsafeBaseUrlError(ConfigError):
    """The base URL would send the key in clear text to a host that is not this machine."""


class NoKeyError(ConfigError):
    """No API key is configured anywhere."""


class ApiError(PlaygroundError):
    """A request to the API failed. ``kind`` is a FailureKind value; ``detail`` the server's words."""

    def __init__(self, message: str, *, kind: str, status: int | None = None, detail: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.status = status
        self.detail = detail
