//! Starting and stopping the server under test: a fresh database in a temporary folder, a
//! token from `datafast-server bootstrap`, rate limiting off, and the process's resident
//! memory read from /proc.

use std::net::{SocketAddr, TcpListener};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use tempfile::TempDir;
use tokio::process::{Child, Command};

use crate::client::Connection;

pub struct RunningServer {
    child: Child,
    pid: u32,
    address: SocketAddr,
    token: String,
    second_token: String,
    // Held so the database folder lives as long as the server.
    folder: TempDir,
}

impl RunningServer {
    pub async fn start(binary: &Path) -> Result<Self, String> {
        Self::start_with(binary, &[]).await
    }

    /// Like [`RunningServer::start`], with extra `DATAFAST_*` settings for `serve` (such as
    /// `DATAFAST_DURABILITY`).
    pub async fn start_with(binary: &Path, settings: &[(&str, &str)]) -> Result<Self, String> {
        if !binary.exists() {
            return Err(format!(
                "{} not found: build it first with `cargo build --release -p datafast-server`",
                binary.display()
            ));
        }
        let folder = TempDir::new().map_err(|e| e.to_string())?;
        let database = folder.path().join("bench.db");
        let token = bootstrap(binary, &database, "bench@example.com").await?;
        let second_token = bootstrap(binary, &database, "small@example.com").await?;
        Self::serve(binary, folder, token, second_token, settings).await
    }

    /// Runs `serve` on the database in `folder`, on a free loopback port.
    async fn serve(
        binary: &Path,
        folder: TempDir,
        token: String,
        second_token: String,
        settings: &[(&str, &str)],
    ) -> Result<Self, String> {
        let database = folder.path().join("bench.db");
        let address = free_address()?;
        let child = Command::new(binary)
            .arg("serve")
            .arg("--database")
            .arg(&database)
            .arg("--bind")
            .arg(address.to_string())
            .env("DATAFAST_RATE_LIMIT_PER_MINUTE", "0")
            .env("DATAFAST_LOG", "warn")
            .envs(settings.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| format!("starting the server: {e}"))?;
        let pid = child.id().ok_or("the server exited at once")?;
        let server = Self {
            child,
            pid,
            address,
            token,
            second_token,
            folder,
        };
        server.wait_until_healthy().await?;
        Ok(server)
    }

    async fn wait_until_healthy(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut connection) = Connection::open(self.address).await
                && let Ok(reply) = connection.request("GET", "/health", None, None).await
                && reply.status == 200
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err("the server did not become healthy within 20 s".to_owned())
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// The full-access token of the account that owns most websites.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The full-access token of a second account, which owns only a few websites.
    pub fn second_token(&self) -> &str {
        &self.second_token
    }

    /// Resident set size in KiB, from /proc/<pid>/status.
    pub fn rss_kib(&self) -> Result<u64, String> {
        rss_kib_of(self.pid)
    }

    /// CPU time the server's threads have run so far, in nanoseconds (the sum of every
    /// thread's `schedstat`): the work a phase cost, which the machine's noise moves less than
    /// its throughput.
    pub fn cpu_nanos(&self) -> Result<u64, String> {
        process_cpu_nanos(&self.pid.to_string())
    }

    /// The folder holding the database files (main file, WAL, key file).
    pub fn folder(&self) -> &Path {
        self.folder.path()
    }

    /// The database file.
    pub fn database(&self) -> std::path::PathBuf {
        self.folder.path().join("bench.db")
    }

    /// Kills the server with SIGKILL, as a crash would, and waits for it to be gone.
    pub async fn kill_hard(mut self) -> Result<KilledServer, String> {
        self.child
            .kill()
            .await
            .map_err(|e| format!("killing the server: {e}"))?;
        Ok(KilledServer {
            folder: self.folder,
            token: self.token,
            second_token: self.second_token,
        })
    }

