//! The release binaries as processes: finding (and building) them, starting them on port 0,
//! learning their address from what they print, and reading their resident memory.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// The line both binaries print once the acquirer is bound.
pub const LISTENING: &str = "mock-acquirer listening on http://";

/// Where the workspace's binaries of this build's profile are: beside the running executable
/// (`target/release/`), or one folder up from a test's `deps/`.
pub fn default_bin_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap_or_default();
    let dir = exe.parent().map(Path::to_path_buf).unwrap_or_default();
    if dir.file_name().is_some_and(|n| n == "deps") {
        dir.parent().map(Path::to_path_buf).unwrap_or(dir)
    } else {
        dir
    }
}

/// Builds the `mock-acquirer` and `kushki-conformance` binaries in this build's profile (cargo
/// does nothing when they are fresh): `cargo run -p kushki-bench` builds only the bench.
pub fn build_binaries() -> Result<(), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let mut cmd = std::process::Command::new(cargo);
    cmd.arg("build").arg("--manifest-path").arg(manifest).args([
        "-p",
        "mock-acquirer",
        "-p",
        "kushki-conformance",
        "--bins",
    ]);
    if !cfg!(debug_assertions) {
        cmd.arg("--release");
    }
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run cargo build: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("cargo build of the binaries failed: {status}"))
    }
}

/// A started binary and the acquirer address it printed.
#[derive(Debug)]
pub struct Started {
    /// The process (killed on drop).
    pub child: Child,
    /// The acquirer's address.
    pub addr: SocketAddr,
    /// When the process was started.
    pub spawned: Instant,
    /// When its address line was read.
    pub announced: Instant,
}

impl Started {
    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id().unwrap_or(0)
    }

    /// Kills the process and reaps it.
    pub async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

/// Starts `bin args…`, and waits (up to `timeout`) for its "listening on" line.
pub async fn start(bin: &Path, args: &[&str], timeout: Duration) -> Result<Started, String> {
    let spawned = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .env("RUST_LOG", "error")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let addr = tokio::time::timeout(timeout, async {
        while let Ok(Some(line)) = lines.next_line().await {
            if let Some(rest) = line.trim().strip_prefix(LISTENING) {
                return rest
                    .trim_end_matches('/')
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("bad address in `{line}`: {e}"));
            }
        }
        Err(format!(
            "{} ended without printing `{LISTENING}`",
            bin.display()
        ))
    })
    .await
    .map_err(|_| format!("{} printed no address within {timeout:?}", bin.display()))??;
    let announced = Instant::now();
    // Keep draining stdout so the process never blocks on a full pipe.
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    Ok(Started {
        child,
        addr,
        spawned,
        announced,
    })
}

/// A process's resident set size in bytes (`VmRSS` of `/proc/PID/status`).
pub fn rss_bytes(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("/proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))
}
