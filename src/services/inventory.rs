//! The data inventory ("Verzeichnis der gespeicherten Daten"): the one declaration of every
//! table and column kiwi stores, what it is for, who can see it in kiwi, where it goes and
//! how long it is kept. The page `/privacy` is generated from it, and a test compares it
//! with the real schema on SQLite and PostgreSQL (`coverage`), so a new column without an
//! entry, or an entry for a column that is gone, fails.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::domain::Language;
use crate::services::retention::{KEEP_LINKS_DAYS, KEEP_MAIL_DAYS, KEEP_OPERATIONS_DAYS, Periods};
use crate::services::throttle;

/// Who can see a value in kiwi (administrators' technical access to the database aside).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// The person it is about.
    Own,
    /// Department heads, for their own unit and the units below it.
    Heads,
    Hr,
    Admins,
    /// The AI tools that ask kiwi (the access check and the headers it sets).
    Tools,
    /// Anyone who knows a certificate's serial (the public verification page).
    Verifiers,
}

impl Viewer {
    fn message(self) -> &'static str {
        match self {
            Viewer::Own => "privacy-viewer-own",
            Viewer::Heads => "privacy-viewer-heads",
            Viewer::Hr => "privacy-viewer-hr",
            Viewer::Admins => "privacy-viewer-admins",
            Viewer::Tools => "privacy-viewer-tools",
            Viewer::Verifiers => "privacy-viewer-verifiers",
        }
    }
}

/// Where a value is sent outside kiwi.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// The AI tools (answers of the access check, headers through their proxy).
    Tools,
    /// The directory (LDAP groups of the tools).
    Directory,
    /// Webhooks (signed events).
    Webhooks,
    /// Mail to the person.
    Mail,
}

impl Destination {
    fn message(self) -> &'static str {
        match self {
            Destination::Tools => "privacy-goes-tools",
            Destination::Directory => "privacy-goes-directory",
            Destination::Webhooks => "privacy-goes-webhooks",
            Destination::Mail => "privacy-goes-mail",
        }
    }
}

/// How long a value is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retention {
    /// While the person works here; replaced by a pseudonym `KIWI_RETAIN_LEFT_DAYS` after
    /// they left.
    PersonalData,
    /// Kept as evidence; linked only to the pseudonym once the person is erased.
    Records,
    /// Until replaced or reset; removed at the latest when the person is erased.
    UntilReplaced,
    /// `KIWI_RETAIN_ANSWERS_DAYS` after the attempt was submitted.
    Answers,
    /// Until sign-out or the end of the session (2 hours idle, 12 hours at most).
    Session,
    /// Until used or expired, within minutes.
    Minutes,
    /// Past the throttle window.
    Throttle,
    /// 180 days.
    Mail,
    /// 180 days after the operation was done.
    Operations,
    /// 30 days after the link ended.
    Links,
    /// `KIWI_RETAIN_AUDIT_DAYS`.
    Audit,
    /// A day.
    Feed,
    /// As long as kiwi runs: no data about a person.
    Kept,
}

impl Retention {
    /// The message and the number of days (or minutes) it names.
    fn message(self, periods: &Periods) -> (&'static str, i64) {
        match self {
            Retention::PersonalData => ("privacy-retention-person", periods.left_days.into()),
            Retention::Records => ("privacy-retention-records", periods.left_days.into()),
            Retention::UntilReplaced => ("privacy-retention-replaced", periods.left_days.into()),
            Retention::Answers => ("privacy-retention-answers", periods.answers_days.into()),
            Retention::Session => ("privacy-retention-session", 0),
            Retention::Minutes => ("privacy-retention-minutes", 0),
            Retention::Throttle => (
                "privacy-retention-throttle",
                throttle::LONGEST_WINDOW.num_minutes(),
            ),
            Retention::Mail => ("privacy-retention-mail", KEEP_MAIL_DAYS),
            Retention::Operations => ("privacy-retention-operations", KEEP_OPERATIONS_DAYS),
            Retention::Links => ("privacy-retention-links", KEEP_LINKS_DAYS),
            Retention::Audit => ("privacy-retention-audit", periods.audit_days.into()),
            Retention::Feed => ("privacy-retention-feed", 1),
            Retention::Kept => ("privacy-retention-kept", 0),
        }
    }
}

/// A text in both of kiwi's languages.
#[derive(Debug, Clone, Copy)]
pub struct Text {
    pub de: &'static str,
    pub en: &'static str,
}

impl Text {
    pub fn get(&self, language: Language) -> &'static str {
        match language {
            Language::De => self.de,
            Language::En => self.en,
        }
    }
}

/// One stored column.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub name: &'static str,
    pub purpose: Text,
    pub seen_by: &'static [Viewer],
    pub goes_to: &'static [Destination],
    /// Where it differs from its table's.
    pub retention: Option<Retention>,
    /// Exists on PostgreSQL only (the change feed's transaction id).
    pub postgres_only: bool,
}

impl Column {
    const fn keep(self, retention: Retention) -> Column {
        Column {
            retention: Some(retention),
            ..self
        }
    }

    const fn postgres_only(self) -> Column {
        Column {
            postgres_only: true,
            ..self
        }
    }
}

/// One stored table.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    pub purpose: Text,
    pub retention: Retention,
    pub columns: &'static [Column],
}

use Destination as D;
use Viewer as V;

const NOBODY: &[Viewer] = &[];
const NOWHERE: &[Destination] = &[];

const fn c(
    name: &'static str,
    de: &'static str,
    en: &'static str,
    seen_by: &'static [Viewer],
    goes_to: &'static [Destination],
) -> Column {
    Column {
        name,
        purpose: Text { de, en },
        seen_by,
        goes_to,
        retention: None,
        postgres_only: false,
    }
}

