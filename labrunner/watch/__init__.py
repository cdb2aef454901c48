"""``inv lab.watch``: re-run and re-check the workspace file on every save."""
