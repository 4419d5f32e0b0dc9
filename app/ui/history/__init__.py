"""取得履歴 in the window: incremental fetch marks, 再発, 推移, 月次レポート, history settings."""
