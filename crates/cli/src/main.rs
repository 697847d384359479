//! `klade`: the one binary. `serve` runs the server, `demo` makes and serves the demo, `migrate`
//! brings a database up to date, `backup` and `restore` copy a SQLite database out and back,
//! `user` and `institution` are the operator's console tasks.
//!
//! Configuration, lowest to highest: defaults → a TOML file (`--config`, `KLADE_CONFIG`) →
//! `KLADE_*` environment → command-line flags.

use clap::{Parser, Subcommand};
use klade_app::{demo, users, App, Clock, Settings, StartedClock, SystemClock};
use klade_domain::InstitutionKind;
use klade_store::{Db, DbOptions};
use klade_web::WebSettings;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

// A page view allocates many small strings on several threads at once (the runtime's workers and
// SQLite's); glibc's allocator spent a sixth of the diary's time on them, mimalloc far less.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "klade", version, about = "Klade — an open electronic school system")]
struct Cli {
    /// A TOML configuration file.
    #[arg(long, env = "KLADE_CONFIG", global = true)]
    config: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve Klade over HTTP.
    Serve(ServeArgs),
    /// Create the demo institutions when missing, then serve them.
    Demo(DemoArgs),
    /// Bring the database schema up to date.
    Migrate(DbArg),
    /// Invented institutions at a school's, a county's or the country's size, for measuring.
    Seed(SeedArgs),
    /// Check the journal's history chain and every journal value against it.
    Verify(DbArg),
    /// Copy a SQLite database, consistently, to a new file while the server keeps running.
    Backup(BackupArgs),
    /// Put a backup in place as a SQLite database, bring it up to date and verify it.
    Restore(RestoreArgs),
    /// Read the text-message outbox: the newest messages and how their delivery went.
    Sms(DbArg),
    /// Accounts from the console.
    #[command(subcommand)]
    User(UserCommand),
    /// Institutions from the console.
    #[command(subcommand)]
    Institution(InstitutionCommand),
    /// The year-end archive: write one, or check one offline.
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// How long data is kept (R29): report what is past its time, erase it with --apply.
    #[command(subcommand)]
    Retention(RetentionCommand),
    /// The government's calendar days (transfers, one-off holidays, the festival day), for every
    /// institution that follows them.
    #[command(subcommand)]
    Calendar(CalendarCommand),
}

