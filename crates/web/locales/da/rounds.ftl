# rounds messages (da)
