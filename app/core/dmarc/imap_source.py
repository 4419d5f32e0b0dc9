"""Read report attachments from a mailbox folder over IMAP with TLS (imaplib, standard library).

The folder is opened read-only (EXAMINE, RFC 3501 §6.3.2) and bodies are fetched with
``BODY.PEEK[]`` so not even the \\Seen flag changes. Messages are deleted only through
``delete()``, which the caller invokes when the operator asked for it; that reopens the folder
writable. The password comes from the caller (the OS keyring via ``SecretStore``, or an
environment variable in the CLI) and never appears in logs or errors.
"""

from __future__ import annotations

import base64
import contextlib
import email
import email.policy
import imaplib
import logging
import re
import ssl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from types import TracebackType

from app.core.cancel import CancelToken
from app.core.dmarc.errors import ImapError
from app.core.dmarc.model import ImportProblem, ReportBlob
from app.core.storage.secrets import SecretStore

log = logging.getLogger(__name__)

IMAP_PASSWORD_SECRET = "dmarc_imap_password"  # name of the password in the OS keyring
IMAPS_PORT = 993
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
_REPORT_TYPES = frozenset(
    (
        "application/gzip",
        "application/x-gzip",
        "application/zip",
        "application/x-zip-compressed",
        "application/xml",
        "text/xml",
        "application/octet-stream",
    )
)
_SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)")
# A literal is read whole by imaplib once its {size} is announced. RFC822.SIZE is checked first,
# but a server may announce a small message and then send any size: the read itself is capped.
MAX_LITERAL_BYTES = MAX_MESSAGE_BYTES + 64 * 1024


class _BoundedImap(imaplib.IMAP4_SSL):
    """``imaplib.IMAP4_SSL`` refusing a literal over ``MAX_LITERAL_BYTES``: the connection is
    given up (its rest was not read, so no later answer could be told apart). imaplib turns
    the abort into one of its own, so the refused size is also kept on the client."""

    refused_literal = 0

    def read(self, size: int) -> bytes:
        if size > MAX_LITERAL_BYTES:
            self.refused_literal = size
            raise self.abort(f"literal of {size:,} bytes refused")
        return super().read(size)


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """Where the reports are. ``cafile`` trusts an extra certificate (a company's own CA or a
    self-signed test server); the system's trust store is used as well when it is None."""

    host: str
    username: str
    folder: str = "INBOX"
    port: int = IMAPS_PORT
    cafile: Path | None = None
    timeout: float = 30.0


def imap_password(store: SecretStore) -> str:
    return store.get(IMAP_PASSWORD_SECRET)


