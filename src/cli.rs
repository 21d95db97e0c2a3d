//! The `kiwi` command line: subcommands and what each one runs.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use sea_orm::DatabaseConnection;

use crate::app;
use crate::config::Settings;
use crate::content::{self, Content};
use crate::courses::assessment::{self, Limits, ModuleOdds};
use crate::courses::check;
use crate::db;
use crate::domain::{Actor, Email, Language, NewPassword, Roles, SingleLine};
use crate::i18n::Translations;
use crate::mailer::Mailer;
use crate::services::import::{self, ImportError, ImportOptions};
use crate::services::mails::Composer;
use crate::services::outbox;
use crate::services::people::{self, NewPerson};
use crate::services::second_factor::MfaMode;
use crate::services::{
    api_keys, backup, demo, demo_tool_hosts, org_units, password_links, retention, setup,
};
use crate::state::AppState;
use crate::templates::Templates;

#[derive(Parser)]
#[command(
    name = "kiwi",
    version,
    about = "kiwi: AI-literacy training and certification for public administrations"
)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,
    /// What to do (default: `demo`).
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub enum Command {
    /// Migrate the database and serve kiwi.
    Serve,
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Seed the fictional city "Musterstadt" into an empty database, then serve.
    Demo {
        /// Also generate this many fictional people in a deep unit tree (for benchmarks).
        #[arg(long)]
        people: Option<usize>,
        /// Seed, then exit instead of serving.
        #[arg(long)]
        seed_only: bool,
    },
    /// Write training records (one row per person and course) to standard output.
    Export(ExportArgs),
    /// Manage people.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Work with the course content.
    #[command(subcommand)]
    Courses(CoursesCommand),
    /// Manage the AI tools' access to kiwi.
    #[command(subcommand)]
    Tools(ToolsCommand),
    /// The tools' directory groups.
    #[command(subcommand)]
    Directory(DirectoryCommand),
    /// Webhooks.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Retention: remove what is past its period (see the README).
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// Write a consistent copy of the SQLite database to FILE while kiwi serves.
    Backup {
        /// A new file for the copy.
        file: PathBuf,
    },
    /// Ask a running kiwi's `/readyz` and exit 0 only if it answers 200 (a container's
    /// health check, without a shell or curl).
    Healthcheck {
        /// What to ask (default: `http://<KIWI_BIND>/readyz`, an unspecified address such as
        /// 0.0.0.0 asked on the loopback).
        #[arg(long)]
        url: Option<String>,
        /// Seconds to wait for the answer.
        #[arg(long, default_value_t = 5)]
        timeout: u64,
    },
    /// Put a backup in place of the SQLite database (kiwi must be stopped).
    Restore {
        /// The backup to restore.
        file: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
    },
}

#[derive(clap::Args)]
pub struct ExportArgs {
    /// csv or xlsx.
    #[arg(long, default_value = "csv")]
    format: String,
    /// CSV delimiter: comma, or semicolon for spreadsheets set up for German.
    #[arg(long, default_value = "comma")]
    delimiter: String,
    /// Only this unit and the units below it, by path ("Dezernat I / Fachbereich 10").
    #[arg(long)]
    unit: Option<String>,
    /// Only this course id.
    #[arg(long)]
    course: Option<String>,
    /// Only this status: done, valid, expiring, overdue, expired, in_progress, not_started.
    #[arg(long)]
    status: Option<String>,
    /// Only certificates issued on or after this day (YYYY-MM-DD).
    #[arg(long)]
    from: Option<String>,
    /// Only certificates issued on or before this day (YYYY-MM-DD).
    #[arg(long)]
    to: Option<String>,
    /// Language of course titles, and of the XLSX header and statuses: de or en.
    #[arg(long, default_value = "de")]
    language: String,
    /// Print the SQL statement the export runs, with its values, instead of running it
    /// (to compare it with the database's own COPY, see bench/).
    #[arg(long)]
    sql: bool,
}

#[derive(Subcommand)]
pub enum ToolsCommand {
    /// Create an API key for a tool of the tools file; it is printed once and stored only as a hash.
    Key { tool: String },
}

