"""削除: the delete controller, its bar, confirmation, result and history dialogs."""