/// A column only kiwi itself reads, sent nowhere.
const fn internal(name: &'static str, de: &'static str, en: &'static str) -> Column {
    c(name, de, en, NOBODY, NOWHERE)
}

const fn id() -> Column {
    internal(
        "id",
        "Technischer Schlüssel der Zeile",
        "Technical key of the row",
    )
}

const fn person() -> Column {
    internal(
        "user_id",
        "Die Person, um die es geht (ihr technischer Schlüssel)",
        "The person it is about (their technical key)",
    )
}

const fn created() -> Column {
    internal(
        "created_at",
        "Wann die Zeile angelegt wurde",
        "When the row was created",
    )
}

const fn claim(name: &'static str) -> Column {
    internal(
        name,
        "Welche kiwi-Instanz die Arbeit gerade erledigt, und bis wann",
        "Which kiwi instance is doing the work, and until when",
    )
}

/// Every table and column kiwi stores. The order is the page's.
pub static INVENTORY: &[Table] = &[
    Table {
        name: "users",
        purpose: Text {
            de: "Die Beschäftigten: wer sie sind, wo sie arbeiten, welche Rollen sie haben.",
            en: "The staff: who they are, where they work, which roles they hold.",
        },
        retention: Retention::PersonalData,
        columns: &[
            id(),
            c(
                "personnel_number",
                "Personalnummer aus dem Personaldatenbestand; verbindet kiwi mit der Personalverwaltung",
                "Personnel number from the HR master data; links kiwi to HR",
                &[V::Own, V::Heads, V::Hr, V::Admins],
                &[D::Directory, D::Webhooks],
            ),
            c(
                "name",
                "Name, für Seiten, Berichte, Zertifikate und E-Mails",
                "Name, for pages, reports, certificates and mails",
                &[V::Own, V::Heads, V::Hr, V::Admins, V::Tools, V::Verifiers],
                &[D::Tools, D::Mail],
            ),
            c(
                "email",
                "Dienstliche E-Mail-Adresse: Anmeldung, E-Mails, Abgleich mit Werkzeugen und Verzeichnis",
                "Work email address: sign-in, mails, matching with tools and the directory",
                &[V::Own, V::Heads, V::Hr, V::Admins, V::Tools],
                &[D::Tools, D::Directory, D::Webhooks, D::Mail],
            ),
            internal(
                "email_normalized",
                "Die E-Mail-Adresse in Kleinbuchstaben, damit die Anmeldung Groß- und Kleinschreibung nicht unterscheidet",
                "The email address in lower case, so that sign-in ignores case",
            ),
            c(
                "org_unit_id",
                "Organisationseinheit: bestimmt, welche Abteilungsleitung die Person sieht",
                "Org unit: decides which department head sees the person",
                &[V::Own, V::Heads, V::Hr, V::Admins],
                NOWHERE,
            ),
            c(
                "language",
                "Gewählte Sprache der Seiten und E-Mails",
                "Chosen language of pages and mails",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "status",
                "Beschäftigt oder ausgeschieden; Ausgeschiedene können sich nicht mehr anmelden",
                "Active or left; people who left can no longer sign in",
                &[V::Hr, V::Admins, V::Tools],
                &[D::Tools, D::Directory, D::Webhooks],
            ),
            internal(
                "record_no",
                "Eine laufende Nummer der Person, die nie wiederverwendet wird; über sie findet das Protokoll „Wer hat hingesehen?“ die Einträge einer Person",
                "A running number of the person that is never reused; through it the \"who looked\" log finds a person's entries",
            ),
            internal(
                "password_hash",
                "Das Passwort als argon2id-Hash (nie das Passwort selbst)",
                "The password as an argon2id hash (never the password itself)",
            ),
            c(
                "is_manager",
                "Rolle Abteilungsleitung",
                "Role department head",
                &[V::Own, V::Admins],
                NOWHERE,
            ),
            c(
                "is_hr",
                "Rolle Personal",
                "Role HR",
                &[V::Own, V::Admins],
                NOWHERE,
            ),
            c(
                "is_admin",
                "Rolle Verwaltung",
                "Role administrator",
                &[V::Own, V::Admins],
                NOWHERE,
            ),
            created(),
            internal(
                "updated_at",
                "Wann die Angaben zuletzt geändert wurden",
                "When the details last changed",
            ),
            internal(
                "left_at",
                "Wann die Person ausgeschieden ist: Beginn der Löschfrist",
                "When the person left: the start of the erasure period",
            ),
            internal(
                "erased_at",
                "Wann die Angaben durch ein Pseudonym ersetzt wurden",
                "When the details were replaced by a pseudonym",
            ),
        ],
    },
    Table {
        name: "org_units",
        purpose: Text {
            de: "Die Organisationseinheiten der Verwaltung, aus dem Personaldatenbestand.",
            en: "The administration's org units, from the HR master data.",
        },
        retention: Retention::Kept,
        columns: &[
            id(),
            internal("parent_id", "Die übergeordnete Einheit", "The unit above"),
            c(
                "name",
                "Name der Einheit",
                "Name of the unit",
                &[V::Own, V::Heads, V::Hr, V::Admins],
                NOWHERE,
            ),
            c(
                "path",
                "Vollständiger Pfad der Einheit („Dezernat I / Fachbereich 10“)",
                "Full path of the unit (\"Dezernat I / Fachbereich 10\")",
                &[V::Own, V::Heads, V::Hr, V::Admins],
                NOWHERE,
            ),
            internal(
                "lineage",
                "Die Kette der übergeordneten Einheiten, um Teilbäume schnell zu finden",
                "The chain of units above, to find subtrees fast",
            ),
            created(),
        ],
    },
    Table {
        name: "sessions",
        purpose: Text {
            de: "Anmeldungen im Browser.",
            en: "Sign-ins in a browser.",
        },
        retention: Retention::Session,
        columns: &[
            internal(
                "id_hash",
                "SHA-256 des Sitzungs-Cookies (nie das Cookie selbst)",
                "SHA-256 of the session cookie (never the cookie itself)",
            ),
            person(),
            internal(
                "csrf_token",
                "Schutz der Formulare gegen untergeschobene Anfragen",
                "Protects forms against forged requests",
            ),
            created(),
            internal(
                "last_seen_at",
                "Letzte Anfrage der Sitzung, höchstens minütlich aktualisiert: für das Ende nach 2 Stunden ohne Nutzung",
                "The session's last request, updated at most once a minute: for the end after 2 idle hours",
            ),
            internal(
                "expires_at",
                "Spätestes Ende der Sitzung",
                "The latest end of the session",
            ),
        ],
    },
    Table {
        name: "sign_in_failures",
        purpose: Text {
            de: "Zähler fehlgeschlagener Anmeldungen und Passwort-Anfragen, gegen das Durchprobieren von Passwörtern.",
            en: "Counts of failed sign-ins and reset requests, against password guessing.",
        },
        retention: Retention::Throttle,
        columns: &[
            internal(
                "key",
                "Was gezählt wird: ein Hash des Kontos oder die Adresse des Geräts",
                "What is counted: a hash of the account, or the client's address",
            ),
            internal(
                "failures",
                "Anzahl im Zeitfenster",
                "Count within the window",
            ),
            internal(
                "window_start",
                "Beginn des Zeitfensters",
                "Start of the window",
            ),
        ],
    },
    Table {
        name: "setup_tokens",
        purpose: Text {
            de: "Der einmalige Link, mit dem die erste Administratorin oder der erste Administrator angelegt wird.",
            en: "The one-time link that creates the first administrator.",
        },
        retention: Retention::Kept,
        columns: &[
            internal("token_hash", "SHA-256 des Links", "SHA-256 of the link"),
            created(),
        ],
    },
    Table {
        name: "record_views",
        purpose: Text {
            de: "Wer sich Ausbildungsdaten angesehen oder über Personen geändert hat (Teambericht, Personalbericht, Exporte, Widerruf, Import): je Ansicht eine Zeile mit der Liste der betroffenen Personen, damit jede Person unter „Meine Daten“ sieht, wer ihre Daten gesehen hat.",
            en: "Who looked at training records or changed something about people (team report, HR report, exports, revocation, import): one row per view with the list of the people it included, so that everyone sees under \"My data\" who looked at theirs.",
        },
        retention: Retention::Audit,
        columns: &[
            id(),
            c(
                "at",
                "Zeitpunkt der Ansicht",
                "When it happened",
                &[Viewer::Own],
                NOWHERE,
            ),
            c(
                "actor_id",
                "Wer sich die Daten angesehen hat",
                "Who looked",
                &[Viewer::Own],
                NOWHERE,
            ),
            c(
                "actor_role",
                "In welcher Rolle (Abteilungsleitung, Personal, Befehlszeile)",
                "In which role (department head, HR, command line)",
                &[Viewer::Own],
                NOWHERE,
            ),
            c(
                "kind",
                "Was es war (Teambericht, Export, Widerruf …)",
                "What it was (team report, export, revocation …)",
                &[Viewer::Own],
                NOWHERE,
            ),
            c(
                "detail",
                "Einzelheiten, etwa der Filter eines Exports",
                "Details, such as an export's filter",
                &[Viewer::Own],
                NOWHERE,
            ),
            internal(
                "people_count",
                "Wie viele Personen es waren",
                "How many people it included",
            ),
        ],
    },
    Table {
        name: "record_view_people",
        purpose: Text {
            de: "Wen eine Ansicht enthielt: je Block von 512 Personennummern eine Zeile mit einem Bit je Person, damit ein Export von 100.000 Personen wenige Hundert kleine Zeilen schreibt.",
            en: "Whom a view included: one row per block of 512 person numbers, with one bit per person, so that an export of 100,000 people writes a few hundred small rows.",
        },
        retention: Retention::Audit,
        columns: &[
            internal("view_id", "Die Ansicht", "The view"),
            internal(
                "block",
                "Der Block der Personennummern",
                "The block of person numbers",
            ),
            internal(
                "bits0",
                "Welche Personen des Blocks die Ansicht enthielt (Nummern 0 bis 63 des Blocks)",
                "Which people of the block the view included (numbers 0 to 63 of the block)",
            ),
            internal(
                "bits1",
                "Ebenso, Nummern 64 bis 127 des Blocks",
                "The same, numbers 64 to 127 of the block",
            ),
            internal(
                "bits2",
                "Ebenso, Nummern 128 bis 191 des Blocks",
                "The same, numbers 128 to 191 of the block",
            ),
            internal(
                "bits3",
                "Ebenso, Nummern 192 bis 255 des Blocks",
                "The same, numbers 192 to 255 of the block",
            ),
            internal(
                "bits4",
                "Ebenso, Nummern 256 bis 319 des Blocks",
                "The same, numbers 256 to 319 of the block",
            ),
            internal(
                "bits5",
                "Ebenso, Nummern 320 bis 383 des Blocks",
                "The same, numbers 320 to 383 of the block",
            ),
            internal(
                "bits6",
                "Ebenso, Nummern 384 bis 447 des Blocks",
                "The same, numbers 384 to 447 of the block",
            ),
            internal(
                "bits7",
                "Ebenso, Nummern 448 bis 511 des Blocks",
                "The same, numbers 448 to 511 of the block",
            ),
        ],
    },
    Table {
        name: "audit_log",
        purpose: Text {
            de: "Das Protokoll der Änderungen, die für die Nachvollziehbarkeit zählen (Zertifikate, Rollen, Importe, Freigaben von Werkzeugen, Löschungen). Es nennt Personen nur mit Personalnummer oder Pseudonym.",
            en: "The log of changes that matter for accountability (certificates, roles, imports, tool grants, erasures). It names people only by personnel number or pseudonym.",
        },
        retention: Retention::Audit,
        columns: &[
            id(),
            internal("at", "Zeitpunkt", "When"),
            internal(
                "actor_id",
                "Wer die Änderung vorgenommen hat",
                "Who made the change",
            ),
            internal("action", "Art der Änderung", "Kind of change"),
            internal(
                "detail",
                "Einzelheiten der Änderung",
                "Details of the change",
            ),
            internal(
                "dedupe_key",
                "Schlüssel, damit mehrere Instanzen dasselbe Ereignis nur einmal eintragen",
                "Key so that several instances record the same event once",
            ),
        ],
    },
    Table {
        name: "quiz_attempts",
        purpose: Text {
            de: "Quizversuche. Punkte und Antworten sieht nur die Person selbst.",
            en: "Quiz attempts. Scores and answers are seen by the person alone.",
        },
        retention: Retention::Records,
        columns: &[
            c(
                "id",
                "Schlüssel des Versuchs",
                "Key of the attempt",
                &[V::Own],
                NOWHERE,
            ),
            person(),
            c("course_id", "Der Kurs", "The course", &[V::Own], NOWHERE),
            c("module_id", "Das Modul", "The module", &[V::Own], NOWHERE),
            c(
                "course_version",
                "Die Kursversion, auf der der Versuch beruht",
                "The course version the attempt is based on",
                &[V::Own],
                NOWHERE,
            ),
            internal(
                "content_hash",
                "Prüfsumme des Kursinhalts, damit ein geänderter Kurs alte Versuche nicht umdeutet",
                "Checksum of the course content, so that a changed course does not reinterpret old attempts",
            ),
            c(
                "draw",
                "Die gezogenen Fragen und die Reihenfolge ihrer Antworten",
                "The questions drawn and the order of their options",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "started_at",
                "Beginn des Versuchs",
                "When the attempt started",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "submitted_at",
                "Abgabe des Versuchs; bestimmt die Wartezeit nach Fehlversuchen",
                "When it was submitted; sets the pause after failed attempts",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "answers",
                "Die gewählten Antworten",
                "The options chosen",
                &[V::Own],
                NOWHERE,
            )
            .keep(Retention::Answers),
            c(
                "score_percent",
                "Ergebnis in Prozent",
                "Score in percent",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "passed",
                "Bestanden oder nicht",
                "Passed or not",
                &[V::Own],
                NOWHERE,
            ),
        ],
    },
    Table {
        name: "module_completions",
        purpose: Text {
            de: "Abgeschlossene Module: Grundlage des Lernstands und der Zertifikate.",
            en: "Completed modules: the basis of progress and certificates.",
        },
        retention: Retention::Records,
        columns: &[
            id(),
            person(),
            c(
                "course_id",
                "Der Kurs; dass jemand begonnen hat, zeigen Berichte als „in Bearbeitung“",
                "The course; reports show that someone started as \"in progress\"",
                &[V::Own, V::Heads, V::Hr],
                NOWHERE,
            ),
            c("module_id", "Das Modul", "The module", &[V::Own], NOWHERE),
            c(
                "course_version",
                "Die Kursversion",
                "The course version",
                &[V::Own],
                NOWHERE,
            ),
            c(
                "kind",
                "Durch Quiz bestanden oder als gelesen bestätigt",
                "Passed by quiz or confirmed as read",
                &[V::Own],
                NOWHERE,
            ),
            internal("attempt_id", "Der bestandene Versuch", "The passed attempt"),
            c("completed_at", "Wann", "When", &[V::Own], NOWHERE),
        ],
    },
    Table {
        name: "certificates",
        purpose: Text {
            de: "Zertifikate: der Nachweis der KI-Kompetenz (Art. 4 KI-Verordnung) und der Schlüssel zu den KI-Werkzeugen.",
            en: "Certificates: the evidence of AI literacy (Art. 4 AI Act) and the key to the AI tools.",
        },
        retention: Retention::Records,
        columns: &[
            id(),
            c(
                "serial",
                "Seriennummer, öffentlich prüfbar",
                "Serial number, verifiable in public",
                &[V::Own, V::Heads, V::Hr, V::Verifiers],
                &[D::Webhooks],
            ),
            person(),
            c(
                "course_id",
                "Der Kurs",
                "The course",
                &[V::Own, V::Heads, V::Hr, V::Tools, V::Verifiers],
                &[D::Tools, D::Directory, D::Webhooks],
            ),
            c(
                "course_version",
                "Die Kursversion",
                "The course version",
                &[V::Own, V::Heads, V::Hr, V::Verifiers],
                NOWHERE,
            ),
            internal(
                "sequence",
                "Das wievielte Zertifikat dieses Kurses",
                "Which certificate of this course it is",
            ),
            c(
                "issued_at",
                "Ausgestellt am",
                "Issued on",
                &[V::Own, V::Heads, V::Hr, V::Verifiers],
                NOWHERE,
            ),
            c(
                "valid_from",
                "Gültig ab",
                "Valid from",
                &[V::Own, V::Verifiers],
                NOWHERE,
            ),
            c(
                "valid_until",
                "Gültig bis",
                "Valid until",
                &[V::Own, V::Heads, V::Hr, V::Tools, V::Verifiers],
                &[D::Tools, D::Webhooks],
            ),
            internal(
                "renewal_of",
                "Das erneuerte Zertifikat",
                "The certificate it renews",
            ),
            c(
                "revoked_at",
                "Widerrufen am",
                "Revoked on",
                &[V::Own, V::Hr, V::Verifiers],
                &[D::Webhooks],
            ),
            internal("revoked_by", "Wer widerrufen hat", "Who revoked it"),
            c(
                "revoke_reason",
                "Grund des Widerrufs",
                "Reason for the revocation",
                &[V::Own, V::Hr],
                NOWHERE,
            ),
        ],
    },
    Table {
        name: "policy_acknowledgements",
        purpose: Text {
            de: "Bestätigungen der KI-Nutzungsregeln.",
            en: "Acknowledgements of the AI usage policy.",
        },
        retention: Retention::Records,
        columns: &[
            id(),
            person(),
            c(
                "policy_version",
                "Die bestätigte Fassung; Personal sieht nur, wie viele bestätigt haben",
                "The version acknowledged; HR sees only how many did",
                &[V::Own, V::Tools],
                &[D::Tools, D::Directory],
            ),
            c("acknowledged_at", "Wann", "When", &[V::Own], NOWHERE),
        ],
    },
    Table {
        name: "api_keys",
        purpose: Text {
            de: "Die Schlüssel, mit denen KI-Werkzeuge kiwi fragen.",
            en: "The keys AI tools ask kiwi with.",
        },
        retention: Retention::Kept,
        columns: &[
            id(),
            c("tool_id", "Das Werkzeug", "The tool", &[V::Admins], NOWHERE),
            internal("key_hash", "SHA-256 des Schlüssels", "SHA-256 of the key"),
            c(
                "prefix",
                "Die ersten Zeichen, um Schlüssel zu unterscheiden",
                "The first characters, to tell keys apart",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "created_at",
                "Angelegt am",
                "Created on",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "revoked_at",
                "Widerrufen am",
                "Revoked on",
                &[V::Admins],
                NOWHERE,
            ),
        ],
    },
    Table {
        name: "access_changes",
        purpose: Text {
            de: "Die Liste der Änderungen, der jede kiwi-Instanz folgt, damit alle dieselbe Auskunft geben.",
            en: "The feed of changes every kiwi instance follows, so that all answer alike.",
        },
        retention: Retention::Feed,
        columns: &[
            id(),
            internal("kind", "Art der Änderung", "Kind of change"),
            internal("user_id", "Die betroffene Person", "The person concerned"),
            internal("at", "Wann", "When"),
            internal(
                "txid",
                "Die schreibende Transaktion, damit keine Änderung übersehen wird",
                "The writing transaction, so that no change is missed",
            )
            .postgres_only(),
        ],
    },
    Table {
        name: "assignments",
        purpose: Text {
            de: "Zuweisungen von Kursen mit Frist, an eine Einheit oder eine Person.",
            en: "Courses assigned with a due date, to a unit or a person.",
        },
        retention: Retention::Records,
        columns: &[
            id(),
            c(
                "course_id",
                "Der Kurs",
                "The course",
                &[V::Own, V::Heads, V::Hr],
                &[D::Mail],
            ),
            c(
                "org_unit_id",
                "Die Einheit (mit allen darunter)",
                "The unit (with every unit below)",
                &[V::Heads, V::Hr],
                NOWHERE,
            ),
            c(
                "user_id",
                "Die Person, wenn einzeln zugewiesen",
                "The person, when assigned by name",
                &[V::Heads, V::Hr],
                NOWHERE,
            ),
            c(
                "due_on",
                "Frist",
                "Due date",
                &[V::Own, V::Heads, V::Hr],
                &[D::Mail],
            ),
            internal("assigned_by", "Wer zugewiesen hat", "Who assigned it"),
            c("assigned_at", "Wann", "When", &[V::Heads, V::Hr], NOWHERE),
            internal("withdrawn_at", "Zurückgenommen am", "Withdrawn on"),
            internal("withdrawn_by", "Wer zurückgenommen hat", "Who withdrew it"),
        ],
    },
    Table {
        name: "outbox_mails",
        purpose: Text {
            de: "Ausgehende E-Mails (Einladungen, Erinnerungen, Zertifikate), bis sie versandt sind und danach.",
            en: "Outgoing mail (invitations, reminders, certificates), until sent and after.",
        },
        retention: Retention::Mail,
        columns: &[
            id(),
            internal(
                "dedupe_key",
                "Schlüssel, damit jede Erinnerung nur einmal verschickt wird",
                "Key so that each reminder is sent once",
            ),
            internal("user_id", "Die empfangende Person", "The recipient"),
            c(
                "recipient_name",
                "Name der empfangenden Person",
                "Name of the recipient",
                NOBODY,
                &[D::Mail],
            ),
            c(
                "recipient",
                "E-Mail-Adresse der empfangenden Person",
                "Email address of the recipient",
                &[V::Admins],
                &[D::Mail],
            ),
            internal("language", "Sprache der E-Mail", "Language of the mail"),
            c(
                "kind",
                "Art der E-Mail",
                "Kind of mail",
                &[V::Admins],
                NOWHERE,
            ),
            c("subject", "Betreff", "Subject", &[V::Admins], &[D::Mail]),
            c(
                "text_body",
                "Text der E-Mail (Links zum Setzen eines Passworts werden nach dem Versand gelöscht)",
                "Text of the mail (links to set a password are erased once sent)",
                NOBODY,
                &[D::Mail],
            ),
            c(
                "html_body",
                "Dieselbe E-Mail als HTML",
                "The same mail as HTML",
                NOBODY,
                &[D::Mail],
            ),
            c(
                "status",
                "Versandstatus",
                "Sending status",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "tries",
                "Anzahl der Versuche",
                "Number of tries",
                &[V::Admins],
                NOWHERE,
            ),
            internal("next_try_at", "Nächster Versuch", "Next try"),
            c(
                "last_error",
                "Letzter Fehler des Mailservers",
                "The mail server's last error",
                &[V::Admins],
                NOWHERE,
            ),
            claim("claimed_by"),
            claim("claimed_until"),
            c(
                "created_at",
                "Angelegt am",
                "Created on",
                &[V::Admins],
                NOWHERE,
            ),
            internal("sent_at", "Versandt am", "Sent on"),
        ],
    },
    Table {
        name: "password_links",
        purpose: Text {
            de: "Einladungs- und Passwort-Links (nur als Hash).",
            en: "Invitation and password links (as hashes only).",
        },
        retention: Retention::Links,
        columns: &[
            internal("token_hash", "SHA-256 des Links", "SHA-256 of the link"),
            person(),
            internal(
                "purpose",
                "Einladung oder neues Passwort",
                "Invitation or reset",
            ),
            created(),
            internal("expires_at", "Ablauf", "Expiry"),
            internal("used_at", "Verwendet am", "Used on"),
        ],
    },
    Table {
        name: "readiness_probes",
        purpose: Text {
            de: "Jede kiwi-Instanz prüft hier, ob sie schreiben kann.",
            en: "Each kiwi instance checks here that it can write.",
        },
        retention: Retention::Kept,
        columns: &[
            internal("instance", "Name der Instanz", "Name of the instance"),
            internal("checked_at", "Letzte Prüfung", "Last check"),
        ],
    },
    Table {
        name: "tool_sessions",
        purpose: Text {
            de: "Anmeldungen auf dem eigenen Hostnamen eines KI-Werkzeugs; sie enden mit der kiwi-Sitzung.",
            en: "Sign-ins on an AI tool's own host name; they end with the kiwi session.",
        },
        retention: Retention::Session,
        columns: &[
            id(),
            internal("session_id_hash", "Die kiwi-Sitzung", "The kiwi session"),
            internal("tool", "Das Werkzeug", "The tool"),
            internal(
                "code_hash",
                "SHA-256 des einmaligen Codes (60 Sekunden gültig)",
                "SHA-256 of the one-time code (valid 60 seconds)",
            ),
            internal("code_expires_at", "Ablauf des Codes", "Expiry of the code"),
            c(
                "next_path",
                "Wohin es auf dem Werkzeug danach geht",
                "Where on the tool the person goes next",
                NOBODY,
                &[D::Tools],
            ),
            internal(
                "token_hash",
                "SHA-256 des Cookies beim Werkzeug",
                "SHA-256 of the cookie at the tool",
            ),
            created(),
        ],
    },
    Table {
        name: "outbox_operations",
        purpose: Text {
            de: "Was kiwi dem Verzeichnis und Webhooks mitteilt (wer ein Werkzeug nutzen darf), bis es erledigt ist und danach.",
            en: "What kiwi tells the directory and webhooks (who may use a tool), until done and after.",
        },
        retention: Retention::Operations,
        columns: &[
            id(),
            internal(
                "message_id",
                "Kennung der Nachricht, bei jedem Versuch gleich",
                "Id of the message, the same on every try",
            ),
            c(
                "kind",
                "Verzeichnis oder Webhook",
                "Directory or webhook",
                &[V::Admins],
                NOWHERE,
            ),
            internal(
                "dedupe_key",
                "Schlüssel, damit nichts doppelt eingereiht wird",
                "Key so that nothing is queued twice",
            ),
            internal(
                "sequence_key",
                "Reihenfolge je Person und Werkzeug",
                "Order per person and tool",
            ),
            c(
                "target",
                "Die Gruppe im Verzeichnis oder der Webhook",
                "The directory group or the webhook",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "action",
                "Hinzufügen, entfernen oder das Ereignis",
                "Add, remove or the event",
                &[V::Admins],
                NOWHERE,
            ),
            c("tool_id", "Das Werkzeug", "The tool", &[V::Admins], NOWHERE),
            person(),
            c(
                "reason",
                "Warum eine Berechtigung endet (abgelaufen, widerrufen, ausgeschieden, Nutzungsregeln)",
                "Why an entitlement ends (expired, revoked, left, policy)",
                &[V::Admins],
                &[D::Webhooks],
            ),
            c(
                "payload",
                "Was übermittelt wird: E-Mail-Adresse und Personalnummer, oder der Inhalt des Webhooks",
                "What is sent: email address and personnel number, or the webhook's body",
                &[V::Admins],
                &[D::Directory, D::Webhooks],
            ),
            c("status", "Stand", "Status", &[V::Admins], NOWHERE),
            c(
                "tries",
                "Anzahl der Versuche",
                "Number of tries",
                &[V::Admins],
                NOWHERE,
            ),
            internal("next_try_at", "Nächster Versuch", "Next try"),
            c(
                "last_error",
                "Letzter Fehler",
                "Last error",
                &[V::Admins],
                NOWHERE,
            ),
            c("outcome", "Ergebnis", "Outcome", &[V::Admins], NOWHERE),
            claim("claimed_by"),
            claim("claimed_until"),
            created(),
            internal("done_at", "Erledigt am", "Done on"),
        ],
    },
    Table {
        name: "directory_reconciliations",
        purpose: Text {
            de: "Die Abgleiche der Verzeichnisgruppen mit dem, was kiwi weiß.",
            en: "The reconciliations of the directory groups with what kiwi knows.",
        },
        retention: Retention::Audit,
        columns: &[
            id(),
            internal(
                "dedupe_key",
                "Schlüssel, damit nur eine Instanz den nächtlichen Abgleich macht",
                "Key so that one instance runs the nightly reconciliation",
            ),
            c(
                "trigger",
                "Nächtlich oder von Hand",
                "Nightly or by hand",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "dry_run",
                "Nur geprüft",
                "Checked only",
                &[V::Admins],
                NOWHERE,
            ),
            c("started_at", "Beginn", "Start", &[V::Admins], NOWHERE),
            c("finished_at", "Ende", "End", &[V::Admins], NOWHERE),
            c(
                "added",
                "Anzahl hinzugefügt",
                "Number added",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "removed",
                "Anzahl entfernt",
                "Number removed",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "unmanaged",
                "Anzahl fremder Mitglieder",
                "Number of members kiwi does not know",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "not_found",
                "Anzahl nicht im Verzeichnis",
                "Number not in the directory",
                &[V::Admins],
                NOWHERE,
            ),
            c(
                "report",
                "Je Gruppe, wer hinzugefügt, entfernt oder nicht gefunden wurde (E-Mail-Adressen)",
                "Per group who was added, removed or not found (email addresses)",
                &[V::Admins],
                NOWHERE,
            ),
            c("error", "Fehler", "Error", &[V::Admins], NOWHERE),
        ],
    },
    Table {
        name: "policy_versions",
        purpose: Text {
            de: "Die Fassungen der Nutzungsregeln, die kiwi ausgeliefert hat.",
            en: "The versions of the usage policy kiwi has served.",
        },
        retention: Retention::Kept,
        columns: &[
            internal("version", "Die Fassung", "The version"),
            internal(
                "first_served_at",
                "Zuerst ausgeliefert am",
                "First served on",
            ),
        ],
    },
    Table {
        name: "second_factors",
        purpose: Text {
            de: "Der zweite Faktor (Authenticator-App) einer Anmeldung mit Passwort.",
            en: "The second factor (authenticator app) of a password sign-in.",
        },
        retention: Retention::UntilReplaced,
        columns: &[
            id(),
            person(),
            internal(
                "secret",
                "Das Geheimnis der App, verschlüsselt mit einem Schlüssel außerhalb der Datenbank",
                "The app's secret, encrypted with a key outside the database",
            ),
            c(
                "confirmed_at",
                "Eingerichtet am",
                "Set up on",
                &[V::Own],
                NOWHERE,
            ),
            internal(
                "last_step",
                "Der zuletzt verwendete Code-Zeitschritt: kein Code gilt zweimal",
                "The last code step used: no code works twice",
            ),
            created(),
        ],
    },
    Table {
        name: "recovery_codes",
        purpose: Text {
            de: "Wiederherstellungscodes des zweiten Faktors (nur als Hash).",
            en: "Recovery codes of the second factor (as hashes only).",
        },
        retention: Retention::UntilReplaced,
        columns: &[
            id(),
            person(),
            internal("code_hash", "SHA-256 des Codes", "SHA-256 of the code"),
            c(
                "used_at",
                "Verwendet am; die Person sieht, wie viele übrig sind",
                "Used on; the person sees how many are left",
                &[V::Own],
                NOWHERE,
            ),
            created(),
        ],
    },
    Table {
        name: "sign_in_challenges",
        purpose: Text {
            de: "Anmeldungen, deren Passwort stimmte und die auf den zweiten Faktor warten.",
            en: "Sign-ins whose password was right, waiting for the second factor.",
        },
        retention: Retention::Minutes,
        columns: &[
            internal("token_hash", "SHA-256 des Cookies", "SHA-256 of the cookie"),
            person(),
            internal(
                "next_path",
                "Wohin es danach geht",
                "Where the person goes next",
            ),
            created(),
            internal("expires_at", "Ablauf (10 Minuten)", "Expiry (10 minutes)"),
        ],
    },
    Table {
        name: "oidc_sign_ins",
        purpose: Text {
            de: "Anmeldungen über den Identitätsanbieter, solange sie unterwegs sind.",
            en: "Sign-ins through the identity provider while they are on their way.",
        },
        retention: Retention::Minutes,
        columns: &[
            internal(
                "state_hash",
                "SHA-256 des Parameters state",
                "SHA-256 of the state parameter",
            ),
            internal(
                "browser_hash",
                "SHA-256 des Cookies im Browser",
                "SHA-256 of the browser's cookie",
            ),
            internal(
                "nonce",
                "Einmalwert gegen wiederholte Tokens",
                "One-time value against replayed tokens",
            ),
            internal("code_verifier", "PKCE-Prüfwert", "PKCE verifier"),
            internal(
                "next_path",
                "Wohin es danach geht",
                "Where the person goes next",
            ),
            created(),
            internal("expires_at", "Ablauf", "Expiry"),
        ],
    },
    Table {
        name: "oidc_sessions",
        purpose: Text {
            de: "Welche kiwi-Sitzung von welcher Sitzung beim Identitätsanbieter stammt, für dessen Abmeldung.",
            en: "Which kiwi session came from which session at the identity provider, for its sign-out.",
        },
        retention: Retention::Session,
        columns: &[
            internal("session_id_hash", "Die kiwi-Sitzung", "The kiwi session"),
            person(),
            internal(
                "subject",
                "Die Kennung der Person beim Anbieter",
                "The person's id at the provider",
            ),
            internal(
                "sid",
                "Die Sitzung beim Anbieter",
                "The session at the provider",
            ),
            created(),
        ],
    },
];