#[derive(Subcommand)]
pub enum DirectoryCommand {
    /// Compare every tool's directory group with who may use the tool now: add who is
    /// missing, remove who may not, leave members kiwi does not know (and report them).
    Sync {
        /// Print the differences without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum RetentionCommand {
    /// Remove quiz answers, erase people who left, delete old mail, throttle counts and
    /// audit entries past their periods, and print what was removed.
    Run {
        /// Print what would be removed without changing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
pub enum WebhooksCommand {
    /// Print a new random signing secret (`whsec_…`) for a webhook.
    Secret,
}

#[derive(Subcommand)]
pub enum CoursesCommand {
    /// Validate every course and print each problem as `path:line: message`, and for every
    /// module the odds of passing its quiz without knowing the answers.
    Check {
        /// The courses directory (default: KIWI_COURSES_DIR).
        dir: Option<PathBuf>,
        /// Highest acceptable chance, in percent, of passing a module by always picking the
        /// longest option.
        #[arg(long, default_value_t = 2.0)]
        max_longest_odds: f64,
        /// Highest acceptable chance, in percent, of passing a module by guessing at random.
        #[arg(long, default_value_t = 1.0)]
        max_random_odds: f64,
    },
}

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Import people from an HR CSV file (personnel_number,name,email,org_unit,roles);
    /// everyone new is invited by mail to set a password.
    Import {
        file: PathBuf,
        /// Set people who are not in the file to "left".
        #[arg(long)]
        mark_missing_as_left: bool,
    },
    /// Set a person's password, read from standard input.
    SetPassword { email: String },
    /// Mail a person a new invitation link (earlier ones stop working).
    Invite { email: String },
    /// Add one person.
    Add {
        #[arg(long)]
        personnel_number: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        /// Unit path, levels separated by " / ".
        #[arg(long)]
        org_unit: String,
        /// Roles separated by ";": manager, hr, admin (everyone is an employee).
        #[arg(long, default_value = "")]
        roles: String,
        #[arg(long, default_value = "de")]
        language: String,
        /// Mail them an invitation with a link to set their password.
        #[arg(long)]
        invite: bool,
    },
}

/// Runs the command; errors are printed for the operator and turn into a failing exit code.
pub async fn run(cli: Cli) -> ExitCode {
    crate::allocator::tune();
    init_logging(&cli.settings.log, &cli.settings.log_format);
    match execute(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// `kiwi export`: the same records and files as the HR export, to standard output.
async fn export(
    db: &DatabaseConnection,
    content: &Content,
    args: ExportArgs,
    local: crate::domain::LocalTime,
) -> Result<(), String> {
    use std::io::Write;

    use crate::services::exports::{self, Format};
    use crate::services::records::StatusFilter;

    let format = match (args.format.as_str(), args.delimiter.as_str()) {
        ("csv", "comma") => Format::Csv { delimiter: b',' },
        ("csv", "semicolon") => Format::Csv { delimiter: b';' },
        ("xlsx", _) => Format::Xlsx,
        _ => return Err("--format is csv or xlsx, --delimiter comma or semicolon".into()),
    };
    let language = Language::parse(&args.language).ok_or("--language is de or en")?;
    let unit = match &args.unit {
        Some(path) => {
            let levels = org_units::parse_path(path).ok_or("--unit needs a unit path")?;
            let path = levels.join(org_units::PATH_SEPARATOR);
            Some(
                db::org_units::by_path(db, &path)
                    .await
                    .map_err(|e| e.to_string())?
                    .ok_or_else(|| format!("no unit \"{path}\""))?,
            )
        }
        None => None,
    };
    if let Some(course) = &args.course
        && content.catalog.get(course).is_none()
    {
        return Err(format!("no course \"{course}\""));
    }
    let status = match &args.status {
        Some(s) => Some(StatusFilter::parse(s).ok_or_else(|| format!("unknown status \"{s}\""))?),
        None => None,
    };
    let day = |value: &Option<String>, name: &str| -> Result<Option<chrono::NaiveDate>, String> {
        value
            .as_deref()
            .map(|v| {
                chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| format!("--{name} is a date YYYY-MM-DD"))
            })
            .transpose()
    };
    let units = db::org_units::all(db).await.map_err(|e| e.to_string())?;
    let everything = crate::services::reports::Visible { top: None, units };
    let request = exports::Request {
        viewer: crate::services::record_views::Viewer::command_line(),
        visible: &everything,
        unit: unit.as_ref(),
        course: args.course.as_deref(),
        status,
        from: day(&args.from, "from")?,
        to: day(&args.to, "to")?,
        format,
        language,
        local,
        index: None,
    };
    if args.sql {
        let query = exports::query(&content.catalog, &request);
        let statement = db::records::statement(db.get_database_backend(), &query);
        println!("{statement}");
        return Ok(());
    }
    let translations = Translations::load().map_err(|e| e.to_string())?;
    let export = exports::prepare(db, &content.catalog, &translations, request)
        .await
        .map_err(|e| e.to_string())?;
    let mut chunks = exports::stream(db.clone(), export, chrono::Utc::now());
    let mut out = std::io::stdout().lock();
    while let Some(chunk) = chunks.recv().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        out.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())
}

async fn execute(cli: Cli) -> Result<(), String> {
    let settings = cli.settings;
    match cli.command.unwrap_or(Command::Demo {
        people: None,
        seed_only: false,
    }) {
        Command::Courses(CoursesCommand::Check {
            dir,
            max_longest_odds,
            max_random_odds,
        }) => check_courses(
            &dir.unwrap_or_else(|| settings.courses_dir.clone()),
            &settings.contacts_file,
            &Limits {
                max_longest_percent: max_longest_odds,
                max_random_percent: max_random_odds,
            },
        ),
        Command::Serve => {
            // Content first: kiwi refuses invalid content before touching the database.
            let content = load_content(&settings)?;
            let db = open_database(&settings).await?;
            serve(db, content, settings).await
        }
        Command::Demo { people, seed_only } => {
            // The demo's passwords are public: a second factor would only stand in the way
            // of trying it, unless KIWI_MFA asks for one.
            let settings = Settings {
                mfa: Some(settings.mfa.unwrap_or(MfaMode::Off)),
                ..settings
            };
            let mut content = load_content(&settings)?;
            // Without an address of its own, the demo puts its tools on local host names,
            // which nginx serves as the printed block says.
            let local_hosts = settings.base_url.is_none() && !content.tools.is_empty();
            if local_hosts {
                demo_tool_hosts::localise(&mut content.tools);
            }
            let db = open_database(&settings).await?;
            if demo::seed_if_empty(&db, &content)
                .await
                .map_err(|e| e.to_string())?
            {
                println!(
                    "Seeded the demo city \"Stadt Musterstadt\". Sign in with password {}:",
                    demo::PASSWORD
                );
                for (role, email) in demo::SIGN_INS {
                    println!("  {role:<9} {email}");
                }
            }
            if let Some(people) = people {
                let started = std::time::Instant::now();
                match demo::seed_generated(&db, &content, people)
                    .await
                    .map_err(|e| e.to_string())?
                {
                    Some(units) => {
                        println!(
                            "Generated {people} people in {:.1} s. Heads of units sign in with the same password, e.g.:",
                            started.elapsed().as_secs_f64()
                        );
                        for (path, email) in units.iter().take(3) {
                            println!("  {email:<36} {path}");
                        }
                    }
                    None => println!("The generated people exist already; nothing added."),
                }
            }
            if seed_only {
                return Ok(());
            }
            if local_hosts {
                print_tool_hosts(&settings, &content.tools[0])?;
            }
            serve(db, content, settings).await
        }
        Command::Export(args) => {
            let content = load_content(&settings)?;
            let db = open_database(&settings).await?;
            export(&db, &content, args, settings.local_time()).await
        }
        Command::Migrate => {
            open_database(&settings).await?;
            println!("database is up to date");
            Ok(())
        }
        Command::Healthcheck { url, timeout } => healthcheck(
            &url.unwrap_or_else(|| format!("http://{}/readyz", loopback_for(&settings.bind))),
            std::time::Duration::from_secs(timeout.max(1)),
        ),
        Command::Backup { file } => {
            let bytes = backup::backup(&settings.database_url(), &file)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "backup written to {} ({bytes} bytes), checked",
                file.display()
            );
            Ok(())
        }
        Command::Restore { file, force } => {
            let target = backup::restore(&settings.database_url(), &file, force)
                .await
                .map_err(|e| e.to_string())?;
            println!(
                "{} restored to {}; kiwi migrates it when it starts",
                file.display(),
                target.display()
            );
            Ok(())
        }
        Command::Users(command) => {
            users(&open_database(&settings).await?, &settings, command).await
        }
        Command::Directory(DirectoryCommand::Sync { dry_run }) => {
            directory_sync(settings, dry_run).await
        }
        Command::Retention(RetentionCommand::Run { dry_run }) => {
            let db = open_database(&settings).await?;
            let periods = retention::Periods::from_settings(&settings);
            let removed = retention::run_command(&db, &periods, dry_run)
                .await
                .map_err(|e| format!("retention failed: {e}"))?;
            for line in removed.lines(&periods, dry_run) {
                println!("{line}");
            }
            if dry_run {
                println!("dry run, nothing changed");
            }
            Ok(())
        }
        Command::Webhooks(WebhooksCommand::Secret) => {
            println!("{}", crate::webhook::SigningKey::generate());
            Ok(())
        }
        Command::Tools(ToolsCommand::Key { tool }) => {
            let content = load_content(&settings)?;
            let db = open_database(&settings).await?;
            let key = api_keys::create(&db, &content.tools, &tool, None)
                .await
                .map_err(|e| e.to_string())?;
            println!("API key for {tool} (shown only now; kiwi keeps only its hash):\n{key}");
            Ok(())
        }
    }
}

/// The demo's nginx blocks for the way into a tool on its own host name.
fn print_tool_hosts(settings: &Settings, tool: &crate::tools::Tool) -> Result<(), String> {
    let stand_in = demo_tool_hosts::write_stand_in(&settings.data_dir, tool)
        .map_err(|e| format!("cannot write the demo tool's page: {e}"))?;
    println!(
        "\n{} on its own host name: with this in nginx, open {}/ and sign in.\n",
        tool.name, tool.url
    );
    println!(
        "{}",
        demo_tool_hosts::nginx_blocks(tool, &settings.bind, &stand_in)
    );
    Ok(())
}

fn load_content(settings: &Settings) -> Result<Content, String> {
    content::load(settings).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
        format!(
            "the content is invalid, kiwi does not start:\n{}",
            lines.join("\n")
        )
    })
}

