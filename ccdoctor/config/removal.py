"""The one place a fix that takes a variable away is built, right for where the variable is set.

`unset` only reaches a variable the shell exported. One set in a settings file's env block
comes back on the next start whatever the shell does, and one in the managed settings is the
administrator's: each definition gets its own step (the command for the shell, the file to edit
for a settings file), so the fix shown is one that, followed, makes the variable go away.
Every definition counts, the shadowed ones too: removing only the winner lets the next one in.
The test suite fails on an `unset` command built anywhere else."""

from __future__ import annotations

from ccdoctor.config.resolve import Value
from ccdoctor.config.settings_files import Source
from ccdoctor.config.view import ResolvedConfig
from ccdoctor.core.results import Fix

_BEYOND_THE_USER = frozenset({Source.MANAGED})


def definitions(config: ResolvedConfig, name: str) -> tuple[Value, ...]:
    """Every place that sets `name`, the winner first."""
    value = config.env.get(name)
    return () if value is None else (value, *value.shadowed)


def unset_command(*names: str) -> str:
    """The shell command itself, for a caller that already knows the shell exported `names`."""
    return f"unset {' '.join(names)}"


def unset_in_shell(config: ResolvedConfig, *names: str) -> tuple[str, ...]:
    """`unset` for the names the shell exports; none when no shell definition exists, since a
    command that does nothing is worse than none."""
    exported = [
        name
        for name in names
        if any(d.origin.source is Source.SHELL for d in definitions(config, name))
    ]
    return (unset_command(*exported),) if exported else ()


def where_to_remove(config: ResolvedConfig, *names: str) -> str:
    """Prose for the definitions `unset` cannot reach: which file's env block to edit."""
    files: dict[str, list[str]] = {}
    managed: dict[str, list[str]] = {}
    for name in names:
        for found in definitions(config, name):
            source = found.origin.source
            if source in (Source.SHELL, Source.DEFAULT) or found.origin.path is None:
                continue
            into = managed if source in _BEYOND_THE_USER else files
            listed = into.setdefault(found.origin.path, [])
            if name not in listed:
                listed.append(name)
    steps = [
        f"Delete {' and '.join(listed)} from the env block of {path}."
        for path, listed in files.items()
    ]
    steps += [
        f"{' and '.join(listed)} {'is' if len(listed) == 1 else 'are'} set in the managed "
        f"settings ({path}): only your administrator can remove "
        f"{'it' if len(listed) == 1 else 'them'}."
        for path, listed in managed.items()
    ]
    return " ".join(steps)


def _file_definition(config: ResolvedConfig, name: str) -> Value | None:
    """The settings file whose env block gives `name` its value, when one does."""
    value = config.env.get(name)
    if value is None or value.origin.source in (Source.SHELL, Source.DEFAULT):
        return None
    return value


def export_in_shell(config: ResolvedConfig, name: str, shown: str) -> tuple[str, ...]:
    """`export name=shown`, unless a settings file sets `name`: its env block beats the shell,
    so the export would change nothing."""
    return () if _file_definition(config, name) else (f"export {name}={shown}",)


def where_to_set(config: ResolvedConfig, name: str, shown: str) -> str:
    """Prose for setting `name` where a settings file sets it; empty when the shell can."""
    found = _file_definition(config, name)
    if found is None:
        return ""
    if found.origin.source in _BEYOND_THE_USER:
        return (
            f"{name} is set in the managed settings ({found.origin.path}): only your "
            "administrator can change it."
        )
    return f"Set {name} to {shown} in the env block of {found.origin.path}."


def removal_fix(
    config: ResolvedConfig,
    text: str,
    *names: str,
    before: tuple[str, ...] = (),
    after: tuple[str, ...] = (),
    snippet: str | None = None,
) -> Fix:
    """A fix that takes `names` away: `text`, then the file edits `unset` cannot make; the
    `unset` command (only for what the shell exports) between the commands `before` and
    `after` it."""
    prose = where_to_remove(config, *names)
    return Fix(
        f"{text} {prose}" if prose else text,
        (*before, *unset_in_shell(config, *names), *after),
        snippet,
    )


def or_removal(config: ResolvedConfig, fix: Fix | None, text: str, *names: str) -> Fix:
    """`fix` with taking `names` away offered as the alternative (`text` says why that helps):
    the `unset` for what the shell exports, the file edits for the rest."""
    alternative = removal_fix(config, text, *names)
    if fix is None:
        return alternative
    return Fix(
        f"{fix.text} {alternative.text}",
        (*fix.commands, *alternative.commands),
        fix.snippet,
    )
