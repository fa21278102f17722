# rounds messages (en)