async fn open_database(settings: &Settings) -> Result<DatabaseConnection, String> {
    let url = settings.database_url();
    if url.starts_with("sqlite:") {
        std::fs::create_dir_all(&settings.data_dir)
            .map_err(|e| format!("cannot create {}: {e}", settings.data_dir.display()))?;
    }
    let db = db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    db::migrate(&db)
        .await
        .map_err(|e| format!("cannot migrate the database: {e}"))?;
    Ok(db)
}

async fn serve(db: DatabaseConnection, content: Content, settings: Settings) -> Result<(), String> {
    if let Some(token) = setup::token_if_needed(&db)
        .await
        .map_err(|e| e.to_string())?
    {
        println!(
            "No administrator yet. Create the first one here (this link works once):\n  {}/setup/{token}",
            settings.base_url()
        );
    }
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    println!("kiwi is serving on {}", settings.base_url());
    let state = AppState::new(db, content, settings).map_err(|e| e.to_string())?;
    app::start(Arc::new(state), listener)
        .await
        .map_err(|e| e.to_string())?
        .await
        .map_err(|e| e.to_string())
}

/// The command line's composer: mails about people (invitations), no access mails.
fn composer(settings: &Settings) -> Result<Composer, String> {
    let translations = Arc::new(Translations::load().map_err(|e| e.to_string())?);
    let templates = Arc::new(Templates::load(translations.clone()).map_err(|e| e.to_string())?);
    Ok(Composer::new(templates, translations, settings, None))
}

