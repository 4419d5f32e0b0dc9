"""AccountEditDialog: one account's provider, name, settings and secrets, with 接続テスト.

It never reads or writes the SecretStore: it is given the masked saved secrets and hands back
the typed ones (``new_credentials``) apart from the account (``result_account``), which holds
nothing secret and is what the settings file stores. On 保存 it waits for ``write_credentials``
(set by its flow: the keyring written in a job), saying so, and stays open as typed with the
keyring's refusal in Japanese when the write did not happen.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.core.accounts import DEFAULT_ACCOUNT_NAME, Account, ProviderName
from app.core.errors import TodokuError
from app.core.provider_factory import infobip_url_problem
from app.core.types import ListPermissions
from app.ui.accounts import account_texts as texts
from app.ui.safe_text import plain_label
from app.ui.secret_writes import save_showing_progress
from app.ui.widgets.sentence_label import SentenceLabel
from app.ui.widgets.test_outcome import show_test_outcome
from app.ui.widgets.tint import set_text_colour

# AWS's own Japanese names beside the codes: 「ap-northeast-1」 alone did not tell an operator
# which one is Tokyo. The list shows 「code（name）」; the account keeps the code only, and a
# code typed by hand (another region) is kept as typed.
SES_REGIONS = (
    ("ap-northeast-1", "東京"),
    ("ap-northeast-3", "大阪"),
    ("us-east-1", "米国東部・バージニア北部"),
    ("us-east-2", "米国東部・オハイオ"),
    ("us-west-2", "米国西部・オレゴン"),
    ("eu-west-1", "欧州・アイルランド"),
    ("eu-central-1", "欧州・フランクフルト"),
    ("ap-southeast-1", "アジアパシフィック・シンガポール"),
    ("ap-southeast-2", "アジアパシフィック・シドニー"),
)


def ses_region_shown(code: str) -> str:
    """「ap-northeast-1（東京）」 for a listed code, the code itself for any other."""
    names = dict(SES_REGIONS)
    return f"{code}（{names[code]}）" if code in names else code


def ses_region_code(text: str) -> str:
    """The region code of what the combo shows (「ap-northeast-1（東京）」 → ap-northeast-1)."""
    return text.split("（", 1)[0].strip()


class _SecretField(QWidget):
    """A password line edit whose placeholder says whether (masked) a value is saved."""

    def __init__(self, masked: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.saved = bool(masked)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setPlaceholderText(
            texts.SECRET_SAVED.format(masked=masked) if masked else texts.SECRET_NONE
        )
        self.show_box = QCheckBox(texts.SHOW)
        self.show_box.toggled.connect(self._on_show_toggled)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.edit, 1)
        row.addWidget(self.show_box)

    def text(self) -> str:
        return self.edit.text().strip()

    @Slot(bool)
    def _on_show_toggled(self, shown: bool) -> None:
        mode = QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password
        self.edit.setEchoMode(mode)


class AccountEditDialog(QDialog):
    """Add (``account`` None) or edit an account. Name and provider are fixed once saved: the
    keyring names of its secrets are made from them.

    Signals:
        test_requested: (Account, dict of typed secrets) for 接続テスト.
    """

    test_requested = Signal(object, object)

    def __init__(
        self,
        account: Account | None,
        *,
        saved_secrets: dict[str, str],
        taken_names: tuple[str, ...],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._original = account
        self._taken = tuple(n for n in taken_names if account is None or n != account.name)
        self.setWindowTitle(
            texts.EDIT_TITLE.format(name=account.name) if account else texts.EDIT_TITLE_NEW
        )
        self.setMinimumWidth(600)
        # A new account starts as SendGrid, the service the app is about: starting on
        # カスタマーズメールクラウド showed its fields to operators adding a second SendGrid.
        start = account or Account("", ProviderName.SENDGRID)

        self.provider_combo = QComboBox()
        for provider in ProviderName:
            self.provider_combo.addItem(provider.label_ja, provider.value)
        self.provider_combo.setCurrentIndex(self.provider_combo.findData(start.provider.value))
        self.provider_combo.setEnabled(account is None)
        self.name_edit = QLineEdit(start.name)
        self.name_edit.setPlaceholderText(texts.NAME_PLACEHOLDER)
        self.name_edit.setEnabled(account is None)
        self.secrets: dict[ProviderName, dict[str, _SecretField]] = {}

        def secret(provider: ProviderName, name: str) -> _SecretField:
            masked = saved_secrets.get(name, "") if provider is start.provider else ""
            field = _SecretField(masked)
            self.secrets.setdefault(provider, {})[name] = field
            return field

        # SendGrid
        self.sg_region = QComboBox()
        self.sg_region.addItem("グローバル（global）", "global")
        self.sg_region.addItem("EU（eu）", "eu")
        self.sg_region.setCurrentIndex(max(0, self.sg_region.findData(start.region or "global")))
        self.sg_subuser = QLineEdit(start.subuser)
        sendgrid = QFormLayout()
        sendgrid.addRow(texts.SENDGRID_KEY, secret(ProviderName.SENDGRID, "api_key"))
        sendgrid.addRow(texts.SENDGRID_REGION, self.sg_region)
        sendgrid.addRow(texts.SENDGRID_SUBUSER, self.sg_subuser)
        # Customers Mail Cloud
        self.cmc_server = QLineEdit(start.server_composition)
        self.cmc_cancel_api = QCheckBox(texts.CMC_CANCEL_API)
        self.cmc_cancel_api.setChecked(start.cmc_block_cancel_api)
        cmc_note = SentenceLabel(texts.CMC_CANCEL_NOTE)
        set_text_colour(cmc_note, "#7a5a00")
        cmc = QFormLayout()
        cmc.addRow(texts.CMC_USER, secret(ProviderName.CMC, "api_user"))
        cmc.addRow(texts.CMC_KEY, secret(ProviderName.CMC, "api_key"))
        cmc.addRow(texts.CMC_SERVER, self.cmc_server)
        cmc.addRow(self.cmc_cancel_api)
        cmc.addRow(cmc_note)
        # Infobip
        self.infobip_url = QLineEdit(
            start.base_url if start.provider is ProviderName.INFOBIP else ""
        )
        self.infobip_url.setPlaceholderText(texts.INFOBIP_URL_PLACEHOLDER)
        self.infobip_domains = QLineEdit(", ".join(start.infobip_domains))
        self.infobip_domains.setPlaceholderText(texts.INFOBIP_DOMAINS_PLACEHOLDER)
        infobip = QFormLayout()
        infobip.addRow(texts.INFOBIP_URL, self.infobip_url)
        infobip.addRow(texts.INFOBIP_KEY, secret(ProviderName.INFOBIP, "api_key"))
        infobip.addRow(texts.INFOBIP_DOMAINS, self.infobip_domains)
        # Amazon SES
        self.ses_region = QComboBox()
        self.ses_region.setEditable(True)
        self.ses_region.addItems([ses_region_shown(code) for code, _ in SES_REGIONS])
        self.ses_region.setCurrentText(
            ses_region_shown(
                start.region
                if start.provider is ProviderName.SES and start.region
                else SES_REGIONS[0][0]
            )
        )
        self.ses_chain = QRadioButton(texts.SES_CHAIN)
        self.ses_keys = QRadioButton(texts.SES_KEYS)
        self._ses_source = QButtonGroup(self)
        self._ses_source.addButton(self.ses_chain)
        self._ses_source.addButton(self.ses_keys)
        (self.ses_keys if start.aws_credentials == "keys" else self.ses_chain).setChecked(True)
        self.ses_profile = QLineEdit(start.aws_profile)
        self.ses_key_id = secret(ProviderName.SES, "access_key_id")
        self.ses_secret = secret(ProviderName.SES, "secret_access_key")
        self.ses_keys.toggled.connect(self._on_ses_source_toggled)
        ses = QFormLayout()
        ses.addRow(texts.SES_REGION, self.ses_region)
        ses.addRow(texts.SES_SOURCE, self.ses_chain)
        ses.addRow("", self.ses_keys)
        ses.addRow(texts.SES_PROFILE, self.ses_profile)
        ses.addRow(texts.SES_KEY_ID, self.ses_key_id)
        ses.addRow(texts.SES_SECRET, self.ses_secret)
        self._on_ses_source_toggled(self.ses_keys.isChecked())

        self.pages = QStackedWidget()
        self._page_of: dict[ProviderName, int] = {}
        for provider, form in (
            (ProviderName.SENDGRID, sendgrid),
            (ProviderName.CMC, cmc),
            (ProviderName.INFOBIP, infobip),
            (ProviderName.SES, ses),
        ):
            page = QWidget()
            page.setLayout(form)
            self._page_of[provider] = self.pages.addWidget(page)
        self.provider_combo.currentIndexChanged.connect(self._on_provider_changed)
        self._on_provider_changed()

        self.test_button = QPushButton(texts.TEST)
        self.test_button.clicked.connect(self._on_test_clicked)
        self.test_result = plain_label()
        self.test_result.setWordWrap(True)
        self.error_label = plain_label()
        set_text_colour(self.error_label, "#c62828")
        fixed_note = SentenceLabel(texts.NAME_FIXED)
        set_text_colour(fixed_note, "#555555")

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(texts.SAVE)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(texts.CANCEL)
        buttons.accepted.connect(self._on_save_clicked)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        self.save_error = plain_label()
        self.save_error.setWordWrap(True)
        self.save_error.setVisible(False)
        # Set by the flow: writes the typed secrets (off the GUI thread) when 保存 is clicked
        # and returns the keyring's refusal; None: the caller writes them afterwards.
        self.write_credentials: Callable[[], TodokuError | None] | None = None
        self.credentials_written = False
        self.saving = False

        head = QFormLayout()
        head.addRow(texts.PROVIDER, self.provider_combo)
        head.addRow(texts.NAME, self.name_edit)
        head.addRow(fixed_note)
        test_row = QHBoxLayout()
        test_row.addWidget(self.test_button)
        test_row.addWidget(self.test_result, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.pages)
        layout.addLayout(test_row)
        layout.addWidget(self.error_label)
        layout.addWidget(self.save_error)
        layout.addWidget(buttons)

    # -- outcome -------------------------------------------------------------------------

    @property
    def provider(self) -> ProviderName:
        return ProviderName(self.provider_combo.currentData())

    def result_account(self) -> Account:
        """The account as edited (nothing secret in it)."""
        provider = self.provider
        base = self._original or Account(self.name_edit.text().strip(), provider)
        values: dict[str, object] = {}
        if provider is ProviderName.SENDGRID:
            values = {
                "region": self.sg_region.currentData(),
                "subuser": self.sg_subuser.text().strip(),
            }
        elif provider is ProviderName.CMC:
            values = {
                "server_composition": self.cmc_server.text().strip(),
                "cmc_block_cancel_api": self.cmc_cancel_api.isChecked(),
            }
        elif provider is ProviderName.INFOBIP:
            domains = (d.strip() for d in self.infobip_domains.text().replace("、", ",").split(","))
            values = {
                "base_url": self.infobip_url.text().strip().rstrip("/"),
                "infobip_domains": tuple(d for d in domains if d),
            }
        else:
            values = {
                "region": ses_region_code(self.ses_region.currentText()),
                "aws_credentials": "keys" if self.ses_keys.isChecked() else "chain",
                "aws_profile": self.ses_profile.text().strip(),
            }
        return dataclasses.replace(base, **values)  # type: ignore[arg-type]

    def new_credentials(self) -> dict[str, str]:
        """Typed secrets only (empty fields keep what is saved)."""
        fields = self.secrets.get(self.provider, {})
        if self.provider is ProviderName.SES and not self.ses_keys.isChecked():
            return {}
        return {name: field.text() for name, field in fields.items() if field.text()}

    def problem(self) -> str:
        """What must be fixed before saving ("" when nothing)."""
        name = self.name_edit.text().strip()
        if not name:
            return texts.NAME_EMPTY
        if self._original is None and (name in self._taken or name == DEFAULT_ACCOUNT_NAME):
            return texts.NAME_TAKEN.format(name=name)
        account = self.result_account()
        required = {
            ProviderName.CMC: (account.server_composition, texts.CMC_SERVER),
            ProviderName.INFOBIP: (account.base_url, texts.INFOBIP_URL),
            ProviderName.SES: (account.region, texts.SES_REGION),
        }.get(self.provider)
        if required is not None and not required[0]:
            return texts.REQUIRED.format(field=required[1].rstrip(":"))
        if self.provider is ProviderName.INFOBIP:
            return infobip_url_problem(account.base_url)
        return ""

    # -- connection test -----------------------------------------------------------------

    def show_test_result(self, outcome: tuple[ListPermissions, ...] | TodokuError) -> None:
        self.test_button.setEnabled(True)
        show_test_outcome(self.test_result, outcome)

    @Slot()
    def _on_test_clicked(self) -> None:
        problem = self.problem() if self._original is None else ""
        if problem and problem not in (texts.NAME_EMPTY,):
            self.error_label.setText(problem)
            return
        if self._nothing_to_test_with():
            # Without one the test went to the real service and, after a dozen seconds of
            # retries, advised checking the internet connection.
            set_text_colour(self.test_result, "#c62828")
            self.test_result.setText(texts.TEST_NEEDS_TYPED)
            return
        account = self.result_account()
        if not account.name:  # a test needs no name: the keyring is not touched
            account = dataclasses.replace(account, name="（未保存）")
        self.test_button.setEnabled(False)
        set_text_colour(self.test_result, "#555555")
        self.test_result.setText(texts.TESTING)
        self.test_requested.emit(account, self.new_credentials())

    def _nothing_to_test_with(self) -> bool:
        if self.provider is ProviderName.SES and not self.ses_keys.isChecked():
            return False  # the standard AWS chain needs nothing here
        fields = self.secrets.get(self.provider, {}).values()
        return not any(field.text() or field.saved for field in fields)

    @Slot()
    def _on_save_clicked(self) -> None:
        problem = self.problem()
        self.error_label.setText(problem)
        if problem:
            return
        if self.write_credentials is not None:
            self._write_credentials(self.write_credentials)
            if not self.credentials_written:
                return
        self.accept()

    def _write_credentials(self, write: Callable[[], TodokuError | None]) -> None:
        """Write the typed secrets while the dialog waits (it keeps painting). The fields are
        held meanwhile: the account stored after the write must be the one whose secrets were
        written (a name changed mid-write would file them under another). On a refusal the
        dialog stays open with everything as typed, so 保存 can be pressed again."""
        held = [
            widget
            for widget in (self.provider_combo, self.name_edit, self.pages, self.test_button)
            if widget.isEnabled()
        ]
        for widget in held:
            widget.setEnabled(False)
        self.saving = True
        try:
            self.credentials_written = save_showing_progress(
                self.save_error, self.buttons, texts.SAVING_CREDENTIALS, write
            )
        finally:
            self.saving = False
            for widget in held:
                widget.setEnabled(True)

    def reject(self) -> None:
        if self.saving:  # the keyring write runs: the dialog closes when it has ended
            return
        super().reject()

    @Slot()
    def _on_provider_changed(self) -> None:
        self.pages.setCurrentIndex(self._page_of[self.provider])

    @Slot(bool)
    def _on_ses_source_toggled(self, keys: bool) -> None:
        for widget in (self.ses_key_id, self.ses_secret):
            widget.setEnabled(keys)
        self.ses_profile.setEnabled(not keys)
