//! `datafast-server`: parses the command line and the configuration, then runs `serve`
//! (the default), `bootstrap`, `set-password` or `migrate`. Everything else lives in the
//! library.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use datafast_server::config::{
    Config, ConfigError, Durability, FileConfig, Secret, SmtpTls, default_key_file, overlay,
};
use datafast_server::{
    Application, FirstStart, StartError, bootstrap_token, open_services, set_password,
};

// Ingestion allocates and frees many small strings per event on the HTTP workers, and the
// event writer frees them on its own thread; mimalloc's per-thread heaps make both cheaper
// than glibc's arenas (measured by the ingestion benchmark's CPU per event).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Debug, Parser)]
#[command(
    name = "datafast-server",
    version,
    about = "Self-hosted analytics server that speaks DataFast's API"
)]
struct Cli {
    /// A TOML configuration file; environment variables and flags override it.
    #[arg(long, env = "DATAFAST_CONFIG", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve(Box<ServeArgs>),
    /// Create an account if needed and print a new full-access token, alone, on stdout.
    Bootstrap(BootstrapArgs),
    /// Set an account's dashboard password, read from standard input; its sessions end.
    SetPassword(SetPasswordArgs),
    /// Apply database migrations and exit.
    Migrate(StorageArgs),
}

#[derive(Debug, Clone, Default, Args)]
struct StorageArgs {
    /// The SQLite database file [default: ./datafast.db].
    #[arg(long, env = "DATAFAST_DATABASE")]
    database: Option<PathBuf>,
    /// The server key file [default: the database path with extension .key].
    #[arg(long, env = "DATAFAST_KEY_FILE")]
    key_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Default, Args)]
struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "DATAFAST_BIND")]
    bind: Option<String>,
    #[command(flatten)]
    storage: StorageArgs,
    /// What a committed write survives: `process` (a crash of the server) or `machine` (a
    /// power loss too, at one fsync per commit) [default: process].
    #[arg(long, env = "DATAFAST_DURABILITY", value_enum)]
    durability: Option<Durability>,
    /// Email of the account created on first start.
    #[arg(long, env = "DATAFAST_OWNER_EMAIL")]
    owner_email: Option<String>,
    /// Admin API requests per credential per minute; 0 disables limiting [default: 600].
    #[arg(long, env = "DATAFAST_RATE_LIMIT_PER_MINUTE")]
    rate_limit_per_minute: Option<u32>,
    /// Burst allowance per credential [default: 120].
    #[arg(long, env = "DATAFAST_RATE_LIMIT_BURST")]
    rate_limit_burst: Option<u32>,
    /// Failed authentications per client address per minute; 0 turns this limit off
    /// [default: 10].
    #[arg(long, env = "DATAFAST_AUTH_FAILURES_PER_MINUTE")]
    auth_failures_per_minute: Option<u32>,
    /// Failed authentications a client address may make at once [default: 20].
    #[arg(long, env = "DATAFAST_AUTH_FAILURE_BURST")]
    auth_failure_burst: Option<u32>,
    /// Open HTTP connections, all workers together; more wait to be accepted [default: 2048].
    #[arg(long, env = "DATAFAST_MAX_CONNECTIONS")]
    max_connections: Option<usize>,
    /// Milliseconds a client may take to send a request head [default: 5000].
    #[arg(long, env = "DATAFAST_HEAD_TIMEOUT_MS")]
    head_timeout_ms: Option<u64>,
    /// Milliseconds a client may take to send a request body [default: 10000].
    #[arg(long, env = "DATAFAST_BODY_TIMEOUT_MS")]
    body_timeout_ms: Option<u64>,
    /// Seconds in-flight requests may still run after SIGTERM [default: 10].
    #[arg(long, env = "DATAFAST_SHUTDOWN_TIMEOUT_SECS")]
    shutdown_timeout_secs: Option<u64>,
    /// Largest request body in bytes [default: 65536].
    #[arg(long, env = "DATAFAST_MAX_BODY_BYTES")]
    max_body_bytes: Option<usize>,
    /// HTTP worker threads; 0 for one per core [default: 0].
    #[arg(long, env = "DATAFAST_WORKERS")]
    workers: Option<usize>,
    /// Log filter [default: info].
    #[arg(long, env = "DATAFAST_LOG")]
    log: Option<String>,
    /// A MaxMind-format (MMDB) City or Country database for visitor locations.
    #[arg(long, env = "DATAFAST_GEO_DATABASE")]
    geo_database: Option<PathBuf>,
    /// Proxies whose forwarded client-address headers are believed (addresses or CIDR blocks,
    /// comma-separated).
    #[arg(long, env = "DATAFAST_TRUSTED_PROXIES", value_delimiter = ',')]
    trusted_proxies: Option<Vec<String>>,
    /// A second path that takes events like /api/events (e.g. /stats/e).
    #[arg(long, env = "DATAFAST_EVENTS_PATH")]
    events_path: Option<String>,
    /// SMTP server for alert emails; without it alerts go to webhooks only.
    #[arg(long, env = "DATAFAST_SMTP_HOST")]
    smtp_host: Option<String>,
    /// SMTP port [default: 587].
    #[arg(long, env = "DATAFAST_SMTP_PORT")]
    smtp_port: Option<u16>,
    /// SMTP user name.
    #[arg(long, env = "DATAFAST_SMTP_USERNAME")]
    smtp_username: Option<String>,
    /// SMTP password; prefer the environment variable or the config file to a flag.
    #[arg(long, env = "DATAFAST_SMTP_PASSWORD", hide_env_values = true)]
    smtp_password: Option<Secret>,
    /// The From address of alert emails.
    #[arg(long, env = "DATAFAST_SMTP_FROM")]
    smtp_from: Option<String>,
    /// SMTP connection security [default: starttls].
    #[arg(long, env = "DATAFAST_SMTP_TLS", value_enum)]
    smtp_tls: Option<SmtpTls>,
    /// Internal addresses or CIDR blocks alert webhooks may reach anyway (comma-separated).
    #[arg(long, env = "DATAFAST_WEBHOOK_ALLOWED_NETWORKS", value_delimiter = ',')]
    webhook_allowed_networks: Option<Vec<String>>,
    /// Alert delivery attempts, the first included [default: 3].
    #[arg(long, env = "DATAFAST_ALERT_RETRY_ATTEMPTS")]
    alert_retry_attempts: Option<u32>,
    /// Wait before the first alert retry in milliseconds, doubled each time [default: 1000].
    #[arg(long, env = "DATAFAST_ALERT_RETRY_BASE_MS")]
    alert_retry_base_ms: Option<u64>,
    /// The address the server is reached at from the outside, for the snippets it hands out
    /// (default: each request's own Host).
    #[arg(long, env = "DATAFAST_PUBLIC_URL")]
    public_url: Option<String>,
    /// Let test-mode and sandbox payment-provider keys connect.
    #[arg(long, env = "DATAFAST_ALLOW_TEST_KEYS")]
    allow_test_keys: bool,
    /// Stripe's API root, for a local fake in tests [default: https://api.stripe.com].
    #[arg(long, env = "DATAFAST_STRIPE_API_BASE")]
    stripe_api_base: Option<String>,
    /// Lemon Squeezy's API root, for a local fake in tests.
    #[arg(long, env = "DATAFAST_LEMONSQUEEZY_API_BASE")]
    lemonsqueezy_api_base: Option<String>,
    /// Polar's API root, for a local fake in tests.
    #[arg(long, env = "DATAFAST_POLAR_API_BASE")]
    polar_api_base: Option<String>,
    /// Paddle's API root for live and sandbox keys, for a local fake in tests.
    #[arg(long, env = "DATAFAST_PADDLE_API_BASE")]
    paddle_api_base: Option<String>,
    /// Seconds between two revenue imports from the connected payment providers [default: 300].
    #[arg(long, env = "DATAFAST_IMPORT_INTERVAL_SECS")]
    import_interval_secs: Option<u64>,
    /// Days of history a newly connected provider's first import reads [default: 90].
    #[arg(long, env = "DATAFAST_IMPORT_BACKFILL_DAYS")]
    import_backfill_days: Option<u32>,
}