/// How the declaration and the schema differ, each as `table.column`.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Columns in the database that the inventory does not name.
    pub undeclared: Vec<String>,
    /// Columns the inventory names that the database does not have.
    pub missing: Vec<String>,
}

impl Coverage {
    pub fn is_complete(&self) -> bool {
        self.undeclared.is_empty() && self.missing.is_empty()
    }
}

/// Compares the inventory with the columns a database has (`db::schema::columns`): every
/// column must have exactly one entry, and every entry its column.
pub fn coverage(actual: &[(String, String)], postgres: bool) -> Coverage {
    let declared: BTreeSet<String> = INVENTORY
        .iter()
        .flat_map(|table| {
            table
                .columns
                .iter()
                .filter(move |column| postgres || !column.postgres_only)
                .map(move |column| format!("{}.{}", table.name, column.name))
        })
        .collect();
    let found: BTreeSet<String> = actual
        .iter()
        .map(|(table, column)| format!("{table}.{column}"))
        .collect();
    Coverage {
        undeclared: found.difference(&declared).cloned().collect(),
        missing: declared.difference(&found).cloned().collect(),
    }
}

/// A message id with the number it names, for the page.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Message {
    pub id: &'static str,
    pub count: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct ColumnView {
    pub name: &'static str,
    pub purpose: &'static str,
    /// Message ids; empty: nobody in kiwi.
    pub seen_by: Vec<&'static str>,
    /// Message ids; empty: nowhere.
    pub goes_to: Vec<&'static str>,
    pub retention: Message,
    pub postgres_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TableView {
    pub name: &'static str,
    pub purpose: &'static str,
    pub retention: Message,
    pub columns: Vec<ColumnView>,
}

/// The inventory in `language`, with the retention periods in force.
pub fn tables(language: Language, periods: &Periods) -> Vec<TableView> {
    let message = |retention: Retention| {
        let (id, count) = retention.message(periods);
        Message { id, count }
    };
    INVENTORY
        .iter()
        .map(|table| TableView {
            name: table.name,
            purpose: table.purpose.get(language),
            retention: message(table.retention),
            columns: table
                .columns
                .iter()
                .map(|column| ColumnView {
                    name: column.name,
                    purpose: column.purpose.get(language),
                    seen_by: column.seen_by.iter().map(|v| v.message()).collect(),
                    goes_to: column.goes_to.iter().map(|d| d.message()).collect(),
                    retention: message(column.retention.unwrap_or(table.retention)),
                    postgres_only: column.postgres_only,
                })
                .collect(),
        })
        .collect()
}

/// Every retention message the page can name, for the translation check.
pub fn messages() -> Vec<&'static str> {
    let periods = Periods {
        answers_days: 1,
        left_days: 1,
        audit_days: 1,
    };
    let mut ids: Vec<&'static str> = [
        Retention::PersonalData,
        Retention::Records,
        Retention::UntilReplaced,
        Retention::Answers,
        Retention::Session,
        Retention::Minutes,
        Retention::Throttle,
        Retention::Mail,
        Retention::Operations,
        Retention::Links,
        Retention::Audit,
        Retention::Feed,
        Retention::Kept,
    ]
    .iter()
    .map(|r| r.message(&periods).0)
    .collect();
    ids.extend(
        [
            Viewer::Own,
            Viewer::Heads,
            Viewer::Hr,
            Viewer::Admins,
            Viewer::Tools,
            Viewer::Verifiers,
        ]
        .iter()
        .map(|v| v.message()),
    );
    ids.extend(
        [
            Destination::Tools,
            Destination::Directory,
            Destination::Webhooks,
            Destination::Mail,
        ]
        .iter()
        .map(|d| d.message()),
    );
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema_of_inventory(postgres: bool) -> Vec<(String, String)> {
        INVENTORY
            .iter()
            .flat_map(|t| {
                t.columns
                    .iter()
                    .filter(move |c| postgres || !c.postgres_only)
                    .map(move |c| (t.name.to_owned(), c.name.to_owned()))
            })
            .collect()
    }

    #[test]
    fn a_column_without_an_entry_is_named() {
        let mut schema = schema_of_inventory(false);
        schema.push(("users".into(), "shoe_size".into()));
        let coverage = coverage(&schema, false);
        assert_eq!(coverage.undeclared, vec!["users.shoe_size".to_owned()]);
        assert!(coverage.missing.is_empty());
    }

    #[test]
    fn an_entry_for_a_column_that_is_gone_is_named() {
        let schema: Vec<_> = schema_of_inventory(false)
            .into_iter()
            .filter(|(t, c)| !(t == "quiz_attempts" && c == "answers"))
            .collect();
        let coverage = coverage(&schema, false);
        assert_eq!(coverage.missing, vec!["quiz_attempts.answers".to_owned()]);
        assert!(coverage.undeclared.is_empty());
    }

    #[test]
    fn a_column_of_postgresql_only_is_expected_there_alone() {
        assert!(coverage(&schema_of_inventory(false), false).is_complete());
        assert!(coverage(&schema_of_inventory(true), true).is_complete());
        assert_eq!(
            coverage(&schema_of_inventory(false), true).missing,
            vec!["access_changes.txid".to_owned()]
        );
    }

    #[test]
    fn every_message_the_page_names_is_translated() {
        let translations = crate::i18n::Translations::load().unwrap();
        for id in messages() {
            for language in Language::ALL {
                if let Err(error) = translations.text(language, id, &[("count", "2".to_owned())]) {
                    panic!("{id}: {error}");
                }
            }
        }
    }

    #[test]
    fn every_column_is_declared_once_with_both_languages() {
        let mut seen = BTreeSet::new();
        for table in INVENTORY {
            assert!(!table.purpose.de.is_empty() && !table.purpose.en.is_empty());
            for column in table.columns {
                assert!(
                    seen.insert(format!("{}.{}", table.name, column.name)),
                    "{}.{} is declared twice",
                    table.name,
                    column.name
                );
                assert!(!column.purpose.de.is_empty() && !column.purpose.en.is_empty());
            }
        }
    }
}
