# kiwi – deutsche Texte. Jede sichtbare Zeichenkette steht hier und in en.ftl.

## Rahmen
skip-to-content = Zum Inhalt springen
brand-tagline = KI-Wissen für die Verwaltung
switch-language = English
nav-label = Hauptnavigation
nav-home = Mein Lernstand
nav-team = Mein Team
nav-hr = Personal
nav-admin = Verwaltung
nav-profile = Mein Profil
signed-in-as = Angemeldet als { $name }
sign-out = Abmelden
footer-text = kiwi – KI-Kompetenz nach Artikel 4 der KI-Verordnung, selbst betrieben.
save = Speichern

## Fehler
error-summary-title = Bitte prüfen Sie Ihre Eingaben
error-title = { $status ->
    [409] Nicht möglich
    [404] Seite nicht gefunden
    [403] Kein Zugriff
    [429] Zu viele Anfragen
    [400] Ungültige Anfrage
   *[other] Ein Fehler ist aufgetreten
}
error-404 = Diese Seite gibt es nicht. Vielleicht ist der Link veraltet.
error-403 = Sie haben keinen Zugriff auf diese Seite, oder das Formular ist abgelaufen. Laden Sie die vorige Seite neu und versuchen Sie es noch einmal.
error-429 = Zu viele Anfragen in kurzer Zeit. Bitte warten Sie einen Moment.
error-400 = Die Anfrage war unvollständig oder fehlerhaft.
error-500 = Etwas ist schiefgegangen. Bitte versuchen Sie es später noch einmal. Der Fehler wurde protokolliert.
error-back-home = Zur Startseite
error-required = Bitte füllen Sie dieses Feld aus.
error-too-long = Dieser Text ist zu lang.
error-control-characters = Bitte ohne Zeilenumbruch, Tabulator oder andere Steuerzeichen.
error-email = Bitte geben Sie eine gültige E-Mail-Adresse ein, zum Beispiel name@stadt.de.
error-password-length = Das Passwort muss mindestens 12 Zeichen lang sein.
error-password-repeat = Die beiden Passwörter stimmen nicht überein.
error-current-password = Das aktuelle Passwort ist nicht richtig.

## Felder
field-email = E-Mail-Adresse
field-password = Passwort
field-name = Name
field-personnel-number = Personalnummer
field-org-unit = Organisationseinheit
field-roles = Rollen
field-status = Status
field-language = Sprache
field-current-password = Aktuelles Passwort
field-new-password = Neues Passwort
field-new-password-repeat = Neues Passwort wiederholen
password-hint = Mindestens 12 Zeichen. Ein langer Satz ist leichter zu merken als ein kurzes, kompliziertes Passwort.
role-employee = Mitarbeitende
role-manager = Führungskraft
role-hr = Personal
role-admin = Administration
status-active = aktiv
status-left = ausgeschieden

## Anmeldung
sign-in-title = Anmelden
sign-in-submit = Anmelden
sign-in-failed = E-Mail-Adresse oder Passwort ist falsch.
sign-in-throttled = Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut.
sign-in-signed-out = Sie haben sich abgemeldet.
sign-in-passwords-off = Die Anmeldung mit Passwort ist abgeschaltet.
sign-in-passwords-off-note = Die Anmeldung mit Passwort ist abgeschaltet.
sign-in-administrators-only = Mit Passwort melden sich hier nur Administratorinnen und Administratoren an. Bitte nutzen Sie die Anmeldung mit Ihrem Dienstkonto.
sign-in-administrators-summary = Anmeldung mit Passwort (nur Administration)
sign-in-oidc = Mit Dienstkonto anmelden
sign-in-or-password = Oder mit E-Mail-Adresse und kiwi-Passwort:
sso-failed-title = Anmeldung nicht möglich
sso-failed = Die Anmeldung über das Dienstkonto ist fehlgeschlagen. Bitte versuchen Sie es noch einmal. Bleibt der Fehler, wenden Sie sich an die IT.
sso-expired = Diese Anmeldung ist abgelaufen oder wurde schon verwendet. Bitte beginnen Sie die Anmeldung noch einmal.
sso-denied = Der Anmeldedienst hat die Anmeldung abgebrochen oder abgelehnt.
sso-unavailable = Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es in einigen Minuten noch einmal.
sso-unknown-person = Ihr Konto ist in kiwi noch nicht angelegt. Die Personalabteilung legt alle Beschäftigten in kiwi an; sobald Sie angelegt sind, melden Sie sich mit Ihrem Dienstkonto an.
sso-unknown-contact = Ansprechpartner
sso-back-to-sign-in = Zurück zur Anmeldung

## Einrichtung
setup-title = kiwi einrichten
setup-intro = Legen Sie das erste Administrationskonto an. Dieser Link funktioniert nur einmal.
setup-submit = Administrationskonto anlegen

## Zweiter Faktor
second-factor-title = Anmeldung bestätigen
second-factor-intro = Ihr Passwort stimmt. Geben Sie jetzt den sechsstelligen Code aus Ihrer Authenticator-App ein.
second-factor-code = Code
second-factor-code-hint = Sechs Ziffern aus der App oder einer Ihrer Wiederherstellungscodes.
second-factor-submit = Bestätigen
second-factor-lost = Kein Zugriff auf die App und keine Wiederherstellungscodes mehr? Die Administration kann Ihren zweiten Faktor zurücksetzen.
second-factor-wrong-code = Dieser Code ist falsch oder wurde schon benutzt.
second-factor-throttled = Zu viele falsche Codes. Bitte warten Sie einige Minuten und versuchen Sie es dann erneut.
second-factor-expired = Die Anmeldung ist abgelaufen. Bitte melden Sie sich noch einmal an.
second-factor-enrol-title = Zweiten Faktor einrichten
second-factor-enrol-intro = Zu Ihrem Passwort kommt ein Code aus einer Authenticator-App auf Ihrem Handy. So bleibt Ihr Konto geschützt, auch wenn jemand Ihr Passwort kennt.
second-factor-enrol-app = Öffnen Sie eine Authenticator-App (zum Beispiel die Ihrer Verwaltung, FreeOTP, Microsoft oder Google Authenticator).
second-factor-enrol-scan = Fügen Sie ein Konto hinzu und scannen Sie diesen QR-Code.
second-factor-enrol-qr-caption = QR-Code für Ihre Authenticator-App
second-factor-enrol-secret = Ohne Kamera geben Sie diesen Schlüssel von Hand ein (zeitbasiert, sechs Ziffern, 30 Sekunden):
second-factor-enrol-confirm = Geben Sie zur Bestätigung den Code ein, den die App jetzt zeigt.
second-factor-enrol-code = Code aus der App
second-factor-enrol-submit = Einrichten
recovery-codes-title = Ihre Wiederherstellungscodes
recovery-codes-done = Ihr zweiter Faktor ist eingerichtet.
recovery-codes-intro = Mit diesen Codes melden Sie sich an, wenn Sie Ihr Handy nicht zur Hand haben. Drucken Sie sie aus oder bewahren Sie sie an einem sicheren Ort auf. kiwi zeigt sie nur dieses eine Mal.
recovery-codes-once = Jeder Code funktioniert nur einmal. Wenn Sie den zweiten Faktor neu einrichten, gelten diese Codes nicht mehr.
recovery-codes-continue = Weiter
second-factor-reset-title = Zweiten Faktor zurücksetzen
second-factor-reset-intro = Hat jemand sein Handy und seine Wiederherstellungscodes verloren, entfernen Sie hier den zweiten Faktor. Alle Anmeldungen der Person enden; bei der nächsten Anmeldung richtet sie einen neuen ein. Das Zurücksetzen wird protokolliert.
second-factor-reset-person = E-Mail-Adresse oder Personalnummer
second-factor-reset-submit = Zurücksetzen
second-factor-reset-done = Der zweite Faktor von { $name } ist zurückgesetzt.
second-factor-reset-unknown = Niemand hat diese E-Mail-Adresse oder Personalnummer.
second-factor-reset-none = Diese Person hat keinen zweiten Faktor eingerichtet.
profile-second-factor = Zweiter Faktor
profile-second-factor-on = Eingerichtet am { $date }.
profile-second-factor-codes = { $count ->
    [0] Sie haben keine Wiederherstellungscodes mehr. Richten Sie den zweiten Faktor neu ein, um neue zu erhalten.
    [one] Sie haben noch einen Wiederherstellungscode.
   *[other] Sie haben noch { $count } Wiederherstellungscodes.
}
profile-second-factor-replace = Neu einrichten (neues Handy, neue Wiederherstellungscodes)
profile-second-factor-required = Für Ihre Rolle ist ein zweiter Faktor vorgeschrieben. Sie richten ihn bei der nächsten Anmeldung ein oder jetzt.
profile-second-factor-off = Schützen Sie Ihr Konto zusätzlich mit einem Code aus einer Authenticator-App.
profile-second-factor-set-up = Zweiten Faktor einrichten

