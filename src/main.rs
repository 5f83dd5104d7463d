//! The `ossemu` binary: combines flags, environment and configuration file, then runs the
//! start-up of [`ossemu::run`] until SIGINT/SIGTERM.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use ossemu::config::{self, Command, LogFormat};

/// Most threads for blocking work.
const BLOCKING_THREADS: usize = 32;

fn main() -> ExitCode {
    let (cli, matches) = config::parse();
    match &cli.command {
        Some(Command::CheckConfig { file }) => return check_config(file),
        Some(Command::Health { url }) => return health(url.as_deref(), cli.listen),
        Some(Command::Explain {
            url,
            host,
            headers,
            method,
            path,
        }) => {
            let addr = server_addr(url.as_deref(), cli.listen);
            return explain(&addr, host.as_deref(), headers, method, path);
        }
        None => {}
    }
    let settings = match config::settings(&cli, &matches) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    init_logs(settings.log_format);
    // Blocking work (body file writes and reads, metadata flushes) is short; a burst of it,
    // such as a crowd of stalled uploads written out at once, must not grow hundreds of
    // threads (tokio's default allows 512), each keeping its stack and malloc arena.
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(BLOCKING_THREADS)
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: starting the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(async { ossemu::run(settings, shutdown_signal()).await }) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false);
    match format {
        LogFormat::Json => logs.json().flatten_event(true).init(),
        LogFormat::Text => logs
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
            .init(),
    }
}

/// `ossemu check-config FILE`: validates without starting.
fn check_config(file: &Path) -> ExitCode {
    let parsed = config::parse_args(["ossemu", "--config", &file.display().to_string()]);
    let result = parsed.and_then(|(cli, m)| config::settings(&cli, &m));
    match result {
        Ok(s) => {
            let domains: usize = s.buckets.iter().map(|b| b.cnames.len()).sum();
            let rules: usize = s
                .buckets
                .iter()
                .filter_map(|b| b.website.as_ref())
                .map(|w| w.rules.len())
                .sum();
            let cors = s.buckets.iter().filter(|b| b.cors.is_some()).count();
            let notified = s
                .buckets
                .iter()
                .filter(|b| b.notifications.is_some())
                .count();
            println!(
                "{}: ok ({} buckets, {domains} custom domains, {rules} routing rules, {cors} CORS configurations, {} webhooks, {notified} notification configurations, {} credentials)",
                file.display(),
                s.buckets.len(),
                s.webhooks.len(),
                s.credentials.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The `HOST:PORT` of a running server: `--url`, else the address it would listen on.
fn server_addr(url: Option<&str>, listen: SocketAddr) -> String {
    match url {
        Some(u) => u
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string(),
        None if listen.ip().is_unspecified() => format!("127.0.0.1:{}", listen.port()),
        None => listen.to_string(),
    }
}

/// Sends one HTTP/1.1 request (`Connection: close`) and reads the whole reply.
fn exchange(addr: &str, request: &[u8]) -> std::io::Result<String> {
    let target = match addr.parse::<SocketAddr>() {
        Ok(a) => a,
        Err(_) => std::net::ToSocketAddrs::to_socket_addrs(addr)?
            .next()
            .ok_or_else(|| std::io::Error::from(std::io::ErrorKind::NotFound))?,
    };
    let mut s = TcpStream::connect_timeout(&target, Duration::from_secs(3))?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(request)?;
    let mut reply = String::new();
    s.read_to_string(&mut reply)?;
    Ok(reply)
}

/// `ossemu health`: GET /_ossemu/health on a running server; exits 0 only on 200 (a degraded
/// store, e.g. a full disk, answers 503 with the reason, which is printed).
fn health(url: Option<&str>, listen: SocketAddr) -> ExitCode {
    let addr = server_addr(url, listen);
    let request =
        format!("GET /_ossemu/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    match exchange(&addr, request.as_bytes()) {
        Ok(reply) if reply.starts_with("HTTP/1.1 200") => {
            println!("healthy");
            ExitCode::SUCCESS
        }
        Ok(reply) => {
            let status = reply.lines().next().unwrap_or_default();
            let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b.trim());
            println!("unhealthy: {status} {body}");
            ExitCode::FAILURE
        }
        Err(e) => {
            println!("unreachable: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `ossemu explain`: posts the request to `/_ossemu/explain` and prints the JSON answer;
/// exits 0 when the server answered it.
fn explain(
    addr: &str,
    host: Option<&str>,
    headers: &[String],
    method: &str,
    path: &str,
) -> ExitCode {
    let mut pairs = Vec::new();
    for h in headers {
        let Some((name, value)) = h.split_once(':') else {
            eprintln!("error: a header is `Name: value`, got {h:?}");
            return ExitCode::FAILURE;
        };
        pairs.push((name.trim().to_string(), value.trim().to_string()));
    }
    let question = serde_json::json!({
        "method": method,
        "host": host.unwrap_or(addr),
        "path": path,
        "headers": pairs,
    })
    .to_string();
    let request = format!(
        "POST /_ossemu/explain HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{question}",
        question.len()
    );
    match exchange(addr, request.as_bytes()) {
        Ok(reply) => {
            let ok = reply.starts_with("HTTP/1.1 200");
            let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b.trim());
            println!("{body}");
            if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("unreachable: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGINT or SIGTERM. The handlers are installed at once, before the store opens,
/// so a signal that arrives once the server has said where it listens always stops it
/// gracefully (installed on the first poll, inside the accept loop, a signal right after the
/// "listening" line killed the process).
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    use tokio::signal::unix::{SignalKind, signal};
    let int = signal(SignalKind::interrupt()).ok();
    let term = signal(SignalKind::terminate()).ok();
    async move {
        let wait = |s: Option<tokio::signal::unix::Signal>| async move {
            match s {
                Some(mut s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = wait(int) => {},
            _ = wait(term) => {},
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}
