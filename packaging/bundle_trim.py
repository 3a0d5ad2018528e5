"""What the PyInstaller bundle leaves out, and why (used by prompt-playground.spec).

Every cut removes files the app never loads at run time; tests/integration/test_packaging.py runs the
built bundle through what each cut could break (the window, SVG icons, a report with highlighted
code, a YAML import, JSON Schema checks, the keyring).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import PurePosixPath

# (destination in the bundle, source file - or a link's relative target -, PyInstaller typecode)
Entry = tuple[str, str, str]

# Qt plugins for places a desktop app never runs: embedded framebuffers (eglfs, linuxfb, vkkhrdisplay)
# with their EGL device integrations and evdev/TUIO input drivers, the VNC-server platform and the
# bare "minimal" platforms (offscreen is kept: headless runs and CI use it). Image formats the app
# neither reads nor writes: attachments are PNG, JPEG, GIF or WebP, icons SVG or PNG.
UNUSED_QT_PLUGINS = re.compile(
    r"(?:^|/)plugins/(?:"
    r"platforms/(?:lib)?q(?:eglfs|linuxfb|minimal|minimalegl|vnc|vkkhrdisplay)\.|"
    r"egldeviceintegrations/|generic/|"
    r"imageformats/(?:lib)?q(?:tiff|tga|wbmp|icns)\."
    r")"
)
# Data shipped inside packages that nothing reads at run time.
UNUSED_DATA = ("jsonschema/benchmarks/",)
SHARED_LIBRARY = re.compile(r"^lib.+\.so(?:\.|$)")


def trim(
    binaries: Iterable[Entry], datas: Iterable[Entry], imports: Callable[[str], set[str]] | None = None
) -> tuple[list[Entry], list[Entry]]:
    """``Analysis``'s binaries and datas without what the app never loads (PyInstaller keeps its
    symbolic links with the datas: a link to a removed library goes too)."""
    kept_binaries = trim_binaries(binaries, imports)
    kept_datas = [e for e in datas if not unused_data(e[0])]
    present = _without_dangling_links(kept_binaries + kept_datas)
    return [e for e in kept_binaries if e in present], [e for e in kept_datas if e in present]


def unused_data(dest: str) -> bool:
    """Qt's own translations (the app's text is English; Qt's few built-in strings stay so too) and
    package data never read at run time."""
    return "translations" in PurePosixPath(dest).parts or dest.startswith(UNUSED_DATA)


def trim_binaries(binaries: Iterable[Entry], imports: Callable[[str], set[str]] | None = None) -> list[Entry]:
    """The binaries without the unused Qt plugins and, on Linux, without the shared libraries that
    only those plugins needed (QtNetwork for VNC, the EGLFS libraries, Kerberos...).

    ``imports(path)`` names every library a binary loads, directly or not (default: PyInstaller's own
    dependency analysis, the one that collected them).
    """
    entries = list(binaries)
    dropped = [e for e in entries if UNUSED_QT_PLUGINS.search(e[0].replace(os.sep, "/"))]
    kept = [e for e in entries if e not in dropped]
    if sys.platform.startswith("linux"):
        kept = _without_orphans(kept, dropped, imports or _pyinstaller_imports)
    return kept


def _is_dependency(entry: Entry) -> bool:
    """A shared library collected because something links it (not a plugin, not an extension)."""
    dest, _source, typecode = entry
    name = os.path.basename(dest)
    return (
        typecode == "BINARY"
        and bool(SHARED_LIBRARY.match(name))
        and "/plugins/" not in dest.replace(os.sep, "/")
        and not name.startswith("libpython")
    )


def _without_orphans(
    kept: list[Entry], dropped: list[Entry], imports: Callable[[str], set[str]]
) -> list[Entry]:
    """Only libraries a dropped plugin needed and nothing kept needs go: a library collected for any
    other reason (ctypes, a hook) stays even when no binary links it."""

    def needed_by(entries: Iterable[Entry]) -> set[str]:
        names: set[str] = set()
        for _dest, source, typecode in entries:
            if typecode != "SYMLINK" and not _is_dependency((_dest, source, typecode)):
                names |= imports(source)
        return names

    orphans = needed_by(dropped) - needed_by(kept)
    return [e for e in kept if not (_is_dependency(e) and os.path.basename(e[0]) in orphans)]


def _without_dangling_links(entries: list[Entry]) -> list[Entry]:
    """Drop the symbolic links (PyInstaller makes them for Qt's libraries) whose target is gone."""

    def target(entry: Entry) -> str:
        dest, link, _typecode = entry
        return os.path.normpath(os.path.join(os.path.dirname(dest), link))

    while True:  # a link may point at a link
        present = {os.path.normpath(dest) for dest, _source, _typecode in entries}
        kept = [e for e in entries if e[2] != "SYMLINK" or target(e) in present]
        if len(kept) == len(entries):
            return kept
        entries = kept


def _pyinstaller_imports(path: str) -> set[str]:
    from PyInstaller.depend.bindepend import get_imports

    names: set[str] = set()
    for name, resolved in get_imports(path):
        names.add(os.path.basename(name))
        if resolved:
            names.add(os.path.basename(resolved))
    return names
