// The bot challenge of a form (data-bot-challenge: a signed proof-of-work challenge from the
// server). Solved in the background as soon as the page loads, with altcha-lib's own solver and
// the browser's WebCrypto, so a person typing never waits; a submit before it is done waits for it.
import { solveChallenge } from '/assets/altcha/pow.js';
import { deriveKey } from '/assets/altcha/algorithms/web/pbkdf2.js';

for (const form of document.querySelectorAll('form[data-bot-challenge]')) {
  const field = form.querySelector('input[name="bot_solution"]');
  let challenge;
  try {
    challenge = JSON.parse(form.getAttribute('data-bot-challenge') || '');
  } catch {
    continue;
  }
  const solved = solveChallenge({ challenge, deriveKey }).then((solution) => {
    if (solution && field) field.value = btoa(JSON.stringify({ challenge, solution }));
    form.setAttribute('data-bot-challenge-state', solution ? 'solved' : 'failed');
  });
  let submitting = false;
  form.addEventListener('submit', (event) => {
    if (submitting || (field && field.value)) return;
    event.preventDefault();
    const submitter = event.submitter;
    solved.then(() => {
      submitting = true;
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
  });
}
