"""Region names as the reports print them (no imports: export and history both use it)."""

from __future__ import annotations

# SendGrid's two regions in the words of the settings screen; another provider's region (an AWS
# region such as ap-northeast-1) is a name the operator typed and is shown as it is.
_REGION_LABELS_JA = {"global": "グローバル", "eu": "EU"}


def region_label_ja(region: str) -> str:
    """The region as reports print it: 「グローバル」, 「EU」, or the provider's own name."""
    return _REGION_LABELS_JA.get(region.strip().lower(), region)