## Startseite
home-title = Mein Lernstand
home-greeting = Willkommen, { $name }!
home-courses-heading = Meine Kurse
home-no-courses = Hier erscheinen bald Ihre Kurse zu KI, Datenschutz und den Nutzungsregeln der Verwaltung.
home-org-unit = Ihre Organisationseinheit: { $unit }

## Profil
profile-title = Mein Profil
profile-about = Meine Angaben
profile-language = Sprache
profile-change-password = Passwort ändern
profile-change-password-submit = Passwort ändern
profile-password-changed = Ihr Passwort wurde geändert. Alle anderen Anmeldungen wurden beendet.

## Team
team-title = Mein Team

## Verwaltung
admin-title = Verwaltung
admin-people = { $count ->
    [one] Eine Person
   *[other] { $count } Personen
}
admin-search = Suche nach Name, E-Mail oder Personalnummer
admin-search-submit = Suchen
admin-units = Organisationseinheiten
admin-unit-members = Aktive Personen
admin-access-confirmed = Zugangsprüfung: Berechtigungen vor { $seconds } s bestätigt (Grenze { $bound } s).
admin-access-unconfirmed = Zugangsprüfung gesperrt: Diese Instanz konnte die Berechtigungen länger als { $bound } s nicht bestätigen. KI-Werkzeuge erhalten Status 503, bis die Datenbank wieder antwortet.
admin-access-last-confirmed = Zuletzt bestätigt vor { $seconds } s.
pagination-label = Seiten
pagination-previous = Vorige Seite
pagination-next = Nächste Seite
pagination-position = Seite { $page } von { $pages }

## Personal
hr-title = Personal
hr-summary = In kiwi sind { $people } Personen in { $units } Organisationseinheiten eingetragen.
import-heading = Personal importieren
import-help = Laden Sie eine CSV-Datei aus den Personalstammdaten hoch (UTF-8, getrennt durch Komma oder Semikolon). Die Spalte org_unit enthält den Pfad der Einheit mit „ / “ zwischen den Ebenen, die Spalte roles die Rollen manager, hr oder admin, getrennt durch „;“. Enthält eine Zeile einen Fehler, wird nichts importiert.
import-file = CSV-Datei
import-mark-missing = Personen, die nicht in der Datei stehen, als ausgeschieden markieren
import-submit = Importieren
import-done = Import abgeschlossen
import-created = Neu angelegt: { $count }
import-updated = Geändert: { $count }
import-unchanged = Unverändert: { $count }
import-marked-left = Als ausgeschieden markiert: { $count }
import-failed = Nichts wurde importiert
import-row-errors = { $count ->
    [one] Eine Zeile ist fehlerhaft. Bitte korrigieren Sie sie und laden Sie die Datei erneut hoch.
   *[other] { $count } Fehler gefunden. Bitte korrigieren Sie die Zeilen und laden Sie die Datei erneut hoch.
}
import-row = Zeile { $row }
import-empty = Die Datei ist leer.
import-missing-columns = In der Kopfzeile fehlen die Spalten: { $columns }
import-unknown-columns = Die Kopfzeile enthält unbekannte Spalten: { $columns }
import-no-admin-left = Nach diesem Import gäbe es keine aktive Administration mehr.
import-row-unreadable = Die Zeile lässt sich nicht lesen (Anführungszeichen oder Kodierung prüfen).
import-row-empty-personnel-number = Die Personalnummer fehlt.
import-row-empty-name = Der Name fehlt.
import-row-name-too-long = Der Name ist länger als { $max } Zeichen.
import-row-name-control-characters = Der Name enthält einen Zeilenumbruch, einen Tabulator oder ein anderes Steuerzeichen (in Excel entsteht ein Zeilenumbruch mit Alt+Eingabe).
import-row-bad-personnel-number = Die Personalnummer enthält Steuerzeichen oder ist länger als 64 Zeichen.
import-row-may-not-grant-admin = Nur eine Administratorin oder ein Administrator darf die Rolle „admin“ vergeben.
import-row-may-not-change-admin = Diese Person ist Administratorin oder Administrator: Nur eine Administratorin oder ein Administrator darf sie ändern.
import-row-bad-email = „{ $value }“ ist keine gültige E-Mail-Adresse.
import-row-bad-org-unit = „{ $value }“ ist kein gültiger Pfad einer Organisationseinheit.
import-row-unknown-role = Unbekannte Rolle „{ $value }“ (erlaubt: employee, manager, hr, admin).
import-row-duplicate-personnel-number = Die Personalnummer steht schon in Zeile { $first_row }.
import-row-duplicate-email = Die E-Mail-Adresse steht schon in Zeile { $first_row }.
import-row-email-taken = Die E-Mail-Adresse gehört bereits der Person mit der Personalnummer { $personnel_number }.

## Kurse
nav-courses = Kurse
catalog-title = Kurse
catalog-intro = Alle Kurse zu KI in der Verwaltung. Sie lernen in Ihrem Tempo und können jederzeit unterbrechen: kiwi merkt sich, wo Sie stehen.
breadcrumbs-label = Sie sind hier
status-completed = abgeschlossen
status-in-progress = begonnen
status-not-started = noch nicht begonnen
course-modules-done = { $done } von { $total } Modulen erledigt
course-minutes = etwa { $minutes } Minuten
course-version = Fassung { $version }
course-start = Kurs beginnen
course-resume = Weiterlernen
course-all-done = Sie haben alle Module dieses Kurses abgeschlossen.
course-modules = Module
module-with-quiz = mit Quiz
module-completed = erledigt
module-open = offen
module-position = Modul { $number } von { $count }
module-objectives = Lernziele
module-next-step = Wie geht es weiter?
module-quiz-intro = Prüfen Sie Ihr Wissen mit { $questions ->
    [one] einer Frage
   *[other] { $questions } Fragen
}. Sie haben so viel Zeit, wie Sie brauchen.
module-quiz-start = Quiz starten
module-quiz-again = Quiz noch einmal machen
module-confirm-read = Gelesen – Modul abschließen
module-previous = Voriges Modul
module-next = Nächstes Modul