/// The composer of an import: with the tools (when the content loads), so that people who
/// leave or come back are told to the tools' directory groups and webhooks as on the HR page
/// (the server applies what is queued; the directory itself is not needed here).
fn composer_with_tools(settings: &Settings) -> Result<Composer, String> {
    let Ok(mut content) = content::load(settings) else {
        return composer(settings);
    };
    let webhook = crate::webhook::Webhook::global(settings)?.map(Arc::new);
    crate::tools::add_global_webhook(&mut content.tools, webhook.as_ref());
    let translations = Arc::new(Translations::load().map_err(|e| e.to_string())?);
    let templates = Arc::new(Templates::load(translations.clone()).map_err(|e| e.to_string())?);
    Ok(Composer::new(templates, translations, settings, Some(&content)).with_webhook(webhook))
}

/// `kiwi directory sync`: reconciles every group, prints what differed and (unless a dry
/// run) applies the changes at once; what fails is retried by the running server.
async fn directory_sync(settings: Settings, dry_run: bool) -> Result<(), String> {
    use crate::services::operations::DirectoryWorker;
    use crate::services::reconciliation;

    let mut content = load_content(&settings)?;
    let directory = crate::state::integrations_of(&settings, &mut content.tools)
        .map_err(|e| e.to_string())?
        .directory;
    let directory =
        directory.ok_or("no directory: set KIWI_LDAP_URL and the other KIWI_LDAP_* settings")?;
    if !content.tools.iter().any(|t| t.directory_group.is_some()) {
        return Err("no tool in the tools file names a directory_group".into());
    }
    let db = open_database(&settings).await?;
    let policy = content.policy.as_ref().map(|p| p.version.as_str());
    let report = reconciliation::reconcile(
        &db,
        &directory,
        &content.tools,
        policy,
        dry_run,
        reconciliation::COMMAND,
        None,
    )
    .await
    .map_err(|e| e.to_string())?
    .ok_or("another reconciliation is running")?;
    let mut outcomes = std::collections::HashMap::new();
    if !dry_run {
        let worker = DirectoryWorker::new(directory.clone());
        worker
            .apply_all_due(&db, chrono::Utc::now())
            .await
            .map_err(|e| e.to_string())?;
        for operation in db::operations::by_ids(&db, &report.operations())
            .await
            .map_err(|e| e.to_string())?
        {
            let outcome = match operation.status.as_str() {
                "done" => operation.outcome.unwrap_or_default(),
                _ => format!(
                    "not yet: {}",
                    operation
                        .last_error
                        .unwrap_or_else(|| operation.status.clone())
                ),
            };
            outcomes.insert(operation.id, outcome);
        }
    }
    let mut problems = 0;
    for group in &report.groups {
        println!(
            "{} ({}): {} members, {} may use the tool",
            group.tool, group.group, group.members, group.entitled
        );
        if let Some(error) = &group.error {
            println!("  ! {error}");
            problems += 1;
        }
        let verb = |dry: &'static str, done: &'static str| if dry_run { dry } else { done };
        for (n, added) in group.added.iter().enumerate() {
            let outcome = group.operations.get(n).and_then(|id| outcomes.get(id));
            println!(
                "  + {added}: {}{}",
                verb("to add", "added"),
                outcome.map(|o| format!(" ({o})")).unwrap_or_default()
            );
        }
        for (n, removed) in group.removed.iter().enumerate() {
            let outcome = group
                .operations
                .get(group.added.len() + n)
                .and_then(|id| outcomes.get(id));
            println!(
                "  - {removed}: {}{}",
                verb(
                    "to remove (may not use the tool)",
                    "removed (may not use the tool)"
                ),
                outcome.map(|o| format!(" ({o})")).unwrap_or_default()
            );
        }
        for member in &group.unmanaged {
            println!("  ? {member}: no kiwi person; left alone");
        }
        for person in &group.not_found {
            println!("  ! {person}: may use the tool, but is not in the directory");
        }
        if group.pending > 0 {
            println!("  … {} left to operations already queued", group.pending);
        }
    }
    println!(
        "{}: {} added, {} removed, {} unmanaged, {} not in the directory",
        if dry_run {
            "dry run, nothing changed"
        } else {
            "reconciled"
        },
        report.added(),
        report.removed(),
        report.unmanaged(),
        report.not_found()
    );
    let failed = outcomes
        .values()
        .filter(|o| o.starts_with("not yet"))
        .count();
    if problems > 0 || failed > 0 {
        return Err(format!(
            "{problems} group(s) could not be compared, {failed} change(s) not applied yet"
        ));
    }
    Ok(())
}

