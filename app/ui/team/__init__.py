"""共有データベース (team mode, issue 18): settings, 接続テスト, moving the records of this PC."""