class ImapReportSource:
    """A logged-in, read-only view of one folder; use as a context manager.

    Attributes:
        problems: messages that held no report or could not be read.
        uids_read: UIDs of the messages whose attachments were all handed out and none of
            them given back through ``keep()``: the only ones ``--imap-delete`` may delete.
        kept: mail origin (``IMAP folder UID n``) by UID of the messages given back through
            ``keep()``.
    """

    def __init__(self, settings: ImapSettings, password: str) -> None:
        self._settings = settings
        self._password = password
        self._client: imaplib.IMAP4_SSL | None = None
        self.problems: list[ImportProblem] = []
        self.uids_read: list[bytes] = []
        self.kept: dict[bytes, str] = {}
        self._uid_of: dict[str, bytes] = {}  # blob origin -> UID of the mail it came from

    def __enter__(self) -> ImapReportSource:
        self._client = self._connect()
        try:
            self._select(readonly=True)
        except BaseException:
            # __exit__ does not run when __enter__ fails: log out here, or the socket leaks.
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        client, self._client = self._client, None
        if client is not None:
            _close(client)

    def message_uids(self) -> list[bytes]:
        with self._talking() as client:
            status, data = client.uid("SEARCH", "ALL")
        if status != "OK":
            raise ImapError("フォルダ内のメールを一覧できませんでした。", detail=str(data)[:300])
        return data[0].split() if data and data[0] else []

    def blobs(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> Iterator[ReportBlob]:
        """Each report attachment of each message in the folder, oldest first."""
        uids = self.message_uids()
        for done, uid in enumerate(uids, 1):
            if cancel is not None:
                cancel.raise_if_cancelled()
            yield from self._message_blobs(uid)
            if progress is not None:
                progress(done, len(uids))

    def keep(self, blob: ReportBlob) -> None:
        """A report in ``blob`` could not be read: its mail must not be deleted, or the report
        is lost with it (the operator fixes it or asks the sender to send it again)."""
        uid = self._uid_of.get(blob.origin)
        if uid is None:
            return
        self.kept.setdefault(uid, self._mail_origin(uid))
        if uid in self.uids_read:
            self.uids_read.remove(uid)

    def delete(self, uids: Sequence[bytes]) -> int:
        """Delete these messages (only when the operator asked); returns how many."""
        if not uids:
            return 0
        self._select(readonly=False)
        try:
            with self._talking() as client:
                status, data = client.uid(
                    "STORE", b",".join(uids).decode(), "+FLAGS.SILENT", r"(\Deleted)"
                )
                if status != "OK":
                    raise ImapError("メールを削除できませんでした。", detail=str(data)[:300])
                client.expunge()
        finally:
            self._select(readonly=True)
        return len(uids)

    def _message_blobs(self, uid: bytes) -> Iterator[ReportBlob]:
        origin = self._mail_origin(uid)
        with self._talking() as client:
            status, data = client.uid("FETCH", uid.decode(), "(RFC822.SIZE)")
            match = _SIZE_RE.search(data[0] if data and isinstance(data[0], bytes) else b"")
            if status == "OK" and match and int(match.group(1)) > MAX_MESSAGE_BYTES:
                self.problems.append(
                    ImportProblem(origin, "メールが大きすぎるため読み込みませんでした。")
                )
                return
            status, data = client.uid("FETCH", uid.decode(), "(BODY.PEEK[])")
        raw = next((part[1] for part in data if isinstance(part, tuple)), None)
        if status != "OK" or not isinstance(raw, bytes):
            self.problems.append(ImportProblem(origin, "メールを取得できませんでした。"))
            return
        message = email.message_from_bytes(raw, policy=email.policy.default)
        found = False
        for index, (name, payload) in enumerate(_report_attachments(message), 1):
            found = True
            blob = ReportBlob(f"{origin} › {name or f'添付{index}'}", payload)
            self._uid_of[blob.origin] = uid
            yield blob
        if found and uid not in self.kept:
            self.uids_read.append(uid)
        else:
            subject = str(message.get("Subject", ""))[:80]
            self.problems.append(
                ImportProblem(
                    origin,
                    "DMARC レポートの添付ファイルがないメールです。",
                    detail=f"subject: {subject}",
                )
            )

    def _mail_origin(self, uid: bytes) -> str:
        return f"IMAP {self._settings.folder} UID {uid.decode()}"

    def _connect(self) -> imaplib.IMAP4_SSL:
        settings = self._settings
        try:
            context = ssl.create_default_context(
                cafile=str(settings.cafile) if settings.cafile else None
            )
            if settings.cafile:
                context.load_default_certs()
            client = _BoundedImap(
                settings.host, settings.port, ssl_context=context, timeout=settings.timeout
            )
        except ssl.SSLCertVerificationError as error:
            raise ImapError(
                "メールサーバーの証明書を確認できないため、接続を中止しました。",
                next_step_ja=(
                    "サーバー名が正しいか確認してください。社内の証明書を使うサーバーなら、"
                    "その証明書（CA）のファイルを指定してください。"
                ),
                detail=f"{settings.host}:{settings.port}: {error}",
            ) from None
        except (OSError, imaplib.IMAP4.error) as error:
            raise ImapError(
                "メールサーバーに接続できませんでした。",
                next_step_ja=(
                    "サーバー名とポート（TLS は通常 993）を確認してください。"
                    "社外のネットワークからは接続できないサーバーもあります。"
                ),
                detail=f"{settings.host}:{settings.port}: {type(error).__name__}: {error}",
            ) from None
        try:
            self._login(client)
        except BaseException as error:
            _close(client)  # the TLS connection is open: a failed login must not leave it so
            if not isinstance(error, (TimeoutError, imaplib.IMAP4.error, OSError, UnicodeError)):
                raise  # an ImapError of _login's own, or Ctrl+C
            raise ImapError(
                "メールサーバーにログインできませんでした。",
                next_step_ja="ユーザー名とパスワード（アプリ用パスワードが必要なサービスもあります）を確認してください。",
                # The type only: imaplib's message may quote the command it sent.
                detail=f"{settings.username}@{settings.host}: {type(error).__name__}",
            ) from None
        return client

    def _login(self, client: imaplib.IMAP4_SSL) -> None:
        """LOGIN for an ASCII user name and password, as before; otherwise AUTHENTICATE PLAIN,
        whose SASL message is UTF-8 (RFC 4616; RFC 6855 §5): imaplib's LOGIN can only send
        ASCII, and raised UnicodeEncodeError for a password typed with a Japanese or full-width
        character or pasted with a non-breaking space."""
        username, password = self._settings.username, self._password
        if username.isascii() and password.isascii():
            client.login(username, password)
            return
        if "AUTH=PLAIN" not in client.capabilities:
            raise ImapError(
                "メールサーバーにログインできませんでした。"
                "このサーバーは英数字と記号以外を含むユーザー名・パスワードを受け付けません。",
                next_step_ja=(
                    "全角文字や特殊な空白が混じっていないか確認し、"
                    "半角の英数字と記号で入力し直してください。"
                ),
                detail=f"{username}@{self._settings.host}: no AUTH=PLAIN for a non-ASCII login",
            )
        message = f"\0{username}\0{password}".encode()
        client.authenticate("PLAIN", lambda _challenge: message)

    def _select(self, *, readonly: bool) -> None:
        folder = self._settings.folder
        with self._talking() as client:
            status, data = client.select(_quote(folder), readonly=readonly)
        if status != "OK":
            raise ImapError(
                f"フォルダ「{folder}」を開けませんでした。",
                next_step_ja="フォルダ名（大文字・小文字、階層の区切り）を確認してください。",
                detail=str(data)[:300],
            )

    @contextlib.contextmanager
    def _talking(self) -> Iterator[imaplib.IMAP4_SSL]:
        """The logged-in client; a connection that drops or stops answering (the server
        restarts, a timeout) becomes a Japanese ``ImapError`` instead of imaplib's abort."""
        client = self._require()
        try:
            yield client
        except (imaplib.IMAP4.error, OSError) as error:
            settings = self._settings
            if getattr(client, "refused_literal", 0):
                raise ImapError(
                    "メールサーバーが大きすぎるメールを送ってきたため、読み込みを中止しました。",
                    next_step_ja=(
                        f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MB を超えるメールをフォルダから"
                        "移すか、レポートだけを集めたフォルダを指定してください。"
                    ),
                    detail=f"{settings.host}:{settings.port}: {error}",
                ) from None
            raise ImapError(
                "メールサーバーとの接続が途中で切れたため、読み込みを中止しました。",
                next_step_ja="しばらく待ってから、もう一度お試しください。",
                detail=f"{settings.host}:{settings.port}: {type(error).__name__}: {error}",
            ) from None

    def _require(self) -> imaplib.IMAP4_SSL:
        if self._client is None:
            raise RuntimeError("ImapReportSource is used outside its with-block")
        return self._client


def _close(client: imaplib.IMAP4_SSL) -> None:
    """Log out, and close the socket whatever the answer."""
    try:
        client.logout()
    except (imaplib.IMAP4.error, OSError, ValueError):
        log.info("imap: logout failed (connection already closed)")
        # logout() closes the socket only after a LOGOUT answer: close it here.
        with contextlib.suppress(OSError, ValueError):
            client.shutdown()


def _report_attachments(message: EmailMessage) -> Iterator[tuple[str, bytes]]:
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        name = part.get_filename() or ""
        lowered = name.lower()
        named_like_report = lowered.endswith((".xml", ".gz", ".zip"))
        if content_type in _REPORT_TYPES or named_like_report:
            if content_type == "application/octet-stream" and not named_like_report:
                continue
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                yield name, payload


def _quote(folder: str) -> str:
    """IMAP quoted string in modified UTF-7: folders with spaces or quotes must be quoted
    (RFC 3501 §4.3) and non-ASCII names (DMARCレポート) encoded (RFC 3501 §5.1.3)."""
    encoded = encode_mailbox_name(folder)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


def encode_mailbox_name(name: str) -> str:
    """Modified UTF-7 (RFC 3501 §5.1.3): ``&`` becomes ``&-``; non-ASCII runs become
    ``&`` + base64 of UTF-16BE with ``,`` for ``/`` + ``-``."""
    out: list[str] = []
    pending: list[str] = []

    def flush() -> None:
        if pending:
            raw = "".join(pending).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            pending.clear()

    for char in name:
        if 0x20 <= ord(char) <= 0x7E:
            flush()
            out.append("&-" if char == "&" else char)
        else:
            pending.append(char)
    flush()
    return "".join(out)
