//! Loopback helpers for the proxy's real-TCP tests (`tests/proxy/` and `tests/proxy_fds/`): a test
//! upstream, payloads and their check.

use std::sync::OnceLock;
use std::time::Duration;

use proxy::net::Tcp;
use proxy::server::{self, Summary};
use proxy::shutdown::Shutdown;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Every real-time wait in these tests is bounded by this: generous (the slowest test, moving
/// 800 MiB, takes a few seconds), so load cannot break them, and under cargo-mutants' timeout
/// (.cargo/mutants.toml), so a hang fails a test instead of timing out the mutation run.
pub const BOUND: Duration = Duration::from_secs(30);

const BLOCK: usize = 1 << 20;

/// One mebibyte of pseudo-random bytes (xorshift), made once; payloads are windows into it.
fn block() -> &'static [u8] {
    static BLOCK_BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BLOCK_BYTES.get_or_init(|| {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        (0..BLOCK)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x.to_le_bytes()[0]
            })
            .collect()
    })
}

/// The payload `seed` names: byte `i` is `block[(seed + i) % BLOCK]`.
#[derive(Clone, Copy, Debug)]
pub struct Payload {
    /// Where in the block it starts.
    pub seed: u64,
    /// Its length in bytes.
    pub len: u64,
}

impl Payload {
    /// Writes the payload to `w`.
    pub async fn write_to(self, w: &mut (impl AsyncWriteExt + Unpin)) -> std::io::Result<()> {
        let block = block();
        let mut at = usize::try_from(self.seed % BLOCK as u64).unwrap();
        let mut left = usize::try_from(self.len).unwrap();
        while left > 0 {
            let n = left.min(BLOCK - at).min(64 * 1024);
            w.write_all(&block[at..at + n]).await?;
            at = (at + n) % BLOCK;
            left -= n;
        }
        Ok(())
    }

    /// Reads `r` to EOF and checks every byte against the payload; the error says where it
    /// first differs.
    pub async fn check_from(self, r: &mut (impl AsyncReadExt + Unpin)) -> Result<(), String> {
        let block = block();
        let mut at = usize::try_from(self.seed % BLOCK as u64).unwrap();
        let mut received: u64 = 0;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = r.read(&mut buf).await.map_err(|e| e.to_string())?;
            if n == 0 {
                break;
            }
            let mut chunk = &buf[..n];
            while !chunk.is_empty() {
                let m = chunk.len().min(BLOCK - at);
                if chunk[..m] != block[at..at + m] {
                    return Err(format!("bytes differ near offset {received}"));
                }
                received += m as u64;
                at = (at + m) % BLOCK;
                chunk = &chunk[m..];
            }
        }
        if received == self.len {
            Ok(())
        } else {
            Err(format!("received {received} bytes of {}", self.len))
        }
    }
}

/// A test upstream: for each connection, reads a 32-byte header (the client's payload, then
/// the reply to send), checks the client's payload to EOF while it sends the reply, then closes.
/// With `reply_after_eof`, it sends the reply only once the client has finished (half-close).
/// Each connection's check result goes to the returned handle's output, in accept order.
pub async fn upstream(
    connections: usize,
    reply_after_eof: bool,
) -> (String, JoinHandle<Vec<Result<(), String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let handle = tokio::spawn(async move {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (stream, _) = listener.accept().await.unwrap();
            tasks.push(tokio::spawn(serve_one(stream, reply_after_eof)));
        }
        let mut results = Vec::new();
        for t in tasks {
            results.push(t.await.unwrap());
        }
        results
    });
    (addr, handle)
}

async fn serve_one(stream: TcpStream, reply_after_eof: bool) -> Result<(), String> {
    let (mut r, mut w) = stream.into_split();
    let mut header = [0u8; 32];
    r.read_exact(&mut header).await.map_err(|e| e.to_string())?;
    let word = |i: usize| u64::from_le_bytes(header[i * 8..i * 8 + 8].try_into().unwrap());
    let incoming = Payload {
        seed: word(0),
        len: word(1),
    };
    let reply = Payload {
        seed: word(2),
        len: word(3),
    };
    if reply_after_eof {
        incoming.check_from(&mut r).await?;
        reply.write_to(&mut w).await.map_err(|e| e.to_string())?;
        w.shutdown().await.map_err(|e| e.to_string())
    } else {
        let send = async {
            reply.write_to(&mut w).await?;
            w.shutdown().await
        };
        let (checked, sent) = tokio::join!(incoming.check_from(&mut r), send);
        checked?;
        sent.map_err(|e| e.to_string())
    }
}