    /// Asks the server to stop with SIGTERM and waits for it.
    pub async fn stop(self) -> Result<(), String> {
        self.stop_keeping_files().await.map(drop)
    }

    /// Like [`RunningServer::stop`], keeping what it takes to start the server again on the
    /// same database.
    pub async fn stop_for_restart(self) -> Result<KilledServer, String> {
        let (token, second_token) = (self.token.clone(), self.second_token.clone());
        let folder = self.stop_keeping_files().await?;
        Ok(KilledServer {
            folder,
            token,
            second_token,
        })
    }

    /// Sends SIGTERM and measures how long the server takes to exit; `None` (and the server is
    /// killed) when it has not within `patience`.
    pub async fn stop_timed(mut self, patience: Duration) -> Result<Option<Duration>, String> {
        let started = Instant::now();
        std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status()
            .map_err(|e| format!("sending SIGTERM: {e}"))?;
        match tokio::time::timeout(patience, self.child.wait()).await {
            Ok(Ok(_)) => Ok(Some(started.elapsed())),
            _ => {
                let _ = self.child.kill().await;
                Ok(None)
            }
        }
    }

    /// Like [`RunningServer::stop`], handing back the folder so its files can be read.
    pub async fn stop_keeping_files(mut self) -> Result<TempDir, String> {
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &self.pid.to_string()])
            .status();
        match tokio::time::timeout(Duration::from_secs(15), self.child.wait()).await {
            Ok(Ok(_)) => Ok(self.folder),
            _ => {
                let _ = self.child.kill().await;
                Err("the server did not stop within 15 s of SIGTERM".to_owned())
            }
        }
    }
}

/// What is left of a stopped or killed server: its files and its tokens, to start it again.
pub struct KilledServer {
    folder: TempDir,
    token: String,
    second_token: String,
}

impl KilledServer {
    /// The database file.
    pub fn database(&self) -> std::path::PathBuf {
        self.folder.path().join("bench.db")
    }

    /// Starts the server again on the same database, as an operator would after a crash.
    pub async fn restart(self, binary: &Path) -> Result<RunningServer, String> {
        self.restart_with(binary, &[]).await
    }

    /// Like [`KilledServer::restart`], with the `DATAFAST_*` settings it ran with.
    pub async fn restart_with(
        self,
        binary: &Path,
        settings: &[(&str, &str)],
    ) -> Result<RunningServer, String> {
        RunningServer::serve(binary, self.folder, self.token, self.second_token, settings).await
    }
}

/// Resident set size of process `pid` in KiB, from /proc/<pid>/status.
pub fn rss_kib_of(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("reading the server's memory: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no VmRSS line".to_owned())
}

/// Mints a full-access token for `email` with the server's own `bootstrap` command.
async fn bootstrap(binary: &Path, database: &Path, email: &str) -> Result<String, String> {
    let output = Command::new(binary)
        .args(["bootstrap", "--email", email, "--database"])
        .arg(database)
        .stderr(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("running bootstrap: {e}"))?;
    if !output.status.success() {
        return Err("bootstrap failed".to_owned());
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn free_address() -> Result<SocketAddr, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener.local_addr().map_err(|e| e.to_string())
}

/// CPU time the threads of process `pid` (a number, or `self`) have run so far, in nanoseconds:
/// the sum of every thread's `schedstat`.
pub fn process_cpu_nanos(pid: &str) -> Result<u64, String> {
    let tasks = std::fs::read_dir(format!("/proc/{pid}/task"))
        .map_err(|e| format!("listing the threads of process {pid}: {e}"))?;
    let mut total = 0;
    for task in tasks.filter_map(Result::ok) {
        // A thread that ended between the listing and the read no longer counts.
        if let Ok(stat) = std::fs::read_to_string(task.path().join("schedstat")) {
            total += stat
                .split_whitespace()
                .next()
                .and_then(|ns| ns.parse::<u64>().ok())
                .unwrap_or(0);
        }
    }
    Ok(total)
}
