"""The Qt-free core of Prompt Playground: HTTP, keys, catalog, comparisons, storage.

Nothing in this package imports PySide6, qasync or ``playground.ui``.
"""
