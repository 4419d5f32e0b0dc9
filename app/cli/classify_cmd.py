"""`todoku-cli classify`: bounce reasons in, Japanese explanations out (JSON Lines)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import BinaryIO, TextIO

from app.cli.common import PROVIDER_CHOICES
from app.cli.japanese_argparse import JapaneseRawDescriptionHelpFormatter
from app.core.bounded_lines import bounded_lines
from app.core.classify.classifier import Classifier
from app.core.types import ListKind

_OUTPUT_KEYS = (
    "reason", "category", "permanent", "label_ja", "explanation_ja", "action_ja", "delete_effect",
)  # fmt: skip

_EPILOG = """\
入力: 標準入力に 1 行 1 件の JSON オブジェクト（UTF-8）。
  {"reason_text": "550 5.1.1 ... User unknown", "status": "5.1.1", "email": "a@example.jp",
   "list": "bounces"}
  reason_text は必須の文字列、status と email は省略できる文字列です（ほかのキーは無視します）。
  list は省略できる一覧の名前です: bounces（既定）, blocks, invalid_emails, spam_reports,
  unsubscribes。一覧によって、削除したときの意味と対応の説明が変わります。
  provider は省略できる配信サービスの名前です: sendgrid（既定。--provider で変えられます）,
  cmc, infobip, ses。カスタマーズメールクラウド（管理画面の「配信停止」）と Infobip
  （OVER_QUOTA）のブロックは送信を止める一覧なので、バウンスと同じ説明と delete_effect
  （resend または after_fix）になります。SendGrid のブロックは送信を止めないので no_effect です。

出力: 標準出力に、入力 1 行につき必ず 1 行の JSON オブジェクト（UTF-8、入力と同じ順番）。
  {"reason": ..., "category": ..., "permanent": ..., "label_ja": ...,
   "explanation_ja": ..., "action_ja": ..., "delete_effect": ..., "source": "rules"}
  permanent: true なら、何かを直さない限り（アドレス、受信者の設定、送信側の設定や評判）
  再送しても失敗します。false なら、時間をおくだけで届く見込みがあります。
  delete_effect: 一覧から削除したときの効果。resend（削除すれば再送できる）、
  after_fix（原因を直してから削除）、no_effect（ブロック: 削除しても配信は変わらない）、
  harmful（迷惑メール報告・配信停止: 本人の同意なく削除してはいけない）。

読めない行（JSON でない、オブジェクトでない、型が違う、UTF-8 でない）や空の行には、
その行の代わりに {"error": "日本語の説明", "line": 行番号} を出力し、処理を続けます
（入れ子が深すぎる JSON、64 MB を超える行も同じです。1 行目の先頭の BOM は読み飛ばします）。
行番号は 1 から数えます。標準エラー出力にも、読めない行ごとに行番号と説明を 1 行ずつ
（最初の 20 行まで）、最後に読めなかった行の数を出します。
終了コードは、入力を最後まで処理できれば 0 です（エラー行があっても 0）。
ルールファイルを読めないときは 2、標準入力・標準出力を使えないときは 1 を返します。
このコマンドはオフラインのルールだけで判定します（source は常に "rules"）。
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = JapaneseRawDescriptionHelpFormatter
    parser.epilog = _EPILOG
    parser.add_argument(
        "--provider",
        choices=PROVIDER_CHOICES,
        default="sendgrid",
        help="入力行に provider がないときの配信サービス（既定: sendgrid）",
    )
    parser.add_argument(
        "--rules-dir",
        type=Path,
        default=None,
        help="ルールファイル（*.toml）のフォルダ。省略時は同梱の resources/rules",
    )


def _error(message: str, line_number: int) -> dict[str, object]:
    return {"error": message, "line": line_number}


_Parsed = tuple[str, str, str, ListKind, str]

# One input line is read whole before it is parsed; past this an endless line (a binary file,
# "yes | todoku-cli classify" without newlines) would take all memory. Real lines are a few KB.
MAX_LINE_BYTES = 64 * 1024 * 1024
# Bad lines named one by one on stderr; past this only their count (a binary file fed by
# mistake has millions, and each is already answered on stdout).
NAMED_BAD_LINES = 20