#[derive(Subcommand)]
enum CalendarCommand {
    /// List the government's days.
    List(DbArg),
    /// Add a government day: --kind off (a transferred day off), worked (a Saturday or Sunday
    /// worked), holiday (a one-off holiday) or festival (the festival's closing day).
    Add {
        #[command(flatten)]
        db: DbArg,
        /// 2026-01-02 or 02.01.2026.
        #[arg(long)]
        date: String,
        #[arg(long)]
        kind: String,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Remove a government day.
    Remove {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        date: String,
    },
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// Report what each institution's periods call to erase now; erase it with --apply.
    Run {
        #[command(flatten)]
        db: DbArg,
        /// Erase: anonymise people, delete old mail and access-log entries.
        #[arg(long)]
        apply: bool,
    },
    /// Set an institution's period (years) for personal_data, messages or access_log.
    Set {
        #[command(flatten)]
        db: DbArg,
        #[arg(long)]
        institution: String,
        #[arg(long)]
        kind: String,
        #[arg(long)]
        years: i64,
    },
}

#[derive(Subcommand)]
enum ArchiveCommand {
    /// Write the signed archive of an institution's school year into a new directory.
    Create {
        #[command(flatten)]
        db: DbArg,
        /// The institution's registration number.
        #[arg(long)]
        institution: String,
        /// The school year's name (e.g. 2026/2027); the latest when left out.
        #[arg(long, default_value = "")]
        year: String,
        /// A directory that does not exist yet.
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Check an archive against its manifest and signature; needs no database.
    Verify {
        /// The archive's directory.
        dir: std::path::PathBuf,
        /// The institution's public key (hex), to check who signed it.
        #[arg(long)]
        key: Option<String>,
    },
}

#[derive(clap::Args)]
struct DbArg {
    /// A SQLite file path, or a postgres:// URL.
    #[arg(long, env = "KLADE_DB")]
    db: Option<String>,
}

#[derive(clap::Args)]
struct SeedArgs {
    #[command(flatten)]
    db: DbArg,
    /// school: one school and one preschool; county: 30 institutions; latvia: 1 200 institutions.
    #[arg(long, value_parser = ["school", "county", "latvia"])]
    scale: String,
    /// The same seed makes the same data.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Add to a database that holds institutions already.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct BackupArgs {
    #[command(flatten)]
    db: DbArg,
    /// The file to write; it must not exist.
    #[arg(long)]
    out: PathBuf,
}

#[derive(clap::Args)]
struct RestoreArgs {
    /// A file written by `klade backup`.
    #[arg(long)]
    from: PathBuf,
    #[command(flatten)]
    db: DbArg,
    /// Replace the database if it exists. Stop the server first.
    #[arg(long)]
    force: bool,
}

#[derive(clap::Args)]
struct ServeArgs {
    #[command(flatten)]
    db: DbArg,
    /// Address to listen on (by default 127.0.0.1:8080).
    #[arg(long, env = "KLADE_LISTEN")]
    listen: Option<SocketAddr>,
}

#[derive(clap::Args)]
struct DemoArgs {
    /// The demo database (SQLite file or postgres:// URL); it stays and is used again, so delete
    /// it to start afresh.
    #[arg(long, env = "KLADE_DB", default_value = "klade-demo.db")]
    db: String,
    /// Address to listen on (by default 127.0.0.1:8080): another if that port is taken.
    #[arg(long, env = "KLADE_LISTEN")]
    listen: Option<SocketAddr>,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a superuser, appointed by the director's order (R4); prints a generated password.
    CreateSuperuser {
        #[command(flatten)]
        db: DbArg,
        /// The institution's registration number.
        #[arg(long)]
        institution: String,
        #[arg(long)]
        given_name: String,
        #[arg(long)]
        family_name: String,
        #[arg(long)]
        personal_code: Option<String>,
        /// Defaults to the personal code.
        #[arg(long)]
        username: Option<String>,
        #[arg(long)]
        order_number: String,
        /// YYYY-MM-DD
        #[arg(long)]
        order_date: String,
    },
    /// Issue a new generated password; it must be changed at the next login.
    ResetPassword {
        #[command(flatten)]
        db: DbArg,
        username: String,
    },
}

#[derive(Subcommand)]
enum InstitutionCommand {
    /// Register an institution.
    Create {
        #[command(flatten)]
        db: DbArg,
        /// general, vocational or preschool
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        reg_no: String,
        #[arg(long, default_value = "")]
        address: String,
    },
}

/// The configuration file. Every field is optional; environment and flags override it.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    db: Option<String>,
    listen: Option<SocketAddr>,
    max_connections: Option<u32>,
    /// `https://…` turns on Secure cookies; invitations give its `/join` as the address to join at.
    public_url: Option<String>,
    trust_proxy: Option<bool>,
    metrics_token: Option<String>,
    web_session_idle_secs: Option<i64>,
    max_failures_per_account: Option<i64>,
    max_failures_per_address: Option<i64>,
    /// The SMS gateway's HTTP endpoint; without it, messages stay in the outbox.
    sms_gateway_url: Option<String>,
    sms_gateway_token: Option<String>,
    /// `smtp://host:25`, `smtps://user:password@host:465`; without it, e-mail stays in the outbox.
    smtp_url: Option<String>,
    /// The sender of e-mail, e.g. `Klade <klade@skola.lv>`.
    smtp_from: Option<String>,
    /// Seconds a connection has to send a request's head (also how long an idle one stays open).
    header_read_timeout_secs: Option<u64>,
    /// Connections one address may hold at once (0: no limit). Without it 64, or no limit with
    /// `trust_proxy`, where every connection comes from the proxy.
    max_connections_per_address: Option<usize>,
    /// Hosts a browser's push endpoint may name besides the known push services (comma-separated
    /// in `KLADE_PUSH_HOSTS`): a push service of one's own.
    push_hosts: Option<Vec<String>>,
    /// Start the clock at this instant instead of the real time (`2026-11-25T10:00`, Riga time):
    /// for tests and demonstrations on a chosen day. Never on a real institution's server.
    now: Option<String>,
}

struct Config {
    file: FileConfig,
}

impl Config {
    fn load(path: Option<&std::path::Path>) -> Result<Self, String> {
        let file = match path {
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|e| format!("{}: {e}", p.display()))?;
                toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?
            }
            None => FileConfig::default(),
        };
        Ok(Self { file })
    }

    fn db(&self, flag: Option<String>) -> String {
        flag.or_else(|| self.file.db.clone())
            .unwrap_or_else(|| "klade.db".to_string())
    }

    fn listen(&self, flag: Option<SocketAddr>) -> SocketAddr {
        flag.or(self.file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))
    }

    /// The real clock, or one started at the configured `now` (`KLADE_NOW` wins over the file).
    fn clock(&self) -> Result<Arc<dyn Clock>, String> {
        let configured = std::env::var("KLADE_NOW")
            .ok()
            .or_else(|| self.file.now.clone())
            .filter(|s| !s.trim().is_empty());
        match configured {
            None => Ok(Arc::new(SystemClock)),
            Some(text) => {
                let at = klade_app::clock::parse_instant(&text).map_err(|e| format!("now: {e}"))?;
                tracing::warn!("the clock starts at {at} (configured), not at the real time");
                Ok(Arc::new(StartedClock::new(at)))
            }
        }
    }

    fn settings(&self) -> Settings {
        let mut s = Settings {
            public_url: self.file.public_url.clone(),
            push_hosts: std::env::var("KLADE_PUSH_HOSTS")
                .ok()
                .map(|v| {
                    v.split(',')
                        .map(|h| h.trim().to_string())
                        .filter(|h| !h.is_empty())
                        .collect()
                })
                .or_else(|| self.file.push_hosts.clone())
                .unwrap_or_default(),
            ..Settings::default()
        };
        if let Some(v) = self.file.web_session_idle_secs {
            s.web_session_idle_secs = v;
        }
        if let Some(v) = self.file.max_failures_per_account {
            s.max_failures_per_account = v;
        }
        if let Some(v) = self.file.max_failures_per_address {
            s.max_failures_per_address = v;
        }
        s
    }

    fn web(&self) -> WebSettings {
        WebSettings {
            secure_cookies: self
                .file
                .public_url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://")),
            trust_proxy: self.file.trust_proxy.unwrap_or(false),
            metrics_token: std::env::var("KLADE_METRICS_TOKEN")
                .ok()
                .or_else(|| self.file.metrics_token.clone()),
            demo: false,
        }
    }

    fn limits(&self) -> klade_web::Limits {
        let default = klade_web::Limits::default();
        klade_web::Limits {
            header_read_timeout: self
                .file
                .header_read_timeout_secs
                .map_or(default.header_read_timeout, std::time::Duration::from_secs),
            per_address: self
                .file
                .max_connections_per_address
                .unwrap_or(if self.file.trust_proxy.unwrap_or(false) {
                    0
                } else {
                    default.per_address
                }),
        }
    }

    fn sms_gateway(&self) -> klade_notify::SmsGateway {
        let url = std::env::var("KLADE_SMS_URL")
            .ok()
            .or_else(|| self.file.sms_gateway_url.clone());
        match url.filter(|u| !u.is_empty()) {
            Some(url) => klade_notify::SmsGateway::Http {
                url,
                token: std::env::var("KLADE_SMS_TOKEN")
                    .ok()
                    .or_else(|| self.file.sms_gateway_token.clone()),
            },
            None => klade_notify::SmsGateway::Outbox,
        }
    }

    fn email_gateway(&self) -> Result<klade_notify::EmailGateway, String> {
        let url = std::env::var("KLADE_SMTP_URL")
            .ok()
            .or_else(|| self.file.smtp_url.clone());
        match url.filter(|u| !u.is_empty()) {
            Some(url) => {
                let from = std::env::var("KLADE_SMTP_FROM")
                    .ok()
                    .or_else(|| self.file.smtp_from.clone())
                    .unwrap_or_else(|| "Klade <klade@localhost>".to_string());
                klade_notify::EmailGateway::smtp(&url, &from)
            }
            None => Ok(klade_notify::EmailGateway::Outbox),
        }
    }

    async fn app(&self, db: &str) -> Result<App, String> {
        let options = DbOptions {
            max_connections: self.file.max_connections.unwrap_or(16),
            ..DbOptions::default()
        };
        let db = Db::connect(db, options).await.map_err(|e| format!("database: {e}"))?;
        db.migrate().await.map_err(|e| format!("migration: {e}"))?;
        Ok(App::new(db, self.clock()?, self.settings()))
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let filter: tracing_subscriber::filter::Targets = std::env::var("KLADE_LOG")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| "info".parse().unwrap_or_default());
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(std::io::stderr)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())),
        )
        .with(filter)
        .init();
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("klade: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = Config::load(cli.config.as_deref())?;
    match cli.command {
        Command::Serve(args) => serve_command(&config, args).await,
        Command::Demo(args) => demo_command(&config, args).await,
        Command::Migrate(args) => migrate(&config, args).await,
        Command::Seed(args) => seed(&config, args).await,
        Command::Verify(args) => verify(&config.app(&config.db(args.db)).await?).await,
        Command::Backup(args) => backup(&config, args).await,
        Command::Restore(args) => restore(&config, args).await,
        Command::Sms(args) => sms_outbox(&config, args).await,
        Command::User(command) => user(&config, command).await,
        Command::Institution(command) => institution(&config, command).await,
        Command::Archive(command) => archive(&config, command).await,
        Command::Retention(command) => retention(&config, command).await,
        Command::Calendar(command) => calendar(&config, command).await,
    }
}