/// Sends what the command queued at once; what fails is retried by the running server.
async fn send_queued_mail(db: &DatabaseConnection, settings: &Settings) -> Result<(), String> {
    let mailer = Mailer::from_settings(settings).map_err(|e| e.to_string())?;
    let folder = mailer.folder().cloned();
    let worker = outbox::Worker::new(Arc::new(mailer), settings.mail_max_tries);
    let delivery = worker
        .deliver_all_due(db, chrono::Utc::now())
        .await
        .map_err(|e| e.to_string())?;
    match folder {
        Some(dir) if delivery.sent > 0 => println!(
            "{} mail(s) written to {} (no SMTP server configured)",
            delivery.sent,
            dir.display()
        ),
        _ if delivery.sent > 0 => println!("{} mail(s) sent", delivery.sent),
        _ => {}
    }
    if delivery.failed + delivery.gave_up > 0 {
        println!(
            "{} mail(s) could not be sent yet; the kiwi server tries again",
            delivery.failed + delivery.gave_up
        );
    }
    Ok(())
}

async fn users(
    db: &DatabaseConnection,
    settings: &Settings,
    command: UsersCommand,
) -> Result<(), String> {
    match command {
        UsersCommand::Import {
            file,
            mark_missing_as_left,
        } => {
            let bytes =
                std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let options = ImportOptions {
                mark_missing_as_left,
            };
            let mail = composer_with_tools(settings)?;
            match import::import_csv(db, &mail, &bytes, options, Actor::Operator).await {
                Ok(report) => {
                    println!(
                        "imported {}: {} created (invited by mail), {} updated, {} unchanged, {} marked as left",
                        file.display(),
                        report.created,
                        report.updated,
                        report.unchanged,
                        report.marked_left
                    );
                    send_queued_mail(db, settings).await
                }
                Err(ImportError::InvalidRows(errors)) => {
                    let translations = Translations::load().map_err(|e| e.to_string())?;
                    for error in &errors {
                        let (id, args) = error.problem.message();
                        let text = translations
                            .text(Language::En, id, &args)
                            .map_err(|e| e.to_string())?;
                        eprintln!("{}:{}: {text}", file.display(), error.row);
                    }
                    Err(format!(
                        "{} problem(s) found; nothing was imported",
                        errors.len()
                    ))
                }
                Err(other) => Err(format!("{}: {other}; nothing was imported", file.display())),
            }
        }
        UsersCommand::SetPassword { email } => {
            let email = Email::parse(&email).ok_or("that is not an email address")?;
            let mut input = String::new();
            std::io::stdin()
                .read_to_string(&mut input)
                .map_err(|e| format!("cannot read the password from standard input: {e}"))?;
            let password = input.trim_end_matches(['\r', '\n']);
            let password = NewPassword::parse(password).ok_or(format!(
                "the password must have at least {} characters",
                NewPassword::MIN_CHARS
            ))?;
            people::set_password(db, &email, password)
                .await
                .map_err(|e| e.to_string())?;
            println!("password set for {email}; their open sessions have ended");
            Ok(())
        }
        UsersCommand::Invite { email } => {
            let email = Email::parse(&email).ok_or("that is not an email address")?;
            password_links::invite_again(db, &composer(settings)?, &email)
                .await
                .map_err(|e| e.to_string())?;
            println!("invitation queued for {email}; earlier invitation links no longer work");
            send_queued_mail(db, settings).await
        }
        UsersCommand::Add {
            personnel_number,
            name,
            email,
            org_unit,
            roles,
            language,
            invite,
        } => {
            let person = NewPerson {
                personnel_number: non_empty(personnel_number, "personnel number")?,
                name: SingleLine::parse(&name).map_err(|e| format!("the name {e}"))?,
                email: Email::parse(&email).ok_or("that is not an email address")?,
                org_unit: org_units::parse_path(&org_unit)
                    .ok_or("the org unit path has an empty level")?,
                roles: Roles::parse_list(&roles).map_err(|role| format!("unknown role {role}"))?,
                language: Language::parse(&language).ok_or("language must be de or en")?,
            };
            let mail = if invite {
                Some(composer(settings)?)
            } else {
                None
            };
            let added = people::add_with_invitation(db, person, None, mail.as_ref())
                .await
                .map_err(|e| e.to_string())?;
            println!("added {} ({})", added.name, added.email);
            if invite {
                println!("invitation queued");
                send_queued_mail(db, settings).await?;
            }
            Ok(())
        }
    }
}

