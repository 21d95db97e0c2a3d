//! The mails kiwi writes: one function per kind, rendered from the mail templates in the
//! recipient's language, plain text and HTML, ready for the outbox.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::DbErr;
use serde::Serialize;
use uuid::Uuid;

use crate::config::Settings;
use crate::content::Content;
use crate::courses::Course;
use crate::domain::{Language, LocalTime};
use crate::entities::{certificate, user};
use crate::i18n::{TranslationError, Translations};
use crate::templates::{RenderError, Templates};
use crate::tools::Tool;
use crate::webhook::Webhook;

/// What a mail is about; stored with it, shown to administrators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailKind {
    Invitation,
    PasswordReset,
    Assignment,
    Reminder,
    Overdue,
    Digest,
    CertificateIssued,
    CertificateExpiring,
    AccessLost,
}

impl MailKind {
    pub const ALL: [MailKind; 9] = [
        MailKind::Invitation,
        MailKind::PasswordReset,
        MailKind::Assignment,
        MailKind::Reminder,
        MailKind::Overdue,
        MailKind::Digest,
        MailKind::CertificateIssued,
        MailKind::CertificateExpiring,
        MailKind::AccessLost,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MailKind::Invitation => "invitation",
            MailKind::PasswordReset => "password_reset",
            MailKind::Assignment => "assignment",
            MailKind::Reminder => "reminder",
            MailKind::Overdue => "overdue",
            MailKind::Digest => "digest",
            MailKind::CertificateIssued => "certificate_issued",
            MailKind::CertificateExpiring => "certificate_expiring",
            MailKind::AccessLost => "access_lost",
        }
    }

    pub fn parse(value: &str) -> Option<MailKind> {
        MailKind::ALL.into_iter().find(|k| k.as_str() == value)
    }

    /// Mails whose link sets a password: their text is erased from the outbox once sent.
    pub fn carries_secret(self) -> bool {
        matches!(self, MailKind::Invitation | MailKind::PasswordReset)
    }
}

/// A rendered mail on its way into the outbox.
#[derive(Debug, Clone)]
pub struct NewMail {
    pub kind: MailKind,
    /// Set where the same mail must never be queued twice (reminders, notices).
    pub dedupe_key: Option<String>,
    pub user_id: Option<Uuid>,
    pub recipient_name: String,
    pub recipient: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Who a mail goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: Uuid,
    pub name: String,
    pub email: String,
    pub language: Language,
}

impl Recipient {
    /// A person as stored: their language code falls back to the default if unknown.
    pub fn new(user_id: Uuid, name: &str, email: &str, language: &str) -> Recipient {
        Recipient {
            user_id,
            name: name.to_owned(),
            email: email.to_owned(),
            language: Language::parse(language).unwrap_or_default(),
        }
    }
}