#[derive(Debug, Args)]
struct BootstrapArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// The account's email.
    #[arg(long)]
    email: String,
    /// The account's display name, when it is created.
    #[arg(long)]
    name: Option<String>,
    /// Also set the account's dashboard password, read from the first line of standard input.
    #[arg(long)]
    password_stdin: bool,
}

#[derive(Debug, Args)]
struct SetPasswordArgs {
    #[command(flatten)]
    storage: StorageArgs,
    /// The account's email.
    #[arg(long)]
    email: String,
    /// Read the password from the first line of standard input (the only way to give it, so
    /// that it stays out of the shell's history and the process list).
    #[arg(long, required = true)]
    password_stdin: bool,
}

impl ServeArgs {
    fn as_layer(&self) -> FileConfig {
        FileConfig {
            bind: self.bind.clone(),
            database: self.storage.database.clone(),
            key_file: self.storage.key_file.clone(),
            durability: self.durability,
            owner_email: self.owner_email.clone(),
            rate_limit_per_minute: self.rate_limit_per_minute,
            rate_limit_burst: self.rate_limit_burst,
            auth_failures_per_minute: self.auth_failures_per_minute,
            auth_failure_burst: self.auth_failure_burst,
            max_connections: self.max_connections,
            head_timeout_ms: self.head_timeout_ms,
            body_timeout_ms: self.body_timeout_ms,
            shutdown_timeout_secs: self.shutdown_timeout_secs,
            max_body_bytes: self.max_body_bytes,
            workers: self.workers,
            log: self.log.clone(),
            geo_database: self.geo_database.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            events_path: self.events_path.clone(),
            smtp_host: self.smtp_host.clone(),
            smtp_port: self.smtp_port,
            smtp_username: self.smtp_username.clone(),
            smtp_password: self.smtp_password.clone(),
            smtp_from: self.smtp_from.clone(),
            smtp_tls: self.smtp_tls,
            webhook_allowed_networks: self.webhook_allowed_networks.clone(),
            alert_retry_attempts: self.alert_retry_attempts,
            alert_retry_base_ms: self.alert_retry_base_ms,
            public_url: self.public_url.clone(),
            // Absent, the flag leaves the file's setting alone.
            allow_test_keys: self.allow_test_keys.then_some(true),
            stripe_api_base: self.stripe_api_base.clone(),
            lemonsqueezy_api_base: self.lemonsqueezy_api_base.clone(),
            polar_api_base: self.polar_api_base.clone(),
            paddle_api_base: self.paddle_api_base.clone(),
            import_interval_secs: self.import_interval_secs,
            import_backfill_days: self.import_backfill_days,
        }
    }
}

/// Defaults, then the file, then environment and flags (clap has already put flags over env).
fn resolve(file: Option<&PathBuf>, layer: FileConfig) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    if let Some(path) = file {
        overlay(&mut config, FileConfig::load(path)?);
    }
    overlay(&mut config, layer);
    Ok(config)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => return fail(&error.to_string()),
    };
    let outcome = match cli.command {
        None => runtime.block_on(serve(cli.config.as_ref(), &cli.serve)),
        Some(Command::Serve(ref args)) => runtime.block_on(serve(cli.config.as_ref(), args)),
        Some(Command::Bootstrap(ref args)) => {
            runtime.block_on(bootstrap(cli.config.as_ref(), args))
        }
        Some(Command::SetPassword(ref args)) => {
            runtime.block_on(set_password_command(cli.config.as_ref(), args))
        }
        Some(Command::Migrate(ref args)) => migrate(cli.config.as_ref(), args),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("datafast-server: {message}");
    ExitCode::FAILURE
}

