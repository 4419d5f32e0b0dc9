"""Failures of the DMARC import, IMAP and DNS checks: Japanese message, next step, detail."""

from __future__ import annotations

from app.core.errors import NetworkError, TodokuError


class ReportFileError(TodokuError):
    """One file (or zip member, or mail attachment) is not a readable aggregate report.

    The batch goes on; the importer lists the file with ``message_ja`` as the reason.
    """

    default_message_ja = "DMARC レポートとして読み込めないファイルです。"
    default_next_step_ja = (
        "ファイルが DMARC 集計レポート（XML、.gz、.zip）か確認してください。"
        "他のファイルの読み込みは続けています。"
    )


class UnsafeReportError(ReportFileError):
    """The file tried something a report never needs (entities, a DTD, a decompression bomb)."""

    default_message_ja = "安全のため、このファイルは読み込みませんでした。"
    default_next_step_ja = (
        "送信元が不審なファイルの可能性があります。開かずに削除するか、"
        "レポートの送り主を確認してください。他のファイルの読み込みは続けています。"
    )


class ImapError(TodokuError):
    """The mailbox could not be read (connection, TLS, login, folder)."""

    default_message_ja = "メールサーバー（IMAP）からレポートを読み込めませんでした。"
    default_next_step_ja = (
        "サーバー名・ポート・ユーザー名・パスワード・フォルダ名を確認してください。"
    )


class DnsUnavailableError(NetworkError):
    """DNS cannot be asked (offline, no resolver, timeout): the published records stay unknown."""

    default_message_ja = "DNS に問い合わせできないため、公開レコードを確認できませんでした。"
    default_next_step_ja = (
        "インターネットにつながる環境で、もう一度確認してください。"
        "レポートの集計結果はこのまま使えます。"
    )