## Quiz
quiz-title = Quiz
quiz-result-title = Ergebnis
quiz-intro = Beantworten Sie alle Fragen. Zum Bestehen brauchen Sie { $pass } Prozent. Es gibt kein Zeitlimit.
quiz-question-number = Frage { $number }:
quiz-multiple = mehrere Antworten sind richtig
quiz-answer-missing = Bitte beantworten Sie diese Frage.
quiz-submit = Antworten abgeben
quiz-passed = Bestanden
quiz-failed = Nicht bestanden
quiz-score = Sie haben { $score } Prozent erreicht; zum Bestehen sind { $pass } Prozent nötig.
quiz-continue = Weiter
quiz-back-to-lesson = Zurück zum Modul und noch einmal versuchen
quiz-review = Ihre Antworten
quiz-answer-right = Richtig beantwortet
quiz-answer-wrong = Nicht richtig beantwortet
quiz-your-choice = Ihre Wahl
quiz-correct-option = richtig
quiz-explanation = Erklärung
quiz-no-attempts-left = Für dieses Modul sind keine weiteren Versuche möglich. Bitte wenden Sie sich an Ihre Führungskraft oder das Personalteam.
quiz-cooling-down = Der nächste Versuch ist ab { $value } Uhr möglich. Nutzen Sie die Zeit, um das Modul noch einmal zu lesen.
quiz-outdated = Der Kurs wurde inzwischen überarbeitet. Bitte starten Sie das Quiz neu.
error-409 = Das ist gerade nicht möglich.

## Zertifikate
nav-certificates = Zertifikate
certificates-title = Meine Zertifikate
certificates-intro = Wenn Sie alle Module eines Kurses abgeschlossen haben, erhalten Sie ein Zertifikat. Es öffnet Ihnen die KI-Werkzeuge, die den Kurs voraussetzen.
certificates-none = Sie haben noch kein Zertifikat. Schließen Sie einen Kurs ab, um eines zu erhalten:
certificate-title = Zertifikat
certificate-course = Kurs
certificate-status = Status
certificate-issued = Ausgestellt am
certificate-valid-from = Gültig ab
certificate-valid-until = Gültig bis
certificate-serial = Zertifikatsnummer
certificate-version = Fassung
certificate-holder = Inhaberin oder Inhaber
certificate-holder-text = { $name } hat diesen Kurs erfolgreich abgeschlossen.
certificate-revoke-reason = Grund des Widerrufs
certificate-verify-hint = Jede Person kann dieses Zertifikat hier prüfen:
certificate-status-valid = gültig
certificate-status-upcoming = gilt ab dem Ende des vorigen Zertifikats
certificate-status-expired = abgelaufen
certificate-status-revoked = widerrufen
verify-title = Zertifikat prüfen
verify-unknown = Es gibt kein Zertifikat mit der Nummer { $serial }.
revoke-title = Zertifikat widerrufen
revoke-intro = Ein widerrufenes Zertifikat gilt sofort nicht mehr; KI-Werkzeuge, die es voraussetzen, schließen sich. Der Grund wird gespeichert.
revoke-link = Zum Formular für den Widerruf
revoke-submit = Widerrufen
revoke-done = Das Zertifikat { $serial } ({ $course }) ist widerrufen.
revoke-unknown-serial = Es gibt kein Zertifikat mit dieser Nummer.
revoke-already-revoked = Dieses Zertifikat ist bereits widerrufen.

## KI-Werkzeuge
nav-tools = KI-Werkzeuge
tools-title = Meine KI-Werkzeuge
tools-intro = Diese KI-Werkzeuge stellt die Verwaltung bereit. Sie öffnen sich, sobald Sie die nötigen Kurse abgeschlossen und die Nutzungsregeln bestätigt haben.
tools-none = Es sind keine KI-Werkzeuge eingetragen.
tools-allowed = Sie dürfen dieses Werkzeug nutzen.
tools-valid-until = Ihre Freigabe gilt bis { $date }.
tools-open = { $name } öffnen
tools-locked = Noch gesperrt. Dafür fehlt:
tools-missing-course = der Kurs „{ $course }“
tools-missing-expired = ein neues Zertifikat für „{ $course }“ (das bisherige ist abgelaufen)
tools-missing-policy = Ihre Bestätigung der aktuellen Nutzungsregeln
tools-missing-account = ein aktives Konto
tools-unconfirmed = kiwi kann Ihren Zugang gerade nicht bestätigen. Die KI-Werkzeuge bleiben so lange gesperrt; bitte versuchen Sie es in einigen Sekunden erneut.
tools-unconfirmed-tool = Zugang derzeit nicht bestätigt.
tools-code-expired = Der Anmeldelink für { $name } war abgelaufen oder schon benutzt. Bitte öffnen Sie das Werkzeug noch einmal.
sign-out-title = Abmelden
sign-out-question = Möchten Sie sich von kiwi abmelden? Damit schließen sich auch alle KI-Werkzeuge, die Sie über kiwi geöffnet haben.
tools-back = Alle KI-Werkzeuge
tools-come-back = Sobald alles erledigt ist, öffnet „{ $name } öffnen“ das Werkzeug genau dort, wo Sie hinwollten.
policy-version = Fassung { $version }
policy-effective = gilt ab { $date }
policy-acknowledge-heading = Nutzungsregeln bestätigen
policy-acknowledge-text = Mit Ihrer Bestätigung erklären Sie, dass Sie die Nutzungsregeln gelesen haben und sie bei der Arbeit mit KI-Werkzeugen einhalten.
policy-acknowledge-submit = Gelesen und verstanden
policy-acknowledged = Sie haben die Fassung { $version } bestätigt.

## Schlüssel
keys-title = API-Schlüssel der KI-Werkzeuge
keys-intro = Mit einem Schlüssel fragt ein KI-Werkzeug bei kiwi, ob eine Person es nutzen darf. Neue Schlüssel erzeugt die IT auf dem Server; kiwi zeigt einen Schlüssel nur einmal an und speichert nur seinen Hashwert.
keys-tool = Werkzeug
keys-prefix = Schlüssel beginnt mit
keys-created = Erzeugt am
keys-active = aktiv
keys-revoked = widerrufen
keys-revoke = Widerrufen
keys-none = Es gibt noch keine Schlüssel.
certificate-download = Als PDF herunterladen
pdf-confirms = Hiermit wird bestätigt, dass
pdf-completed = den Kurs
pdf-version = in der Fassung { $version } erfolgreich abgeschlossen hat.
admin-no-results = Niemand passt zu dieser Suche.

