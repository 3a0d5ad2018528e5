"""The HTTP layer: URL policy (``urls``), bounded bodies (``body``), the JSON client (``client``)
and the chat stream (``chat``). ``from playground.core.openrouter import ...`` keeps working."""

from playground.core.openrouter.client import ClientConfig, OpenRouterClient, Sleep
from playground.core.openrouter.urls import DEFAULT_BASE_URL, check_base_url, is_loopback_host, valid_url

__all__ = [
    "DEFAULT_BASE_URL",
    "ClientConfig",
    "OpenRouterClient",
    "Sleep",
    "check_base_url",
    "is_loopback_host",
    "valid_url",
]
