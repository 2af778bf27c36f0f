"""``csat``: the workshop's console commands, the same on Linux, macOS and Windows.

``csat init DEST`` copies the course into a folder the trainer owns; ``csat workshop``,
``csat app`` and ``csat report`` run the day from it; ``csat sim …`` and ``csat exercises …``
are the simulator's and the exercises' own commands.
"""

from __future__ import annotations

import sys

_COMMANDS = {
    "init": ("csat.cli.workshop", "copy the course and the app pages into a folder you own"),
    "workshop": ("csat.cli.workshop", "open the course in JupyterLab"),
    "app": ("csat.cli.workshop", "serve the trainees' app and your trainer page (Voilà)"),
    "report": ("csat.cli.workshop", "write the trainer's report of the day into results/"),
    "backup": ("csat.cli.workshop", "write the day's results into one file to take home"),
    "sim": ("csat.cli.sim", "simulate a business, list the presets, compile the simulator"),
    "exercises": (
        "csat.cli.exercises",
        "validate, play, list, answers, fairness, report, backup, import, reset",
    ),
}


def _usage() -> str:
    width = max(map(len, _COMMANDS))
    lines = ["usage: csat COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in _COMMANDS.items()]
    lines += ["", "Run 'csat COMMAND --help' for a command's own options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit code (2 for a command that does not exist)."""
    import importlib

    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0 if args else 2
    name, rest = args[0], args[1:]
    if name not in _COMMANDS:
        print(f"csat: no command {name!r}\n\n{_usage()}", file=sys.stderr)
        return 2
    try:
        module = importlib.import_module(_COMMANDS[name][0])
        if module.__name__ == "csat.cli.workshop":
            rest = [name, *rest]  # one module, four commands
        return int(module.main(rest) or 0)
    except KeyboardInterrupt:  # Ctrl-C: one line and the shell's code for it, no traceback
        print(f"csat {name}: interrupted (Ctrl-C)", file=sys.stderr)
        return 130
