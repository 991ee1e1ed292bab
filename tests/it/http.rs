//! A running `mdfeed serve` and a plain HTTP/1.1 client for it: raw requests
//! over a socket, so tests can also send what a browser never would
//! (`GET /../mdfeed.toml`).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// `mdfeed serve` on a free loopback port; killed when dropped.
pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT/`
    pub url: String,
    pub addr: SocketAddr,
    /// Everything the server printed so far (stdout and stderr), for messages.
    pub log: Arc<Mutex<String>>,
}

impl Served {
    /// Starts `mdfeed -v serve --port 0 --root ROOT ARGS` and waits for its address.
    pub fn start(root: &Path, args: &[&str]) -> Served {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mdfeed"))
            .args(["-v", "serve", "--port", "0", "--root"])
            .arg(root)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        let stderr = child.stderr.take().unwrap();
        for (stream, tx) in [
            (Box::new(stdout) as Box<dyn Read + Send>, Some(tx)),
            (Box::new(stderr), None),
        ] {
            let log = log.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines() {
                    let Ok(line) = line else { break };
                    if let (Some(tx), Some(url)) = (&tx, line.strip_prefix("serving ")) {
                        let _ = tx.send(url.to_owned());
                    }
                    log.lock().unwrap().push_str(&format!("{line}\n"));
                }
            });
        }
        let url = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(url) => url,
            Err(_) => {
                let _ = child.kill();
                panic!("mdfeed serve printed no address:\n{}", log.lock().unwrap());
            }
        };
        let addr = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        Served {
            child,
            url,
            addr,
            log,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        request(
            self.addr,
            &format!(
                "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.addr
            ),
        )
    }

    /// Polls `path` until `pred` holds; returns the reply and how long it took.
    pub fn wait_for(
        &self,
        path: &str,
        limit: Duration,
        pred: impl Fn(&Reply) -> bool,
    ) -> (Reply, Duration) {
        let started = Instant::now();
        loop {
            let reply = self.get(path);
            if pred(&reply) {
                return (reply, started.elapsed());
            }
            if started.elapsed() > limit {
                panic!(
                    "{path}: still not as expected after {limit:?}:\n{}\n--- server log:\n{}",
                    reply.body,
                    self.log.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response, with header names in lower case.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map_or("", String::as_str)
    }
}

/// Sends `raw` as it is and reads the response until the server closes.
pub fn request(addr: SocketAddr, raw: &str) -> Reply {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream.write_all(raw.as_bytes()).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {text:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: body.to_owned(),
    }
}
