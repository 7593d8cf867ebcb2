//! Which URLs a webhook may point at: `http`/`https` with a host, and —
//! unless `RUNSTRONG_WEBHOOK_ALLOW_PRIVATE_TARGETS` — only public
//! addresses, so that a subscription cannot make the service probe its own
//! network (SSRF). Names are resolved when the webhook is created and again
//! at every delivery by [`GuardedResolver`], which hands the HTTP client
//! only the addresses it checked: a DNS answer that turns private later is
//! refused too.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use url::{Host, Url};

pub const MAX_URL_LEN: usize = 2048;

/// A name that does not resolve in this long is treated as unresolvable,
/// so a slow resolver cannot hold a request (or an attempt) for long.
const RESOLVE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("must be an absolute http or https URL")]
    Malformed,
    #[error("must be at most {MAX_URL_LEN} characters")]
    TooLong,
    #[error("must not carry a user name or password")]
    Credentials,
    #[error("the host does not resolve")]
    Unresolvable,
    #[error("resolves to {0}, a loopback, private or otherwise non-public address")]
    NotPublic(IpAddr),
}

/// The URL, if its form is acceptable (the addresses are checked apart).
pub fn parse(raw: &str) -> Result<Url, TargetError> {
    if raw.len() > MAX_URL_LEN {
        return Err(TargetError::TooLong);
    }
    let url = Url::parse(raw).map_err(|_| TargetError::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(TargetError::Malformed);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    Ok(url)
}

/// An address literal in the URL, which no resolver sees.
pub fn literal_address(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(v4) => Some(IpAddr::V4(v4)),
        Host::Ipv6(v6) => Some(IpAddr::V6(v6)),
        Host::Domain(_) => None,
    }
}

/// Whether an address is reachable on the public internet: not loopback,
/// private, link-local, shared (CGNAT), unspecified, broadcast, multicast
/// or documentation space, nor an IPv6 form of one.
pub fn is_public(address: IpAddr) -> bool {
    match address {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (first & 0xffc0) == 0xfec0 // site-local (deprecated)
                || v6.segments()[..2] == [0x2001, 0xdb8] // documentation
                || v6.segments()[..6] == [0, 0, 0, 0, 0, 0]) // IPv4-compatible
        }
    }
}

fn is_public_v4(v4: Ipv4Addr) -> bool {
    let [a, b, ..] = v4.octets();
    !(v4.is_private()
        || v4.is_loopback()
        || v4.is_link_local()
        || v4.is_unspecified()
        || v4.is_broadcast()
        || v4.is_multicast()
        || v4.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared 100.64/10
        || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF 192.0.0/24
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

/// Resolves `host` and keeps the addresses the policy allows; none left is
/// an error naming the first refused one.
pub async fn resolve_allowed(
    host: &str,
    port: u16,
    allow_private: bool,
) -> Result<Vec<SocketAddr>, TargetError> {
    let lookup = tokio::time::timeout(RESOLVE_TIMEOUT, tokio::net::lookup_host((host, port)));
    let resolved: Vec<SocketAddr> = lookup
        .await
        .map_err(|_| TargetError::Unresolvable)?
        .map_err(|_| TargetError::Unresolvable)?
        .collect();
    allowed(resolved, allow_private)
}

fn allowed(resolved: Vec<SocketAddr>, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
    if resolved.is_empty() {
        return Err(TargetError::Unresolvable);
    }
    // One private answer among public ones refuses the whole name: a
    // client could connect to any of them.
    if !allow_private && let Some(refused) = resolved.iter().find(|a| !is_public(a.ip())) {
        return Err(TargetError::NotPublic(refused.ip()));
    }
    Ok(resolved)
}

/// Checks a URL completely: its form, then its address (the literal, or
/// every address its name resolves to).
pub async fn check(raw: &str, allow_private: bool) -> Result<Url, TargetError> {
    let url = parse(raw)?;
    match literal_address(&url) {
        Some(address) if !allow_private && !is_public(address) => {
            Err(TargetError::NotPublic(address))
        }
        Some(_) => Ok(url),
        None => {
            let host = url.host_str().ok_or(TargetError::Malformed)?;
            let port = url.port_or_known_default().ok_or(TargetError::Malformed)?;
            resolve_allowed(host, port, allow_private).await?;
            Ok(url)
        }
    }
}

/// The HTTP client's resolver: the same policy, applied to the answer the
/// connection will actually use.
pub struct GuardedResolver {
    pub allow_private: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the connector's to set; 0 is replaced by it.
            let addresses = resolve_allowed(&host, 0, allow_private).await?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
        ] {
            assert!(!is_public(ip(refused)), "{refused} should be refused");
        }
        for public in [
            "93.184.216.34",
            "8.8.8.8",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
        ] {
            assert!(is_public(ip(public)), "{public} should be public");
        }
    }

    #[test]
    fn only_http_urls_without_credentials_are_accepted() {
        assert!(parse("https://hooks.example.com/runstrong").is_ok());
        assert!(parse("http://hooks.example.com:8080/x?y=1").is_ok());
        assert_eq!(parse("ftp://example.com/"), Err(TargetError::Malformed));
        assert_eq!(parse("/relative"), Err(TargetError::Malformed));
        assert_eq!(parse("file:///etc/passwd"), Err(TargetError::Malformed));
        assert_eq!(
            parse("https://user:pw@example.com/"),
            Err(TargetError::Credentials)
        );
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(parse(&long), Err(TargetError::TooLong));
    }

    #[tokio::test]
    async fn literals_and_names_are_checked_unless_private_targets_are_allowed() {
        assert_eq!(
            check("http://127.0.0.1:9/", false).await,
            Err(TargetError::NotPublic(ip("127.0.0.1")))
        );
        assert_eq!(
            check("http://[::1]:9/", false).await,
            Err(TargetError::NotPublic(ip("::1")))
        );
        // `localhost` resolves to loopback on every machine.
        assert!(matches!(
            check("http://localhost:9/", false).await,
            Err(TargetError::NotPublic(_))
        ));
        assert!(check("http://127.0.0.1:9/", true).await.is_ok());
        assert!(check("http://localhost:9/", true).await.is_ok());
    }

    #[test]
    fn one_private_answer_refuses_the_name() {
        let public: SocketAddr = "93.184.216.34:443".parse().unwrap();
        let private: SocketAddr = "10.0.0.1:443".parse().unwrap();
        assert!(allowed(vec![public], false).is_ok());
        assert!(allowed(vec![public, private], false).is_err());
        assert!(allowed(vec![public, private], true).is_ok());
        assert_eq!(allowed(vec![], true), Err(TargetError::Unresolvable));
    }
}
