//! A remote target that is one of these mocks (`serve`, the image): reset and brought to the
//! embedded start before each scenario, and the webhook receivers it can reach (harness-defined).

use std::time::Duration;

use jiff::Timestamp;
use serde_json::Value;

use super::{EMBEDDED_START, Env, env_var, poll};
use crate::target::Topology;

impl Env {
    /// A remote mock, as each embedded scenario finds its own (harness-defined): its state reset,
    /// any command still in progress ended, and its clock at [`EMBEDDED_START`]. Scenarios run one
    /// at a time against a remote target (it has one reader and one clock), so this isolates
    /// them as the embedded run does.
    pub(super) async fn start_remote_mock(&mut self) -> Result<(), String> {
        if self.topology == Topology::Cloud {
            self.wait_for_link().await?;
        }
        let bases: Vec<String> = [&self.terminal_admin, &self.acquirer_admin]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
        for base in &bases {
            let answer = self
                .http
                .post(format!("{base}/__admin/reset"))
                .send()
                .await
                .map_err(|e| format!("cannot reset {base}: {e}"))?;
            if !answer.status().is_success() {
                return Err(format!(
                    "{base}/__admin/reset answered {} (a cloud target needs the terminal linked to the relay)",
                    answer.status()
                ));
            }
        }
        if let Some(base) = self.terminal_admin.clone() {
            // A reset ends the command in progress; the terminal is free once its flow has
            // unwound.
            let view = poll(Duration::from_secs(10), || async {
                let view = self.get_json(&format!("{base}/__admin/terminal")).await;
                (view["state"] == "waiting_for_call").then_some(view)
            })
            .await
            .ok_or_else(|| format!("the terminal at {base} stayed busy after a reset"))?;
            if let Some(country) = view["country"].as_str().and_then(|c| c.parse().ok()) {
                self.remote_market = Some(country);
            }
        }
        let start: Timestamp = EMBEDDED_START.parse().map_err(|e| format!("{e}"))?;
        self.set_time(start).await;
        Ok(())
    }

    /// Waits until the terminal under test holds a link to the relay (a scenario before may have
    /// dropped it: the terminal relinks by itself within its back-off).
    async fn wait_for_link(&self) -> Result<(), String> {
        let Some(relay) = self.acquirer_admin.clone() else {
            return Ok(());
        };
        let serial = self.serial().to_string();
        poll(Duration::from_secs(10), || async {
            let online = self.get_json(&format!("{relay}/__admin/terminals")).await;
            online["online"]
                .as_array()
                .is_some_and(|a| a.iter().any(|s| s == serial.as_str()))
                .then_some(())
        })
        .await
        .ok_or_else(|| format!("terminal {serial} is not linked to the relay at {relay}"))
    }

    /// A GET's JSON answer, or `null` when there is none (the mock may still be starting).
    async fn get_json(&self, url: &str) -> Value {
        match self.http.get(url).send().await {
            Ok(r) => r.json().await.unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    /// Starts a webhook receiver the implementation under test can reach, answering `status` to
    /// every POST; returns it and its base URL as seen from the implementation. Embedded mocks
    /// reach it on loopback; a remote one (a container, another host) at this host's address on
    /// the route to it, or at `KUSHKI_CALLBACK_HOST` when set (`host.docker.internal`, say).
    pub async fn receiver(&self, status: u16) -> (wiremock::MockServer, String) {
        let host = match (&self.embedded, env_var("KUSHKI_CALLBACK_HOST")) {
            (Some(_), _) => "127.0.0.1".to_string(),
            (None, Some(host)) => host,
            (None, None) => self.address_seen_by_target().await,
        };
        let bind = if host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
        {
            "127.0.0.1:0"
        } else {
            "0.0.0.0:0"
        };
        let listener = std::net::TcpListener::bind(bind).expect("a port for the receiver");
        let port = listener.local_addr().expect("its address").port();
        let server = wiremock::MockServer::builder()
            .listener(listener)
            .start()
            .await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(status))
            .mount(&server)
            .await;
        let host = if host.contains(':') && !host.starts_with('[') {
            format!("[{host}]")
        } else {
            host
        };
        (server, format!("http://{host}:{port}"))
    }

    /// This host's address on the route to the target (the source address the kernel picks for
    /// it): loopback for a target on this host, the bridge's gateway for a container.
    async fn address_seen_by_target(&self) -> String {
        let base = [&self.connect_base, &self.raw_base, &self.acquirer_admin]
            .into_iter()
            .flatten()
            .next()
            .cloned()
            .unwrap_or_default();
        let authority = base
            .split("://")
            .nth(1)
            .unwrap_or_default()
            .split('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let probe = async {
            let target = tokio::net::lookup_host(&authority).await.ok()?.next()?;
            let local: std::net::SocketAddr = if target.is_ipv4() {
                "0.0.0.0:0".parse().ok()?
            } else {
                "[::]:0".parse().ok()?
            };
            let socket = tokio::net::UdpSocket::bind(local).await.ok()?;
            socket.connect(target).await.ok()?;
            Some(socket.local_addr().ok()?.ip().to_string())
        };
        probe.await.unwrap_or_else(|| "127.0.0.1".to_string())
    }
}
