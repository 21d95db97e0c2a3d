//! AppError and its ResponseError impl: the one mapping from failures to HTTP.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use sea_orm::DbErr;

use crate::services::grading::QuizError;
use crate::services::import::ImportError;
use crate::services::learning::LearningError;
use crate::services::mails::MailError;
use crate::services::password_links::LinkError;
use crate::services::passwords::PasswordError;
use crate::services::people::PeopleError;
use crate::services::setup::SetupError;
use crate::services::sign_in::SignInError;
use crate::templates::RenderError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// A state-changing request without a valid CSRF token (or from another origin).
    #[error("invalid or missing CSRF token")]
    Csrf,
    /// A page that needs a signed-in person; the browser is sent to sign in.
    #[error("sign-in required")]
    SignInRequired { next: String },
    #[error("bad request: {0}")]
    BadRequest(String),
    /// Throttled, or too busy right now; the client may try again after this many seconds.
    #[error("too many requests")]
    TooManyRequests { retry_after_secs: u32 },
    /// A rule said no; the page explains it with this translation id (and a value).
    #[error("refused: {0}")]
    Refused(&'static str, String),
    /// A rule said no until a moment; the page names it in local time.
    #[error("refused until {1}: {0}")]
    RefusedUntil(&'static str, chrono::DateTime<chrono::Utc>),
    #[error("internal error: {0}")]
    Internal(String),
}

/// Marks a response whose body the error page renderer should fill in (see `app.rs`),
/// with the translation id and value that explain a refusal.
#[derive(Clone)]
pub struct ErrorPage {
    pub explanation: Option<(&'static str, Detail)>,
}

/// The value a refusal's explanation names.
#[derive(Clone, Debug)]
pub enum Detail {
    Text(String),
    /// Shown as a local clock time by the page, which knows the time zone.
    Time(chrono::DateTime<chrono::Utc>),
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::SignInRequired { .. } => StatusCode::SEE_OTHER,
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Refused(..) | AppError::RefusedUntil(..) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let AppError::Internal(cause) = self {
            // The cause goes to the log, never to the person.
            tracing::error!(%cause, "request failed");
        }
        if let AppError::SignInRequired { next } = self {
            let location = format!("/login?next={}", percent_encode(next));
            return HttpResponse::SeeOther()
                .insert_header((header::LOCATION, location))
                .finish();
        }
        let mut builder = HttpResponse::build(self.status_code());
        builder.insert_header((header::CACHE_CONTROL, "no-store"));
        if let AppError::TooManyRequests { retry_after_secs } = self {
            builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
        }
        let mut response = builder.finish();
        let explanation = match self {
            AppError::Refused(id, value) => Some((*id, Detail::Text(value.clone()))),
            AppError::RefusedUntil(id, at) => Some((*id, Detail::Time(*at))),
            _ => None,
        };
        response.extensions_mut().insert(ErrorPage { explanation });
        response
    }
}

/// Percent-encodes everything but unreserved characters and `/`, for a path in a query.
pub fn percent_encode(input: &str) -> String {
    input
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl From<DbErr> for AppError {
    fn from(error: DbErr) -> Self {
        AppError::Internal(format!("database: {error}"))
    }
}

impl From<actix_web::error::HttpError> for AppError {
    fn from(error: actix_web::error::HttpError) -> Self {
        AppError::Internal(format!("http: {error}"))
    }
}

impl From<RenderError> for AppError {
    fn from(error: RenderError) -> Self {
        AppError::Internal(error.to_string())
    }
}

impl From<LinkError> for AppError {
    fn from(error: LinkError) -> Self {
        match error {
            LinkError::Invalid | LinkError::UnknownPerson => AppError::NotFound,
            LinkError::Throttled => AppError::TooManyRequests {
                retry_after_secs: THROTTLED_RETRY_SECS,
            },
            LinkError::Password(e) => e.into(),
            LinkError::Mail(e) => e.into(),
            LinkError::Database(e) => e.into(),
        }
    }
}

impl From<MailError> for AppError {
    fn from(error: MailError) -> Self {
        AppError::Internal(error.to_string())
    }
}

/// What a throttled client is told to wait before it tries again.
pub const THROTTLED_RETRY_SECS: u32 = 60;

impl From<PasswordError> for AppError {
    fn from(error: PasswordError) -> Self {
        match error {
            PasswordError::Busy => AppError::TooManyRequests {
                retry_after_secs: 1,
            },
            PasswordError::Hash(_) => AppError::Internal(error.to_string()),
        }
    }
}

impl From<SignInError> for AppError {
    fn from(error: SignInError) -> Self {
        match error {
            SignInError::Throttled => AppError::TooManyRequests {
                retry_after_secs: THROTTLED_RETRY_SECS,
            },
            SignInError::InvalidCredentials
            | SignInError::PasswordsOff
            | SignInError::AdministratorsOnly => AppError::Forbidden,
            SignInError::Password(e) => e.into(),
            SignInError::Database(e) => e.into(),
        }
    }
}

impl From<PeopleError> for AppError {
    fn from(error: PeopleError) -> Self {
        match error {
            PeopleError::Password(e) => e.into(),
            PeopleError::Mail(e) => e.into(),
            PeopleError::Database(e) => e.into(),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}

impl From<SetupError> for AppError {
    fn from(error: SetupError) -> Self {
        match error {
            SetupError::InvalidLink => AppError::NotFound,
            SetupError::Password(e) => e.into(),
            SetupError::Database(e) => e.into(),
        }
    }
}

impl From<LearningError> for AppError {
    fn from(error: LearningError) -> Self {
        match error {
            LearningError::NotFound => AppError::NotFound,
            LearningError::HasQuiz => AppError::BadRequest(error.to_string()),
            LearningError::Database(e) => e.into(),
        }
    }
}

impl From<QuizError> for AppError {
    fn from(error: QuizError) -> Self {
        match error {
            QuizError::NotFound => AppError::NotFound,
            QuizError::Database(e) => e.into(),
            QuizError::Corrupt(e) => AppError::Internal(format!("quiz attempt: {e}")),
            QuizError::NoQuiz | QuizError::Unanswered(_) => AppError::BadRequest(error.to_string()),
            QuizError::NoAttemptsLeft => AppError::Refused("quiz-no-attempts-left", String::new()),
            QuizError::CoolingDown(until) => AppError::RefusedUntil("quiz-cooling-down", until),
            QuizError::Outdated => AppError::Refused("quiz-outdated", String::new()),
            QuizError::NotRenewable => AppError::Refused("refresher-not-yet", String::new()),
        }
    }
}

impl From<ImportError> for AppError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::Database(e) => e.into(),
            other => AppError::BadRequest(other.to_string()),
        }
    }
}
