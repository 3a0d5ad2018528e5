"""TemplateLibrary: the templates folder plus every saved version, and runs recorded to history."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from playground.core.compare import CompareRequest, CompareRun, PaneEvent, PaneSpec, Stopped
from playground.core.events import Failed, Finished
from playground.core.history import HistoryError
from playground.core.request import ChatParams
from playground.core.routing import Routing

if TYPE_CHECKING:  # a plain ``compare`` records runs and needs no template store (tomllib, difflib)
    from playground.core.conversation import Message
    from playground.core.history import RunHistory, TemplateVersion
    from playground.core.run_handle import RunHandle
    from playground.core.templates import PromptTemplate, TemplateStore

log = logging.getLogger(__name__)


@dataclass
class TemplateLibrary:
    """Saving a template here also records a version (content, hash, time, note) in history."""

    store: TemplateStore
    history: RunHistory

    def save(
        self,
        template: PromptTemplate,
        *,
        replacing: str | None = None,
        note: str = "",
        expected: str | None = None,
    ) -> TemplateVersion:
        """Write the file (see ``TemplateStore.save`` for ``expected``) and record the version."""
        self.store.save(template, replacing=replacing, expected=expected)
        if replacing and replacing != template.name:
            self.history.rename_versions(replacing, template.name)
        return self.history.record_version(template.name, template.to_toml(), template.content_hash, note)

    def current_version(self, template: PromptTemplate) -> TemplateVersion:
        """The version matching the template as it is on disk (recorded now if edited outside)."""
        return self.history.record_version(template.name, template.to_toml(), template.content_hash)

    def version(self, name: str, ref: str) -> TemplateVersion:
        """A version by hash prefix, or by number counting from 1 = oldest."""
        versions = self.history.versions(name)
        if ref.isdigit() and 1 <= int(ref) <= len(versions):
            return versions[len(versions) - int(ref)]
        matches = [v for v in versions if v.hash.startswith(ref)]
        if len({v.hash for v in matches}) == 1:
            return matches[0]  # the same content saved again (a restore): any of them is it
        if len(matches) != 1:
            from playground.core.templates import TemplateError

            raise TemplateError(
                f"No single version '{ref}' of '{name}'. See `playground templates show {name}`."
            )
        return matches[0]

    def diff(self, name: str, old: str, new: str) -> str:
        import difflib

        a, b = self.version(name, old), self.version(name, new)
        return "".join(
            difflib.unified_diff(
                a.content.splitlines(keepends=True),
                b.content.splitlines(keepends=True),
                f"{name} @ {a.hash}",
                f"{name} @ {b.hash}",
            )
        )

    def restore(self, name: str, ref: str) -> TemplateVersion:
        """The prompt of an earlier version back in the file. Test cases are not part of a prompt's
        history: the ones the template has now are kept."""
        from playground.core.templates import PromptTemplate, TemplateError

        version = self.version(name, ref)
        old = PromptTemplate.from_toml(version.content)
        try:
            current = self.store.get(name)
        except TemplateError:
            current = old  # the file is gone or broken: the version is all there is (save says if broken)
        # the prompt's own fields come back; everything else (cases, assertions) stays as it is now
        template = replace(
            current,
            prompt=old.prompt,
            system=old.system,
            description=old.description,
            tags=old.tags,
            models=old.models,
            params=old.params,
            routing=old.routing,
        )
        return self.save(template, replacing=name, note=f"restored version {version.hash}")


def template_request(
    template: PromptTemplate,
    models: list[str],
    values: Mapping[str, str],
    params: ChatParams | None = None,
    routing: Routing | None = None,
) -> CompareRequest:
    """A comparison for one set of variables; the template's parameters and routing, overridden by
    ``params`` and ``routing``."""
    rendered = template.render(values)
    chosen = models or list(template.models)
    if not chosen:
        from playground.core.templates import TemplateError

        raise TemplateError(f"Template '{template.name}' names no models: pass -m MODEL.")
    return CompareRequest(
        prompt=rendered.prompt,
        panes=tuple(PaneSpec(m) for m in chosen),
        system=rendered.system,
        params=template.params.merged(params),
        routing=template.routing.merged(routing),
    )


def record_run(
    history: RunHistory,
    comparison: RunHandle,
    *,
    template: str | None = None,
    version: str | None = None,
    case_name: str | None = None,
    variables: Mapping[str, str] | None = None,
) -> int:
    """Store the run now and each answer as it ends, so a crash keeps what had finished."""
    run_id = history.start_run(
        comparison.request,
        template=template,
        template_version=version,
        case_name=case_name,
        variables=variables,
    )

    def on_event(pane_event: PaneEvent) -> None:
        if isinstance(pane_event.event, Finished | Failed | Stopped):
            try:
                history.save_answer(
                    run_id,
                    pane_event.pane,
                    comparison.results[pane_event.pane],
                    thread=sent_thread(comparison.request, pane_event.pane),
                )
            except HistoryError as exc:  # the answer is still shown; only its record is missing
                log.warning("could not record an answer: %s", exc)
                history.warnings.append(str(exc))

    if isinstance(comparison, CompareRun):  # called at each pane's end only, not once per token
        comparison.add_listener(on_event, ends_only=True)
    else:
        comparison.add_listener(on_event)
    return run_id


def sent_thread(request: CompareRequest, index: int) -> tuple[Message, ...]:
    """What to keep of a pane's messages in history: nothing when it is just the run's own prompt."""
    pane = request.panes[index]
    if not pane.history and pane.prompt is None:
        return ()
    return request.pane_messages(index)