## Barrierefreiheit
accessibility-title = Erklärung zur Barrierefreiheit
accessibility-intro = { $organisation } ist bemüht, kiwi im Einklang mit der Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) barrierefrei zugänglich zu machen. Diese Erklärung gilt für die Lernplattform kiwi.
accessibility-status-heading = Stand der Vereinbarkeit mit den Anforderungen
accessibility-status = kiwi soll die Anforderungen der WCAG 2.1 auf Stufe AA erfüllen. Jede Seite wird bei jeder Änderung automatisch in einem echten Browser geprüft: mit axe-core auf die Regeln der WCAG 2.1 A und AA, mit der Tastatur allein auf die wichtigsten Abläufe (Anmelden, Kurs, Quiz, Zertifikat, Team) und bei 320 Pixel Breite auf Darstellung ohne seitliches Scrollen. Die Seiten funktionieren ohne JavaScript.
accessibility-limits-heading = Bekannte Einschränkungen
accessibility-limits = Die Zertifikate als PDF sind noch nicht als barrierefreies PDF (PDF/UA) ausgezeichnet; alle Angaben daraus stehen auch auf der Zertifikatsseite und der öffentlichen Prüfseite.
accessibility-feedback-heading = Feedback und Kontakt
accessibility-feedback = Sind Ihnen Mängel beim barrierefreien Zugang aufgefallen? Oder brauchen Sie Inhalte in einer anderen Form? Schreiben Sie uns:
accessibility-enforcement-heading = Schlichtungsverfahren
accessibility-enforcement = Wenn Sie auf Ihre Rückmeldung keine zufriedenstellende Antwort erhalten, können Sie sich an die Schlichtungs- oder Durchsetzungsstelle für barrierefreie Informationstechnik Ihres Landes wenden.

## Auffrischung
refresher-title = Auffrischung
refresher-heading = Zertifikat erneuern
refresher-due = Ihr Zertifikat gilt bis { $date }.
refresher-expired = Ihr Zertifikat ist am { $date } abgelaufen.
refresher-intro = Zum Erneuern genügt eine kurze Auffrischung mit { $questions } Fragen aus allen Modulen des Kurses. Das neue Zertifikat schließt an das bisherige an.
refresher-start = Auffrischung starten
refresher-back = Zurück zum Kurs
refresher-not-yet = Ein Zertifikat lässt sich ab 60 Tagen vor seinem Ablauf erneuern.

## Reports
report-hr-title = Schulungsstand
report-trail = Position in der Organisation
report-intro = { $people ->
    [one] Eine Person in dieser Einheit und den Einheiten darunter.
   *[other] { $people } Personen in dieser Einheit und den Einheiten darunter.
}
report-filter-heading = Filter
report-filter-course = Kurs
report-filter-status = Stand
report-all-courses = Alle Kurse
report-all-statuses = Jeder Stand
report-filter-apply = Filter anwenden
report-download-csv = Als CSV herunterladen
report-download-xlsx = Als Excel-Datei (XLSX) herunterladen
report-courses-heading = Stand je Kurs
report-done-of = { $done } von { $total } abgeschlossen ({ $percent } %)
report-done-short = { $done } / { $total } ({ $percent } %)
report-units-heading = Einheiten darunter
report-unit = Organisationseinheit
report-people = Personen
report-people-heading = Personen
report-people-count = { $shown } von { $total } Personen
report-person = Person
report-valid-until = gültig bis { $date }
report-due-on = fällig am { $date }
report-pages = Seiten
report-previous-page = Vorherige Seite
report-next-page = Nächste Seite
report-page-of = Seite { $page } von { $pages }
report-no-people = Keine Person entspricht dem Filter.
record-status-done = Abgeschlossen (gültiges Zertifikat)
record-status-valid = Gültig
record-status-expiring = Läuft bald ab
record-status-overdue = Überfällig
record-status-expired = Abgelaufen
record-status-in_progress = Begonnen
record-status-not_started = Nicht begonnen
export-sheet-name = Schulungsnachweise
export-column-personnel_number = Personalnummer
export-column-name = Name
export-column-email = E-Mail
export-column-org_unit = Organisationseinheit
export-column-course_id = Kurs-ID
export-column-course_title = Kurs
export-column-course_version = Kursversion
export-column-status = Stand
export-column-completed_at = Abgeschlossen am
export-column-certificate_serial = Zertifikatsnummer
export-column-valid_until = Gültig bis
export-column-assigned_due_at = Fällig am

## Assignments
assignments-link = Zuweisungen verwalten
assignments-title = Zuweisungen
assignments-intro = Weisen Sie einer Organisationseinheit (mit allen Einheiten darunter) oder einer einzelnen Person einen Kurs mit Fälligkeitsdatum zu. Wer später in die Einheit kommt, erhält ihre offenen Zuweisungen ebenfalls.
assignments-open = Offene Zuweisungen
assignments-none = Es gibt keine offenen Zuweisungen.
assignment-new = Neue Zuweisung
assignment-course = Kurs
assignment-target = Für wen
assignment-target-unit = Eine Organisationseinheit und alle Einheiten darunter
assignment-target-person = Eine einzelne Person
assignment-unit = Organisationseinheit
assignment-person = Person
assignment-person-hint = Personalnummer oder E-Mail-Adresse (nur bei „Eine einzelne Person“).
assignment-due = Fällig am
assignment-due-hint = Datum im Format JJJJ-MM-TT, zum Beispiel 2027-03-31.
assignment-submit = Zuweisen
assignment-actions = Aktionen
assignment-withdraw = Zurückziehen
assignment-unit-and-below = { $unit } (mit allen Einheiten darunter)
assignment-created = Die Zuweisung wurde gespeichert.
assignment-withdrawn = Die Zuweisung wurde zurückgezogen.
assignment-error-date = Bitte geben Sie ein gültiges Datum an (JJJJ-MM-TT).
assignment-error-past = Das Fälligkeitsdatum darf nicht in der Vergangenheit liegen.
assignment-error-unit = Diese Organisationseinheit gehört nicht zu Ihrem Bereich.
assignment-error-person = In Ihrem Bereich gibt es keine aktive Person mit dieser Personalnummer oder E-Mail-Adresse.
home-due = Fällig am { $date }
home-overdue = Überfällig seit { $date }

## Evidence report
evidence-link = Nachweis nach Art. 4 KI-Verordnung
evidence-title = Nachweis der KI-Kompetenzmaßnahmen (Art. 4 KI-Verordnung)
evidence-intro = Dieser Bericht belegt, welche Schulungen die Beschäftigten zur KI-Kompetenz abgeschlossen haben, in welcher Kursversion, und welche Lücken offen sind.
evidence-print-hint = Zum Drucken oder Speichern als PDF verwenden Sie die Druckfunktion Ihres Browsers (Strg+P).
evidence-organisation = Verwaltung
evidence-scope = Geltungsbereich
evidence-people = Personen im Geltungsbereich
evidence-generated-at = Erstellt am
evidence-generated-by = Erstellt von
evidence-coverage = Abdeckung je Kurs
evidence-courses = Kurse und Kursversionen
evidence-current-version = Aktuelle Version
evidence-content-hash = Inhaltsprüfsumme
evidence-validity = Gültigkeit des Zertifikats
evidence-validity-months = { $months } Monate
evidence-versions-used = Gültige Zertifikate je Version
evidence-version-count = Version { $version }: { $count }
evidence-none = Keine
evidence-objectives = Lernziele der aktuellen Version
evidence-units = Abdeckung je Organisationseinheit
evidence-unit-people = Personen direkt in der Einheit
evidence-tools = KI-Werkzeuge und ihre Voraussetzungen
evidence-tool-courses = setzt voraus: { $courses }
evidence-tool-no-courses = setzt keinen Kurs voraus
evidence-tool-policy = Bestätigung der Nutzungsregeln
evidence-policy = Nutzungsregeln
evidence-policy-status = Aktuelle Version { $version } (gültig ab { $effective }): bestätigt von { $acknowledged } von { $people } Personen.
evidence-no-policy = Es sind keine Nutzungsregeln hinterlegt.
evidence-gaps = Offene Lücken
evidence-gap-line = { $overdue } überfällig, { $expired } abgelaufen
evidence-privacy = Dieser Bericht enthält keine Quiz-Ergebnisse, Antworten, Versuchszahlen oder Lernzeiten einzelner Personen.

