//! AppState: what every request can use (database, content, caches, templates, settings).

use std::sync::Arc;
use std::time::Duration;

use sea_orm::DatabaseConnection;

use crate::config::Settings;
use crate::content::Content;
use crate::courses::Catalog;
use crate::directory::{Directory, DirectoryConfig};
use crate::i18n::{TranslationError, Translations};
use crate::mailer::{Mailer, MailerError};
use crate::metrics::Metrics;
use crate::oidc::SingleSignOn;
use crate::policy::Policy;
use crate::rate_limit::RateLimit;
use crate::services::access::AccessCache;
use crate::services::mails::Composer;
use crate::services::operations::{DirectoryWorker, WebhookWorker};
use crate::services::outbox;
use crate::services::progress_cache::ProgressCache;
use crate::services::reminders::Schedule;
use crate::services::second_factor::SecondFactors;
use crate::templates::{PageCache, RenderError, Templates};
use crate::tools::{self, Tool};
use crate::webhook::Webhook;

pub struct AppState {
    pub db: DatabaseConnection,
    pub catalog: Catalog,
    pub policy: Option<Policy>,
    pub tools: Vec<Tool>,
    pub access: Arc<AccessCache>,
    /// The progress learners' pages show, kept while the change feed says it holds.
    pub progress: ProgressCache,
    /// Limits look-ups of the public verification page per client address.
    pub verify_limit: RateLimit,
    pub templates: Arc<Templates>,
    /// Pages rendered once and filled in per person (`handlers::render_shared`).
    pub pages: PageCache,
    pub translations: Arc<Translations>,
    /// Writes kiwi's mails (for the outbox).
    pub mail: Composer,
    /// Sends the outbox's mail from this instance.
    pub outbox: outbox::Worker,
    /// When the mail scheduler writes reminders and notices.
    pub schedule: Schedule,
    /// The directory whose groups kiwi keeps (`KIWI_LDAP_URL`), if one is set.
    pub directory: Option<Arc<Directory>>,
    /// Applies the directory operations from this instance.
    pub directory_worker: Option<DirectoryWorker>,
    /// Delivers the webhooks from this instance.
    pub webhooks: WebhookWorker,
    pub settings: Settings,
    /// Names this process among several on one database (readiness probe rows).
    pub instance_id: String,
    pub metrics: Arc<Metrics>,
    /// Who needs a second factor at sign-in, and the key of its secrets.
    pub second_factors: SecondFactors,
    /// The OpenID provider, if single sign-on is configured.
    pub sso: Option<SingleSignOn>,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Translations(#[from] TranslationError),
    #[error(transparent)]
    Templates(#[from] RenderError),
    #[error("cannot listen: {0}")]
    Listen(#[from] std::io::Error),
    #[error(transparent)]
    Mailer(#[from] MailerError),
    /// The directory or webhook settings are incomplete or wrong.
    #[error("{0}")]
    Integration(String),
    /// A sign-in setting (second factor, single sign-on) is wrong.
    #[error("{0}")]
    Setting(String),
}

impl AppState {
    pub fn new(
        db: DatabaseConnection,
        mut content: Content,
        settings: Settings,
    ) -> Result<AppState, StartError> {
        let translations = Arc::new(Translations::load()?);
        let templates = Arc::new(Templates::load(translations.clone())?);
        let access = Arc::new(AccessCache::new(settings.feed_max_staleness()));
        let Integrations { directory, webhook } = integrations_of(&settings, &mut content.tools)?;
        let mail = Composer::new(
            templates.clone(),
            translations.clone(),
            &settings,
            Some(&content),
        )
        .with_webhook(webhook.clone());
        let webhooks = WebhookWorker::new(&content.tools, webhook.as_ref())
            .map_err(StartError::Integration)?;
        let mailer = Arc::new(Mailer::from_settings(&settings)?);
        // Counting only when something serves the figures.
        let counting = settings.metrics_token.is_some() || settings.metrics_bind.is_some();
        let metrics = Arc::new(Metrics::new(
            content.tools.iter().map(|t| t.id.as_str()),
            counting,
        ));
        let second_factors = settings.second_factors().map_err(StartError::Setting)?;
        let sso = settings.single_sign_on().map_err(StartError::Setting)?;
        Ok(AppState {
            db,
            catalog: content.catalog,
            policy: content.policy,
            tools: content.tools,
            progress: ProgressCache::new(access.clone()),
            access,
            verify_limit: RateLimit::new(VERIFY_LOOKUPS_PER_MINUTE, Duration::from_secs(60)),
            templates,
            pages: PageCache::default(),
            translations,
            mail,
            outbox: outbox::Worker::new(mailer, settings.mail_max_tries),
            schedule: Schedule::from_settings(&settings),
            directory_worker: directory.clone().map(DirectoryWorker::new),
            directory,
            webhooks,
            settings,
            instance_id: format!("kiwi-{}", uuid::Uuid::now_v7().simple()),
            metrics,
            second_factors,
            sso,
        })
    }
}

/// The other systems kiwi tells who may use the tools.
pub struct Integrations {
    pub directory: Option<Arc<Directory>>,
    /// The global webhook (`KIWI_WEBHOOK_URL`).
    pub webhook: Option<Arc<Webhook>>,
}

/// The directory and the global webhook of the settings; the global webhook is added to
/// every tool. A tool that names a directory group needs a directory.
pub fn integrations_of(
    settings: &Settings,
    tools: &mut [Tool],
) -> Result<Integrations, StartError> {
    let directory = DirectoryConfig::from_settings(settings)
        .and_then(|config| config.map(Directory::new).transpose())
        .map_err(StartError::Integration)?
        .map(Arc::new);
    if directory.is_none()
        && let Some(tool) = tools.iter().find(|t| t.directory_group.is_some())
    {
        return Err(StartError::Integration(format!(
            "tool \"{}\" names a directory group, but KIWI_LDAP_URL is not set",
            tool.id
        )));
    }
    let webhook = Webhook::global(settings)
        .map_err(StartError::Integration)?
        .map(Arc::new);
    tools::add_global_webhook(tools, webhook.as_ref());
    Ok(Integrations { directory, webhook })
}

/// How often one client address may look up certificates on the public verification page.
const VERIFY_LOOKUPS_PER_MINUTE: u32 = 30;
