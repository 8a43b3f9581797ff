"""Moving messages between IMAP folders: MOVE where offered, else a COPY that survives a crash."""

from __future__ import annotations

from imapclient import DELETED, IMAPClient

from automation.inbox.imap_wire import _message_id

_MOVE_BATCH = 1000
# Set on a message just before it is copied to a folder on a server without MOVE (see _move).
_FILING = b"$AutomationFiling"


class FolderFiling:
    """The filing half of ImapSource (which sets these attributes when it connects)."""

    folder: str  # the inbox: where a MOVE goes from unless told otherwise
    can_move: bool
    can_uid_expunge: bool

    def _move(self, client: IMAPClient, uids: list[int], folder: str, home: str = "") -> None:
        """MOVE from the selected folder (`home`, the inbox unless said otherwise)."""
        if not uids or not folder:
            return
        # Dovecot refuses very long commands ("Too long argument" above ~10,000 UIDs): a large
        # sweep after a crash goes in slices.
        for start in range(0, len(uids), _MOVE_BATCH):
            batch = uids[start : start + _MOVE_BATCH]
            if self.can_move:
                client.move(batch, folder)
            else:
                self._copy_and_expunge(client, batch, folder, home or self.folder)

    def _copy_and_expunge(self, client: IMAPClient, uids: list[int], folder: str, home: str = "") -> None:
        """MOVE by hand (hMailServer, older Exchange): COPY, \\Deleted, EXPUNGE.

        A crash between COPY and EXPUNGE leaves the message in both folders, and the next pass
        would copy it again. So each message is marked with a keyword before its COPY; one that
        already carries it is looked up in the target folder by Message-ID and copied only if
        the copy is not there."""
        flags = client.get_flags(uids)
        started = [u for u in uids if _FILING in flags.get(u, ())]
        done = self._already_in(client, started, folder, home or self.folder) if started else set()
        todo = [u for u in uids if u not in done]
        if todo:
            client.add_flags(todo, [_FILING])
            self._copy(client, todo, folder)
        client.add_flags(uids, [DELETED])
        if self.can_uid_expunge:
            client.uid_expunge(uids)
        else:
            # Without UIDPLUS only a plain EXPUNGE exists; it also removes what someone else
            # marked \\Deleted in this folder, which is what their client would do next anyway.
            client.expunge()

    def _copy(self, client: IMAPClient, uids: list[int], folder: str) -> None:
        client.copy(uids, folder)

    def _already_in(self, client: IMAPClient, uids: list[int], folder: str, home: str) -> set[int]:
        """Which of these (interrupted) messages already have their copy in `folder`."""
        fetched = client.fetch(uids, [b"BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])
        ids = {u: _message_id(data) for u, data in fetched.items()}
        client.select_folder(folder, readonly=True)
        try:
            found = {u for u, mid in ids.items() if mid and client.search(["HEADER", "Message-ID", mid])}
        finally:
            client.select_folder(home)
        return found
