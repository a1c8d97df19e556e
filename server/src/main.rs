//! The server binary: serve the app (default), seed the demo community, or add accounts.

mod config;
mod startup;

use app::auth::Role;
use app::store::Store;
use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "server", version, about = "My Community: the community service station's app", after_help = config::help())]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the app (the default): migrates the database first.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Set up a real district: load its hierarchy (district, subdistricts, communities, grid
    /// areas, buildings, departments) from a TOML file, and create the district
    /// administrator the file names. Idempotent: run it again after editing the file. The
    /// administrator's password comes from ADMIN_PASSWORD or standard input, never an
    /// argument. Example: deploy/xicheng.toml.
    Init {
        /// The district file.
        #[arg(long)]
        district: std::path::PathBuf,
    },
    /// Copy the SQLite database to PATH while the server runs (a consistent snapshot,
    /// checked). PostgreSQL: use pg_dump (README).
    Backup { path: std::path::PathBuf },
    /// Put a backup in place of the SQLite database (stop the server first). The file it
    /// replaces is kept beside it.
    Restore { path: std::path::PathBuf },
    /// Check that DATABASE_URL can be reached (no migration); exit status 0 if so.
    CheckDb,
    /// Print every server function and page (`METHOD PATH` a line), as registered: the
    /// bad-input test sends malformed requests to each.
    Routes,
    /// Create the demo district, communities and one account per role, and sixteen weeks
    /// of history for the dashboard (idempotent).
    SeedDemo {
        /// Only the hierarchy and the accounts (the integration tests start from these).
        #[arg(long)]
        without_history: bool,
    },
    /// The demo, then a whole district's year of cases for measuring (`make bench`):
    /// communities across the 15 subdistricts, their teams, residents and about 100,000
    /// work items a year. Deterministic; an interrupted run resumes where it stopped.
    SeedScale {
        /// Communities in the district, the two demo communities included.
        #[arg(long, default_value_t = 260)]
        communities: u32,
        /// Years of history.
        #[arg(long, default_value_t = 1)]
        years: u32,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage the Open311 API keys of client systems.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
}

#[derive(Subcommand)]
enum ApiKeyCommand {
    /// Issue a key for a client system; prints it once (only its hash is stored).
    Add {
        name: String,
        /// The region it may file into (a community, subdistrict or district code); without
        /// it, every community.
        #[arg(long)]
        scope: Option<String>,
    },
    /// Revoke a key by its id.
    Revoke { id: i64 },
    /// List the keys (ids, names, dates; never the keys).
    List,
    /// Point a subdistrict department at its own Open311 system: whistles to it are sent
    /// there and followed.
    Link {
        /// Subdistrict code (e.g. guanganmenwai).
        #[arg(long)]
        subdistrict: String,
        /// Department code within it (e.g. urban).
        #[arg(long)]
        department: String,
        /// The system's GeoReport v2 base URL, e.g. http://10.0.0.5/open311/v2
        #[arg(long)]
        url: String,
        #[arg(long)]
        jurisdiction: String,
        #[arg(long)]
        key: String,
        /// The service code requests are filed under there.
        #[arg(long)]
        service: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account of any role. The password is read from NEW_USER_PASSWORD or
    /// standard input (asked for without echo on a terminal), so it stays out of the shell's
    /// history and the process list.
    Add {
        /// resident, social_worker, dispatcher, stationmaster, department, subdistrict_admin, district_admin
        #[arg(long)]
        role: String,
        #[arg(long)]
        phone: String,
        /// Tests only: the password as an argument (visible in `ps` and shell history).
        #[arg(long, hide = true)]
        password: Option<String>,
        #[arg(long)]
        name: String,
        /// Code of the community (or, for subdistrict and district roles, of the subdistrict
        /// or district; a community code means the one above it).
        #[arg(long)]
        community: String,
        /// For the department role: the department's code within the subdistrict.
        #[arg(long)]
        department: Option<String>,
    },
    /// Deactivate a staff account (every session ends at once): for an account nobody may
    /// manage in the browser, such as a district admin who left (if they come back, make a
    /// new account with `user add`).
    Disable {
        #[arg(long)]
        phone: String,
    },
}

async fn open_store(config: &config::Config) -> Result<Store, String> {
    let store = Store::connect(&config.database_url, config.database_max_connections)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))?;
    store.migrate().await.map_err(|e| format!("cannot migrate the database: {e}"))?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<(), String> {
    let config = config::Config::from_env()?;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let store = open_store(&config).await?;
            startup::serve(config, store).await.map_err(|e| format!("server error: {e}"))
        }
        Command::Routes => {
            for (path, method) in server_fn::axum::server_fn_paths() {
                println!("{method} {path}");
            }
            for route in leptos_axum::generate_route_list(app::App) {
                println!("GET {}", route.path());
            }
            Ok(())
        }
        Command::Init { district } => {
            let text =
                std::fs::read_to_string(&district).map_err(|e| format!("cannot read {}: {e}", district.display()))?;
            let file = app::setup::district::DistrictFile::parse(&text).map_err(|problems| {
                format!("{} is not a valid district file:\n  {}", district.display(), problems.join("\n  "))
            })?;
            // Ask for the password before writing anything.
            let admin = match &file.admin {
                Some(a) => {
                    let exists = Store::connect(&config.database_url, 1).await.ok();
                    // Asked directly: on an empty database (no tables yet) the answer is simply no.
                    let phone = app::auth::rules::normalise_phone(&a.phone).unwrap_or_default();
                    let known = match &exists {
                        Some(s) => sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM users WHERE phone = $1")
                            .bind(&phone)
                            .fetch_one(s.pool())
                            .await
                            .is_ok_and(|n| n > 0),
                        None => false,
                    };
                    if let Some(s) = exists {
                        s.close().await;
                    }
                    (!known)
                        .then(|| {
                            read_password(
                                "ADMIN_PASSWORD",
                                &format!("password for the district administrator {}: ", a.phone),
                            )
                        })
                        .transpose()?
                        .map(|p| (a, p))
                }
                None => None,
            };
            let store = open_store(&config).await?;
            let report = app::setup::district::load(&store, &file).await.map_err(|e| format!("init failed: {e}"))?;
            println!(
                "district {} ready: {} subdistricts, {} communities ({} marked illustrative), {} grid areas, {} buildings, {} departments",
                file.district.code,
                report.subdistricts,
                report.communities,
                report.illustrative,
                report.grid_areas,
                report.buildings,
                report.departments
            );
            match admin {
                Some((a, password)) => {
                    let id = app::auth::server::add_user(
                        &store,
                        Role::DistrictAdmin,
                        &a.phone,
                        &password,
                        &a.name,
                        &file.district.code,
                        None,
                    )
                    .await?;
                    println!("created district_admin account {id} ({})", app::auth::rules::mask_phone(&a.phone));
                }
                None if file.admin.is_some() => {
                    println!("the district administrator already exists (password unchanged)")
                }
                None => println!("no [admin] in the file: create one with `server user add --role district_admin`"),
            }
            store.close().await;
            Ok(())
        }
        Command::Backup { path } => {
            let store = open_store(&config).await?;
            let started = std::time::Instant::now();
            let summary = store.backup_sqlite(&path).await.map_err(|e| format!("backup failed: {e}"))?;
            store.close().await;
            println!(
                "backup written to {} and checked: {} bytes, {} migrations, {} work items, {} accounts, {:.1} s",
                path.display(),
                summary.bytes,
                summary.migrations,
                summary.work_items,
                summary.accounts,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { path } => {
            let (summary, kept) = app::store::backup::restore_sqlite(&config.database_url, &path)
                .await
                .map_err(|e| format!("restore failed: {e}"))?;
            println!(
                "restored {} ({} work items, {} accounts){}",
                path.display(),
                summary.work_items,
                summary.accounts,
                kept.map(|k| format!("; the database it replaced is kept at {k}")).unwrap_or_default()
            );
            Ok(())
        }
        Command::CheckDb => {
            let backend =
                Store::check(&config.database_url).await.map_err(|e| format!("cannot reach the database: {e}"))?;
            println!("database reachable ({})", backend.name());
            Ok(())
        }
        Command::Migrate => {
            open_store(&config).await?.close().await;
            println!("migrations applied");
            Ok(())
        }
        Command::SeedDemo { without_history } => {
            let store = open_store(&config).await?;
            let created = app::demo::seed_demo(&store).await.map_err(|e| format!("seeding failed: {e}"))?;
            let history = if without_history {
                0
            } else {
                let now = chrono::Utc::now().timestamp_millis();
                app::demo::history::seed_history(&store, now)
                    .await
                    .map_err(|e| format!("seeding history failed: {e}"))?
            };
            store.close().await;
            println!("demo community ready ({created} new accounts, {history} past work items)");
            Ok(())
        }
        Command::SeedScale { communities, years } => {
            let store = open_store(&config).await?;
            let started = std::time::Instant::now();
            let now = chrono::Utc::now().timestamp_millis();
            let options = app::demo::scale::ScaleOptions { communities, years };
            let report = app::demo::scale::seed_scale(&store, options, now, |n, code, items| {
                if n % 20 == 0 {
                    println!("{n} communities ({code}), {items} work items, {:.0} s", started.elapsed().as_secs_f64());
                }
            })
            .await
            .map_err(|e| format!("seeding failed: {e}"))?;
            store.close().await;
            println!(
                "district ready: {} communities seeded, {} already there, {} work items, {} threads and {} \
                 bookings written in {:.0} s",
                report.communities,
                report.skipped,
                report.items,
                report.threads,
                report.appointments,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::ApiKey { command } => {
            let store = open_store(&config).await?;
            let result = match command {
                ApiKeyCommand::Add { name, scope } => {
                    let region = match scope {
                        Some(code) => match app::community::server::region_by_code(&store, &code).await {
                            Ok(Some(r)) => Some(r.id),
                            Ok(None) => return Err(format!("no region with code {code}")),
                            Err(e) => return Err(format!("api-key failed: {e}")),
                        },
                        None => None,
                    };
                    app::open311::server::add_key(&store, &name, region, None).await.map(|(id, key)| {
                        println!("api key {id} for {name}\nkey: {key}\n(shown once; only its hash is stored)")
                    })
                }
                ApiKeyCommand::Revoke { id } => app::open311::server::revoke_key(&store, id).await.map(|done| {
                    println!("{}", if done { format!("api key {id} revoked") } else { format!("no live api key {id}") })
                }),
                ApiKeyCommand::Link { subdistrict, department, url, jurisdiction, key, service } => {
                    link_department(&store, &subdistrict, &department, &url, &jurisdiction, &key, &service).await
                }
                ApiKeyCommand::List => app::open311::server::list_keys(&store).await.map(|keys| {
                    for (id, name, created, revoked, _) in keys {
                        let state = revoked
                            .map(|r| format!("revoked {}", app::time::format_local(r)))
                            .unwrap_or_else(|| "live".into());
                        println!("{id}\t{name}\t{}\t{state}", app::time::format_local(created));
                    }
                }),
            };
            store.close().await;
            result.map_err(|e| format!("api-key failed: {e}"))
        }
        Command::User { command: UserCommand::Add { role, phone, password, name, community, department } } => {
            let role = Role::parse(&role).ok_or_else(|| {
                format!("unknown role {role:?}; one of: {}", Role::ALL.map(|r| r.as_str()).join(", "))
            })?;
            let password = match password {
                Some(p) => p,
                None => read_password("NEW_USER_PASSWORD", &format!("password for {phone}: "))?,
            };
            let store = open_store(&config).await?;
            let id =
                app::auth::server::add_user(&store, role, &phone, &password, &name, &community, department.as_deref())
                    .await?;
            store.close().await;
            println!("created {} account {id}", role.as_str());
            Ok(())
        }
        Command::User { command: UserCommand::Disable { phone } } => {
            let store = open_store(&config).await?;
            let id = app::auth::server::staff::disable_by_phone(&store, &phone).await;
            store.close().await;
            let id = id.map_err(|e| format!("cannot deactivate {phone}: {}", e.message(app::i18n::Lang::En)))?;
            tracing::info!(account = id, "staff account deactivated from the command line");
            println!("deactivated account {id}");
            Ok(())
        }
    }
}

/// A password from the environment variable `var`, or else standard input: asked for
/// without echo on a terminal, the first line when piped.
fn read_password(var: &str, prompt: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var(var) {
        if !p.is_empty() {
            return Ok(p);
        }
    }
    use std::io::IsTerminal;
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(prompt).map_err(|e| format!("cannot read the password: {e}"))?
    } else {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).map_err(|e| format!("cannot read the password: {e}"))?;
        line
    };
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        return Err(format!("no password: set {var} or give it on standard input"));
    }
    Ok(password)
}

