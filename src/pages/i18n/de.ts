// German catalogue. Typed as Catalogue, so a missing or extra key fails typecheck.
// Formal address ("Sie"), since tenants address customers they may not know.

import type { Catalogue } from './en.ts';

export const de: Catalogue = {
  // Layout
  'layout.skip': 'Zum Inhalt springen',
  'layout.language': 'Sprache',
  'layout.product': 'Frontdoor',

  // Forms
  'form.error_summary': 'Es gibt ein Problem',
  'form.error_prefix': 'Fehler:',
  'form.email': 'E-Mail-Adresse',
  'form.password': 'Passwort',
  'form.new_password': 'Neues Passwort',
  'form.password_hint': 'Mindestens {min} Zeichen und kein häufig verwendetes Passwort. Ein paar zufällige Wörter eignen sich gut.',

  // Notices shown after a redirect
  'notice.verified': 'Ihre E-Mail-Adresse ist bestätigt und Sie sind angemeldet.',
  'notice.password_reset': 'Ihr Passwort wurde geändert. Melden Sie sich mit dem neuen Passwort an.',
  'notice.signed_out': 'Sie wurden abgemeldet.',
  'notice.session_revoked': 'Das Gerät wurde abgemeldet.',
  'notice.app_revoked': 'Die App hat keinen Zugriff mehr auf Ihr Konto.',
  'notice.password_changed': 'Ihr Passwort wurde geändert.',
  'notice.verification_sent':
    'Falls Ihre Adresse noch bestätigt werden muss, haben wir Ihnen einen neuen Bestätigungslink geschickt.',

  // Sign in
  'login.title': 'Anmelden',
  'login.heading': 'Bei {tenant} anmelden',
  'login.submit': 'Anmelden',
  'login.continue_to': 'um mit {app} fortzufahren',
  'login.forgot': 'Passwort vergessen?',
  'login.no_account': 'Neu hier?',
  'login.register': 'Konto erstellen',
  'login.resend_text': 'Keine Bestätigungs-E-Mail erhalten, oder ist der Link abgelaufen?',
  'login.resend_submit': 'Neuen Bestätigungslink senden',

  // Registration
  'register.title': 'Konto erstellen',
  'register.heading': 'Ihr Konto bei {tenant} erstellen',
  'register.submit': 'Konto erstellen',
  'register.have_account': 'Sie haben schon ein Konto?',
  'register.sign_in': 'Anmelden',

  // Check your email
  'check_email.title': 'Bitte prüfen Sie Ihr Postfach',
  'check_email.registration':
    'Falls mit dieser Adresse ein neues Konto erstellt werden kann, haben wir einen Link zur Bestätigung geschickt. Falls Sie mit dieser Adresse schon ein Konto haben, haben wir eine E-Mail geschickt, die erklärt, wie Sie sich anmelden.',
  'check_email.reset_requested':
    'Falls es zu dieser Adresse ein Konto gibt, haben wir einen Link geschickt, mit dem Sie ein neues Passwort wählen können. Der Link funktioniert einmal und läuft nach 30 Minuten ab.',
  'check_email.verification_resent':
    'Falls diese Adresse zu einem Konto gehört, das noch bestätigt werden muss, haben wir einen neuen Bestätigungslink geschickt.',
  'check_email.spam':
    'Es kann ein paar Minuten dauern, bis die E-Mail ankommt. Falls Sie sie nicht finden, sehen Sie im Spam- oder Junk-Ordner nach.',
  'check_email.back': 'Zurück zur Anmeldung',

  // Email verification
  'verify.title': 'E-Mail-Adresse bestätigen',
  'verify.text':
    'Um zu bestätigen, dass diese Adresse Ihnen gehört, geben Sie das Passwort ein, das Sie bei der Registrierung gewählt haben.',
  'verify.password_wrong':
    'Das ist nicht das Passwort, das Sie bei der Registrierung gewählt haben. Prüfen Sie es und versuchen Sie es erneut.',
  'verify.submit': 'E-Mail-Adresse bestätigen',
  'verify_result.ok_title': 'E-Mail-Adresse bestätigt',
  'verify_result.ok_text': 'Vielen Dank. Ihre E-Mail-Adresse ist bestätigt.',
  'verify_result.failed_title': 'Dieser Link funktioniert nicht mehr',
  'verify_result.failed_text':
    'Der Bestätigungslink ist ungültig, abgelaufen oder wurde schon verwendet. Melden Sie sich an, um einen neuen Link anzufordern, oder suchen Sie nach einer neueren E-Mail von uns.',
  'verify_result.sign_in': 'Zur Anmeldung',

  // Forgot password
  'forgot.title': 'Passwort zurücksetzen',
  'forgot.text':
    'Geben Sie die E-Mail-Adresse Ihres Kontos ein. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort wählen können.',
  'forgot.submit': 'Link zum Zurücksetzen senden',
  'forgot.back': 'Zurück zur Anmeldung',

  // Reset password
  'reset.title': 'Neues Passwort wählen',
  'reset.text': 'Wählen Sie ein neues Passwort für Ihr Konto.',
  'reset.submit': 'Neues Passwort speichern',
  'reset_invalid.title': 'Dieser Link funktioniert nicht mehr',
  'reset_invalid.text':
    'Der Link ist abgelaufen oder wurde schon verwendet. Links zum Zurücksetzen funktionieren einmal und 30 Minuten lang.',
  'reset_invalid.again': 'Neuen Link anfordern',

  // Account
  'consent.title': 'Zugriff erlauben',
  'consent.heading': '{app} möchte auf Ihr Konto zugreifen',
  'consent.lead': 'Wenn Sie es erlauben, kann {app} Ihr {tenant}-Konto hierfür nutzen:',
  'consent.scope.openid': 'Erkennen, wer Sie sind, wenn Sie sich anmelden',
  'consent.scope.profile': 'Ihren Namen und Ihr Basisprofil',
  'consent.scope.email': 'Ihre E-Mail-Adresse',
  'consent.scope.phone': 'Ihre Telefonnummer',
  'consent.scope.address': 'Ihre Postanschrift',
  'consent.scope.offline_access': 'Verbunden bleiben, auch wenn Sie die Anwendung nicht nutzen',
  'consent.claim': 'Ihr Attribut {claim}',
  'consent.revoke_hint': 'Sie können dies jederzeit auf Ihrer Kontoseite widerrufen.',
  'consent.allow': 'Erlauben',
  'consent.deny': 'Ablehnen',
  'logout.title': 'Abmelden',
  'logout.heading': 'Abmelden?',
  'logout.lead': 'Möchten Sie sich von Ihrem Konto abmelden?',
  'logout.lead_app': '{app} möchte Sie von Ihrem Konto abmelden.',
  'logout.confirm': 'Abmelden',
  'logout.stay': 'Angemeldet bleiben',
  'logout.frontchannel': 'Sie sind abgemeldet. Wir geben Ihren Apps Bescheid.',
  'logout.continue': 'Weiter',
  'logout.done_heading': 'Sie sind abgemeldet',
  'logout.done': 'Sie wurden abgemeldet.',
  'logout.done_app': 'Sie wurden von {app} abgemeldet.',
  'device.title': 'Gerät verbinden',
  'device.heading': 'Gerät verbinden',
  'device.lead': 'Geben Sie den Code ein, den Ihr Gerät anzeigt.',
  'device.code': 'Code',
  'device.invalid': 'Dieser Code ist ungültig oder abgelaufen. Prüfen Sie den Code auf Ihrem Gerät.',
  'device.continue': 'Weiter',
  'device.confirm_heading': '{app} verbinden?',
  'device.confirm_lead': 'Prüfen Sie, ob Ihr Gerät diesen Code anzeigt. Fahren Sie nur fort, wenn Sie dies selbst gestartet haben.',
  'device.confirm': 'Verbinden',
  'device.abort': 'Abbrechen',
  'device.done_heading': 'Gerät verbunden',
  'device.done': '{app} ist jetzt verbunden. Sie können zu Ihrem Gerät zurückkehren.',
  'oidc_error.heading': 'Diese Anmeldeanfrage konnte nicht abgeschlossen werden',
  'oidc_error.lead': 'Die Anwendung hat eine ungültige Anfrage gesendet. Kehren Sie zu ihr zurück und versuchen Sie es erneut; wenn es wieder passiert, wenden Sie sich an ihren Support.',
  'account.title': 'Ihr Konto',
  'account.email': 'E-Mail-Adresse',
  'account.verified': 'Bestätigt',
  'account.unverified': 'Nicht bestätigt',
  'account.unverified_text': 'Bestätigen Sie Ihre Adresse, damit Sie Ihr Konto jederzeit wiederherstellen können.',
  'account.resend': 'Neuen Bestätigungslink senden',
  'account.sessions_heading': 'Wo Sie angemeldet sind',
  'account.sessions_text': 'Falls Sie ein Gerät nicht kennen, melden Sie es ab und ändern Sie Ihr Passwort.',
  'account.sessions_this_device': 'Dieses Gerät',
  'account.sessions_ip': 'IP-Adresse',
  'account.sessions_ip_unknown': 'Unbekannt',
  'account.sessions_signed_in': 'Angemeldet',
  'account.sessions_last_seen': 'Zuletzt aktiv',
  'account.sessions_revoke': 'Abmelden',
  'account.sessions_revoke_label': '{device} abmelden, angemeldet {time}',
  'account.sessions_empty': 'Keine aktiven Sitzungen.',
  'account.apps_heading': 'Apps mit Zugriff auf Ihr Konto',
  'account.apps_text': 'Wenn Sie den Zugriff entfernen, wird die App abgemeldet und muss Sie beim nächsten Mal erneut fragen.',
  'account.apps_since': 'Verbunden',
  'account.apps_revoke': 'Zugriff entfernen',
  'account.apps_revoke_label': 'Zugriff von {app} entfernen',
  'account.apps_empty': 'Keine App hat Zugriff auf Ihr Konto.',
  'account.password_heading': 'Passwort ändern',
  'account.password_current': 'Aktuelles Passwort',
  'account.password_current_wrong': 'Ihr aktuelles Passwort ist nicht korrekt. Prüfen Sie es und versuchen Sie es erneut.',
  'account.password_submit': 'Passwort ändern',
  'account.sign_out_heading': 'Abmelden',
  'account.sign_out_text': 'Melden Sie sich auf diesem Gerät von Ihrem Konto ab.',
  'account.sign_out_submit': 'Abmelden',

  // Error page
  'error_page.title_generic': 'Etwas ist schiefgegangen',
  'error_page.title_not_found': 'Seite nicht gefunden',
  'error_page.title_forbidden': 'Nicht erlaubt',
  'error_page.title_rate_limited': 'Zu viele Versuche',
  'error_page.title_server': 'Bei uns ist etwas schiefgegangen',
  'error_page.status': 'Fehler {status}',
  'error_page.sign_in': 'Zur Anmeldung',

  // Development mailbox
  'mailbox.title': 'Entwicklungs-Postfach',
  'mailbox.banner':
    'Nur für die Entwicklung. Diese Seite zeigt die ausgehende Mail-Warteschlange, damit Sie Links ohne SMTP-Server folgen können. Sie darf im Produktivbetrieb niemals erreichbar sein.',
  'mailbox.empty': 'Noch keine E-Mails.',
  'mailbox.to': 'An',
  'mailbox.queued': 'Eingereiht',
  'mailbox.status': 'Status',
  'mailbox.sent': 'Gesendet {time}',
  'mailbox.pending': 'Noch nicht gesendet',

  // Devices
  'device.unknown': 'Unbekanntes Gerät',
  'device.browser_on_os': '{browser} auf {os}',
  'device.a_browser': 'Browser',

  // Mail: shared
  'mail.greeting': 'Guten Tag,',
  'mail.link_fallback': 'Falls die Schaltfläche nicht funktioniert, kopieren Sie diesen Link in Ihren Browser:',
  'mail.signature': '— {tenant}',
  'mail.footer': 'Diese E-Mail wurde von {tenant} an {email} gesendet.',

  // Mail: verify_email
  'mail.verify_email.subject': 'Bestätigen Sie Ihre E-Mail-Adresse für {tenant}',
  'mail.verify_email.intro':
    'Bitte bestätigen Sie Ihre E-Mail-Adresse, um die Einrichtung Ihres Kontos bei {tenant} abzuschließen. Dabei werden Sie nach dem Passwort gefragt, das Sie bei der Registrierung gewählt haben.',
  'mail.verify_email.action': 'E-Mail-Adresse bestätigen',
  'mail.verify_email.expiry': 'Der Link läuft in {hours} Stunden ab.',
  'mail.verify_email.ignore': 'Falls Sie kein Konto erstellt haben, können Sie diese E-Mail ignorieren.',

  // Mail: reset_password
  'mail.reset_password.subject': 'Ihr Passwort bei {tenant} zurücksetzen',
  'mail.reset_password.intro':
    'Jemand, hoffentlich Sie, hat darum gebeten, das Passwort Ihres Kontos bei {tenant} zurückzusetzen.',
  'mail.reset_password.action': 'Neues Passwort wählen',
  'mail.reset_password.expiry': 'Der Link funktioniert einmal und läuft in {minutes} Minuten ab.',
  'mail.reset_password.ignore':
    'Falls Sie das nicht waren, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',

  // Mail: password_changed
  'mail.password_changed.subject': 'Ihr Passwort bei {tenant} wurde geändert',
  'mail.password_changed.intro': 'Das Passwort Ihres Kontos bei {tenant} wurde soeben geändert.',
  'mail.password_changed.ok': 'Falls Sie das waren, müssen Sie nichts weiter tun.',
  'mail.password_changed.not_you':
    'Falls Sie das nicht waren, setzen Sie Ihr Passwort sofort zurück und melden Sie Geräte ab, die Sie nicht kennen.',
  'mail.password_changed.action': 'Passwort zurücksetzen',

  // Mail: account_exists
  'mail.account_exists.subject': 'Sie haben bereits ein Konto bei {tenant}',
  'mail.account_exists.intro':
    'Jemand, hoffentlich Sie, wollte mit dieser E-Mail-Adresse ein Konto bei {tenant} erstellen. Sie haben bereits ein Konto, daher wurde kein neues angelegt.',
  'mail.account_exists.login': 'Anmelden',
  'mail.account_exists.reset': 'Passwort vergessen? Wählen Sie ein neues:',
  'mail.account_exists.ignore':
    'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren. An Ihrem Konto wurde nichts geändert.',

  // Mail: reset_unknown_account
  'mail.reset_unknown_account.subject': 'Anfrage zum Zurücksetzen des Passworts bei {tenant}',
  'mail.reset_unknown_account.intro':
    'Jemand, hoffentlich Sie, wollte das Passwort eines Kontos bei {tenant} für diese E-Mail-Adresse zurücksetzen, aber zu dieser Adresse gibt es kein Konto.',
  'mail.reset_unknown_account.hint':
    'Falls Sie ein Konto haben, haben Sie sich vielleicht mit einer anderen Adresse registriert.',
  'mail.reset_unknown_account.register': 'Konto erstellen',
  'mail.reset_unknown_account.ignore': 'Falls Sie das nicht waren, können Sie diese E-Mail ignorieren.',

  // Errors
  'error.request.invalid': 'Im Formular stimmt etwas nicht. Prüfen Sie Ihre Eingaben und versuchen Sie es erneut.',
  'error.request.too_large': 'Die Eingaben sind zu groß. Kürzen Sie sie und versuchen Sie es erneut.',
  'error.request.unsupported_media_type':
    'Das Formular wurde in einem Format gesendet, das wir nicht annehmen. Laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.request.not_found':
    'Diese Seite gibt es nicht. Prüfen Sie die Adresse oder beginnen Sie erneut auf der Anmeldeseite.',
  'error.request.csrf':
    'Dieses Formular ist abgelaufen oder wurde von einer anderen Website gesendet. Laden Sie die Seite neu und versuchen Sie es erneut.',
  'error.rate_limited': 'Zu viele Versuche. Warten Sie ein paar Minuten und versuchen Sie es dann erneut.',
  'error.server.busy': 'Wir sind gerade stark ausgelastet. Versuchen Sie es gleich noch einmal.',
  'error.server.error':
    'Bei uns ist etwas schiefgegangen. Versuchen Sie es gleich noch einmal; falls das Problem bleibt, wenden Sie sich an den Support.',
  'error.auth.unauthorized': 'Bitte melden Sie sich an, um fortzufahren.',
  'error.auth.forbidden': 'Dazu haben Sie keine Berechtigung.',
  'error.auth.invalid_credentials':
    'E-Mail-Adresse oder Passwort ist nicht korrekt. Prüfen Sie Ihre Eingaben und versuchen Sie es erneut, oder setzen Sie Ihr Passwort zurück.',
  'error.auth.account_disabled':
    'Mit diesem Konto ist keine Anmeldung möglich. Wenden Sie sich an den Support, falls Sie das für einen Fehler halten.',
  'error.auth.email_not_verified':
    'Bestätigen Sie Ihre E-Mail-Adresse, bevor Sie sich anmelden: Folgen Sie dem Link in der E-Mail, die wir Ihnen geschickt haben, oder fordern Sie einen neuen Link an.',
  'error.session.required': 'Ihre Sitzung ist beendet. Melden Sie sich erneut an, um fortzufahren.',
  'error.email.invalid': 'Geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@example.com.',
  'error.password.too_short':
    'Dieses Passwort ist zu kurz. Wählen Sie ein längeres; ein paar zufällige Wörter eignen sich gut.',
  'error.password.too_long': 'Dieses Passwort ist zu lang. Wählen Sie ein kürzeres.',
  'error.password.common':
    'Dieses Passwort steht auf einer Liste häufig verwendeter oder geleakter Passwörter und ist daher leicht zu erraten. Wählen Sie ein anderes.',
  'error.password.contains_email': 'Das Passwort darf Ihre E-Mail-Adresse nicht enthalten. Wählen Sie ein anderes.',
  'error.password.mismatch':
    'Die Passwörter stimmen nicht überein. Geben Sie in beiden Feldern dasselbe Passwort ein.',
  'error.token.invalid':
    'Dieser Link ist ungültig, abgelaufen oder wurde schon verwendet. Fordern Sie einen neuen an.',
  'error.tenant.not_found': 'Diese Anmeldeseite gibt es nicht. Prüfen Sie die Adresse, die Sie verwendet haben.',
  'error.tenant.exists': 'Einen Mandanten mit dieser ID gibt es bereits. Wählen Sie eine andere ID.',
  'error.app.not_found':
    'Die Anwendung, die Sie hierher geschickt hat, ist nicht bekannt. Kehren Sie zu ihr zurück und versuchen Sie es erneut.',
  'error.resource.not_found': 'Diese API-Ressource gibt es nicht.',
  'error.resource.exists': 'Eine API-Ressource mit dieser Kennung gibt es bereits.',
  'error.interaction.invalid': 'Diese Anmeldeanfrage ist abgelaufen oder wurde bereits abgeschlossen. Kehren Sie zur Anwendung zurück und beginnen Sie erneut.',
  'error.user.not_found': 'Diesen Benutzer gibt es nicht.',
  'error.user.exists': 'Zu dieser E-Mail-Adresse gibt es bereits ein Konto. Melden Sie sich stattdessen an.',
  'error.session.not_found': 'Diese Sitzung gibt es nicht mehr. Vielleicht wurde sie bereits abgemeldet.',
  'error.admin.setup_token_invalid':
    'Das Einrichtungstoken ist ungültig oder wurde schon verwendet. Erstellen Sie ein neues über die Kommandozeile.',
  'error.config.invalid': 'Der Server ist nicht richtig konfiguriert. Wenden Sie sich an den Administrator.',
  'error.mfa.required_by_policy': 'Ihre Organisation verlangt einen zweiten Anmeldeschritt, deshalb kann die Authenticator-App nicht ausgeschaltet werden. Sie können stattdessen neue Wiederherstellungscodes erstellen.',
  'mfa.setup_lead': 'Ihr Konto braucht einen zweiten Anmeldeschritt. Richten Sie eine Authenticator-App ein, um fortzufahren.',
  'recovery.continue': 'Weiter',
  'mail.mfa_reset.subject': 'Die Bestätigung in zwei Schritten wurde für Ihr {tenant}-Konto ausgeschaltet',
  'mail.mfa_reset.intro': 'Der Support hat die Bestätigung in zwei Schritten für Ihr {tenant}-Konto ausgeschaltet: Zum Anmelden genügt jetzt Ihr Passwort.',
  'mail.mfa_reset.ok': 'Wenn Sie darum gebeten haben, richten Sie Ihre Authenticator-App auf Ihrer Kontoseite neu ein.',
  'mail.mfa_reset.not_you': 'Wenn Sie nicht darum gebeten haben, setzen Sie jetzt Ihr Passwort zurück und wenden Sie sich an den Support.',
  'mail.mfa_reset.action': 'Passwort zurücksetzen',
  'mail.recovery_code_used.subject': 'Für Ihr {tenant}-Konto wurde ein Wiederherstellungscode verwendet',
  'mail.recovery_code_used.intro': 'Gerade hat sich jemand mit einem Ihrer Wiederherstellungscodes statt mit Ihrer Authenticator-App bei Ihrem {tenant}-Konto angemeldet.',
  'mail.recovery_code_used.ok': 'Wenn Sie das waren, richten Sie Ihre Authenticator-App auf Ihrer Kontoseite neu ein: Jeder Wiederherstellungscode funktioniert nur einmal.',
  'mail.recovery_code_used.not_you': 'Wenn Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück: Dabei werden alle Sitzungen abgemeldet.',
  'mail.recovery_code_used.action': 'Passwort zurücksetzen',
  'account.recovery_heading': 'Wiederherstellungscodes',
  'account.recovery_remaining': 'Noch {count} von 10 Wiederherstellungscodes. Mit jedem können Sie sich einmal ohne Ihre Authenticator-App anmelden.',
  'account.recovery_regenerate': 'Neue Codes erstellen',
  'account.recovery_regenerate_hint': 'Geben Sie einen aktuellen Code aus Ihrer App ein, um alle Wiederherstellungscodes zu ersetzen.',
  'recovery.title': 'Wiederherstellungscodes speichern',
  'recovery.lead': 'Wenn Sie Ihr Telefon verlieren, können Sie sich mit jedem dieser Codes einmal statt mit einem Code aus Ihrer App anmelden. Bewahren Sie sie sicher auf: Sie werden nur jetzt angezeigt.',
  'recovery.done': 'Ich habe sie gespeichert',
  'mfa.recovery_hint': 'Telefon verloren? Geben Sie stattdessen einen Ihrer Wiederherstellungscodes ein.',
  'mfa.title': 'Bestätigung in zwei Schritten',
  'mfa.lead': 'Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App ein.',
  'mfa.code': 'Code',
  'mfa.submit': 'Bestätigen',
  'mfa.start_over': 'Erneut anmelden',
  'account.totp_heading': 'Authenticator-App',
  'account.totp_on': 'Aktiv: Bei der Anmeldung wird ein Code aus Ihrer App abgefragt.',
  'account.totp_off': 'Schützen Sie die Anmeldung mit einem zweiten Schritt: einem Code aus einer Authenticator-App auf Ihrem Telefon.',
  'account.totp_setup': 'Einrichten',
  'account.totp_remove': 'Ausschalten',
  'account.totp_remove_hint': 'Geben Sie einen aktuellen Code aus Ihrer App ein, um sie auszuschalten.',
  'totp_setup.title': 'Authenticator-App einrichten',
  'totp_setup.scan': 'Scannen Sie diesen Code mit Ihrer Authenticator-App oder geben Sie den Schlüssel unten dort ein.',
  'totp_setup.qr_alt': 'QR-Code für Ihre Authenticator-App',
  'totp_setup.key': 'Schlüssel',
  'totp_setup.confirm': 'Geben Sie dann den Code ein, den Ihre App anzeigt.',
  'totp_setup.submit': 'Einschalten',
  'notice.totp_enabled': 'Ihre Authenticator-App ist eingerichtet.',
  'notice.totp_disabled': 'Ihre Authenticator-App ist ausgeschaltet.',
  'error.mfa.invalid_code': 'Dieser Code stimmt nicht. Prüfen Sie Ihre App und versuchen Sie es erneut.',
  'error.mfa.already_enrolled': 'Es ist bereits eine Authenticator-App eingerichtet.',
  'error.mfa.no_pending_enrollment': 'Beginnen Sie die Einrichtung erneut.',
  'error.mfa.flow_expired': 'Diese Anmeldung ist abgelaufen oder hatte zu viele falsche Codes. Bitte melden Sie sich erneut an.',
  'passkey.sign_in': 'Mit Passkey anmelden',
  'passkey.cancelled': 'Die Passkey-Abfrage wurde geschlossen. Versuchen Sie es erneut oder verwenden Sie Ihr Passwort.',
  'passkey.failed_js': 'Ihr Gerät konnte hier keinen Passkey verwenden.',
  'passkey.second_factor': 'Passkey verwenden',
  'passkey.second_factor_lead': 'Bestätigen Sie mit dem Passkey auf Ihrem Gerät oder Sicherheitsschlüssel, dass Sie es sind.',
  'account.passkeys_heading': 'Passkeys',
  'account.passkeys_text': 'Melden Sie sich mit Fingerabdruck, Gesicht oder Bildschirmsperre statt mit einem Passwort an. Ein Passkey kann weder abgefischt noch geleakt werden.',
  'account.passkeys_empty': 'Sie haben noch keine Passkeys.',
  'account.passkeys_add': 'Passkey hinzufügen',
  'account.passkeys_synced': 'Synchronisiert',
  'account.passkeys_device_bound': 'Nur dieses Gerät',
  'account.passkeys_created': 'Hinzugefügt',
  'account.passkeys_last_used': 'Zuletzt verwendet',
  'account.passkeys_never_used': 'Noch nicht',
  'account.passkeys_name': 'Name',
  'account.passkeys_rename': 'Umbenennen',
  'account.passkeys_rename_label': 'Passkey {name} umbenennen',
  'account.passkeys_remove': 'Entfernen',
  'account.passkeys_remove_label': 'Passkey {name} entfernen',
  'notice.passkey_added': 'Ihr Passkey ist eingerichtet. Melden Sie sich beim nächsten Mal damit an.',
  'notice.passkey_removed': 'Der Passkey wurde entfernt.',
  'notice.passkey_renamed': 'Der Passkey wurde umbenannt.',
  'passkey_offer.title': 'Beim nächsten Mal schneller anmelden',
  'passkey_offer.lead': 'Erstellen Sie einen Passkey auf diesem Gerät: Beim nächsten Mal melden Sie sich mit Fingerabdruck, Gesicht oder Bildschirmsperre an, ohne Passwort.',
  'passkey_offer.add': 'Passkey erstellen',
  'passkey_offer.continue': 'Weiter',
  'passkey_offer.skip': 'Nicht jetzt',
  'error.passkey.failed': 'Dieser Passkey konnte nicht geprüft werden. Bitte versuchen Sie es erneut.',
  'error.passkey.unknown_credential': 'Dieser Passkey ist hier nicht mehr registriert. Melden Sie sich anders an und fügen Sie dann einen neuen hinzu.',
  'error.passkey.not_allowed': 'Ihre Organisation erlaubt diese Art von Authenticator nicht.',
  'error.passkey.exists': 'Dieser Passkey ist bereits mit Ihrem Konto verbunden.',
  'error.passkey.not_found': 'Diesen Passkey gibt es nicht.',
  'error.passkey.disabled': 'Passkeys sind hier nicht verfügbar.',
  'mail.method_changed.subject': 'Ihre Anmeldung bei {tenant} wurde geändert',
  'mail.method_changed.passkey_added': 'Ihrem {tenant}-Konto wurde ein Passkey hinzugefügt. Er kann jetzt zur Anmeldung verwendet werden.',
  'mail.method_changed.passkey_removed': 'Aus Ihrem {tenant}-Konto wurde ein Passkey entfernt.',
  'mail.method_changed.totp_enabled': 'Für Ihr {tenant}-Konto wurde eine Authenticator-App eingerichtet: Die Anmeldung fragt jetzt nach einem Code daraus.',
  'mail.method_changed.totp_disabled': 'Die Authenticator-App Ihres {tenant}-Kontos wurde ausgeschaltet.',
  'mail.method_changed.not_you': 'Wenn Sie das nicht waren, setzen Sie jetzt Ihr Passwort zurück und prüfen Sie die Anmeldemethoden auf Ihrer Kontoseite.',
  'mail.method_changed.action': 'Passwort zurücksetzen',
  'mail.sign_in_code.subject': '{code} ist Ihr Anmeldecode für {tenant}',
  'mail.sign_in_code.intro': 'Ihr Code für die Anmeldung bei {tenant} lautet {code}. Geben Sie ihn auf der Seite ein, auf der Sie ihn angefordert haben.',
  'mail.sign_in_code.expiry': 'Der Code funktioniert einmal und {minutes} Minuten lang.',
  'mail.sign_in_code.action': 'Anmelden',
  'mail.sign_in_code.link_note': 'Oder verwenden Sie die Schaltfläche im selben Browser, innerhalb von {minutes} Minuten. Auf einem anderen Gerät geöffnet, zeigt sie stattdessen einen Code für das anfragende Gerät: Eine weitergeleitete Mail meldet niemand anderen an.',
  'mail.sign_in_code.ignore': 'Wenn Sie sich nicht anmelden wollten, ignorieren Sie diese Mail: Ohne den Code kann sich niemand anmelden.',
  'email_sign_in.request': 'Anmeldecode per E-Mail senden',
  'email_code.title': 'Prüfen Sie Ihre E-Mails',
  'email_code.lead': 'Wenn ein Konto diese Adresse verwendet, haben wir ihr einen 6-stelligen Code und einen Anmeldelink gesendet. Geben Sie den Code hier ein oder öffnen Sie den Link in diesem Browser.',
  'email_code.submit': 'Anmelden',
  'email_code.start_over': 'Andere Adresse verwenden oder neuen Code anfordern',
  'magic_link.title': 'Anmelden',
  'magic_link.lead': 'Weiter zur Anmeldung bei {tenant}.',
  'magic_link.submit': 'Anmelden',
  'magic_link.invalid_title': 'Dieser Link funktioniert nicht mehr',
  'magic_link.invalid_text': 'Anmeldelinks funktionieren einmal und nur kurze Zeit. Fordern Sie auf der Anmeldeseite einen neuen an.',
  'magic_link.other_device_title': 'Auf dem anderen Gerät abschließen',
  'magic_link.other_device_lead': 'Dieser Link wurde in einem anderen Browser geöffnet als dem, der die Anmeldung angefordert hat, deshalb ist hier niemand angemeldet. Um sich dort anzumelden, geben Sie diesen Code auf jenem Gerät ein:',
  'magic_link.other_device_note': 'Der Code gilt 10 Minuten. Wenn Sie sich nicht anmelden wollten, ignorieren Sie ihn.',
  'continue.title': 'Sie werden angemeldet',
  'continue.link': 'Weiter',
  'error.email_code.invalid': 'Dieser Code stimmt nicht. Prüfen Sie die neueste Mail und versuchen Sie es erneut.',
  'error.email_code.expired': 'Dieser Code ist abgelaufen oder wurde zu oft falsch eingegeben. Fordern Sie einen neuen an.',
  'error.email_sign_in.disabled': 'Die Anmeldung per E-Mail ist hier nicht verfügbar.',
};