def _parse_line(
    raw: bytes, line_number: int, default_provider: str = "sendgrid"
) -> _Parsed | dict[str, object]:
    """Return (reason_text, status, email, list, provider) or an error object for this line
    (``raw`` with its line end, if it has one)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _error("この行は UTF-8 として読めません。", line_number)
    if not text.strip():
        return _error("空の行です。1 行に 1 件の JSON オブジェクトを書いてください。", line_number)
    if line_number == 1 and text.startswith("\ufeff"):
        text = text[1:]  # the byte order mark Windows Notepad writes before the first line
    try:
        data = json.loads(text)
    except ValueError:
        if not raw.endswith((b"\n", b"\r")):  # only the last line can lack its line end
            return _error(
                "最後の行が改行で終わっておらず、JSON として読めません"
                "（入力が途中で切れている可能性があります）。",
                line_number,
            )
        return _error("この行は JSON として読めません。", line_number)
    except RecursionError:
        # json nests one Python call per bracket: [[[[... 100,000 deep overflows the stack.
        return _error("この行は JSON の入れ子が深すぎて読めません。", line_number)
    if not isinstance(data, dict):
        return _error("1 行に 1 つの JSON オブジェクト（{...}）を書いてください。", line_number)
    reason_text = data.get("reason_text")
    if not isinstance(reason_text, str):
        return _error("reason_text は必須で、文字列で指定してください。", line_number)
    fields = []
    for key in ("status", "email"):
        value = data.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            return _error(f"{key} は文字列で指定してください。", line_number)
        fields.append(value)
    list_name = data.get("list")
    if list_name is None or list_name == "":
        list_kind = ListKind.BOUNCES
    elif not isinstance(list_name, str):
        return _error("list は文字列で指定してください。", line_number)
    else:
        try:
            list_kind = ListKind.parse(list_name)
        except ValueError:
            names = ", ".join(kind.value for kind in ListKind)
            return _error(f"list は {names} のどれかで指定してください。", line_number)
    provider = data.get("provider")
    if provider is None or provider == "":
        provider = default_provider
    elif not isinstance(provider, str) or provider.strip().lower() not in PROVIDER_CHOICES:
        names = ", ".join(PROVIDER_CHOICES)
        return _error(f"provider は {names} のどれかで指定してください。", line_number)
    return reason_text, fields[0], fields[1], list_kind, provider.strip().lower()


def _blocks_suppress(provider: str, known: dict[str, bool]) -> bool:
    """The provider's ``blocks_suppress``, looked up once per provider named in the input."""
    answer = known.get(provider)
    if answer is None:
        from app.core.accounts import ProviderName
        from app.core.provider_factory import blocks_suppress

        answer = known[provider] = blocks_suppress(ProviderName(provider))
    return answer


def classify_stream(
    classifier: Classifier,
    source: BinaryIO,
    sink: BinaryIO,
    flush: bool,
    default_provider: str = "sendgrid",
    max_line_bytes: int = MAX_LINE_BYTES,
    notices: TextIO | None = None,
) -> int:
    """Classify every line of ``source`` into ``sink``; return the number of lines read.

    Each unreadable line is answered in ``sink`` as an error object; with ``notices`` (stderr),
    the first ``NAMED_BAD_LINES`` of them are also named there, and their count at the end: a
    user who sends the output to a file sees on the terminal that some lines were not read.

    A block row of a provider whose block list suppresses (CMC, Infobip) is explained as a
    bounce row, as the window and the fetch do: deleting it lets mail go again there, while
    SendGrid's advice for blocks ("deleting changes nothing") would be wrong."""
    suppressing: dict[str, bool] = {"sendgrid": False}
    line_number = 0
    bad = 0
    for line_number, raw in enumerate(bounded_lines(source, max_line_bytes), start=1):
        parsed = (
            _error(f"行が長すぎます（{max_line_bytes:,} バイトまで）。", line_number)
            if raw is None
            else _parse_line(raw, line_number, default_provider)
        )
        if isinstance(parsed, dict):
            record = parsed
            bad += 1
            if notices is not None and bad <= NAMED_BAD_LINES:
                print(f"todoku-cli classify: {line_number:,} 行目: {parsed['error']}", file=notices)
        else:
            text, status, email, kind, provider = parsed
            if kind is ListKind.BLOCKS and _blocks_suppress(provider, suppressing):
                kind = ListKind.BOUNCES
            explanation = classifier.classify(text, status, email, kind)
            record = {key: getattr(explanation, key) for key in _OUTPUT_KEYS}
            record["delete_effect"] = str(explanation.delete_effect)
            record["source"] = explanation.source
        sink.write(json.dumps(record, ensure_ascii=False).encode("utf-8") + b"\n")
        if flush:
            sink.flush()
    sink.flush()
    if notices is not None and bad:
        more = f"（最初の {NAMED_BAD_LINES} 行だけ上に示しました）" if bad > NAMED_BAD_LINES else ""
        print(
            f"todoku-cli classify: 読めない行が {bad:,} 行ありました{more}。"
            '標準出力のその行には {"error": …, "line": 行番号} を出力しています。',
            file=notices,
        )
    return line_number


def run(args: argparse.Namespace) -> int:
    try:
        classifier = Classifier.load(args.rules_dir)
    except (OSError, ValueError) as error:
        print(f"todoku-cli classify: ルールファイルを読めません: {error}", file=sys.stderr)
        return 2
    # Bytes in, bytes out: the output is UTF-8 whatever the locale says.
    interactive = sys.stdin.isatty()
    classify_stream(
        classifier, sys.stdin.buffer, sys.stdout.buffer, flush=interactive,
        default_provider=args.provider, notices=sys.stderr,
    )  # fmt: skip
    return 0
