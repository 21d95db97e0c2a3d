//! The one mailer: sends a rendered mail over SMTP (lettre), or, with no SMTP server
//! configured, writes it as an `.eml` file into the data directory for people to read.

use std::path::PathBuf;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::Settings;
use crate::entities::outbox_mail;

/// How long one SMTP conversation may take before the try counts as failed.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

enum Transport {
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    Folder(PathBuf),
}

pub struct Mailer {
    from: Mailbox,
    transport: Transport,
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("KIWI_MAIL_FROM is not a mail address: {0}")]
    From(String),
    #[error("KIWI_SMTP_URL cannot be used: {0}")]
    SmtpUrl(String),
}

/// Why a mail could not be sent; recorded on the outbox row (never with the mail's text).
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("the recipient address {0} is not valid")]
    Recipient(String),
    /// A line break or another control character in a text that goes into a header.
    #[error("the {0} holds a line break or another control character")]
    HeaderText(&'static str),
    #[error("the message could not be formatted")]
    Format,
    #[error("the message cannot be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing the mail file: {0}")]
    File(#[from] std::io::Error),
}

impl SendError {
    /// Whether trying again cannot help: the mail itself is wrong, not the way to send it.
    pub fn is_permanent(&self) -> bool {
        matches!(
            self,
            SendError::Recipient(_)
                | SendError::HeaderText(_)
                | SendError::Format
                | SendError::Build(_)
        )
    }
}

impl Mailer {
    /// The mailer the settings describe: SMTP when `KIWI_SMTP_URL` is set, else the folder.
    pub fn from_settings(settings: &Settings) -> Result<Mailer, MailerError> {
        let from: Mailbox =
            settings
                .mail_from
                .parse()
                .map_err(|e: lettre::address::AddressError| {
                    MailerError::From(format!("{}: {e}", settings.mail_from))
                })?;
        let transport = match &settings.smtp_url {
            Some(url) => Transport::Smtp(Box::new(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| MailerError::SmtpUrl(e.to_string()))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            )),
            None => Transport::Folder(settings.mail_dir()),
        };
        Ok(Mailer { from, transport })
    }

    /// Where mails are written when there is no SMTP server.
    pub fn folder(&self) -> Option<&PathBuf> {
        match &self.transport {
            Transport::Folder(dir) => Some(dir),
            Transport::Smtp(_) => None,
        }
    }

    /// Sends one mail as plain text with an HTML alternative. Its Message-ID is derived from
    /// the outbox row, so a mail tried twice is recognisably the same mail.
    pub async fn send(&self, mail: &outbox_mail::Model) -> Result<(), SendError> {
        let message = self.message(mail)?;
        // Formatting once, here, catches what the headers' encoder cannot take as an error
        // of this one mail instead of a panic of the worker that sends everyone's mail.
        let formatted =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| message.formatted()))
                .map_err(|_| SendError::Format)?;
        match &self.transport {
            Transport::Smtp(transport) => {
                transport.send_raw(message.envelope(), &formatted).await?;
            }
            Transport::Folder(dir) => {
                tokio::fs::create_dir_all(dir).await?;
                let name = format!(
                    "{}-{}-{}.eml",
                    mail.created_at.format("%Y%m%dT%H%M%S"),
                    mail.kind,
                    mail.id.simple()
                );
                // Written under a temporary name first, so a reader never sees half a mail.
                let partial = dir.join(format!(".{name}.partial"));
                tokio::fs::write(&partial, &formatted).await?;
                tokio::fs::rename(&partial, dir.join(&name)).await?;
                tracing::info!(
                    kind = %mail.kind,
                    recipient = ?mail.user_id,
                    file = %dir.join(&name).display(),
                    "no SMTP server configured: mail written to a file"
                );
            }
        }
        Ok(())
    }

    fn message(&self, mail: &outbox_mail::Model) -> Result<Message, SendError> {
        let single_line = |text: &str| !text.chars().any(char::is_control);
        if !single_line(&mail.recipient_name) {
            return Err(SendError::HeaderText("recipient's name"));
        }
        if !single_line(&mail.subject) {
            return Err(SendError::HeaderText("subject"));
        }
        let to = Mailbox::new(
            Some(mail.recipient_name.clone()),
            mail.recipient
                .parse()
                .map_err(|_| SendError::Recipient(mail.recipient.clone()))?,
        );
        Ok(Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .message_id(Some(format!(
                "<{}@{}>",
                mail.id.simple(),
                self.from.email.domain()
            )))
            .multipart(MultiPart::alternative_plain_html(
                mail.text_body.clone(),
                mail.html_body.clone(),
            ))?)
    }
}