async fn link_department(
    store: &Store,
    subdistrict: &str,
    department: &str,
    url: &str,
    jurisdiction: &str,
    key: &str,
    service: &str,
) -> Result<(), app::error::AppError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT d.id FROM departments d JOIN regions s ON s.id = d.subdistrict_id WHERE s.code = $1 AND d.code = $2",
    )
    .bind(subdistrict)
    .bind(department)
    .fetch_optional(store.pool())
    .await?;
    let id = id.ok_or(app::error::AppError::NotFound)?;
    app::open311::outbound::set_link(store, Some(id), None, url, jurisdiction, key, service).await?;
    println!("department {department} of {subdistrict} now receives whistles at {url}");
    Ok(())
}

fn main() -> ExitCode {
    // `LOG_FORMAT=json`: one JSON object a line, for a log collector; `text` (the default)
    // for people. `RUST_LOG` filters either (the access lines are target `access`).
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "info,sqlx=warn,tower_http=info".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match std::env::var("LOG_FORMAT").unwrap_or_default().trim() {
        "" | "text" => logs.init(),
        "json" => logs.json().flatten_event(true).with_current_span(true).with_span_list(false).init(),
        other => {
            eprintln!("error: LOG_FORMAT={other:?}: use text or json");
            return ExitCode::FAILURE;
        }
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
