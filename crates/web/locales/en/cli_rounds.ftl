# cli_rounds messages (en)