/// `klade serve`.
async fn serve_command(config: &Config, args: ServeArgs) -> Result<(), String> {
    let app = config.app(&config.db(args.db.db)).await?;
    serve(
        app,
        (config.web(), config.limits()),
        (config.sms_gateway(), config.email_gateway()?),
        config.listen(args.listen),
        None,
    )
    .await
}

/// `klade demo`: the demo institutions made when missing, then served.
async fn demo_command(config: &Config, args: DemoArgs) -> Result<(), String> {
    let app = config.app(&args.db).await?;
    let created = demo::ensure(&app).await.map_err(|e| format!("demo: {e}"))?;
    let banner = banner(created, &args.db);
    let web = WebSettings {
        demo: true,
        ..config.web()
    };
    serve(
        app,
        (web, config.limits()),
        (config.sms_gateway(), config.email_gateway()?),
        config.listen(args.listen),
        Some(banner),
    )
    .await
}

/// `klade migrate`.
async fn migrate(config: &Config, args: DbArg) -> Result<(), String> {
    let db = Db::connect(&config.db(args.db), DbOptions::default())
        .await
        .map_err(|e| format!("database: {e}"))?;
    let applied = db.migrate().await.map_err(|e| format!("migration: {e}"))?;
    println!("applied migrations: {applied:?}");
    Ok(())
}