## Sachstandsbericht KI-Kompetenz (für den Rat: nur Summen und Anteile)
council-link = Sachstandsbericht KI-Kompetenz für den Rat
council-title = Sachstandsbericht KI-Kompetenz
council-intro = Wie werden die Beschäftigten befähigt, KI im Arbeitsalltag sinnvoll und sicher einzusetzen, und wer ist dafür verantwortlich? Dieser Bericht antwortet mit Summen und Anteilen. Er nennt keine einzelnen Beschäftigten und kann an Ausschüsse gegeben oder als offene Daten veröffentlicht werden.
council-print-hint = Zum Drucken oder Speichern als PDF verwenden Sie die Druckfunktion Ihres Browsers (Strg+P); Navigation und Links werden dabei weggelassen.
council-download-csv = Zahlen als CSV herunterladen (offene Daten)
council-download-csv-semicolon = CSV für Tabellenkalkulationen mit deutschen Einstellungen (Semikolon)
council-organisation = Verwaltung
council-as-of = Stand
council-staff = Aktive Beschäftigte
council-min-group = Kleinste ausgewiesene Gruppe
council-min-group-value = { $min } Personen
council-coverage-heading = Beschäftigte mit gültigem Zertifikat
council-coverage-intro = Anteil der aktiven Beschäftigten, die ein gültiges Zertifikat des Kurses besitzen. Abgelaufene und widerrufene Zertifikate zählen nicht, ausgeschiedene Beschäftigte ebenfalls nicht.
council-administration-heading = Gesamtverwaltung
council-administration-caption = Gesamtverwaltung: Anteil mit gültigem Zertifikat je Kurs
council-course = Kurs
council-people = Beschäftigte
council-share-column = Mit gültigem Zertifikat
council-first-level-heading = Nach Dezernat
council-first-level-caption = Anteil mit gültigem Zertifikat je Dezernat und Kurs
council-first-level = Dezernat
council-second-level-heading = Nach Fachbereich
council-second-level-caption = Anteil mit gültigem Zertifikat je Fachbereich und Kurs, innerhalb des Dezernats
council-second-level = Fachbereich
council-small-groups = Schutz kleiner Gruppen: Bereiche mit weniger als { $min } Beschäftigten werden nicht einzeln ausgewiesen, sondern unter „weitere Bereiche“ zusammengefasst. Hätte diese Zusammenfassung selbst weniger als { $min } Beschäftigte, kommt der nächstkleinere Bereich hinzu. So lässt sich keine kleine Gruppe als Differenz zwischen einer Summe und den gezeigten Bereichen errechnen. Aus demselben Grund werden Fachbereiche innerhalb ihres Dezernats zusammengefasst, und wer direkt einem Dezernat zugeordnet ist, bildet dort eine eigene Gruppe. Hat die ganze Verwaltung weniger als { $min } Beschäftigte, steht statt einer Zahl „weniger als { $min }“.
council-other-units = weitere Bereiche
council-direct = { $unit } (direkt zugeordnet)
council-share = { $percent } % ({ $count } von { $people })
council-suppressed = weniger als { $min }
council-empty = keine Daten
council-no-groups = Es sind keine Bereiche mit Beschäftigten erfasst.
council-trend-heading = Entwicklung je Quartal
council-trend-caption = Anteil mit gültigem Zertifikat am Ende der letzten vier Quartale und im laufenden Quartal, Gesamtverwaltung
council-quarter-column = Quartal
council-quarter-day-column = Stichtag
council-quarter = { $quarter }. Quartal { $year }
council-quarter-so-far = { $day } (laufendes Quartal)
council-trend-method = So wird gerechnet: Zu einem Stichtag zählen alle Beschäftigten, die zu diesem Zeitpunkt in kiwi erfasst und nicht als ausgeschieden markiert waren; Ausgeschiedene zählen bis zu ihrem Austrittsdatum mit. Ein Zertifikat zählt vom Tag seiner Ausstellung bis zum Ende seiner Gültigkeit, ein widerrufenes nur bis zum Widerruf. kiwi kennt kein Eintrittsdatum und nur den letzten Austritt: Vor ihrer Aufnahme in kiwi zählen Beschäftigte nicht („keine Daten“), und wer ausgeschieden und wiedergekommen ist, zählt für die ganze Zeit seit der ersten Aufnahme. Die Entwicklung wird nur für die Gesamtverwaltung ausgewiesen, weil kiwi frühere Zuordnungen zu Bereichen nicht speichert. Das laufende Quartal zeigt die heutigen Zahlen.
council-tools-heading = Freigegebene KI-Werkzeuge und ihre Voraussetzungen
council-tools-caption = KI-Werkzeuge und was sie voraussetzen
council-tool = Werkzeug
council-tool-courses = Erforderliche Kurse
council-tool-policy = Bestätigung der Nutzungsregeln erforderlich
council-yes = ja
council-no = nein
council-tool-no-courses = keine
council-no-tools = Es sind keine KI-Werkzeuge eingetragen.
council-policy-heading = Nutzungsregeln
council-policy-version = Aktuelle Version
council-policy-effective = Gültig ab
council-policy-acknowledged = Von den aktiven Beschäftigten bestätigt
council-policy-subject = Nutzungsregeln, aktuelle Version bestätigt
council-no-policy = Es sind keine Nutzungsregeln hinterlegt.
council-overdue-heading = Überschrittene Fristen
council-overdue-intro = Beschäftigte, deren zugewiesene Frist verstrichen ist, ohne dass sie ein gültiges Zertifikat besitzen, je Kurs. Genannt werden nur Anzahlen, nie Namen.
council-overdue-caption = Überschrittene Fristen je Kurs, Gesamtverwaltung
council-overdue-column = Mit überschrittener Frist
council-contacts-heading = Zuständige Stellen
council-contacts-intro = Diese zentralen Stellen sind dafür verantwortlich, dass Beschäftigte und Fachbereiche KI-Werkzeuge sicher einsetzen können: Schulungen, Nutzungsregeln, Datenschutz und IT-Sicherheit.
council-contacts-caption = Zentrale Stellen und wie sie erreichbar sind
council-contact-office = Stelle
council-contact-name = Zuständig
council-contact-email = E-Mail
council-contact-phone = Telefon
council-no-contacts = Es sind keine zentralen Stellen eingetragen.
council-privacy = Dieser Bericht enthält nur Summen und Anteile. Er nennt keine Beschäftigten und keine Quiz-Ergebnisse, Antworten, Versuchszahlen oder Lernzeiten.

