// Passkey ceremonies of the hosted pages. The server renders each form with its options (a
// signed challenge) in data-options; this script asks the browser's authenticator, puts the
// answer into the form's hidden `response` field and submits the form like any other. Without
// WebAuthn (or without this script) the passkey controls stay hidden and nothing else changes.
// Uses @simplewebauthn/browser, served next to this file as /assets/webauthn.js.
(function () {
  'use strict';
  var lib = window.SimpleWebAuthnBrowser;
  if (!lib || !lib.browserSupportsWebAuthn()) return;

  function options(form) {
    try {
      return JSON.parse(form.getAttribute('data-options') || '');
    } catch (e) {
      return null;
    }
  }

  function submitWith(form, answer) {
    form.querySelector('input[name="response"]').value = JSON.stringify(answer);
    form.submit();
  }

  function showError(form, error) {
    var target = form.querySelector('[data-passkey-message]');
    if (!target) return;
    // The person closed the prompt or it timed out: say so in the page's words, not the browser's.
    var cancelled = error && (error.name === 'NotAllowedError' || error.name === 'AbortError');
    target.textContent = form.getAttribute(cancelled ? 'data-cancelled' : 'data-failed') || '';
    target.hidden = false;
  }

  function reveal(form) {
    var controls = form.querySelectorAll('[data-passkey-control]');
    for (var i = 0; i < controls.length; i++) controls[i].hidden = false;
  }

  /** Shows the form's passkey controls and runs `ceremony` (the options → the answer) from its button. */
  function wire(form, ceremony) {
    var optionsJSON = options(form);
    if (!optionsJSON) return null;
    reveal(form);
    var button = form.querySelector('button[data-passkey-start]');
    if (button) {
      button.addEventListener('click', function () {
        ceremony({ optionsJSON: optionsJSON }).then(function (answer) { submitWith(form, answer); }, function (error) { showError(form, error); });
      });
    }
    return optionsJSON;
  }

  // Sign-in (first factor or second factor): a button, and on the sign-in page also autofill.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-sign-in]'), function (form) {
    var optionsJSON = wire(form, lib.startAuthentication);
    if (!optionsJSON || !form.hasAttribute('data-autofill')) return;
    lib.browserSupportsWebAuthnAutofill().then(function (supported) {
      if (!supported) return;
      // Conditional mediation: the browser offers passkeys in the email field's suggestions.
      lib.startAuthentication({ optionsJSON: optionsJSON, useBrowserAutofill: true }).then(function (answer) { submitWith(form, answer); }, function () {});
    });
  });

  // Registration: a button; with data-auto-register, first a silent try (conditional create),
  // which the browser allows right after the person used its password manager to sign in.
  Array.prototype.forEach.call(document.querySelectorAll('form[data-passkey-register]'), function (form) {
    var optionsJSON = wire(form, lib.startRegistration);
    if (!optionsJSON || !form.hasAttribute('data-auto-register') || !window.PublicKeyCredential || !PublicKeyCredential.getClientCapabilities) return;
    PublicKeyCredential.getClientCapabilities().then(function (capabilities) {
      if (!capabilities || !capabilities.conditionalCreate) return;
      lib.startRegistration({ optionsJSON: optionsJSON, useAutoRegister: true }).then(function (answer) { submitWith(form, answer); }, function () {});
    }, function () {});
  });

  // Whether this device can hold a passkey, so the server may offer one after a password sign-in.
  var capable = document.querySelectorAll('input[name="passkey_capable"]');
  if (capable.length) {
    lib.platformAuthenticatorIsAvailable().then(function (available) {
      for (var i = 0; i < capable.length; i++) capable[i].value = available ? '1' : '0';
    });
  }

  // WebAuthn Signal API: tell the authenticator which passkeys still exist and the current name,
  // so deleted passkeys leave the person's device and renamed accounts show the new name.
  var signal = document.querySelector('[data-passkey-signal]');
  if (signal && lib.sendSignal) {
    var rpId = signal.getAttribute('data-rp-id');
    var userId = signal.getAttribute('data-user-id');
    var unknown = signal.getAttribute('data-unknown-credential');
    if (unknown) {
      lib.sendSignal({ signalName: 'unknownCredential', rpID: rpId, credentialID: unknown }).catch(function () {});
    } else if (userId) {
      var accepted = [];
      try {
        accepted = JSON.parse(signal.getAttribute('data-accepted') || '[]');
      } catch (e) {
        accepted = [];
      }
      var name = signal.getAttribute('data-name') || '';
      lib.sendSignal({ signalName: 'allAcceptedCredentials', rpID: rpId, userID: userId, allAcceptedCredentialIDs: accepted }).catch(function () {});
      lib.sendSignal({ signalName: 'currentUserDetails', rpID: rpId, userID: userId, userName: name, userDisplayName: name }).catch(function () {});
    }
  }
})();
