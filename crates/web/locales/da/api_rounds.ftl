# api_rounds messages (da)
api-answers-conflict = Nogle af svarene er ændret af en anden, efter du hentede dem; se listen over konflikter. De øvrige svar er gemt.
api-answer-invalid = Et svar kan ikke gemmes; se listen over problemer. Intet er gemt.
api-submit-incomplete = Målingen kan ikke afleveres endnu; se listen over problemer.
