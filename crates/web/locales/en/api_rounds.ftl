# api_rounds messages (en)
