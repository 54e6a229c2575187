//! Which address a request comes from when reverse proxies stand in front of the server.
//!
//! The peer of a connection is the last hop. When it is a proxy the operator trusts
//! (`server.trusted_proxies`), the client is the right-most address of the forwarding chain
//! (`X-Forwarded-For`, or `Forwarded: for=` when no `X-Forwarded-For` came) that is not
//! itself a trusted proxy: every trusted proxy appends the address it received the request
//! from, so everything left of that entry was written by the client and proves nothing. When
//! the peer is not trusted, the headers are ignored: a client cannot choose its own address.

use crate::error::{Error, Result};
use std::net::IpAddr;

/// A network: an address and how many leading bits of it count (`10.0.0.0/8`,
/// `2001:db8::/32`); a lone address is a network of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    bits: u8,
}

impl Cidr {
    /// Reads `ADDRESS[/BITS]`; bits beyond the prefix must be zero, so that a typo such as
    /// `10.1.2.3/8` (which would trust all of `10.0.0.0/8`) is said rather than guessed.
    pub fn parse(text: &str) -> Result<Cidr> {
        let text = text.trim();
        let bad = |why: &str| {
            Error::invalid(format!(
                "'{text}' is not a trusted proxy: {why} (write an address or a network such as 10.0.0.0/8 or 2001:db8::/32)"
            ))
        };
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let network: IpAddr = addr
            .parse()
            .map_err(|_| bad("not an IPv4 or IPv6 address"))?;
        let network = network.to_canonical();
        let max = if network.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(b) => match b.parse::<u8>() {
                Ok(n) if n <= max => n,
                _ => return Err(bad(&format!("the prefix length must be 0 to {max}"))),
            },
        };
        let cidr = Cidr { network, bits };
        if cidr.masked(network) != bits_of(network) {
            return Err(bad(&format!(
                "the address has bits set beyond /{bits}: did you mean {}/{bits}?",
                cidr.first_address()
            )));
        }
        Ok(cidr)
    }

    /// Whether `ip` is in this network (IPv4-mapped IPv6 addresses count as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        self.contains_exactly(ip.to_canonical())
    }

    fn contains_exactly(&self, ip: IpAddr) -> bool {
        ip.is_ipv4() == self.network.is_ipv4() && self.masked(ip) == self.masked(self.network)
    }

    /// The leading `bits` of `ip`, the rest zero.
    fn masked(&self, ip: IpAddr) -> u128 {
        let width = if ip.is_ipv4() { 32 } else { 128 };
        let keep = u32::from(self.bits);
        let value = bits_of(ip);
        if keep == 0 {
            0
        } else {
            value & (u128::MAX << (width - keep)) & width_mask(width)
        }
    }

    fn first_address(&self) -> IpAddr {
        let v = self.masked(self.network);
        match self.network {
            IpAddr::V4(_) => IpAddr::from((v as u32).to_be_bytes()),
            IpAddr::V6(_) => IpAddr::from(v.to_be_bytes()),
        }
    }
}

fn bits_of(ip: IpAddr) -> u128 {
    match ip {
        IpAddr::V4(v) => u128::from(u32::from(v)),
        IpAddr::V6(v) => u128::from(v),
    }
}

fn width_mask(width: u32) -> u128 {
    if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.bits)
    }
}

/// The reverse proxies whose forwarding headers are believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<Cidr>,
}

/// Most entries of a forwarding chain looked at: past them the request has crossed more
/// trusted proxies than any real deployment has, and the last one looked at is the client.
const MAX_HOPS: usize = 32;

impl TrustedProxies {
    /// Reads each item as an address or a network; items may also be comma-separated lists
    /// (as in `BOOKSYGO_TRUSTED_PROXIES` and `server.trusted_proxies`). Empty items are skipped.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<TrustedProxies> {
        let mut networks = Vec::new();
        for item in items {
            for part in item.as_ref().split(',').map(str::trim) {
                if !part.is_empty() {
                    networks.push(Cidr::parse(part)?);
                }
            }
        }
        Ok(TrustedProxies { networks })
    }

    pub fn is_empty(&self) -> bool {
        self.networks.is_empty()
    }

    /// The networks, for the log at start.
    pub fn networks(&self) -> &[Cidr] {
        &self.networks
    }

    /// Whether `ip` is a trusted proxy.
    pub fn trusts(&self, ip: IpAddr) -> bool {
        self.networks.iter().any(|n| n.contains(ip))
    }

    /// The client's address: `peer` itself unless it is a trusted proxy; then the right-most
    /// entry of the chain that is not a trusted proxy. The chain is `x_forwarded_for` (every
    /// `X-Forwarded-For` header, in order) or, when there is none, the `for=` parameters of
    /// `forwarded` (every `Forwarded` header). An entry that is not an address (`unknown`, an
    /// obfuscated `_name`, garbage) ends the walk at the last trusted hop: the request is
    /// known to have come through it, and from nowhere more precise.
    pub fn client_address(
        &self,
        peer: IpAddr,
        x_forwarded_for: &[&str],
        forwarded: &[&str],
    ) -> IpAddr {
        let peer = peer.to_canonical();
        if !self.trusts(peer) {
            return peer;
        }
        // Right to left: the last header's last entry first.
        let xff = || {
            x_forwarded_for
                .iter()
                .rev()
                .flat_map(|h| h.rsplit(','))
                .map(str::trim)
                .filter(|e| !e.is_empty())
        };
        let chain: Box<dyn Iterator<Item = &str>> = if xff().next().is_some() {
            Box::new(xff())
        } else {
            Box::new(
                forwarded
                    .iter()
                    .rev()
                    .flat_map(|h| h.rsplit(','))
                    .filter_map(forwarded_for)
                    .filter(|e| !e.is_empty()),
            )
        };
        let mut last = peer;
        for entry in chain.take(MAX_HOPS) {
            match node_address(entry) {
                Some(ip) if self.trusts(ip) => last = ip,
                Some(ip) => return ip,
                None => return last,
            }
        }
        last
    }
}