/// A client: sends the header and `outgoing`, half-closes, and checks that it gets `reply`.
pub async fn client(proxy: &str, outgoing: Payload, reply: Payload) -> Result<(), String> {
    let stream = TcpStream::connect(proxy).await.map_err(|e| e.to_string())?;
    let (mut r, mut w) = stream.into_split();
    let send = async {
        let mut header = Vec::with_capacity(32);
        for word in [outgoing.seed, outgoing.len, reply.seed, reply.len] {
            header.extend_from_slice(&word.to_le_bytes());
        }
        w.write_all(&header).await?;
        outgoing.write_to(&mut w).await?;
        w.shutdown().await
    };
    let (sent, checked) = tokio::join!(send, reply.check_from(&mut r));
    sent.map_err(|e| e.to_string())?;
    checked
}

/// An echo upstream for any number of connections, each echoed until the client finishes and
/// then closed: a connection through it stays open until one end closes it. Aborting the
/// returned task stops it accepting.
pub async fn echo_upstream() -> (String, JoinHandle<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let task = tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            tokio::spawn(async move {
                let (mut r, mut w) = s.split();
                let _ = tokio::io::copy(&mut r, &mut w).await;
            });
        }
    });
    (addr, task)
}

/// Sends `byte` on `stream` and waits (within [`BOUND`]) for it to come back from an echo
/// upstream: the connection is open and relayed end to end. Errors name `what`.
pub async fn echoes(stream: &mut TcpStream, byte: u8, what: &str) {
    stream.write_all(&[byte]).await.unwrap();
    let mut b = [0u8; 1];
    tokio::time::timeout(BOUND, stream.read_exact(&mut b))
        .await
        .unwrap_or_else(|_| panic!("{what}: no echo within {BOUND:?}"))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert_eq!(b, [byte], "{what}");
}

/// Opens a connection through the proxy at `addr` to an echo upstream, and waits until it is
/// relayed end to end.
pub async fn open_served(addr: &str) -> TcpStream {
    let mut c = TcpStream::connect(addr).await.unwrap();
    echoes(&mut c, b'x', "a new connection").await;
    c
}

/// Finishes a connection to an echo upstream: half-closes it and reads to EOF (within
/// [`BOUND`]), which comes once the proxy has relayed the upstream's close.
pub async fn finish(mut stream: TcpStream) {
    stream.shutdown().await.unwrap();
    let mut rest = Vec::new();
    tokio::time::timeout(BOUND, stream.read_to_end(&mut rest))
        .await
        .expect("EOF once the upstream closes")
        .unwrap();
    assert_eq!(rest, b"", "nothing was left to echo");
}

/// Whether the connection was closed by the other end: a read gives EOF or an error (a reset),
/// within [`BOUND`]; a byte read instead is an error.
pub async fn closed(stream: &mut TcpStream) -> bool {
    let mut b = [0u8; 1];
    match tokio::time::timeout(BOUND, stream.read(&mut b)).await {
        Ok(Ok(0) | Err(_)) => true,
        Ok(Ok(_)) => panic!("read a byte from a connection that should be closed"),
        Err(_) => false,
    }
}

/// A running proxy server on loopback: its address, its shutdown signal, its task.
pub struct Proxy {
    /// `IP:PORT` to connect to.
    pub addr: String,
    /// Triggers the server's shutdown.
    pub shutdown: Shutdown,
    /// Ends with the server's summary once drained.
    pub task: JoinHandle<std::io::Result<Summary>>,
}

/// Starts the proxy in front of `upstream`.
pub async fn proxy(upstream: &str, idle_timeout: Duration, drain_timeout: Duration) -> Proxy {
    proxy_with_limit(upstream, idle_timeout, drain_timeout, 1024).await
}

/// Starts the proxy in front of `upstream`, serving at most `max_connections` at once.
pub async fn proxy_with_limit(
    upstream: &str,
    idle_timeout: Duration,
    drain_timeout: Duration,
    max_connections: usize,
) -> Proxy {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let shutdown = Shutdown::new();
    let config = server::Config::new(
        upstream.to_string(),
        idle_timeout,
        max_connections,
        drain_timeout,
    );
    let task = tokio::spawn(server::serve(listener, Tcp, config, shutdown.clone()));
    Proxy {
        addr,
        shutdown,
        task,
    }
}

/// This process's open file descriptors, counted in `/proc/self/fd` (Linux).
pub fn open_fds() -> usize {
    std::fs::read_dir("/proc/self/fd")
        .expect("/proc/self/fd (Linux)")
        .count()
}
