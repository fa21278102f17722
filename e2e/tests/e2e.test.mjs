// Entry point: one node:test file (so one Chromium for the whole run) that pulls in every
// suite. Suites run in order; every test makes its own browser context.
//
//   BASE_URL=http://127.0.0.1:8080 SHOTS=out node --test tests/e2e.test.mjs
//
// A single suite can be run the same way: node --test tests/admin.suite.mjs

import './login.suite.mjs';
import './dashboard.suite.mjs';
import './admin.suite.mjs';
import './forbidden.suite.mjs';
import './language.suite.mjs';
import './templates.suite.mjs';
import './cases.suite.mjs';
import './rounds.suite.mjs';
import './results.suite.mjs';
import './actions.suite.mjs';
import './feedback.suite.mjs';
import './learning_audits.suite.mjs';
