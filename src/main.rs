use std::process::ExitCode;

use runstrong::{admin, config::Config, memory, openapi, startup::Application, telemetry};

const USAGE: &str = "usage: runstrong [serve | openapi | create-admin --email EMAIL]\n\
  serve         run the HTTP service (the default)\n\
  openapi       print the OpenAPI document\n\
  create-admin  create an admin account; the password is read from\n\
                RUNSTRONG_ADMIN_PASSWORD or else the first line of standard input";

fn main() -> ExitCode {
    memory::limit_malloc_arenas();
    // The HTTP workers run their own runtimes; this one only starts the
    // server, waits for it and handles signals.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(run())
}

async fn run() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] | ["serve"] => serve().await,
        ["create-admin", "--email", email] => create_admin(email),
        ["openapi"] => {
            print!("{}", openapi::document_json());
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("{USAGE}");
            ExitCode::from(2)
        }
    }
}

async fn serve() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("runstrong: {error}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(config.log_format);
    let application = match Application::build(config).await {
        Ok(application) => application,
        Err(error) => {
            tracing::error!(%error, "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    memory::release_start_up_memory();
    match application.run_until_stopped().await {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(error) => {
            tracing::error!(%error, "server failed");
            ExitCode::FAILURE
        }
    }
}

/// Admins cannot be made over HTTP; this is the one way in.
fn create_admin(email: &str) -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("runstrong: {error}");
            return ExitCode::from(2);
        }
    };
    let password = match std::env::var("RUNSTRONG_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("runstrong: could not read the password from standard input");
                return ExitCode::from(2);
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    match admin::create_admin(config.direct_database_url(), email, &password) {
        Ok(id) => {
            println!("created admin {email} ({id})");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("runstrong: {error}");
            ExitCode::FAILURE
        }
    }
}
