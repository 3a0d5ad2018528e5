"""The ``playground`` command: no subcommand opens the window; subcommands run headless.

Exit codes: 0 every model answered completely; 1 at least one failed or was cut off;
2 bad usage or configuration (no key, unknown name, bad arguments).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import TYPE_CHECKING, NoReturn

from playground import __version__

if TYPE_CHECKING:
    import logging

    from playground.core.context import AppContext


def _log() -> logging.Logger:
    """The app's logger (logging is imported when there is something to log, not for ``--help``)."""
    import logging

    return logging.getLogger("playground")


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

# Each subcommand's module (under playground.commands) and its line in ``playground --help``. The
# table lets ``--help`` and ``--version`` list every command without importing one (their modules pull
# in httpx, SQLite, jsonschema...), and a command imports only its own module, when it runs.
COMMANDS: dict[str, tuple[str, str]] = {
    "models": ("models", "list OpenRouter's models with prices and limits"),
    "compare": ("compare", "send one prompt to several models and compare the answers"),
    "templates": ("templates", "prompt templates: list, show, run, test, export, import"),
    "history": ("history", "past runs: list, show, export"),
    "key": ("keys", "store, list, choose, test and remove API keys"),
    "endpoint": ("endpoints", "other OpenAI-compatible endpoints (Ollama, LM Studio, vLLM...)"),
    "usage": ("usage", "spend per day, model and template; the key's limit; alerts"),
    "leaderboard": ("leaderboard", "models ranked from your blind votes, with 95%% intervals"),
    "log": ("logcmd", "where the log file is; turn logging of prompts and answers on or off"),
    "simulate": ("simulate", "run the local OpenRouter simulator (for trying things out)"),
}


