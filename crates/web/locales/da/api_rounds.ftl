# api_rounds messages (da)
