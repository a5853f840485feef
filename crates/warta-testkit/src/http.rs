//! A tiny HTTP/1.1 site on 127.0.0.1 (one request per connection, then
//! `Connection: close`), standing in for a feed, a model mirror or Remote
//! Settings. Blocking threads, so both plain and async tests can use it.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;

/// Start a site that answers each request with what `respond` writes to the
/// stream (status line, headers and body), given the request target
/// (`/path?query`). Returns its base URL, `http://127.0.0.1:PORT`.
pub fn site(respond: impl Fn(&str, &mut TcpStream) + Send + Sync + 'static) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let respond = Arc::new(respond);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let respond = respond.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap_or(0);
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                        break;
                    }
                }
                let target = request.split_whitespace().nth(1).unwrap_or("/").to_string();
                let mut stream = stream;
                respond(&target, &mut stream);
            });
        }
    });
    url
}

/// Answer 200 with `body` (and a `Content-Type` when one is given).
pub fn ok(stream: &mut TcpStream, content_type: Option<&str>, body: &[u8]) {
    let content_type = content_type
        .map(|t| format!("Content-Type: {t}\r\n"))
        .unwrap_or_default();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\n{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(body);
}

/// Answer 404 with no body.
pub fn not_found(stream: &mut TcpStream) {
    let _ = write!(
        stream,
        "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
}

/// A port on 127.0.0.1 that nothing listens on (bound, then freed): for a
/// refused connection. Never for starting a server, which binds port 0.
pub fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A static file server for the folder `root` (what a newsroom's nginx in
/// front of a model mirror would be): 200 with the file, else 404.
pub fn serve_dir(root: &std::path::Path) -> String {
    let root = root.to_path_buf();
    site(move |target, stream| {
        let path = target.trim_start_matches('/');
        match std::fs::read(root.join(path)) {
            Ok(body) if !path.contains("..") => ok(stream, None, &body),
            _ => not_found(stream),
        }
    })
}