def command_module(command: str) -> ModuleType:
    """The module that defines and runs ``command`` (imported now, on first use)."""
    return importlib.import_module(f"playground.commands.{COMMANDS[command][0]}")


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes a key back in its error messages."""

    def error(self, message: str) -> NoReturn:
        from playground.core.redact import redact

        _install_terminal_streams(None)  # argv may hold control characters: echo them escaped
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {redact(message)}\n")


def build_parser(load: Sequence[str | None] | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``load``, only those subcommands are built in full (the others
    are just their name and help line, which is all that ``playground --help`` shows)."""
    parser = _Parser(
        prog="playground",
        description="Send one prompt to several OpenRouter models and compare the answers. "
        "With no subcommand, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    parser.add_argument("--demo", action="store_true", help="open the window on the built-in simulator")
    parser.add_argument("--verbose", action="store_true", help="debug logging (also to stderr)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command, (_module, help_line) in COMMANDS.items():
        if load is None or command in load:
            command_module(command).add_parser(sub)
        else:
            sub.add_parser(command, help=help_line)
    for subparser in sub.choices.values():
        _add_verbose(subparser)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The subcommand ``argv`` names: the first word that is not an option (the top-level options
    take no value), or None."""
    for word in argv:
        if not word.startswith("-"):
            return word if word in COMMANDS else None
    return None


def _add_verbose(parser: argparse.ArgumentParser) -> None:
    """``--verbose`` is accepted after any subcommand, nested ones (``key set``) included, as well as
    before it: SUPPRESS keeps a subcommand from resetting ``playground --verbose compare`` to False."""
    parser.add_argument(
        "--verbose", action="store_true", default=argparse.SUPPRESS, help="debug logging (also to stderr)"
    )
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for nested in action.choices.values():
                _add_verbose(nested)


async def _dispatch(ctx: AppContext, args: argparse.Namespace) -> int:
    try:
        return int(await command_module(args.command).run(ctx, args))
    finally:
        ctx.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; a closed output pipe (``| head -1``) ends it quietly. As the process's entry
    point (no ``argv``), a headless command ends the process itself once all is written."""
    saved = sys.stdout, sys.stderr
    try:
        code = _main(argv, own_process=argv is None)
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_FAILED
    finally:
        sys.stdout, sys.stderr = saved
    if argv is None and _command_in(sys.argv[1:]) is not None:
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """End the process without the interpreter's teardown of every loaded module (20-30 ms for a
    command, more than its own work for a short one), once everything a normal exit would do that
    matters has been done: the command has closed the history (committed) and its clients, the exit
    handlers run (logging flushes and closes the log file), stdout and stderr are flushed. If any of
    that cannot be done - a thread still running, a stream that will not flush - the normal exit
    follows instead."""
    import threading

    if threading.active_count() > 1:
        return
    if not _flushed():
        return
    import atexit

    atexit._run_exitfuncs()
    _flushed()  # what an exit handler wrote
    os._exit(code)


def _flushed() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


# The core's keyring messages offer the window's "use the key for this session only"; a command has
# no session to hold a key in, so the CLI offers the environment instead.
_WINDOW_ONLY = (
    (
        "You can set OPENROUTER_API_KEY instead, or use the key for this session only.",
        "You can set OPENROUTER_API_KEY instead (in the environment or a .env file).",
    ),
    (", or use the key for this session only.", ", or set OPENROUTER_API_KEY instead."),
)


def cli_words(exc: BaseException) -> str:
    """An error's sentence as the command line says it (no window-only way out)."""
    text = str(exc)
    for window, cli in _WINDOW_ONLY:
        text = text.replace(window, cli)
    return text


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's last flush does not complain about the pipe."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ else 1)
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _exact_output(args: argparse.Namespace) -> bool:
    """Machine-readable output and exports keep the exact text; everything else is for people."""
    if any(getattr(args, flag, False) for flag in ("jsonl", "json", "csv")):
        return True
    return args.command == "history" and getattr(args, "history_action", None) == "export"


def _install_terminal_streams(args: argparse.Namespace | None) -> None:
    """Text for people passes through the one terminal-safe function (see TerminalStream)."""
    from playground.commands.output import TerminalStream

    if sys.stderr is not None and not isinstance(sys.stderr, TerminalStream):
        sys.stderr = TerminalStream(sys.stderr)
    if args is not None and sys.stdout is not None and not _exact_output(args):
        sys.stdout = TerminalStream(sys.stdout)


def _check_text_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """An argument the terminal could not decode as UTF-8 is a usage error naming it."""
    names = _argument_names(parser)
    for dest, value in vars(args).items():
        values = value if isinstance(value, list) else [value]
        if any(isinstance(item, str) and not _encodable(item) for item in values):
            parser.error(f"argument {names.get(dest, dest)}: not valid UTF-8 text")


def _argument_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """Each argument's name as argparse shows it in errors (``-m/--model``, ``PROMPT``), by dest."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names.update(_argument_names(sub))
        elif action.option_strings:
            names[action.dest] = "/".join(action.option_strings)
        else:
            names[action.dest] = str(action.metavar or action.dest)
    return names


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _main(argv: Sequence[str] | None, *, own_process: bool = False) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(load=[_command_in(argv)])
    args = parser.parse_args(argv)
    _check_text_arguments(parser, args)
    _install_terminal_streams(args if args.command is not None else None)
    from playground.core.context import AppContext
    from playground.core.logs import setup_logging

    ctx = AppContext.from_env()
    global _log_handler
    _log_handler = setup_logging(ctx.paths, verbose=getattr(args, "verbose", False))
    if args.command is None:
        return _open_window(ctx, demo=args.demo)
    if args.command == "simulate":
        return int(command_module("simulate").run(args))
    if own_process:
        _settle_heap()
    return _run_command(ctx, args)


# Young objects are collected after this many new ones instead of Python's 700: a streamed answer
# makes several short-lived objects per chunk, and the collections cost more than the garbage.
YOUNG_COLLECTION = 5000


def _settle_heap() -> None:
    """Before a command's own work, in its own process: what is loaded by now (modules, the parser,
    settings) lives until the process ends, so the garbage collector stops walking it again at
    every collection while answers stream in (about 30,000 objects, most of the collector's time)."""
    import gc

    gc.freeze()
    gc.set_threshold(YOUNG_COLLECTION, *gc.get_threshold()[1:])


_log_handler: logging.Handler | None = None  # the log file's handler; None when none could be opened


def _details_hint(ctx: AppContext) -> str:
    """Where the details of an unexpected failure are: the log file only when one was written."""
    if _log_handler is not None:
        _log_handler.flush()
        if ctx.paths.log_file.is_file():
            return f"Details are in the log: {ctx.paths.log_file}"
    return (
        "No log could be written (its folder cannot be made or written); "
        "run again with --verbose to see the details."
    )


def _run_command(ctx: AppContext, args: argparse.Namespace) -> int:
    """Run a headless command; every failure ends as one sentence and an exit code."""
    import asyncio

    from playground.core.errors import ApiError, ConfigError, PlaygroundError
    from playground.core.secrets import KeyringError

    try:
        code = asyncio.run(_dispatch(ctx, args))
    except KeyboardInterrupt:
        print("Interrupted.", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        raise  # nobody reads the output any more: main() ends quietly
    except (ConfigError, KeyringError) as exc:
        print(f"error: {cli_words(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except ApiError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except PlaygroundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except Exception as exc:  # the last line of defence: a sentence, never a traceback
        log = _log()
        if type(exc).__module__ == "sqlite3":  # a read of the history failed (locked, I/O error)
            log.warning("history unavailable: %s", exc)
            print(f"error: history unavailable ({exc})", file=sys.stderr)
            return EXIT_FAILED
        log.exception("unexpected error in %s", args.command)
        print(
            f"error: something went wrong ({type(exc).__name__}). {_details_hint(ctx)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    for warning in ctx.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return code


CLI_HINT = 'The command line works without one, e.g.: playground compare --demo -m sim/quick-mini "Hello"'


def _no_display() -> bool:
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return False
    return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_window(ctx: AppContext, *, demo: bool) -> int:
    if _no_display():
        print(
            f"error: no display found (DISPLAY and WAYLAND_DISPLAY are unset), so the window cannot "
            f"open. {CLI_HINT}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        from playground.ui.app import run_app
    except ImportError as exc:
        _log().warning("window import failed: %s", exc)
        print(
            f"error: the window cannot start: {exc}. On Debian/Ubuntu install Qt's system libraries: "
            f"sudo apt-get install libegl1 libxkbcommon-x11-0 libxcb-cursor0 libfontconfig1. {CLI_HINT}",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return run_app(ctx, demo=demo)
    except Exception as exc:  # a sentence for the user, the traceback for the log
        log = _log()
        log.exception("the window failed")
        print(
            f"error: the window stopped unexpectedly ({type(exc).__name__}). {_details_hint(ctx)}",
            file=sys.stderr,
        )
        return EXIT_FAILED
    finally:
        ctx.stop_demo()


if __name__ == "__main__":
    sys.exit(main())