impl From<&user::Model> for Recipient {
    fn from(person: &user::Model) -> Self {
        Recipient::new(person.id, &person.name, &person.email, &person.language)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("mail template: {0}")]
    Render(#[from] RenderError),
    #[error("mail text: {0}")]
    Translation(#[from] TranslationError),
    #[error(transparent)]
    Database(#[from] DbErr),
}

/// Services whose callers speak `DbErr` queue mails inside their transactions; a mail that
/// cannot be rendered (a broken template, caught by the tests) fails the transaction.
impl From<MailError> for DbErr {
    fn from(error: MailError) -> Self {
        match error {
            MailError::Database(e) => e,
            other => DbErr::Custom(other.to_string()),
        }
    }
}

/// Why a tool closed for someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClosedBecause {
    Revoked,
    Expired,
}

/// One overdue person in a department head's digest.
#[derive(Debug, Clone)]
pub struct OverdueRow {
    pub name: String,
    pub course: String,
    pub due_on: NaiveDate,
}

/// Writes kiwi's mails: the templates and texts, the public URL links are built from, and
/// the tools and courses an "access lost" mail can name.
pub struct Composer {
    /// Where the people live: every date and time in a mail is local.
    local: LocalTime,
    templates: Arc<Templates>,
    translations: Arc<Translations>,
    base_url: String,
    organisation: String,
    tools: Vec<Tool>,
    policy_version: Option<String>,
    course_titles: HashMap<String, HashMap<Language, String>>,
    /// The global webhook, told of certificates issued and revoked (not a mail, but written
    /// in the same transactions).
    webhook: Option<Arc<Webhook>>,
}

/// The parts of a mail the letter templates lay out.
#[derive(Serialize)]
struct Letter {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    items: Vec<String>,
    action: Option<Action>,
    link_hint: String,
    notes: Vec<String>,
    closing: String,
    footer: String,
}

#[derive(Serialize)]
struct Action {
    label: String,
    url: String,
}

/// How long an invitation link works.
pub const INVITATION_VALID: chrono::Duration = chrono::Duration::days(7);
/// How long a password reset link works.
pub const RESET_VALID: chrono::Duration = chrono::Duration::minutes(60);

impl Composer {
    /// The time zone of the people kiwi writes to.
    pub fn local(&self) -> LocalTime {
        self.local
    }

    /// A composer for the content loaded (the command line, which sends no access mails,
    /// passes none).
    pub fn new(
        templates: Arc<Templates>,
        translations: Arc<Translations>,
        settings: &Settings,
        content: Option<&Content>,
    ) -> Composer {
        Composer {
            local: settings.local_time(),
            templates,
            translations,
            base_url: settings.base_url(),
            organisation: settings.organisation.clone(),
            tools: content.map(|c| c.tools.clone()).unwrap_or_default(),
            policy_version: content
                .and_then(|c| c.policy.as_ref())
                .map(|p| p.version.clone()),
            course_titles: content
                .map(|c| {
                    c.catalog
                        .courses()
                        .iter()
                        .map(|course| {
                            let titles = Language::ALL
                                .into_iter()
                                .map(|l| (l, course.title(l).to_owned()))
                                .collect();
                            (course.id.clone(), titles)
                        })
                        .collect()
                })
                .unwrap_or_default(),
            webhook: None,
        }
    }

    /// The same composer, telling `webhook` of certificates issued and revoked.
    pub fn with_webhook(self, webhook: Option<Arc<Webhook>>) -> Composer {
        Composer { webhook, ..self }
    }

    pub fn webhook(&self) -> Option<&Arc<Webhook>> {
        self.webhook.as_ref()
    }

    pub fn tools(&self) -> &[Tool] {
        &self.tools
    }

    pub fn policy_version(&self) -> Option<&str> {
        self.policy_version.as_deref()
    }

    /// The invitation after an import or `kiwi users add --invite`: a link to set the first password.
    pub fn invitation(
        &self,
        to: &Recipient,
        token: &str,
        expires_at: DateTime<Utc>,
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let letter = self.letter(
            to,
            self.text(l, "mail-invitation-subject", &[])?,
            vec![self.text(
                l,
                "mail-invitation-body",
                &[("organisation", self.organisation.clone())],
            )?],
            Some((
                self.text(l, "mail-invitation-action", &[])?,
                format!("{}/invite/{token}", self.base_url),
            )),
            vec![self.text(
                l,
                "mail-invitation-note",
                &[
                    ("date", l.format_date(self.local.day(expires_at))),
                    ("email", to.email.clone()),
                ],
            )?],
        )?;
        self.mail(MailKind::Invitation, to, letter)
    }

    /// The answer to "forgot my password": a link to set a new one.
    pub fn password_reset(&self, to: &Recipient, token: &str) -> Result<NewMail, MailError> {
        let l = to.language;
        let letter = self.letter(
            to,
            self.text(l, "mail-reset-subject", &[])?,
            vec![self.text(l, "mail-reset-body", &[])?],
            Some((
                self.text(l, "mail-reset-action", &[])?,
                format!("{}/password/reset/{token}", self.base_url),
            )),
            vec![self.text(
                l,
                "mail-reset-note",
                &[("minutes", RESET_VALID.num_minutes().to_string())],
            )?],
        )?;
        self.mail(MailKind::PasswordReset, to, letter)
    }

    /// A course assigned with a due date.
    pub fn assignment(
        &self,
        to: &Recipient,
        course: &Course,
        due_on: NaiveDate,
    ) -> Result<NewMail, MailError> {
        let args = course_args(course, due_on, to.language);
        self.due_mail(MailKind::Assignment, "mail-assignment", to, course, args)
    }

    /// A reminder `days` days before an assignment is due.
    pub fn reminder(
        &self,
        to: &Recipient,
        course: &Course,
        due_on: NaiveDate,
        days: i64,
    ) -> Result<NewMail, MailError> {
        let mut args = course_args(course, due_on, to.language);
        args.push(("days", days.to_string()));
        self.due_mail(MailKind::Reminder, "mail-reminder", to, course, args)
    }

    /// The notice the day after an assignment was due.
    pub fn overdue(
        &self,
        to: &Recipient,
        course: &Course,
        due_on: NaiveDate,
    ) -> Result<NewMail, MailError> {
        let args = course_args(course, due_on, to.language);
        self.due_mail(MailKind::Overdue, "mail-overdue", to, course, args)
    }

    /// A mail about an assigned course: `{prefix}-subject` and `{prefix}-body`, with a
    /// button to the course.
    fn due_mail(
        &self,
        kind: MailKind,
        prefix: &str,
        to: &Recipient,
        course: &Course,
        args: Vec<(&'static str, String)>,
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let letter = self.letter(
            to,
            self.text(l, &format!("{prefix}-subject"), &args)?,
            vec![self.text(l, &format!("{prefix}-body"), &args)?],
            Some(self.course_action(l, course)?),
            vec![],
        )?;
        self.mail(kind, to, letter)
    }

    /// A department head's weekly list of the overdue people in their unit and below.
    pub fn digest(
        &self,
        to: &Recipient,
        unit: &str,
        rows: &[OverdueRow],
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let items = rows
            .iter()
            .map(|row| {
                self.text(
                    l,
                    "mail-digest-item",
                    &[
                        ("name", row.name.clone()),
                        ("course", row.course.clone()),
                        ("date", l.format_date(row.due_on)),
                    ],
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let mut letter = self.letter(
            to,
            self.text(l, "mail-digest-subject", &[("unit", unit.to_owned())])?,
            vec![self.text(l, "mail-digest-body", &[("count", rows.len().to_string())])?],
            Some((
                self.text(l, "mail-digest-action", &[])?,
                format!("{}/team", self.base_url),
            )),
            vec![self.text(l, "mail-digest-note", &[])?],
        )?;
        letter.items = items;
        self.mail(MailKind::Digest, to, letter)
    }

    /// The certificate just issued, with a link to its page and PDF.
    pub fn certificate_issued(
        &self,
        to: &Recipient,
        course: &Course,
        certificate: &certificate::Model,
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let args = certificate_args(
            course.title(l),
            &certificate.serial,
            self.local.day(certificate.valid_until),
            l,
        );
        let letter = self.letter(
            to,
            self.text(l, "mail-certificate-issued-subject", &args)?,
            vec![self.text(l, "mail-certificate-issued-body", &args)?],
            Some((
                self.text(l, "mail-certificate-action", &[])?,
                format!("{}/certificates/{}", self.base_url, certificate.serial),
            )),
            vec![],
        )?;
        self.mail(MailKind::CertificateIssued, to, letter)
    }

    /// A certificate ends soon: the renewal is on the course page.
    pub fn certificate_expiring(
        &self,
        to: &Recipient,
        course: &Course,
        serial: &str,
        valid_until: DateTime<Utc>,
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let args = certificate_args(course.title(l), serial, self.local.day(valid_until), l);
        let letter = self.letter(
            to,
            self.text(l, "mail-expiring-subject", &args)?,
            vec![self.text(l, "mail-expiring-body", &args)?],
            Some((
                self.text(l, "mail-expiring-action", &[])?,
                format!("{}/courses/{}", self.base_url, course.id),
            )),
            vec![],
        )?;
        self.mail(MailKind::CertificateExpiring, to, letter)
    }

    /// A tool the person could use has closed, because their certificate of `course_id` was
    /// revoked or ended.
    pub fn access_lost(
        &self,
        to: &Recipient,
        tool: &Tool,
        course_id: &str,
        because: ClosedBecause,
    ) -> Result<NewMail, MailError> {
        let l = to.language;
        let course = self
            .course_titles
            .get(course_id)
            .and_then(|titles| titles.get(&l))
            .map_or(course_id, String::as_str);
        let args = [("tool", tool.name.clone()), ("course", course.to_owned())];
        let cause = match because {
            ClosedBecause::Revoked => "mail-access-lost-revoked",
            ClosedBecause::Expired => "mail-access-lost-expired",
        };
        let letter = self.letter(
            to,
            self.text(l, "mail-access-lost-subject", &args)?,
            vec![
                self.text(l, cause, &args)?,
                self.text(l, "mail-access-lost-help", &args)?,
            ],
            Some((
                self.text(l, "mail-access-lost-action", &[])?,
                format!("{}/tools", self.base_url),
            )),
            vec![],
        )?;
        self.mail(MailKind::AccessLost, to, letter)
    }

    fn course_action(&self, l: Language, course: &Course) -> Result<(String, String), MailError> {
        Ok((
            self.text(l, "mail-course-action", &[])?,
            format!("{}/courses/{}", self.base_url, course.id),
        ))
    }

    fn letter(
        &self,
        to: &Recipient,
        subject: String,
        paragraphs: Vec<String>,
        action: Option<(String, String)>,
        notes: Vec<String>,
    ) -> Result<Letter, MailError> {
        let l = to.language;
        Ok(Letter {
            subject,
            greeting: self.text(l, "mail-greeting", &[("name", to.name.clone())])?,
            paragraphs,
            items: Vec::new(),
            action: action.map(|(label, url)| Action { label, url }),
            link_hint: self.text(l, "mail-link-hint", &[])?,
            notes,
            closing: self.text(
                l,
                "mail-closing",
                &[("organisation", self.organisation.clone())],
            )?,
            footer: self.text(l, "mail-footer", &[])?,
        })
    }

    fn mail(&self, kind: MailKind, to: &Recipient, letter: Letter) -> Result<NewMail, MailError> {
        Ok(NewMail {
            kind,
            dedupe_key: None,
            user_id: Some(to.user_id),
            recipient_name: to.name.clone(),
            recipient: to.email.clone(),
            language: to.language,
            text: self
                .templates
                .render_value("mail/letter.txt", to.language, &letter)?,
            html: self
                .templates
                .render_value("mail/letter.html", to.language, &letter)?,
            subject: letter.subject,
        })
    }

    fn text(
        &self,
        language: Language,
        id: &str,
        args: &[(&str, String)],
    ) -> Result<String, MailError> {
        Ok(self.translations.text(language, id, args)?)
    }
}

fn course_args(course: &Course, due_on: NaiveDate, l: Language) -> Vec<(&'static str, String)> {
    vec![
        ("course", course.title(l).to_owned()),
        ("date", l.format_date(due_on)),
    ]
}

fn certificate_args(
    course_title: &str,
    serial: &str,
    last_day: NaiveDate,
    l: Language,
) -> Vec<(&'static str, String)> {
    vec![
        ("course", course_title.to_owned()),
        ("serial", serial.to_owned()),
        ("date", l.format_date(last_day)),
    ]
}
