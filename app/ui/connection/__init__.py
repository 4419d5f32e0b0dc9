"""Connection: practice or live account, the practice server, settings and 接続テスト."""
