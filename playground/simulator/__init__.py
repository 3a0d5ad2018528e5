"""A local OpenRouter-compatible server: the test suite's OpenRouter and the app's ``--demo`` mode."""

from playground.simulator.behaviour import FAULTS, Behaviour
from playground.simulator.server import RecordedRequest, Simulator

__all__ = ["FAULTS", "Behaviour", "RecordedRequest", "Simulator"]
