"""RunHistory: the one object the app opens; each concern's store is a base class of it."""

from __future__ import annotations

from playground.core.history.search import SearchStore
from playground.core.history.spend import SpendStore
from playground.core.history.versions import VersionStore
from playground.core.history.votes import VoteStore


class RunHistory(SearchStore, VoteStore, VersionStore, SpendStore):
    """The history database (one SQLite file, WAL). Open it once; every method is a short transaction.

    Runs and answers (``runs``), finding them (``search``), blind votes (``votes``), template versions
    (``versions``) and cost totals (``spend``); test runs use it through ``testruns.TestStore``.
    """
