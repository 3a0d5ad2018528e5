"""A ResponsePane's conversation: the earlier turns, editing and resending a turn, going back to a
conversation a branch left behind, and whether follow-ups go to the pane.

A part of the ResponsePane (see pane_base): its methods run on the pane."""

from __future__ import annotations

from PySide6.QtCore import QUrl

from playground.core.conversation import Message, turns
from playground.ui.markdown_view import SAFE_MARKDOWN
from playground.ui.pane_base import PaneBase
from playground.ui.pane_lazy import ThreadPart


class PaneThreadMixin(PaneBase):
    """A ResponsePane's conversation: earlier turns, editing a turn, branches left behind."""

    def set_thread(self, thread: tuple[Message, ...]) -> None:
        """This pane's conversation; every turn before the latest answer is shown under the toggle."""
        self.messages = thread
        pairs = turns(thread)
        earlier = pairs[:-1] if pairs and pairs[-1][1] is not None else pairs
        if not earlier and not self.left_behind and self.built(ThreadPart) is None:
            return  # nothing to show under the toggle: the part is built with a second turn
        self.threadToggle.setVisible(bool(earlier) or bool(self.left_behind))
        if not earlier and not self.left_behind:
            self.threadToggle.setChecked(False)
        self._toggle_thread(self.threadToggle.isChecked())
        # the thread view's own links carry a key an answer cannot know: a link written inside an
        # answer ("[x](edit:0)") must not act
        import secrets  # not before the first frame: it loads hashlib (OpenSSL)

        key = self._link_key = secrets.token_hex(8)
        blocks: list[str] = [f"[Open the whole conversation in a window]({OPEN}:{key}/0)"] if pairs else []
        if self.left_behind:
            count = len(self.left_behind)
            blocks.append(
                f"↳ *Branched: {count} earlier version{'s' if count > 1 else ''} of this conversation "
                f"left behind* - [go back to the one before]({BACK}:{key}/{count - 1})"
            )
        for index, (user, answer) in enumerate(pairs):
            attached = (
                f" *(attached: {', '.join(a.name for a in user.attachments)})*" if user.attachments else ""
            )
            quoted = "\n".join(f"> {line}" for line in user.text.splitlines() or [""])
            blocks.append(
                f"**You** - turn {index + 1} - [edit and resend](edit:{key}/{index}){attached}\n\n{quoted}"
            )
            if answer is not None and index < len(pairs) - 1:
                blocks.append(answer.text)
        self.threadView.document().setMarkdown("\n\n---\n\n".join(blocks), SAFE_MARKDOWN)

    def _toggle_thread(self, shown: bool) -> None:
        self.threadView.setVisible(shown and self.threadToggle.isVisible())
        count = max(0, len(turns(self.messages)) - 1)
        self.threadToggle.setText(("▾" if shown else "▸") + f" Earlier turns ({count})")

    def _thread_link(self, url: QUrl) -> None:
        key, _, value = url.path().partition("/")
        if key != getattr(self, "_link_key", None) or not value.isdigit():
            return  # not one of the view's own links (an answer can contain links too)
        if url.scheme() == "edit":
            self.edit_turn(int(value))
        elif url.scheme() == BACK:
            self.go_back(int(value))
        elif url.scheme() == OPEN:
            self.show_conversation()

    def show_conversation(self) -> None:
        """The whole thread, answers included, in its own window."""
        from playground.core.conversation import thread_markdown
        from playground.ui.turn_dialog import ThreadDialog

        dialog = ThreadDialog(self.model, thread_markdown(self.messages, self.model), self)
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.thread_dialog = dialog

    def go_back(self, index: int) -> None:
        """Show a conversation a branch left behind again; the current one takes its place."""
        if not 0 <= index < len(self.left_behind):
            return
        earlier = self.left_behind.pop(index)
        self.left_behind.append(self.messages)
        pairs = turns(earlier)
        answer = pairs[-1][1] if pairs else None
        self.reset()
        self.outputView.append_text(answer.text if answer is not None else "")
        self.statsLabel.setText("the conversation before the branch (its figures are in History)")
        self.set_thread(earlier)

    def choose_turn(self) -> None:
        """Which turn to edit, when there is more than one (the menu passes no turn)."""
        pairs = turns(self.messages)
        if len(pairs) <= 1:
            self.edit_turn(0 if pairs else None)
            return
        labels = [f"Turn {i + 1}: {' '.join(user.text.split())[:70]}" for i, (user, _a) in enumerate(pairs)]
        from PySide6.QtWidgets import QInputDialog  # its Python enums are made on first use

        label, ok = QInputDialog.getItem(
            self, "Edit an earlier turn", "Turn to edit and resend:", labels, len(labels) - 1, False
        )
        if ok and label in labels:
            self.edit_turn(labels.index(label))

    def edit_turn(self, index: int | None = None) -> None:
        """Ask for the new text of a user turn (the latest by default), then branch from it."""
        pairs = turns(self.messages)
        if not pairs:
            return
        index = len(pairs) - 1 if index is None or isinstance(index, bool) else index
        if not 0 <= index < len(pairs):
            return
        from playground.ui.turn_dialog import TurnEditDialog

        dialog = TurnEditDialog(index, pairs[index][0].text, self)
        dialog.edited.connect(lambda text, i=index: self.branchRequested.emit(i, text))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        self.turn_dialog = dialog

    def set_in_conversation(self, on: bool) -> None:
        changed = on != self.in_conversation
        self.in_conversation = on
        if self.conversationAction.isChecked() != on:
            self.conversationAction.setChecked(on)
        self._render_note()
        if changed:
            self.conversationChanged.emit(on)


BACK = "back"  # the thread view's link to a conversation a branch left behind


OPEN = "open"  # the thread view's link to the whole conversation in a window
