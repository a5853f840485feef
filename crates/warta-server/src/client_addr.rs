//! Who is asking: the client's address, from the connection, or — when the
//! connection comes from a trusted reverse proxy — from the header the proxy
//! writes (`[http] trusted_proxies`, `forwarded_header`).
//!
//! A proxy appends the address it saw to `X-Forwarded-For` (or adds a
//! `Forwarded: for=` element, RFC 7239), after whatever the client sent. So
//! the header is read from the right: each hop that is a trusted proxy
//! forwarded for the one before it, and the first hop from the right that is
//! not a trusted proxy is the client. Anything left of it was written by the
//! client and proves nothing (MDN, "X-Forwarded-For: Selecting an IP
//! address"). Only the header the proxies actually write is read: a header
//! they pass through untouched would be the client's own words.
//!
//! What this module must never do: believe a forwarded header from a peer
//! that is not a trusted proxy.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The header trusted proxies write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardedHeader {
    /// `X-Forwarded-For: client, proxy1, proxy2` (nginx, HAProxy, Caddy,
    /// most load balancers).
    XForwardedFor,
    /// `Forwarded: for=client, for=proxy1` (RFC 7239).
    Forwarded,
}

impl ForwardedHeader {
    pub fn parse(s: &str) -> Option<ForwardedHeader> {
        match s.trim().to_ascii_lowercase().as_str() {
            "x-forwarded-for" => Some(ForwardedHeader::XForwardedFor),
            "forwarded" => Some(ForwardedHeader::Forwarded),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            ForwardedHeader::XForwardedFor => "x-forwarded-for",
            ForwardedHeader::Forwarded => "forwarded",
        }
    }
}

/// The reverse proxies whose forwarded header is believed.
#[derive(Debug, Clone)]
pub struct TrustedProxies {
    pub nets: Vec<IpNet>,
    pub header: ForwardedHeader,
}

impl Default for TrustedProxies {
    fn default() -> TrustedProxies {
        TrustedProxies {
            nets: Vec::new(),
            header: ForwardedHeader::XForwardedFor,
        }
    }
}

impl TrustedProxies {
    /// `10.0.0.7` or `10.0.0.0/8` (and the IPv6 forms).
    pub fn parse_net(s: &str) -> Option<IpNet> {
        let s = s.trim();
        s.parse::<IpNet>()
            .ok()
            .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.nets.iter().any(|n| n.contains(&ip))
    }

    /// The client's address for a request that came from `peer`.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        // Every line of the header, in order, then every hop of each line.
        let hops: Vec<&str> = headers
            .get_all(self.header.name())
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut nearest = peer;
        for hop in hops.iter().rev() {
            let ip = match self.header {
                ForwardedHeader::XForwardedFor => hop_address(hop),
                ForwardedHeader::Forwarded => forwarded_for(hop).and_then(hop_address),
            };
            match ip {
                Some(ip) if self.trusts(ip) => nearest = ip,
                Some(ip) => return ip,
                // `unknown`, an obfuscated name, or garbage: the nearest
                // trusted proxy could not name its client; it is the client.
                None => return nearest,
            }
        }
        // Trusted all the way: the leftmost hop is as far as anyone knows.
        nearest
    }
}

/// The `for=` parameter of one `Forwarded` element (`for=…;proto=…;by=…`).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim().eq_ignore_ascii_case("for").then_some(value)
    })
}

/// An address as proxies write it: `192.0.2.1`, `192.0.2.1:4711`,
/// `2001:db8::1`, `[2001:db8::1]:4711`, possibly quoted (RFC 7239).
fn hop_address(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim().trim_matches('"');
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    if let Ok(sa) = hop.parse::<SocketAddr>() {
        return Some(sa.ip().to_canonical());
    }
    hop.strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .and_then(|h| h.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn proxies(nets: &[&str], header: ForwardedHeader) -> TrustedProxies {
        TrustedProxies {
            nets: nets
                .iter()
                .map(|n| TrustedProxies::parse_net(n).unwrap())
                .collect(),
            header,
        }
    }

    fn headers(name: &'static str, values: &[&'static str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in values {
            h.append(name, HeaderValue::from_static(v));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let p = proxies(&["10.0.0.0/8"], ForwardedHeader::XForwardedFor);
        let h = headers("x-forwarded-for", &["1.2.3.4"]);
        assert_eq!(p.client(ip("203.0.113.9"), &h), ip("203.0.113.9"));
        // No proxies configured: nobody is believed.
        let none = TrustedProxies::default();
        assert_eq!(none.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    /// MDN's example chain: the client forged a hop; the rightmost hop that
    /// is not a trusted proxy is the client.
    #[test]
    fn the_rightmost_untrusted_hop_is_the_client() {
        let p = proxies(&["10.0.0.1", "10.0.0.2"], ForwardedHeader::XForwardedFor);
        let h = headers("x-forwarded-for", &["6.6.6.6, 203.0.113.7, 10.0.0.2"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("203.0.113.7"));
        // Split over two header lines, as HTTP allows.
        let h = headers("x-forwarded-for", &["6.6.6.6", "203.0.113.7"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("203.0.113.7"));
        // Trusted all the way: the leftmost.
        let h = headers("x-forwarded-for", &["10.0.0.2"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.2"));
        // No header from a trusted proxy: the proxy itself.
        assert_eq!(p.client(ip("10.0.0.1"), &HeaderMap::new()), ip("10.0.0.1"));
        // Garbage in the rightmost hop: the proxy that wrote it.
        let h = headers("x-forwarded-for", &["203.0.113.7, not-an-address"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    /// RFC 7239 §4 and §6 examples: quoted IPv6 with a port, `unknown`.
    #[test]
    fn forwarded_elements_are_read_by_their_for_parameter() {
        let p = proxies(&["10.0.0.0/8"], ForwardedHeader::Forwarded);
        let h = headers(
            "forwarded",
            &[r#"for="[2001:db8:cafe::17]:4711";proto=https, for=10.1.2.3;by=10.0.0.1"#],
        );
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("2001:db8:cafe::17"));
        let h = headers("forwarded", &["for=192.0.2.60;proto=http;by=203.0.113.43"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("192.0.2.60"));
        let h = headers("forwarded", &["For=unknown"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
        // The other header is not read.
        let h = headers("x-forwarded-for", &["192.0.2.60"]);
        assert_eq!(p.client(ip("10.0.0.1"), &h), ip("10.0.0.1"));
    }

    #[test]
    fn ipv4_mapped_addresses_are_the_ipv4_address() {
        let p = proxies(&["127.0.0.1"], ForwardedHeader::XForwardedFor);
        let h = headers("x-forwarded-for", &["::ffff:192.0.2.1"]);
        assert_eq!(p.client(ip("::ffff:127.0.0.1"), &h), ip("192.0.2.1"));
        assert_eq!(
            hop_address("192.0.2.1:8080"),
            Some(ip("192.0.2.1")),
            "Azure writes a port"
        );
    }
}
