"""Build the provider for an account: the one place that knows every provider's constructor.

Provider modules are imported only here and only when built, so the window and the other CLI
commands never pay for a provider they do not use.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.core.accounts import ENVIRONMENT, Account, ProviderName
from app.core.errors import InvalidInputError, ProviderSetupError
from app.core.providers.base import Provider


def _missing(account: Account, names: list[str]) -> ProviderSetupError:
    variables = ENVIRONMENT[account.provider]
    hints = "、".join(
        f"{name}（環境変数 {variables[name]}）" if name in variables else name for name in names
    )
    return ProviderSetupError(
        f"{account.label_ja} の接続情報が足りません: {', '.join(names)}",
        next_step_ja=f"設定画面でアカウントの認証情報を保存するか、次を設定してください: {hints}",
    )


_INFOBIP_URL_STEP = (
    "Infobip の管理画面に表示される https:// の URL（例: https://xxxxx.api.infobip.com）を、"
    "ユーザー名やパスワードを付けずに設定してください（環境変数 INFOBIP_BASE_URL、"
    "または設定画面のアカウント）。"
)


def checked_infobip_url(url: str) -> str:
    """Infobip's URL as the provider takes it, refused as ``--base-url`` is when the API key
    must not go there (plain http to another computer, a user name or password in it): the
    key travels in every request's Authorization header. A bare host name, as Infobip's portal
    shows it, means https."""
    from app.core.base_url import refuse_unsafe_url

    url = url.strip()
    if "://" not in url:
        url = "https://" + url
    refuse_unsafe_url(url, next_step_ja=_INFOBIP_URL_STEP)
    return url


def infobip_url_problem(url: str) -> str:
    """Why the accounts dialog may not save ``url`` as an Infobip URL ("" when it may)."""
    try:
        checked_infobip_url(url)
    except InvalidInputError as error:
        return error.message_ja
    return ""


def build_provider(
    account: Account,
    credentials: Mapping[str, str],
    *,
    base_url: str | None = None,
    timeout_s: float = 30.0,
    max_concurrency: int = 8,
) -> Provider:
    """A ready provider for ``account``; ``credentials`` come from ``accounts.load_credentials``.

    ``base_url`` overrides the account's URL (practice mode and tests point it at an imitation).
    Raises ``ProviderSetupError`` (Japanese) when something the provider needs is missing, and
    ``InvalidInputError`` for an Infobip URL the API key must not be sent to.
    """
    url = base_url or account.base_url or None
    if account.provider is ProviderName.SENDGRID:
        from app.core.providers.sendgrid import SendGridProvider

        if not credentials.get("api_key"):
            raise _missing(account, ["api_key"])
        return SendGridProvider(
            credentials["api_key"],
            base_url=url,
            region=account.region or "global",
            subuser=account.subuser,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
        )
    if account.provider is ProviderName.CMC:
        from app.core.providers.cmc import CmcProvider

        server = credentials.get("server_composition") or account.server_composition
        missing = [n for n in ("api_user", "api_key") if not credentials.get(n)]
        if not server:
            missing.append("server_composition")
        if missing:
            raise _missing(account, missing)
        return CmcProvider(
            credentials["api_user"],
            credentials["api_key"],
            server,
            base_url=url,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
            block_cancel_api=account.cmc_block_cancel_api,
        )
    if account.provider is ProviderName.INFOBIP:
        from app.core.providers.infobip import InfobipProvider

        infobip_url = base_url or credentials.get("base_url") or account.base_url
        missing = [n for n in ("api_key",) if not credentials.get(n)]
        if not infobip_url:
            missing.append("base_url")
        if missing:
            raise _missing(account, missing)
        return InfobipProvider(
            checked_infobip_url(infobip_url),
            credentials["api_key"],
            domains=account.infobip_domains,
            max_concurrency=max_concurrency,
            timeout_s=timeout_s,
        )
    from app.core.providers.aws_credentials import region_from_environment, resolve_credentials
    from app.core.providers.aws_sigv4 import AwsCredentials
    from app.core.providers.ses import SesProvider

    explicit = None
    if credentials.get("access_key_id") and credentials.get("secret_access_key"):
        explicit = AwsCredentials(
            credentials["access_key_id"],
            credentials["secret_access_key"],
            credentials.get("session_token", ""),
        )
    elif account.aws_credentials == "keys":
        raise _missing(account, ["access_key_id", "secret_access_key"])
    resolved = resolve_credentials(explicit, profile=account.aws_profile)
    return SesProvider(
        account.region or region_from_environment(),
        resolved,
        base_url=url,
        max_concurrency=max_concurrency,
        timeout_s=timeout_s,
    )


def blocks_suppress(provider: ProviderName) -> bool:
    """Whether ``provider``'s block list is a suppression (CMC's 配信停止, Infobip's OVER_QUOTA):
    deleting a row there lets mail go again, unlike SendGrid's blocks, which it retries anyway.

    Read from the provider class itself (its ``blocks_suppress``), so the classify command and
    the fetch agree; only that provider's module is imported, without building one."""
    chosen: type
    if provider is ProviderName.CMC:
        from app.core.providers.cmc import CmcProvider

        chosen = CmcProvider
    elif provider is ProviderName.INFOBIP:
        from app.core.providers.infobip import InfobipProvider

        chosen = InfobipProvider
    elif provider is ProviderName.SES:
        from app.core.providers.ses import SesProvider

        chosen = SesProvider
    else:
        from app.core.providers.sendgrid import SendGridProvider

        chosen = SendGridProvider
    return bool(getattr(chosen, "blocks_suppress", False))