## Passwort per Link
import-invited = Jede neu angelegte Person erhält eine E-Mail mit einem Link, um ihr Passwort festzulegen. Der Link gilt sieben Tage.
sign-in-forgot = Passwort vergessen?
sign-in-password-set = Ihr Passwort ist gespeichert. Melden Sie sich jetzt damit an.
forgot-title = Passwort vergessen
forgot-intro = Geben Sie die E-Mail-Adresse Ihres kiwi-Kontos ein. Wir schicken Ihnen einen Link, mit dem Sie ein neues Passwort festlegen.
forgot-submit = Link anfordern
forgot-sent = Wenn diese Adresse zu einem kiwi-Konto gehört, ist eine E-Mail mit einem Link unterwegs. Der Link gilt 60 Minuten und nur einmal. Schauen Sie auch im Spam-Ordner nach.
forgot-throttled = Für diese Adresse oder von diesem Gerät wurden zu viele Links angefordert. Bitte warten Sie eine Stunde und versuchen Sie es dann erneut.
forgot-back = Zurück zur Anmeldung
invitation-title = Willkommen bei kiwi
invitation-intro = Guten Tag { $name }, legen Sie jetzt Ihr Passwort fest. Danach melden Sie sich damit an.
reset-title = Neues Passwort festlegen
reset-intro = Guten Tag { $name }, legen Sie jetzt Ihr neues Passwort fest. Alle bisherigen Anmeldungen werden dabei beendet.
password-link-account = Ihr Konto: { $email }
password-link-submit = Passwort speichern
link-invalid-title = Dieser Link gilt nicht mehr
link-invalid-text = Der Link wurde schon benutzt oder ist abgelaufen. Aus Sicherheitsgründen funktioniert jeder Link nur einmal und nur für kurze Zeit.
link-invalid-new = Neuen Link anfordern

## E-Mails
mail-greeting = Guten Tag { $name },
mail-closing = Ihr kiwi-Team – { $organisation }
mail-footer = Diese E-Mail hat kiwi, die Lernplattform für KI-Kompetenz, automatisch verschickt. Bitte antworten Sie nicht darauf.
mail-link-hint = Falls der Knopf nicht funktioniert, kopieren Sie diese Adresse in Ihren Browser:
mail-invitation-subject = Willkommen bei kiwi – legen Sie Ihr Passwort fest
mail-invitation-body = { $organisation } lädt Sie zu kiwi ein, der Lernplattform für den sicheren und sinnvollen Umgang mit KI in der Verwaltung. Ihr Konto ist angelegt; es fehlt nur noch Ihr Passwort.
mail-invitation-action = Passwort festlegen
mail-invitation-note = Der Link gilt bis zum { $date } und nur ein einziges Mal. Sie melden sich mit Ihrer E-Mail-Adresse { $email } an.
mail-reset-subject = Ihr neues Passwort für kiwi
mail-reset-body = Für Ihr kiwi-Konto wurde ein neues Passwort angefordert.
mail-reset-action = Neues Passwort festlegen
mail-reset-note = Der Link gilt { $minutes } Minuten und nur ein einziges Mal. Haben Sie kein neues Passwort angefordert, können Sie diese E-Mail löschen; Ihr Passwort bleibt dann, wie es ist.
mail-course-action = Zum Kurs
mail-assignment-subject = Neuer Kurs für Sie: { $course }
mail-assignment-body = Bitte schließen Sie den Kurs „{ $course }“ bis zum { $date } ab. Sie lernen in Ihrem Tempo und können jederzeit unterbrechen.
mail-reminder-subject = Erinnerung: „{ $course }“ bis zum { $date }
mail-reminder-body = Bitte denken Sie an den Kurs „{ $course }“: Er ist bis zum { $date } abzuschließen, also { $days ->
    [0] heute
    [one] morgen
   *[other] in { $days } Tagen
}.
mail-overdue-subject = Überfällig: „{ $course }“
mail-overdue-body = Der Kurs „{ $course }“ war bis zum { $date } abzuschließen. Bitte holen Sie ihn bald nach; was Sie schon gelernt haben, bleibt gespeichert.
mail-digest-subject = Wochenübersicht: überfällige Kurse in { $unit }
mail-digest-body = { $count ->
    [one] Ein zugewiesener Kurs in Ihrem Bereich ist nach dem Fälligkeitsdatum noch nicht abgeschlossen:
   *[other] { $count } Kurse in Ihrem Bereich sind nach dem Fälligkeitsdatum noch nicht abgeschlossen:
}
mail-digest-item = { $name }: „{ $course }“, fällig am { $date }
mail-digest-note = Diese Übersicht nennt nur, was offen ist – keine Ergebnisse und keine Antworten.
mail-digest-action = Zu „Mein Team“
mail-certificate-issued-subject = Ihr Zertifikat: { $course }
mail-certificate-issued-body = Herzlichen Glückwunsch! Sie haben den Kurs „{ $course }“ abgeschlossen. Ihr Zertifikat { $serial } gilt bis zum { $date }.
mail-certificate-action = Zertifikat ansehen und als PDF herunterladen
mail-expiring-subject = Ihr Zertifikat „{ $course }“ läuft am { $date } ab
mail-expiring-body = Ihr Zertifikat für „{ $course }“ gilt noch bis zum { $date }. Mit einer kurzen Auffrischung erneuern Sie es; das neue Zertifikat schließt nahtlos an das bisherige an.
mail-expiring-action = Jetzt erneuern
mail-access-lost-subject = { $tool } ist für Sie gesperrt
mail-access-lost-revoked = Ihr Zertifikat für „{ $course }“ wurde widerrufen. Deshalb können Sie { $tool } nicht mehr nutzen.
mail-access-lost-expired = Ihr Zertifikat für „{ $course }“ ist abgelaufen. Deshalb können Sie { $tool } nicht mehr nutzen.
mail-access-lost-help = Unter „Meine KI-Werkzeuge“ sehen Sie, was fehlt und wie Sie das Werkzeug wieder freischalten.
mail-access-lost-action = Zu „Meine KI-Werkzeuge“

## E-Mail-Verwaltung
mail-admin-title = E-Mails
mail-admin-intro = kiwi schreibt jede E-Mail zuerst in einen Postausgang und verschickt sie von dort. Schlägt der Versand fehl, versucht kiwi es mit wachsenden Pausen erneut, höchstens { $tries } Mal; danach gibt kiwi auf. Den Text der E-Mails zeigt diese Seite nicht.
mail-admin-folder = Es ist kein SMTP-Server eingerichtet. kiwi legt jede E-Mail als Datei ab in:
mail-admin-counts = Überblick
mail-admin-none-yet = Es wurden noch keine E-Mails geschrieben.
mail-admin-unsent = Noch nicht versendet
mail-admin-all-sent = Alle E-Mails sind versendet.
mail-admin-created = Geschrieben
mail-admin-kind = Art
mail-admin-recipient = Empfänger
mail-admin-subject = Betreff
mail-admin-tries = Versuche
mail-admin-last-error = Letzter Fehler
mail-admin-next-try = nächster Versuch: { $time }
mail-admin-retry = Erneut versuchen
mail-status-queued = wartet auf Versand
mail-status-sending = wird gerade versendet
mail-status-failed = fehlgeschlagen, wird erneut versucht
mail-status-sent = versendet
mail-status-gave-up = aufgegeben
mail-kind-invitation = Einladung
mail-kind-password-reset = Neues Passwort
mail-kind-assignment = Neue Zuweisung
mail-kind-reminder = Erinnerung
mail-kind-overdue = Überfällig
mail-kind-digest = Wochenübersicht
mail-kind-certificate-issued = Zertifikat ausgestellt
mail-kind-certificate-expiring = Zertifikat läuft ab
mail-kind-access-lost = Werkzeug gesperrt
quiz-reread = Lesen Sie diese Abschnitte noch einmal:
contacts-heading = Wen frage ich?
contacts-intro = Bei Fragen zu KI, Datenschutz und Informationssicherheit helfen Ihnen diese Stellen der Verwaltung.
contacts-phone = Tel.