fn check_courses(
    dir: &std::path::Path,
    contacts_file: &std::path::Path,
    limits: &Limits,
) -> Result<(), String> {
    let started = std::time::Instant::now();
    let report = check::check(dir, contacts_file, limits);
    let elapsed = started.elapsed();
    for problem in &report.problems {
        eprintln!("{problem}");
    }
    if let Some(catalog) = &report.catalog {
        for course in catalog.courses() {
            let questions: usize = course.modules.iter().map(|m| m.questions.len()).sum();
            println!(
                "{} {} ({}): {} modules, {} questions, {} minutes",
                course.id,
                course.version,
                course.content_hash,
                course.modules.len(),
                questions,
                course.minutes()
            );
        }
    }
    print_odds(&report.odds, limits);
    if !report.problems.is_empty() {
        return Err(format!(
            "{} problem(s) in {}",
            report.problems.len(),
            dir.display()
        ));
    }
    let count = report.catalog.as_ref().map_or(0, |c| c.courses().len());
    println!(
        "{}: all {count} courses are valid (loaded, rendered and checked in {} ms)",
        dir.display(),
        elapsed.as_millis()
    );
    Ok(())
}

/// Per module and language, the odds of passing without knowing; then the mean per language.
fn print_odds(odds: &[ModuleOdds], limits: &Limits) {
    if odds.is_empty() {
        return;
    }
    println!(
        "Odds of passing a module without knowing (allowed: longest option {} %, guessing {} %):",
        limits.max_longest_percent, limits.max_random_percent
    );
    for module in odds {
        println!(
            "  {}/{} ({}): {} questions, {} drawn, {} right needed; correct option strictly longest in {} of {} single-choice; guessing {}, longest option {}",
            module.course,
            module.module,
            module.language.code(),
            module.questions,
            module.drawn,
            module.needed,
            module.correct_longest,
            module.single_choice,
            assessment::percent(module.random),
            assessment::percent(module.longest),
        );
    }
    for language in Language::ALL {
        let of: Vec<&ModuleOdds> = odds.iter().filter(|m| m.language == language).collect();
        if of.is_empty() {
            continue;
        }
        let count = of.len() as f64;
        println!(
            "  mean over {} modules ({}): guessing {}, longest option {}",
            of.len(),
            language.code(),
            assessment::percent(of.iter().map(|m| m.random).sum::<f64>() / count),
            assessment::percent(of.iter().map(|m| m.longest).sum::<f64>() / count),
        );
    }
}

