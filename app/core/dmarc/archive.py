"""Unpack report files (.xml, .gz, .zip, gzip without a .gz name) with hard size limits.

Receivers send reports as plain XML, gzip (RFC 7489 §7.2.1.1 names ``.xml.gz``) or zip. The
name is not trusted: the first bytes decide. Decompression is streamed and stops at the limit,
so a small archive that expands to gigabytes (a "zip bomb") costs at most ``max_xml_bytes``
of memory before it is refused.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.dmarc.errors import ReportFileError, UnsafeReportError
from app.core.dmarc.model import ReportBlob

GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
ZIP_EMPTY_MAGIC = b"PK\x05\x06"
_CHUNK = 256 * 1024


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """Limits on what one file may expand to.

    The largest real reports seen from big receivers are a few MB of XML; 64 MiB per XML
    leaves a wide margin and still refuses any bomb long before memory runs out.
    """

    max_xml_bytes: int = 64 * 1024 * 1024
    max_zip_members: int = 100
    max_total_bytes: int = 256 * 1024 * 1024  # all members of one zip together


DEFAULT_LIMITS = UnpackLimits()


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


def too_large_error(origin: str, limit: int) -> UnsafeReportError:
    return UnsafeReportError(
        f"展開後のサイズが上限（{_mebibytes(limit)}）を超えるため、読み込みを中止しました"
        "（圧縮爆弾の可能性があります）。",
        detail=f"{origin}: expands beyond {limit} bytes",
    )


def unpack(blob: ReportBlob, limits: UnpackLimits = DEFAULT_LIMITS) -> Iterator[ReportBlob]:
    """Yield the XML documents inside ``blob`` (one, or one per XML member of a zip).

    Raises:
        UnsafeReportError: a limit was exceeded (the whole file is refused).
        ReportFileError: the archive is damaged or holds no XML.
    """
    head = blob.data[:4]
    if head.startswith(GZIP_MAGIC):
        yield ReportBlob(blob.origin, gunzip_limited(blob.data, blob.origin, limits.max_xml_bytes))
    elif head in (ZIP_MAGIC, ZIP_EMPTY_MAGIC):
        yield from _unzip(blob, limits)
    else:
        if len(blob.data) > limits.max_xml_bytes:
            raise too_large_error(blob.origin, limits.max_xml_bytes)
        yield blob


def gunzip_limited(data: bytes, origin: str, limit: int) -> bytes:
    """Decompress gzip ``data`` (several members allowed, as gzip does) up to ``limit`` bytes."""
    out = bytearray()
    remaining = memoryview(data)
    try:
        while remaining:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending: bytes = bytes(remaining)
            while True:
                # max_length bounds each step, so a bomb never allocates more than the limit.
                chunk = inflater.decompress(pending, min(_CHUNK, limit + 1 - len(out)))
                out += chunk
                if len(out) > limit:
                    raise too_large_error(origin, limit)
                pending = inflater.unconsumed_tail
                if inflater.eof or (not chunk and not pending):
                    break
            if not inflater.eof:
                raise ReportFileError(
                    "gzip ファイルが途中で切れています（ダウンロードや保存の途中で壊れた可能性）。",
                    detail=f"{origin}: truncated gzip stream",
                )
            remaining = memoryview(inflater.unused_data)
            if bytes(remaining[:2]) != GZIP_MAGIC:
                break  # trailing garbage after the last member is ignored, as gzip(1) does
    except zlib.error as error:
        raise ReportFileError(
            "gzip ファイルが壊れているため展開できませんでした。", detail=f"{origin}: {error}"
        ) from None
    return bytes(out)


def _unzip(blob: ReportBlob, limits: UnpackLimits) -> Iterator[ReportBlob]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(blob.data))
    except (zipfile.BadZipFile, ValueError) as error:
        raise ReportFileError(
            "zip ファイルが壊れているため展開できませんでした。", detail=f"{blob.origin}: {error}"
        ) from None
    with archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > limits.max_zip_members:
            raise UnsafeReportError(
                f"zip の中のファイルが多すぎます（{len(members):,} 個、上限 "
                f"{limits.max_zip_members} 個）。",
                detail=f"{blob.origin}: {len(members)} members",
            )
        xml_members = [info for info in members if _looks_like_report(info.filename)]
        if not xml_members:
            raise ReportFileError(
                "zip の中に XML ファイルがありません。",
                detail=f"{blob.origin}: members {[info.filename for info in members][:10]}",
            )
        total = 0
        for info in xml_members:
            origin = f"{blob.origin} › {info.filename}"
            # The declared size can lie; it is checked first only to refuse early.
            if info.file_size > limits.max_xml_bytes:
                raise too_large_error(origin, limits.max_xml_bytes)
            data = _read_member(archive, info, origin, limits.max_xml_bytes)
            if data[:2] == GZIP_MAGIC:  # a .xml.gz inside a zip has been seen in the wild
                data = gunzip_limited(data, origin, limits.max_xml_bytes)
            # The expanded XML counts: by compressed size, 100 tiny .xml.gz members would
            # expand to 100 × max_xml_bytes without ever reaching the total.
            total += len(data)
            if total > limits.max_total_bytes:
                raise too_large_error(blob.origin, limits.max_total_bytes)
            yield ReportBlob(origin, data)


def _looks_like_report(name: str) -> bool:
    lowered = name.lower()
    base = lowered.rsplit("/", 1)[-1]
    if base.startswith(".") or lowered.startswith("__macosx/"):
        return False  # macOS resource forks, hidden files
    return lowered.endswith((".xml", ".xml.gz", ".gz")) or "." not in base


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, origin: str, limit: int) -> bytes:
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while True:
                chunk = stream.read(min(_CHUNK, limit + 1 - len(out)))
                if not chunk:
                    break
                out += chunk
                if len(out) > limit:
                    raise too_large_error(origin, limit)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as error:
        raise ReportFileError(
            "zip の中のファイルが壊れているか、対応していない圧縮形式です。",
            detail=f"{origin}: {type(error).__name__}: {error}",
        ) from None
    except RuntimeError as error:  # encrypted member
        raise ReportFileError(
            "パスワード付きの zip は読み込めません。", detail=f"{origin}: {error}"
        ) from None
    return bytes(out)
