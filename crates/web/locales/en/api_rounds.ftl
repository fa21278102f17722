# api_rounds messages (en)
api-answers-conflict = Someone else changed some of these answers after you loaded them; see the list of conflicts. The other answers were saved.
api-answer-invalid = An answer cannot be saved; see the list of problems. Nothing was saved.
api-submit-incomplete = The review cannot be submitted yet; see the list of problems.