/// `klade seed`: a progress bar while it works, then what it made and the time it took.
async fn seed(config: &Config, args: SeedArgs) -> Result<(), String> {
    let address = config.db(args.db.db);
    let app = config.app(&address).await?;
    let scale: klade_app::seed::Scale = args.scale.parse().map_err(|e| format!("{e}"))?;
    let started = std::time::Instant::now();
    let show = |p: &klade_app::seed::Progress| {
        let width = 30;
        let filled = p.institutions * width / p.of.max(1);
        eprint!(
            "\r[{}{}] {}/{} institutions, {} persons, {} rows, {} s ",
            "#".repeat(filled),
            " ".repeat(width - filled),
            p.institutions,
            p.of,
            p.persons,
            p.rows,
            started.elapsed().as_secs()
        );
    };
    let made = klade_app::seed::run(&app, scale.plan(), args.seed, args.force, show)
        .await
        .map_err(|e| match e {
            klade_app::AppError::Conflict("seed.not_empty") => {
                format!("{address} holds institutions already; seed an empty database, or add --force to add to it")
            }
            e => format!("seed: {e}"),
        })?;
    eprintln!();
    println!(
        "{} institutions, {} persons, {} rows written into {address} in {:.1} s",
        made.institutions,
        made.persons,
        made.rows,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `klade backup`: a consistent copy of a SQLite database.
async fn backup(config: &Config, args: BackupArgs) -> Result<(), String> {
    let address = config.db(args.db.db);
    if is_postgres(&address) {
        return Err(klade_store::backup::POSTGRES.to_string());
    }
    // Connecting creates a missing SQLite file; a backup of an empty new file is a mistake.
    if !address.starts_with("sqlite:") && !Path::new(&address).is_file() {
        return Err(format!("{address}: no such database"));
    }
    let options = DbOptions {
        max_connections: 1,
        ..DbOptions::default()
    };
    let db = Db::connect(&address, options)
        .await
        .map_err(|e| format!("database: {e}"))?;
    let report = db.backup_to(&args.out).await;
    db.close().await;
    let report = report.map_err(|e| format!("backup: {e}"))?;
    let size = std::fs::metadata(&args.out).map(|m| m.len()).unwrap_or(0);
    println!(
        "{address} copied to {} ({size} bytes); SQLite's integrity check: ok",
        args.out.display()
    );
    print_counts(&report.counts);
    Ok(())
}

/// `klade restore`: a backup put in place, brought up to date and verified.
async fn restore(config: &Config, args: RestoreArgs) -> Result<(), String> {
    let target = config.db(args.db.db);
    if is_postgres(&target) {
        return Err(klade_store::backup::POSTGRES.to_string());
    }
    if target.starts_with("sqlite:") {
        return Err(format!("{target}: give the database as a file path"));
    }
    klade_store::backup::restore_file(&args.from, Path::new(&target), args.force)
        .await
        .map_err(|e| format!("restore: {e}"))?;
    println!("{} restored as {target}", args.from.display());
    let db = Db::connect(&target, DbOptions::default())
        .await
        .map_err(|e| format!("database: {e}"))?;
    let applied = db.migrate().await.map_err(|e| format!("migration: {e}"))?;
    if !applied.is_empty() {
        println!("brought up to date: applied migrations {applied:?}");
    }
    let counts = klade_store::backup::counts(db.pool())
        .await
        .map_err(|e| e.to_string())?;
    print_counts(&counts);
    let app = App::new(db, config.clock()?, config.settings());
    let verified = verify(&app).await;
    // A clean close folds the write-ahead log back into the file.
    app.db.close().await;
    verified
}

/// `klade sms`: the newest messages of the outbox.
async fn sms_outbox(config: &Config, args: DbArg) -> Result<(), String> {
    let app = config.app(&config.db(args.db)).await?;
    let messages = klade_store::sms::list(app.db.pool(), None, 50)
        .await
        .map_err(|e| e.to_string())?;
    if messages.is_empty() {
        println!("the outbox is empty");
    }
    for m in messages.iter().rev() {
        let when = klade_app::clock::format_instant(m.created_at);
        let error = m.last_error.as_deref().map(|e| format!(" ({e})")).unwrap_or_default();
        println!("#{} {when} to {} [{}{error}]\n    {}", m.id, m.phone, m.status, m.body);
    }
    Ok(())
}

/// `klade user`.
async fn user(config: &Config, command: UserCommand) -> Result<(), String> {
    match command {
        UserCommand::CreateSuperuser {
            db,
            institution,
            given_name,
            family_name,
            personal_code,
            username,
            order_number,
            order_date,
        } => {
            let app = config.app(&config.db(db.db)).await?;
            let (username, password) = users::create_superuser(
                &app,
                &users::NewSuperuser {
                    institution_reg_no: &institution,
                    given_name: &given_name,
                    family_name: &family_name,
                    personal_code: personal_code.as_deref(),
                    username: username.as_deref(),
                    order_number: &order_number,
                    order_date: &order_date,
                },
            )
            .await
            .map_err(|e| e.to_string())?;
            match password {
                Some(password) => println!(
                    "username: {username}\npassword: {password}\n(the password must be changed at the first login)"
                ),
                None => println!("{username} is superuser here too, and signs in as before"),
            }
            Ok(())
        }
        UserCommand::ResetPassword { db, username } => {
            let app = config.app(&config.db(db.db)).await?;
            let password = users::reset_password(&app, &username)
                .await
                .map_err(|e| e.to_string())?;
            println!("new password for {username}: {password}\n(it must be changed at the next login)");
            Ok(())
        }
    }
}

/// `klade institution`.
async fn institution(config: &Config, command: InstitutionCommand) -> Result<(), String> {
    match command {
        InstitutionCommand::Create {
            db,
            kind,
            name,
            reg_no,
            address,
        } => {
            let kind = InstitutionKind::from_code(&kind)
                .ok_or_else(|| format!("unknown kind {kind:?}: general, vocational or preschool"))?;
            let app = config.app(&config.db(db.db)).await?;
            let id = users::create_institution(&app, kind, &name, &reg_no, &address)
                .await
                .map_err(|e| e.to_string())?;
            println!("institution {id} created");
            Ok(())
        }
    }
}

/// A calendar refusal in words the operator reads.
fn calendar_error(e: klade_app::AppError) -> String {
    match e.code() {
        "calendar.worked_not_weekend" => "a worked day must be a Saturday or a Sunday".into(),
        "calendar.off_on_weekend" => "a transferred day off must be a weekday".into(),
        "calendar.bad_date" => "not a date (write 2026-01-02 or 02.01.2026.)".into(),
        "calendar.bad_kind" => "--kind must be off, worked, holiday or festival".into(),
        "calendar.exists" => "that date already has a row".into(),
        "calendar.note_long" => "the note is longer than 200 characters".into(),
        "error.not_found" => "the government has no row for that date".into(),
        _ => e.to_string(),
    }
}

async fn calendar(config: &Config, command: CalendarCommand) -> Result<(), String> {
    use klade_app::calendar as cal;
    match command {
        CalendarCommand::List(db) => {
            let app = config.app(&config.db(db.db)).await?;
            for d in cal::government_days(&app).await.map_err(|e| e.to_string())? {
                println!("{}\t{}\t{}", d.date, d.kind.code(), d.note);
            }
            Ok(())
        }
        CalendarCommand::Add { db, date, kind, note } => {
            let app = config.app(&config.db(db.db)).await?;
            cal::add_government_day(&app, &date, &kind, &note)
                .await
                .map_err(|e| format!("{date}: {}", calendar_error(e)))?;
            println!("added {date} ({kind})");
            Ok(())
        }
        CalendarCommand::Remove { db, date } => {
            let app = config.app(&config.db(db.db)).await?;
            cal::remove_government_day(&app, &date)
                .await
                .map_err(|e| format!("{date}: {}", calendar_error(e)))?;
            println!("removed {date}");
            Ok(())
        }
    }
}

async fn archive(config: &Config, command: ArchiveCommand) -> Result<(), String> {
    match command {
        ArchiveCommand::Create {
            db,
            institution,
            year,
            out,
        } => {
            let app = config.app(&config.db(db.db)).await?;
            let inst = klade_store::institutions::find_by_reg_no(app.db.pool(), &institution)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no institution with registration number {institution}"))?;
            let made = klade_app::archive::create(&app, klade_domain::Tenant::without_permit(inst.id), &year, None)
                .await
                .map_err(|e| e.to_string())?;
            klade_app::archive::write_dir(&made, &out).map_err(|e| format!("{}: {e}", out.display()))?;
            let (key, _) = klade_app::archive::verify(&made.files, None);
            println!("archive written to {}: {} files", out.display(), made.files.len());
            println!("signed with the institution's key {key}");
            Ok(())
        }
        ArchiveCommand::Verify { dir, key } => {
            let files = klade_app::archive::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let (signer, problems) = klade_app::archive::verify(&files, key.as_deref());
            if problems.is_empty() {
                println!("the archive is intact: {} files, signed with {signer}", files.len());
                return Ok(());
            }
            for p in &problems {
                println!("{p}");
            }
            Err(format!("{} problem(s) found", problems.len()))
        }
    }
}

async fn retention(config: &Config, command: RetentionCommand) -> Result<(), String> {
    match command {
        RetentionCommand::Run { db, apply } => {
            let app = config.app(&config.db(db.db)).await?;
            let reports = klade_app::retention::run(&app, apply)
                .await
                .map_err(|e| e.to_string())?;
            let verb = if apply {
                "erased"
            } else {
                "to erase (run again with --apply)"
            };
            for r in &reports {
                println!(
                    "{}: {verb}: {} people's personal data, {} messages, {} access-log entries",
                    r.institution,
                    r.people.len(),
                    r.messages,
                    r.access_log
                );
            }
            Ok(())
        }
        RetentionCommand::Set {
            db,
            institution,
            kind,
            years,
        } => {
            let app = config.app(&config.db(db.db)).await?;
            let inst = klade_store::institutions::find_by_reg_no(app.db.pool(), &institution)
                .await
                .map_err(|e| e.to_string())?
                .ok_or_else(|| format!("no institution with registration number {institution}"))?;
            klade_app::retention::set_period(&app, klade_domain::Tenant::without_permit(inst.id), &kind, years)
                .await
                .map_err(|e| e.to_string())?;
            println!("{}: {kind} kept {years} years", inst.name);
            Ok(())
        }
    }
}

/// `klade verify`'s checks: every institution's history chain, and every journal value against it.
async fn verify(app: &App) -> Result<(), String> {
    let problems = klade_app::journal::verify(app).await.map_err(|e| e.to_string())?;
    if problems.is_empty() {
        println!("the journal history is intact and explains every journal value");
        return Ok(());
    }
    for (institution, p) in &problems {
        println!("institution {institution}: {p:?}");
    }
    Err(format!("{} problem(s) found", problems.len()))
}

fn is_postgres(address: &str) -> bool {
    address.starts_with("postgres://") || address.starts_with("postgresql://")
}

fn print_counts(counts: &[(&str, i64)]) {
    for (table, n) in counts {
        println!("  {table:<16} {n:>9}");
    }
}

fn banner(created: bool, db: &str) -> String {
    let mut s = String::new();
    s.push_str(if created {
        "Demo institutions created in "
    } else {
        "Demo institutions found in "
    });
    s.push_str(db);
    s.push_str(".\nDemo logins (password for all: demo):\n");
    for (user, what) in demo::LOGINS {
        s.push_str(&format!("  {user:<14} {what}\n"));
    }
    s.push_str(
        "The superuser, the heads, the deputies and the clerk also give a second factor: the demo's\n\
         login page shows its code (the key, for an authenticator app: NNWGCZDFMRSW233LNRQWIZLEMVWW6MJS).\n",
    );
    s
}

/// Ctrl+C, or the SIGTERM a service manager sends: requests in flight finish first.
async fn stop_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
    }
}

