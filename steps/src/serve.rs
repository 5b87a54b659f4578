//! `kushki-conformance serve`: the acquirer (raw API and cloud relay) and any number of terminals
//! in one process, sharing one clock, for POS integrators who point their checkout at them.

use std::net::SocketAddr;
use std::path::PathBuf;

use jiff::Timestamp;
use kushki_protocol::calendar::ClockMode;
use mock_acquirer::RunningAcquirer;
use mock_terminal::RunningTerminal;

/// What to serve.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The acquirer's address.
    pub acquirer_listen: SocketAddr,
    /// Terminals: serial and LAN address.
    pub terminals: Vec<(String, SocketAddr)>,
    /// The Business-Code every terminal accepts.
    pub business_code: String,
    /// The `Private-Credential-Id` the acquirer accepts (and the terminals send).
    pub credential: String,
    /// System or manual clock, shared by all.
    pub clock: ClockMode,
    /// Start of a manual clock.
    pub start_time: Option<Timestamp>,
    /// A JSON Lines journal every mock appends to.
    pub journal: Option<PathBuf>,
}

/// The running mocks.
#[derive(Debug)]
pub struct Served {
    /// The acquirer and relay.
    pub acquirer: RunningAcquirer,
    /// The terminals.
    pub terminals: Vec<RunningTerminal>,
}

impl Served {
    /// What an integrator needs to know, one fact a line.
    pub fn banner(&self, opts: &ServeOptions) -> String {
        let a = self.acquirer.uri();
        let mut lines = vec![
            format!("mock-acquirer listening on {a}"),
            format!("  raw API       POST {a}/pos/v1/transaction, POST {a}/pos/v1/refund"),
            format!("  cloud relay   {a}/terminal/v1/{{serial}}/sync/{{operation}}"),
            format!("  admin         {a}/__admin/"),
            format!("  credential    Private-Credential-Id: {}", opts.credential),
        ];
        for t in &self.terminals {
            lines.push(format!(
                "mock-terminal {} listening on {}",
                t.serial(),
                t.uri()
            ));
            lines.push(format!(
                "  LAN           {}/terminal/v1/{{operation}}",
                t.uri()
            ));
            lines.push(format!(
                "  cloud         {a}/terminal/v1/{}/sync/{{operation}}",
                t.serial()
            ));
        }
        lines.push(format!("Business-Code   {}", opts.business_code));
        lines.push("Ctrl-C stops everything and flushes the journal.".into());
        lines.join("\n")
    }

    /// Stops every mock and flushes the journal.
    pub async fn shutdown(self) {
        for t in self.terminals {
            t.shutdown().await;
        }
        self.acquirer.shutdown().await;
    }
}

/// Starts the mocks.
pub async fn serve(opts: &ServeOptions) -> std::io::Result<Served> {
    let acquirer = mock_acquirer::spawn(mock_acquirer::Config {
        listen: opts.acquirer_listen,
        credentials: vec![opts.credential.clone()],
        clock_mode: opts.clock,
        start_time: opts.start_time,
        journal_file: opts.journal.clone(),
        ..mock_acquirer::Config::default()
    })
    .await?;
    let mut terminals = Vec::new();
    for (serial, addr) in &opts.terminals {
        let t = mock_terminal::spawn(mock_terminal::Config {
            listen: *addr,
            serial: serial.clone(),
            business_code: opts.business_code.clone(),
            acquirer_url: acquirer.uri(),
            acquirer_credential: opts.credential.clone(),
            cloud_url: Some(acquirer.uri()),
            shared_clock: Some(acquirer.state().clock.clone()),
            journal_file: opts.journal.clone(),
            ..mock_terminal::Config::default()
        })
        .await?;
        terminals.push(t);
    }
    for t in &terminals {
        t.wait_for_cloud(std::time::Duration::from_secs(5)).await;
    }
    Ok(Served {
        acquirer,
        terminals,
    })
}
