"""Test runs are stored with the rest of history: see ``playground.core.history.testruns``."""

from playground.core.history.testruns import Recorder, StoredRun, TestStore, plan_json

__all__ = ["Recorder", "StoredRun", "TestStore", "plan_json"]
