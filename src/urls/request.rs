//! URLs of the dev server: its own address, and request paths taken apart
//! before anything is looked up.

use super::check_segment;

/// Returns the base URL of a server listening on `addr`, for links while serving.
/// A server on every interface (`0.0.0.0`) is named by loopback, which always works.
pub fn local_base(addr: std::net::SocketAddr) -> String {
    let ip = match addr.ip() {
        std::net::IpAddr::V4(ip) if ip.is_unspecified() => std::net::Ipv4Addr::LOCALHOST.into(),
        std::net::IpAddr::V6(ip) if ip.is_unspecified() => std::net::Ipv6Addr::LOCALHOST.into(),
        ip => ip,
    };
    format!("http://{}/", std::net::SocketAddr::new(ip, addr.port()))
}

/// A request path (`/news/a%20b/`), taken apart.
#[derive(Debug, PartialEq, Eq)]
pub struct RequestPath {
    /// The decoded segments, none empty, `.` or `..`.
    pub segments: Vec<String>,
    /// The path ends with `/`: it names a folder's `index.html`.
    pub folder: bool,
}

/// Splits the path of an HTTP request into decoded segments (query and fragment
/// dropped). Returns `None` for a path that could leave `out/`: a `.` or `..`
/// segment (also percent-encoded), a `\` or NUL, or bytes that are not UTF-8.
pub fn request_path(target: &str) -> Option<RequestPath> {
    let path = target.split(['?', '#']).next().unwrap_or("");
    let rest = path.strip_prefix('/')?;
    let mut segments = Vec::new();
    for raw in rest.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()?
            .into_owned();
        if check_segment(&seg).is_err() {
            return None;
        }
        segments.push(seg);
    }
    Some(RequestPath {
        folder: path.ends_with('/'),
        segments,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_stay_inside_the_site() {
        let p = request_path("/news/a%20b/?x=1#y").unwrap();
        assert_eq!(
            (p.segments, p.folder),
            (vec!["news".into(), "a b".into()], true)
        );
        assert_eq!(request_path("/").unwrap().segments, Vec::<String>::new());
        assert!(!request_path("/rss.xml").unwrap().folder);
        for bad in [
            "/../mdfeed.toml",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/x",
            "/a%5cb",
            "/%00",
            "/%ff",
            "x",
            "/./a",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
        let v6: std::net::SocketAddr = "[::]:8080".parse().unwrap();
        assert_eq!(local_base(v6), "http://[::1]:8080/");
        let v4: std::net::SocketAddr = "0.0.0.0:1111".parse().unwrap();
        assert_eq!(local_base(v4), "http://127.0.0.1:1111/");
    }
}
