"""A private GNOME Keyring on a private D-Bus, owned by one test: it may be stopped (SIGSTOP), locked,
and unlocked at a real password prompt (under Xvfb, typed with xdotool) without touching the
keyring every other test shares.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

PASSWORD = b"private-test-keyring"
TOOLS = ("dbus-daemon", "gnome-keyring-daemon")
PROMPT_TOOLS = ("Xvfb", "xdotool", "dbus-update-activation-environment")


def need(*tools: str) -> None:
    """Skip without the tools, unless CI requires the real Secret Service (then fail)."""
    missing = [tool for tool in tools if shutil.which(tool) is None]
    if not missing:
        return
    message = f"needs {', '.join(missing)} (scripts/test installs them)"
    if os.environ.get("PLAYGROUND_REQUIRE_SECRET_SERVICE") == "1":
        pytest.fail(message)
    pytest.skip(message)


@dataclass
class PrivateKeyring:
    """The daemon's bus address and process; ``stop``/``resume`` freeze and thaw it."""

    address: str
    daemon: subprocess.Popen[bytes]
    env: dict[str, str]

    def stop(self) -> None:
        os.kill(self.daemon.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.daemon.pid, signal.SIGCONT)

    def connection(self):  # type: ignore[no-untyped-def]
        from jeepney.io.blocking import open_dbus_connection

        return open_dbus_connection(self.address)

    def lock(self) -> None:
        """Lock the default collection through SecretStorage, as "Lock" in a keyring manager does."""
        import secretstorage

        bus = self.connection()
        try:
            collection = secretstorage.get_default_collection(bus)
            collection.lock()
            assert collection.is_locked()
        finally:
            bus.close()

    def unlock_without_prompt(self) -> None:
        """Unlock with the password through gnome-keyring's own interface (as a login does)."""
        from jeepney import DBusAddress, new_method_call

        bus = self.connection()
        try:
            service = DBusAddress(
                "/org/freedesktop/secrets",
                bus_name="org.freedesktop.secrets",
                interface="org.freedesktop.Secret.Service",
            )
            path = bus.send_and_get_reply(new_method_call(service, "ReadAlias", "s", ("default",))).body[0]
            session = bus.send_and_get_reply(
                new_method_call(service, "OpenSession", "sv", ("plain", ("s", "")))
            ).body[1]
            internal = DBusAddress(
                "/org/freedesktop/secrets",
                bus_name="org.freedesktop.secrets",
                interface="org.gnome.keyring.InternalUnsupportedGuiltRiddenInterface",
            )
            message = new_method_call(
                internal,
                "UnlockWithMasterPassword",
                "o(oayays)",
                (path, (session, b"", PASSWORD, "text/plain")),
            )
            bus.send_and_get_reply(message)
        finally:
            bus.close()

    def _prompt_window(self) -> str:
        found = subprocess.run(
            ["xdotool", "search", "--sync", "--onlyvisible", "--class", "gcr-prompter"],
            capture_output=True,
            text=True,
            timeout=30,
            env=self.env,
            check=True,
        )
        return found.stdout.split()[0]

    def press_at_prompt(self, key: str) -> None:
        """Wait for the unlock prompt's window and press ``key`` in it (Escape dismisses it)."""
        window = self._prompt_window()
        subprocess.run(
            ["xdotool", "windowfocus", "--sync", window, "key", key], env=self.env, check=True, timeout=30
        )

    def type_password_at_prompt(self) -> None:
        """Be the person at the unlock prompt: wait for its window, type the password, press Enter."""
        window = self._prompt_window()
        subprocess.run(
            ["xdotool", "windowfocus", "--sync", window, "type", "--delay", "20", PASSWORD.decode()],
            env=self.env,
            check=True,
            timeout=30,
        )
        subprocess.run(["xdotool", "key", "Return"], env=self.env, check=True, timeout=30)


def _owned_by(address: str, pid: int) -> bool:
    """Whether org.freedesktop.secrets on that bus is our daemon (and not one D-Bus activated)."""
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = open_dbus_connection(address)
    try:
        dbus = DBusAddress(
            "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
        )
        if not bus.send_and_get_reply(
            new_method_call(dbus, "NameHasOwner", "s", ("org.freedesktop.secrets",))
        ).body[0]:
            return False
        reply = bus.send_and_get_reply(
            new_method_call(dbus, "GetConnectionUnixProcessID", "s", ("org.freedesktop.secrets",))
        )
        return bool(reply.body[0] == pid)
    finally:
        bus.close()


def _wait_for(check, what: str, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _display(stack: ExitStack) -> str:
    xvfb = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "800x600x24"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    stack.callback(_end, xvfb)
    assert xvfb.stdout is not None
    return ":" + xvfb.stdout.readline().strip()


def _end(process: subprocess.Popen[bytes] | subprocess.Popen[str]) -> None:
    if process.stdout is not None:
        process.stdout.close()
    if process.poll() is None:
        os.kill(process.pid, signal.SIGCONT)  # a stopped process cannot act on SIGTERM
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def private_keyring(folder: Path, *, with_prompt: bool = False) -> Iterator[PrivateKeyring]:
    """Start the bus and the daemon (and, with_prompt, an X server for its unlock prompt)."""
    need(*TOOLS, *(PROMPT_TOOLS if with_prompt else ()))
    with ExitStack() as stack:
        (folder / "run").mkdir(mode=0o700, parents=True)
        (folder / "data").mkdir()
        env = {**os.environ, "XDG_RUNTIME_DIR": str(folder / "run"), "XDG_DATA_HOME": str(folder / "data")}
        bus = subprocess.Popen(
            ["dbus-daemon", "--session", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
        )
        stack.callback(_end, bus)
        assert bus.stdout is not None
        env["DBUS_SESSION_BUS_ADDRESS"] = bus.stdout.readline().strip()
        if with_prompt:
            env["DISPLAY"] = _display(stack)
            subprocess.run(["dbus-update-activation-environment", "DISPLAY"], env=env, check=True, timeout=30)
        daemon = subprocess.Popen(
            ["gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        stack.callback(_end, daemon)
        assert daemon.stdin is not None
        daemon.stdin.write(PASSWORD)
        daemon.stdin.close()
        _wait_for(lambda: _owned_by(env["DBUS_SESSION_BUS_ADDRESS"], daemon.pid), "the private keyring")
        yield PrivateKeyring(env["DBUS_SESSION_BUS_ADDRESS"], daemon, env)
