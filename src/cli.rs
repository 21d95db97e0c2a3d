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
use crate::services::{api_keys, backup, demo, demo_tool_hosts, org_units, password_links, setup};
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
    /// Write a consistent copy of the SQLite database to FILE while kiwi serves.
    Backup {
        /// A new file for the copy.
        file: PathBuf,
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
    crate::services::passwords::return_memory_after_use();
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

    use crate::services::exports::{self, Chunk, Format};
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
        actor: None,
        visible: &everything,
        unit: unit.as_ref(),
        course: args.course.as_deref(),
        status,
        from: day(&args.from, "from")?,
        to: day(&args.to, "to")?,
        format,
        language,
        local,
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
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Chunk>(4);
    let db = db.clone();
    let producer =
        tokio::spawn(async move { exports::run(&db, export, chrono::Utc::now(), sender).await });
    let mut out = std::io::stdout().lock();
    while let Some(chunk) = receiver.recv().await {
        let chunk = chunk.map_err(|e| e.to_string())?;
        out.write_all(&chunk).map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    producer
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())
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
            match import::import_csv(db, &composer(settings)?, &bytes, options, Actor::Operator)
                .await
            {
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
