//! Serving the router on a socket, with the limits that keep one client from taking the server
//! away from everyone: a connection that has not sent a whole request head in time is closed (an
//! idle keep-alive connection too), and one address holds only so many connections at once.
//! axum's own `serve` sets neither, so 1,100 idle connections from one client stopped the service.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// What one client may hold.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The time a connection has to send a request's head, counted from when it opens or its
    /// previous answer went out.
    pub header_read_timeout: Duration,
    /// Connections one address may hold at once; 0 for no limit (behind a reverse proxy, where
    /// every connection comes from the proxy).
    pub per_address: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            per_address: 64,
        }
    }
}

/// The connections each address holds now.
#[derive(Default)]
struct Open(Mutex<HashMap<IpAddr, usize>>);

/// One connection's place in [`Open`], given back when it closes.
struct Place {
    open: Arc<Open>,
    address: IpAddr,
}

impl Open {
    fn take(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<Place> {
        let mut open = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let held = open.entry(address).or_insert(0);
        if limit > 0 && *held >= limit {
            return None;
        }
        *held += 1;
        Some(Place {
            open: self.clone(),
            address,
        })
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut open = self.open.0.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(held) = open.get_mut(&self.address) {
            *held -= 1;
            if *held == 0 {
                open.remove(&self.address);
            }
        }
    }
}

/// Serves `router` on `listener` until `shutdown` completes; then lets the requests in flight
/// finish (at most 30 s) and returns.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let open = Arc::new(Open::default());
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        while connections.try_join_next().is_some() {}
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors, say: wait a moment rather than spin.
                    tracing::warn!("accepting a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(place) = open.take(peer.ip(), limits.per_address) else {
            tracing::debug!(address = %peer.ip(), "too many connections from one address");
            continue;
        };
        let service = TowerToHyperService::new(router.clone().map_request(move |mut r: hyper::Request<Incoming>| {
            r.extensions_mut().insert(ConnectInfo(peer));
            r
        }));
        let mut stopped = stopped.clone();
        connections.spawn(async move {
            let _place = place;
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout);
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            let mut connection = std::pin::pin!(connection);
            tokio::select! {
                result = connection.as_mut() => {
                    if let Err(e) = result {
                        tracing::debug!("connection: {e}");
                    }
                }
                _ = stopped.changed() => {
                    connection.as_mut().graceful_shutdown();
                    let _ = connection.await;
                }
            }
        });
    }
    let _ = stop.send(true);
    let drained = tokio::time::timeout(Duration::from_secs(30), async {
        while connections.join_next().await.is_some() {}
    });
    if drained.await.is_err() {
        tracing::warn!("requests still running after 30 s at shutdown were cut off");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_holds_at_most_its_share_and_gets_it_back() {
        let open = Arc::new(Open::default());
        let a: IpAddr = [10, 0, 0, 1].into();
        let b: IpAddr = [10, 0, 0, 2].into();
        let held: Vec<Place> = (0..3).map_while(|_| open.take(a, 3)).collect();
        assert_eq!(held.len(), 3);
        assert!(open.take(a, 3).is_none(), "a fourth from the same address");
        assert!(open.take(b, 3).is_some(), "another address is not affected");
        drop(held);
        assert!(open.take(a, 3).is_some(), "closed connections give their places back");
        let unlimited: Vec<Place> = (0..1000).map_while(|_| open.take(a, 0)).collect();
        assert_eq!(unlimited.len(), 1000, "0 is no limit");
    }
}