## Verzeichnisgruppen und Webhooks
integrations-title = Verzeichnisgruppen und Webhooks
integrations-intro = kiwi hält für jedes Werkzeug mit Verzeichnisgruppe deren Mitglieder aktuell: Wer das Werkzeug nutzen darf, ist Mitglied; wer es nicht mehr darf (abgelaufenes oder widerrufenes Zertifikat, ausgeschieden, neue Nutzungsregeln nicht bestätigt), wird entfernt. Webhooks erfahren dieselben Änderungen und jedes ausgestellte oder widerrufene Zertifikat. Jede Änderung steht zuerst hier in der Warteschlange; schlägt sie fehl, versucht kiwi es mit wachsenden Pausen erneut. Was das andere System endgültig ablehnt (etwa eine Person, die es nicht kennt), wird gemeldet und nicht weiter versucht.
integrations-settings = Einstellungen
integrations-directory-url = Verzeichnis
integrations-bind-dn = Angemeldet als
integrations-people-base = Personen unter
integrations-match-attribute = Personen erkannt an
integrations-member-attribute = Mitglieder im Attribut
integrations-no-directory = Es ist kein Verzeichnis eingerichtet (KIWI_LDAP_URL).
integrations-groups = Verzeichnisgruppen der Werkzeuge
integrations-tool = Werkzeug
integrations-group = Gruppe
integrations-webhooks = Webhooks
integrations-webhook-name = Name
integrations-webhook-url = Adresse
integrations-webhook-events = Erfährt
integrations-webhook-of-tools = Berechtigungen für { $tools }
integrations-webhook-everything = alle Berechtigungen und Zertifikate
integrations-no-webhooks = Es ist kein Webhook eingerichtet.
integrations-counts = Überblick
integrations-kind = Art
integrations-count = Anzahl
integrations-none-yet = Es gab noch keine Änderungen für Verzeichnis oder Webhooks.
integrations-open = Noch nicht erledigt
integrations-all-done = Alle Änderungen sind erledigt.
integrations-created = Geschrieben
integrations-what = Änderung
integrations-person = Person
integrations-tries = Versuche
integrations-last-error = Letzter Fehler
integrations-next-try = nächster Versuch: { $time }
integrations-retry = Erneut versuchen
integrations-kind-directory = Verzeichnis
integrations-kind-webhook = Webhook
integrations-status-queued = wartet
integrations-status-applying = wird gerade ausgeführt
integrations-status-failed = fehlgeschlagen, wird erneut versucht
integrations-status-done = erledigt
integrations-status-gave-up = abgelehnt oder aufgegeben
integrations-last = Letzter Abgleich
integrations-never-reconciled = Die Gruppen wurden noch nicht abgeglichen. kiwi gleicht sie jede Nacht ab; sofort mit „kiwi directory sync“.
integrations-last-nightly = Nächtlicher Abgleich vom { $started } bis { $finished }.
integrations-last-command = Abgleich von der Kommandozeile vom { $started } bis { $finished }.
integrations-last-dry-run = Nur geprüft, nichts geändert.
integrations-last-summary = Hinzugefügt: { $added }, entfernt: { $removed }, fremde Mitglieder belassen: { $unmanaged }, nicht im Verzeichnis: { $missing }.
integrations-last-failed = Der Abgleich ist fehlgeschlagen:
integrations-group-failed = Diese Gruppe konnte nicht abgeglichen werden:
integrations-group-summary = { $members ->
    [one] Ein Mitglied
   *[other] { $members } Mitglieder
} vorher; { $entitled ->
    [one] eine Person darf
   *[other] { $entitled } Personen dürfen
} das Werkzeug nutzen.
integrations-group-pending = { $count ->
    [one] Einen Unterschied erledigt
   *[other] { $count } Unterschiede erledigen
} bereits wartende Änderungen.
integrations-added = Hinzugefügt
integrations-removed = Entfernt (dürfen das Werkzeug nicht nutzen)
integrations-unmanaged = Mitglieder ohne Person in kiwi (belassen)
integrations-not-found = Berechtigt, aber nicht im Verzeichnis
integrations-more = … und { $count } weitere.

## Datenschutz: Verzeichnis der gespeicherten Daten (/privacy)
privacy-title = Verzeichnis der gespeicherten Daten
profile-privacy-link = Welche Daten kiwi über mich speichert
privacy-intro = Diese Seite nennt jedes Feld, das kiwi für { $organisation } speichert: wozu es dient, wer es in kiwi sehen kann, wohin es übermittelt wird und wann es gelöscht wird. Sie wird aus derselben Beschreibung erzeugt, die bei jeder Änderung automatisch mit der Datenbank abgeglichen wird.
privacy-defaults-heading = Was immer gilt
privacy-default-no-scores = Abteilungsleitungen und das Personal sehen nie Punkte, Antworten, die Zahl der Versuche oder Bearbeitungszeiten einzelner Personen. Sie sehen nur, ob jemand einen Kurs abgeschlossen hat, ihn bearbeitet oder noch nicht begonnen hat, und bis wann ein Zertifikat gilt.
privacy-default-no-time = kiwi misst keine Lern- oder Lesezeit: Es speichert nicht, wie lange jemand eine Lektion liest oder eine Seite geöffnet hat. Gespeichert werden nur einzelne Zeitpunkte (wann ein Modul abgeschlossen, ein Quizversuch begonnen und abgegeben wurde, wann eine Anmeldung zuletzt genutzt wurde); die Zeitpunkte eines Quizversuchs sieht nur die Person selbst.
privacy-default-tools = KI-Werkzeuge, das Verzeichnis und Webhooks erfahren nur, ob eine Person ein Werkzeug nutzen darf, und warum nicht: nie Punkte, Antworten oder Versuche.
privacy-default-database = Wer die Datenbank oder den Server technisch betreibt, kann alle hier genannten Felder unmittelbar lesen. Dieser technische Zugang liegt außerhalb dessen, was kiwi anzeigen oder begrenzen kann; er ist durch die Rechte des Betriebs und dessen Protokolle zu regeln.
privacy-retention-heading = Aufbewahrung und Löschung
privacy-retention-summary-answers = Die gewählten Antworten eines Quizversuchs werden { $count ->
    [one] einen Tag
   *[other] { $count } Tage
} nach der Abgabe gelöscht; Ergebnis und Bestehen bleiben.
privacy-retention-summary-left = Bei Personen, die ausgeschieden sind, werden { $count ->
    [one] einen Tag
   *[other] { $count } Tage
} nach dem Ausscheiden Name, E-Mail-Adresse und Personalnummer durch ein Pseudonym ersetzt und Passwort, Anmeldungen, zweiter Faktor und E-Mails gelöscht. Ihre Kursabschlüsse und Zertifikate bleiben mit dem Pseudonym verbunden, damit die Zahlen der Nachweise stimmen; ihre Zertifikate sind danach öffentlich nicht mehr prüfbar.
privacy-retention-summary-mail = Versandte E-Mails werden nach { $count } Tagen gelöscht.
privacy-retention-summary-throttle = Zähler fehlgeschlagener Anmeldungen werden nach dem Zeitfenster der Anmeldesperre gelöscht (nach { $count } Minuten).
privacy-retention-summary-audit = Einträge des Änderungsprotokolls werden nach { $count ->
    [one] einem Tag
   *[other] { $count } Tagen
} gelöscht.
privacy-retention-job = kiwi löscht einmal am Tag, nach 3 Uhr; der Betrieb kann es mit „kiwi retention run“ jederzeit auslösen und mit „--dry-run“ vorher sehen, was gelöscht würde.
privacy-tables-heading = Alle gespeicherten Felder
privacy-tables-intro = Je Tabelle der Datenbank: jede Spalte mit ihrem Zweck, wer sie in kiwi sehen kann, wohin sie übermittelt wird und wie lange sie bleibt.
privacy-table-retention = Aufbewahrung:
privacy-table-caption = Spalten der Tabelle { $table }
privacy-column = Feld
privacy-purpose = Zweck
privacy-seen-by = Wer es sieht
privacy-goes-to = Wohin es geht
privacy-kept = Wie lange
privacy-postgres-only = nur auf PostgreSQL
privacy-viewer-own = die Person selbst
privacy-viewer-heads = Abteilungsleitung (eigene Einheit)
privacy-viewer-hr = Personal
privacy-viewer-admins = Verwaltung (Administration)
privacy-viewer-tools = KI-Werkzeuge
privacy-viewer-verifiers = wer die Seriennummer kennt (öffentliche Prüfseite)
privacy-viewer-nobody = niemand in kiwi (nur für den Betrieb)
privacy-goes-tools = KI-Werkzeuge
privacy-goes-directory = Verzeichnis (LDAP)
privacy-goes-webhooks = Webhooks
privacy-goes-mail = E-Mail an die Person
privacy-goes-nowhere = nirgendwohin
privacy-retention-person = Solange die Person beschäftigt ist; { $count ->
    [one] einen Tag
   *[other] { $count } Tage
} nach dem Ausscheiden durch ein Pseudonym ersetzt.
privacy-retention-records = Bleibt als Nachweis; { $count ->
    [one] einen Tag
   *[other] { $count } Tage
} nach dem Ausscheiden nur noch mit dem Pseudonym verbunden.
privacy-retention-replaced = Bis er ersetzt oder zurückgesetzt wird; spätestens { $count ->
    [one] einen Tag
   *[other] { $count } Tage
} nach dem Ausscheiden gelöscht.
privacy-retention-answers = { $count ->
    [one] Einen Tag
   *[other] { $count } Tage
} nach der Abgabe gelöscht.
privacy-retention-session = Bis zur Abmeldung, spätestens nach 2 Stunden ohne Nutzung oder 12 Stunden.
privacy-retention-minutes = Bis zur Verwendung oder zum Ablauf nach wenigen Minuten.
privacy-retention-throttle = Nach dem Zeitfenster der Anmeldesperre ({ $count } Minuten).
privacy-retention-mail = { $count } Tage.
privacy-retention-operations = { $count } Tage.
privacy-retention-links = { $count } Tage nach Ablauf des Links.
privacy-retention-audit = { $count ->
    [one] Einen Tag
   *[other] { $count } Tage
}.
privacy-retention-feed = Einen Tag.
privacy-retention-kept = Solange kiwi betrieben wird (keine Angaben über Personen).
quiz-answers-removed = Ihre gewählten Antworten wurden nach Ablauf der Aufbewahrungsfrist gelöscht. Ergebnis und Bestehen bleiben erhalten.