/// `kiwi healthcheck`: one plain HTTP/1.0 GET with the standard library, 200 or an error.
fn healthcheck(url: &str, timeout: std::time::Duration) -> Result<(), String> {
    use std::io::Write;
    use std::net::{TcpStream, ToSocketAddrs};

    let rest = url
        .strip_prefix("http://")
        .ok_or("the health check asks plain http:// URLs only")?;
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let address = authority
        .to_socket_addrs()
        .map_err(|e| format!("{authority}: {e}"))?
        .next()
        .ok_or_else(|| format!("{authority} has no address"))?;
    let mut stream = TcpStream::connect_timeout(&address, timeout)
        .map_err(|e| format!("cannot connect to {authority}: {e}"))?;
    stream
        .set_read_timeout(Some(timeout))
        .and_then(|()| stream.set_write_timeout(Some(timeout)))
        .map_err(|e| e.to_string())?;
    write!(
        stream,
        "GET {path} HTTP/1.0\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .map_err(|e| format!("cannot ask {url}: {e}"))?;
    let mut answer = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut answer)
        .map_err(|e| format!("no answer from {url}: {e}"))?;
    let answer = String::from_utf8_lossy(&answer);
    let status = answer.split_whitespace().nth(1).unwrap_or("nothing");
    let body = answer.split_once("\r\n\r\n").map_or("", |(_, body)| body);
    if status == "200" {
        println!("{url}: 200 {body}");
        Ok(())
    } else {
        Err(format!("{url} answered {status} {body}"))
    }
}

/// Where to reach a server bound to `bind` from this machine: an unspecified address
/// (0.0.0.0, ::) becomes the loopback of its family.
fn loopback_for(bind: &str) -> String {
    use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

    match bind.parse::<SocketAddr>() {
        Ok(mut address) if address.ip().is_unspecified() => {
            address.set_ip(match address.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            });
            address.to_string()
        }
        _ => bind.to_owned(),
    }
}

fn non_empty(value: String, what: &str) -> Result<String, String> {
    let value = value.trim().to_owned();
    if value.is_empty() {
        Err(format!("the {what} is empty"))
    } else {
        Ok(value)
    }
}

fn init_logging(filter: &str, format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests start several servers) is harmless.
    // Logs go to standard error: standard output is for what a command produces (exports).
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if format == "json" {
        // One object per line, with the request's span (and so its request id) in it.
        builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

#[cfg(test)]
mod tests {
    use super::loopback_for;

    #[test]
    fn the_health_check_asks_an_unspecified_address_on_the_loopback() {
        assert_eq!(loopback_for("0.0.0.0:8080"), "127.0.0.1:8080");
        assert_eq!(loopback_for("[::]:8080"), "[::1]:8080");
        assert_eq!(loopback_for("10.1.2.3:8080"), "10.1.2.3:8080");
        assert_eq!(loopback_for("localhost:8080"), "localhost:8080");
    }
}
