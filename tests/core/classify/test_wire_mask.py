"""What may travel to an LLM endpoint: wire_template's extra masking on top of the template."""

from __future__ import annotations

from app.core.classify.wire_mask import wire_template


def test_ip_inside_a_kept_help_url_is_masked() -> None:
    text = "554 blocked; see https://www.spamhaus.org/query/ip/149.72.1.2 and [2001:db8::25]"
    masked = wire_template(text)
    assert "149.72" not in masked and "2001:db8" not in masked
    assert "https://www.spamhaus.org/query/ip/<ip>" in masked


def test_personal_names_with_honorifics_go_generic_forms_of_address_stay() -> None:
    masked = wire_template(
        "山田太郎様、佐藤 さん、ヤマダ殿へ。お客様、皆様、ご担当者様、同様の仕様です"
    )
    assert "山田" not in masked and "佐藤" not in masked and "ヤマダ" not in masked
    assert masked.count("<name>") == 3
    for kept in ("お客様", "皆様", "ご担当者様", "同様", "仕様"):
        assert kept in masked


def test_exchange_organisation_is_masked_and_diagnostic_ids_are_kept() -> None:
    masked = wire_template(
        "#550 5.1.1 RESOLVER.ADR.RecipNotFound; MSEXCH:IMS:Neko Trading:Site1:EX01 0 (000C05A6) "
        "Unknown ## 550 5.7.606 banned sending IP AS(201806281) (S3150) OFR004_104 RP-001"
    )
    assert "Neko" not in masked and "Site1" not in masked and "EX01" not in masked
    assert "MSEXCH:IMS:<org>" in masked
    for kept in ("RESOLVER.ADR.RecipNotFound", "AS(201806281)", "(S3150)", "OFR004_104", "RP-001"):
        assert kept in masked


def test_text_that_already_contains_our_marks_is_masked_without_keeping_ids() -> None:
    masked = wire_template("550 zqkeepazq AS(12345) sent by 192.0.2.7")
    assert "192.0.2.7" not in masked


def test_spaced_and_romaji_names_with_honorifics_are_masked_whole() -> None:
    masked = wire_template(
        "550 5.2.0 鈴木 一郎 様、高橋　花子さん、Tanaka-san、Taro Yamada-sama。受信者 佐藤様。"
        "ご担当者 様、お客様 各位"
    )
    for secret in ("鈴木", "一郎", "高橋", "花子", "Tanaka", "Taro", "Yamada", "佐藤"):
        assert secret not in masked
    assert masked.count("<name>") == 5
    for kept in ("受信者 <name>様", "ご担当者 様", "お客様 各位"):
        assert kept in masked