## Meine Daten (Auskunft nach Art. 15 DSGVO) und wer hingesehen hat
profile-my-data-intro = Alles, was kiwi über Sie speichert, und wer Ihre Angaben in Berichten und Exporten gesehen hat.
profile-my-data-link = Meine Daten ansehen und herunterladen
my-data-title = Meine Daten
my-data-back = Zurück zu „Mein Profil“
my-data-intro = Hier sehen Sie alles, was kiwi über Sie speichert (Auskunft nach Art. 15 DSGVO). Nur Sie sehen diese Seite.
my-data-downloads = Herunterladen
my-data-download-json = Als JSON-Datei herunterladen (maschinenlesbar)
my-data-download-html = Als HTML-Datei herunterladen (zum Lesen und Drucken)
my-data-print-hint = Sie können auch diese Seite drucken; Navigation und Schaltflächen werden dabei weggelassen.
my-data-generated = Stand: { $time }
my-data-account = Konto
my-data-created = Angelegt am
my-data-status-active = aktiv
my-data-status-left = ausgeschieden
my-data-views = Wer hat hingesehen?
my-data-views-intro = Jedes Mal, wenn eine Führungskraft oder die Personalabteilung einen Bericht öffnet oder einen Export herunterlädt, der Sie enthält, oder die Personalabteilung etwas an Ihren Angaben ändert, steht es hier: wer, wann und was.
my-data-views-never = Führungskräfte und die Personalabteilung sehen nie Ihre Quiz-Ergebnisse, Ihre Versuche oder wie lange Sie gelernt haben, nur ob und wann Sie einen Kurs abgeschlossen haben.
my-data-views-technical = Nicht aufgeführt ist der technische Zugriff der Administratorinnen und Administratoren auf die Datenbank; er ist durch die Regeln des Betriebs geregelt, nicht durch kiwi.
my-data-views-none = Bisher hat niemand einen Bericht oder Export geöffnet, der Sie enthält.
my-data-when = Wann
my-data-who = Wer
my-data-what = Was
my-data-included = Enthalten
my-data-included-people = { $count ->
    [one] nur Sie
   *[other] Sie und weitere Personen, insgesamt { $count }
}
my-data-role-manager = Führungskraft
my-data-role-hr = Personalabteilung
my-data-role-admin = Administration
my-data-role-command-line = Kommandozeile des Servers
my-data-kind-team-report = Teambericht
my-data-kind-hr-report = Bericht der Personalabteilung
my-data-kind-team-export = Export des Teamberichts
my-data-kind-hr-export = Export der Schulungsnachweise
my-data-kind-command-line-export = Export der Schulungsnachweise an der Kommandozeile
my-data-kind-certificate-revoked = Zertifikat widerrufen
my-data-kind-people-imported = Personaldaten importiert (angelegt oder geändert)
my-data-kind-second-factor-reset = Zweiten Faktor zurückgesetzt
my-data-kind-assignment-created = Kurs persönlich zugewiesen
my-data-kind-other = Andere Einsicht
my-data-progress = Lernfortschritt
my-data-course = Kurs
my-data-module = Modul
my-data-version = Version
my-data-how = Wie
my-data-completion-read = gelesen
my-data-completion-passed = Quiz bestanden
my-data-attempts = Quiz-Versuche
my-data-attempts-intro = Ihre Ergebnisse sehen nur Sie.
my-data-started = Begonnen
my-data-submitted = Abgegeben
my-data-not-submitted = nicht abgegeben
my-data-score = Ergebnis
my-data-percent = { $value } %
my-data-result = Bestanden?
my-data-passed = bestanden
my-data-not-passed = nicht bestanden
my-data-certificates = Zertifikate
my-data-acknowledgements = Bestätigte Nutzungsregeln
my-data-policy-version = Fassung
my-data-assignments = Zugewiesene Kurse
my-data-due = Fällig am
my-data-assigned-to = Für
my-data-assigned-to-you = Sie persönlich
my-data-assigned-by = Zugewiesen von
my-data-assigned-on = Zugewiesen am
my-data-withdrawn = Zurückgenommen am
my-data-mails = E-Mails an Sie
my-data-subject = Betreff
my-data-mail-kind = Art
my-data-audit = Einträge im Prüfprotokoll
my-data-audit-intro = Das Prüfprotokoll hält fest, was sich an Ihrem Konto, Ihren Rollen, Zertifikaten und Zugängen geändert hat.
my-data-action = Vorgang
my-data-detail = Angaben
my-data-by = Durch
my-data-by-you = Sie selbst
my-data-by-others = kiwi oder eine berechtigte Person
my-data-none = Keine.
