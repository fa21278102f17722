# cli_rounds messages (da)
