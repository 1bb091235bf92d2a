//! The hostile-connections benchmark: against the release server with its default settings,
//! opens many connections that send the head of `POST /api/events` and one byte of its body,
//! then nothing, as an unauthenticated client exhausting the server would. It reports how many
//! the server holds, its resident memory before, during and after, how soon it closes them,
//! and how long SIGTERM takes with such connections open.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::server::RunningServer;

/// The stalled request: a body of 500 bytes announced, one sent.
const STALLED: &[u8] = b"POST /api/events HTTP/1.1\r\nHost: localhost\r\n\
    Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{";

/// Connections being opened at once, so the listener's queue is not flooded with SYNs.
const OPENING_AT_ONCE: usize = 256;

/// How long the benchmark waits for the server to exit after SIGTERM before killing it.
const STOP_PATIENCE: Duration = Duration::from_secs(60);

/// What one stalled connection went through.
struct Fate {
    connected: bool,
    /// Time from sending the stalled request until the server closed the connection.
    closed_after: Option<Duration>,
    /// The server answered 408 before closing.
    answered_408: bool,
}

/// The figures of one run.
pub struct HostileReport {
    connections: usize,
    hold: Duration,
    idle_rss_kib: u64,
    peak_rss_kib: u64,
    after_rss_kib: u64,
    peak_held: usize,
    connected: usize,
    closed: Vec<Duration>,
    answered_408: usize,
    stop: Option<Duration>,
}

/// Opens `connections` stalled connections and keeps them for up to `hold`, then does it again
/// and stops the server with SIGTERM.
pub async fn run(
    binary: &Path,
    connections: usize,
    hold: Duration,
) -> Result<HostileReport, String> {
    let server = RunningServer::start(binary).await?;
    eprintln!("server pid {} on {}", server.pid(), server.address());
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle_rss_kib = server.rss_kib()?;
    let baseline_fds = open_files(server.pid())?;

    eprintln!(
        "opening {connections} stalled connections, holding them up to {} s",
        hold.as_secs()
    );
    let wave = open_stalled(&server, connections, hold);
    let (mut peak_rss_kib, mut peak_held) = (idle_rss_kib, 0);
    let deadline = Instant::now() + hold;
    while Instant::now() < deadline && !wave.is_finished() {
        peak_rss_kib = peak_rss_kib.max(server.rss_kib()?);
        peak_held = peak_held.max(open_files(server.pid())?.saturating_sub(baseline_fds));
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let fates = wave
        .await
        .map_err(|e| format!("the connection wave failed: {e}"))?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after_rss_kib = server.rss_kib()?;

    eprintln!("opening {connections} stalled connections again, then SIGTERM");
    let second = open_stalled(&server, connections, STOP_PATIENCE);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let stop = server.stop_timed(STOP_PATIENCE).await?;
    second.abort();

    let mut closed: Vec<Duration> = fates.iter().filter_map(|f| f.closed_after).collect();
    closed.sort_unstable();
    Ok(HostileReport {
        connections,
        hold,
        idle_rss_kib,
        peak_rss_kib,
        after_rss_kib,
        peak_held,
        connected: fates.iter().filter(|f| f.connected).count(),
        answered_408: fates.iter().filter(|f| f.answered_408).count(),
        closed,
        stop,
    })
}

/// Opens `count` stalled connections in the background; each waits up to `hold` for the
/// server to close it.
fn open_stalled(
    server: &RunningServer,
    count: usize,
    hold: Duration,
) -> tokio::task::JoinHandle<Vec<Fate>> {
    let address = server.address();
    let opening = Arc::new(Semaphore::new(OPENING_AT_ONCE));
    tokio::spawn(async move {
        let mut tasks = JoinSet::new();
        for _ in 0..count {
            let opening = Arc::clone(&opening);
            tasks.spawn(async move {
                let permit = opening.acquire_owned().await.ok();
                let connected = tokio::time::timeout(Duration::from_secs(5), async {
                    let mut stream = TcpStream::connect(address).await.ok()?;
                    stream.write_all(STALLED).await.ok()?;
                    Some(stream)
                })
                .await
                .ok()
                .flatten();
                drop(permit);
                let Some(stream) = connected else {
                    return Fate {
                        connected: false,
                        closed_after: None,
                        answered_408: false,
                    };
                };
                let (closed_after, answered_408) = wait_for_close(stream, hold).await;
                Fate {
                    connected: true,
                    closed_after,
                    answered_408,
                }
            });
        }
        let mut fates = Vec::with_capacity(count);
        while let Some(fate) = tasks.join_next().await {
            if let Ok(fate) = fate {
                fates.push(fate);
            }
        }
        fates
    })
}

/// Reads until the server closes the connection: how long that took (`None` past `hold`), and
/// whether the server answered 408 first.
async fn wait_for_close(mut stream: TcpStream, hold: Duration) -> (Option<Duration>, bool) {
    let started = Instant::now();
    let mut buffer = [0u8; 1024];
    let mut answered_408 = false;
    let closed = tokio::time::timeout(hold, async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return started.elapsed(),
                Ok(n) => answered_408 |= buffer[..n].starts_with(b"HTTP/1.1 408"),
            }
        }
    })
    .await
    .ok();
    (closed, answered_408)
}

/// The number of files (sockets included) process `pid` holds open.
fn open_files(pid: u32) -> Result<usize, String> {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(Iterator::count)
        .map_err(|e| format!("listing the server's open files: {e}"))
}

impl HostileReport {
    pub fn to_markdown(&self) -> String {
        let mib = |kib: u64| kib as f64 / 1024.0;
        let per_connection = (self.peak_rss_kib.saturating_sub(self.idle_rss_kib)) as f64
            / self.peak_held.max(1) as f64;
        let closed = |quantile: f64| -> String {
            if self.closed.is_empty() {
                return "-".to_owned();
            }
            let rank =
                ((quantile * self.closed.len() as f64).ceil() as usize).clamp(1, self.closed.len());
            format!("{:.1} s", self.closed[rank - 1].as_secs_f64())
        };
        let stop = match self.stop {
            Some(took) => format!("{:.1} s", took.as_secs_f64()),
            None => format!("no exit within {} s (killed)", STOP_PATIENCE.as_secs()),
        };
        format!(
            "{} stalled `POST /api/events` connections (head + 1 byte of body), held up to {} s.\n\n\
             | figure | value |\n|---|---:|\n\
             | connections established (client side) | {} |\n\
             | connections held by the server at peak | {} |\n\
             | closed by the server within the hold (after a 408) | {} ({}) |\n\
             | time to close, median / max | {} / {} |\n\
             | RSS before | {:.1} MiB |\n\
             | RSS peak while held | {:.1} MiB |\n\
             | RSS after they closed (or at the end of the hold) | {:.1} MiB |\n\
             | RSS per held connection | {:.1} KiB |\n\
             | SIGTERM to exit, {} stalled connections open | {} |\n",
            self.connections,
            self.hold.as_secs(),
            self.connected,
            self.peak_held,
            self.closed.len(),
            self.answered_408,
            closed(0.5),
            closed(1.0),
            mib(self.idle_rss_kib),
            mib(self.peak_rss_kib),
            mib(self.after_rss_kib),
            per_connection,
            self.connections,
            stop,
        )
    }
}