async fn serve(
    app: App,
    (web, limits): (WebSettings, klade_web::Limits),
    (sms, email): (klade_notify::SmsGateway, klade_notify::EmailGateway),
    listen: SocketAddr,
    banner: Option<String>,
) -> Result<(), String> {
    klade_notify::push::ensure_keys(&app.db, app.now())
        .await
        .map_err(|e| format!("push keys: {e}"))?;
    // Push services may write to the install's address, or else to nobody in particular.
    let contact = app
        .settings
        .public_url
        .clone()
        .filter(|u| u.starts_with("https://"))
        .unwrap_or_else(|| "mailto:klade@localhost".to_string());
    let worker = klade_notify::Worker::with_email(app.db.clone(), sms, email).with_push_contact(contact);
    let clock = app.clock.clone();
    tokio::spawn(worker.run(std::time::Duration::from_secs(2), move || clock.now().as_second()));
    let chores = app.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(300));
        loop {
            every.tick().await;
            if let Err(e) = klade_app::auth::housekeeping(&chores).await {
                tracing::warn!("housekeeping: {e}");
            }
            // Each reminder is recorded once in the database, so every server may sweep.
            if let Err(e) = klade_app::deadlines::remind(&chores).await {
                tracing::warn!("deadline reminders: {e}");
            }
            // Each day's order is recorded once in the database, so every server may sweep.
            if let Err(e) = klade_app::meals::send_orders(&chores).await {
                tracing::warn!("meal orders: {e}");
            }
        }
    });
    let router = klade_web::router(app, web);
    // Every connection is a file descriptor; a soft limit of 1 024 would let a few hundred idle
    // clients stop the server.
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(n) => tracing::debug!("open files allowed: {n}"),
        Err(e) => tracing::warn!("the open-file limit could not be raised: {e}"),
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    if let Some(b) = banner {
        println!("{b}");
    }
    println!("Klade is serving at http://{addr}/");
    klade_web::serve(listener, router, limits, stop_signal())
        .await
        .map_err(|e| e.to_string())
}