fn storage_config(file: Option<&PathBuf>, storage: &StorageArgs) -> Result<Config, String> {
    let layer = FileConfig {
        database: storage.database.clone(),
        key_file: storage.key_file.clone(),
        ..FileConfig::default()
    };
    resolve(file, layer).map_err(|e| e.to_string())
}

async fn serve(file: Option<&PathBuf>, args: &ServeArgs) -> Result<(), String> {
    let config = resolve(file, args.as_layer()).map_err(|e| e.to_string())?;
    config.validate().map_err(|e| e.to_string())?;
    init_logging(&config.log);
    let database = config.database.clone();
    let mut application = Application::build(config)
        .await
        .map_err(|e| e.to_string())?;
    if let Some(first) = application.take_first_start() {
        println!(
            "{}",
            first_start_banner(&first, application.public_address(), &database)
        );
    }
    tracing::info!(address = %application.address(), "datafast-server is listening");
    application
        .run_until_stopped()
        .await
        .map_err(|e| e.to_string())?;
    tracing::info!("datafast-server stopped");
    Ok(())
}

fn first_start_banner(first: &FirstStart, address: &str, database: &std::path::Path) -> String {
    format!(
        "\n==================================================================\n\
         First start: an owner account was created.\n\n\
         Open this link to set its password and sign in to the dashboard\n\
         (it works once, for 7 days):\n\n    {address}/setup?code={}\n\n\
         Its full-access API token, shown only this once:\n\n    {}\n\n\
         Make more with:\n    datafast-server bootstrap --database {} --email you@example.com\n\
         or with POST /api/v1/admin/access-tokens using this token.\n\
         ==================================================================\n",
        first.setup_code,
        first.token,
        database.display()
    )
}

async fn bootstrap(file: Option<&PathBuf>, args: &BootstrapArgs) -> Result<(), String> {
    let config = storage_config(file, &args.storage)?;
    let services = open_services(&config.database, &config.key_file())
        .await
        .map_err(|e| e.to_string())?;
    let token = bootstrap_token(&services, &args.email, args.name.clone())
        .await
        .map_err(|e: StartError| e.to_string())?;
    if args.password_stdin {
        set_password(&services, &args.email, &password_from_stdin()?)
            .await
            .map_err(|e| e.to_string())?;
        eprintln!("The dashboard password of {} is set.", args.email);
    }
    eprintln!(
        "A new full-access token for {} (shown once; store it safely):",
        args.email
    );
    println!("{token}");
    Ok(())
}

async fn set_password_command(
    file: Option<&PathBuf>,
    args: &SetPasswordArgs,
) -> Result<(), String> {
    let config = storage_config(file, &args.storage)?;
    let services = open_services(&config.database, &config.key_file())
        .await
        .map_err(|e| e.to_string())?;
    set_password(&services, &args.email, &password_from_stdin()?)
        .await
        .map_err(|e| e.to_string())?;
    eprintln!(
        "The dashboard password of {} is set; its sessions have ended.",
        args.email
    );
    Ok(())
}

/// The first line of standard input, without its line ending.
fn password_from_stdin() -> Result<String, String> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| format!("could not read the password from standard input: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

fn migrate(file: Option<&PathBuf>, args: &StorageArgs) -> Result<(), String> {
    let config = storage_config(file, args)?;
    datafast_sqlite::SqliteStore::open(&config.database).map_err(|e| e.to_string())?;
    let key_file = config
        .key_file
        .unwrap_or_else(|| default_key_file(&config.database));
    eprintln!(
        "{} is up to date (key file: {})",
        config.database.display(),
        key_file.display()
    );
    Ok(())
}

fn init_logging(filter: &str) {
    // `Config::validate` has already refused a filter that does not parse.
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