/// The `for=` value of one element of a `Forwarded` header (`for=192.0.2.60;proto=http`).
fn forwarded_for(element: &str) -> Option<&str> {
    element.split(';').find_map(|pair| {
        let (name, value) = pair.split_once('=')?;
        name.trim()
            .eq_ignore_ascii_case("for")
            .then(|| value.trim())
    })
}

/// The address of a node as proxies write it: `192.0.2.60`, `192.0.2.60:8080`,
/// `2001:db8::1`, `[2001:db8::1]:4711`, each possibly in double quotes.
fn node_address(text: &str) -> Option<IpAddr> {
    let text = text.trim();
    let text = text
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .unwrap_or(text);
    if let Ok(ip) = text.parse::<IpAddr>() {
        return Some(ip.to_canonical());
    }
    let host = if let Some(rest) = text.strip_prefix('[') {
        rest.split_once(']')?.0
    } else {
        // `a.b.c.d:port`; a bare IPv6 address has parsed above.
        text.rsplit_once(':')?.0
    };
    host.parse::<IpAddr>().ok().map(|ip| ip.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn trusted(items: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(items).unwrap()
    }

    #[test]
    fn networks_are_read_strictly() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains(ip("10.255.1.2")));
        assert!(!c.contains(ip("11.0.0.1")));
        assert!(
            c.contains(ip("::ffff:10.1.1.1")),
            "IPv4-mapped counts as IPv4"
        );
        assert!(!c.contains(ip("::1")));
        let one = Cidr::parse("127.0.0.1").unwrap();
        assert!(one.contains(ip("127.0.0.1")) && !one.contains(ip("127.0.0.2")));
        let v6 = Cidr::parse("2001:db8::/32").unwrap();
        assert!(v6.contains(ip("2001:db8:1::5")) && !v6.contains(ip("2001:db9::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("::/0").unwrap().contains(ip("2001:db8::1")));
        let typo = Cidr::parse("10.1.2.3/8").unwrap_err().to_string();
        assert!(typo.contains("did you mean 10.0.0.0/8"), "{typo}");
        for bad in [
            "10.0.0.0/33",
            "::/129",
            "10.0.0/8",
            "localhost",
            "10.0.0.0/x",
            "",
        ] {
            let e = Cidr::parse(bad).unwrap_err();
            assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{bad}");
            assert!(e.to_string().contains("is not a trusted proxy"), "{e}");
        }
        let list = TrustedProxies::parse(&["10.0.0.0/8, 192.168.1.1", "", "::1"]).unwrap();
        assert_eq!(list.networks().len(), 3);
        assert_eq!(list.networks()[1].to_string(), "192.168.1.1/32");
    }

    #[test]
    fn headers_from_an_untrusted_peer_are_ignored() {
        let none = TrustedProxies::default();
        let peer = ip("198.51.100.7");
        assert_eq!(
            none.client_address(peer, &["203.0.113.9"], &["for=203.0.113.10"]),
            peer
        );
        let some = trusted(&["10.0.0.0/8"]);
        assert_eq!(some.client_address(peer, &["203.0.113.9"], &[]), peer);
    }

    #[test]
    fn the_client_is_the_right_most_untrusted_hop() {
        let t = trusted(&["127.0.0.1", "10.0.0.0/8"]);
        let peer = ip("127.0.0.1");
        // The client wrote "1.2.3.4" itself; the first proxy appended the real address.
        assert_eq!(
            t.client_address(peer, &["1.2.3.4, 203.0.113.5, 10.0.0.2"], &[]),
            ip("203.0.113.5")
        );
        // Several headers are one list, in order.
        assert_eq!(
            t.client_address(peer, &["1.2.3.4", "203.0.113.5", "10.0.0.2"], &[]),
            ip("203.0.113.5")
        );
        // Ports and brackets are dropped.
        assert_eq!(
            t.client_address(peer, &["[2001:db8::7]:4711"], &[]),
            ip("2001:db8::7")
        );
        assert_eq!(
            t.client_address(peer, &["203.0.113.5:5000"], &[]),
            ip("203.0.113.5")
        );
        // RFC 7239, when no X-Forwarded-For came.
        assert_eq!(
            t.client_address(
                peer,
                &[],
                &[r#"for=1.2.3.4, for="[2001:db8::9]:80";proto=https, For=10.0.0.3"#]
            ),
            ip("2001:db8::9")
        );
        // X-Forwarded-For wins when both came.
        assert_eq!(
            t.client_address(peer, &["203.0.113.5"], &["for=203.0.113.6"]),
            ip("203.0.113.5")
        );
        // No header, or only trusted hops: the nearest hop is all there is.
        assert_eq!(t.client_address(peer, &[], &[]), peer);
        assert_eq!(t.client_address(peer, &["10.0.0.9"], &[]), ip("10.0.0.9"));
        // Not an address: stop at the last trusted hop.
        assert_eq!(
            t.client_address(peer, &["203.0.113.5, unknown, 10.0.0.4"], &[]),
            ip("10.0.0.4")
        );
        assert_eq!(
            t.client_address(peer, &[], &["for=_hidden"]),
            peer,
            "obfuscated node"
        );
        // IPv4-mapped peers count as IPv4.
        assert_eq!(
            t.client_address(ip("::ffff:127.0.0.1"), &["203.0.113.5"], &[]),
            ip("203.0.113.5")
        );
    }
}
