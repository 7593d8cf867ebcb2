//! The client's address, as registration and sign-in are throttled by it.
//!
//! Without `RUNSTRONG_TRUSTED_PROXY_HEADER` it is the peer address of the
//! connection, and any `X-Forwarded-For` a client sends is ignored: a
//! client cannot choose whose budget it spends. Behind a reverse proxy the
//! peer is the proxy, so the operator names the header the proxy writes;
//! the last value of that header is the one the nearest (trusted) proxy
//! added, so that is the one used. A request without a usable value falls
//! back to the peer address.

use std::future::{Ready, ready};
use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header::HeaderName, web};

use crate::config::Config;
use crate::error::ApiError;

/// The throttle key of a client: an IPv4 address, or the /64 network of an
/// IPv6 address (one subscriber usually holds a whole /64, so counting
/// single IPv6 addresses would count nothing).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientAddress(pub String);

impl ClientAddress {
    pub fn of(ip: IpAddr) -> Self {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
            v4 => v4,
        };
        ClientAddress(match ip {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => {
                let segments = v6.segments();
                let network = Ipv6Addr::new(
                    segments[0],
                    segments[1],
                    segments[2],
                    segments[3],
                    0,
                    0,
                    0,
                    0,
                );
                format!("{network}/64")
            }
        })
    }

    fn from_request(request: &HttpRequest) -> Self {
        let trusted = request
            .app_data::<web::Data<Config>>()
            .and_then(|config| config.trusted_proxy_header.clone());
        trusted
            .and_then(|header| from_header(request, &header))
            .or_else(|| request.peer_addr().map(|peer| peer.ip()))
            .map(ClientAddress::of)
            // Only a test request has no peer; it still gets one budget.
            .unwrap_or_else(|| ClientAddress("unknown".to_owned()))
    }
}

/// The address in the last value of `header`: `203.0.113.7`,
/// `203.0.113.7:4711`, `2001:db8::1`, `[2001:db8::1]:4711`, or an RFC 7239
/// `Forwarded` element (`for=...;proto=https`).
fn from_header(request: &HttpRequest, header: &HeaderName) -> Option<IpAddr> {
    let value = request.headers().get_all(header).last()?.to_str().ok()?;
    let last = value.rsplit(',').next()?.trim();
    let address = match last.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim().eq_ignore_ascii_case("for").then_some(value)
    }) {
        Some(forwarded_for) => forwarded_for.trim().trim_matches('"'),
        None => last,
    };
    parse_address(address)
}

fn parse_address(text: &str) -> Option<IpAddr> {
    text.parse::<IpAddr>()
        .ok()
        .or_else(|| text.parse::<SocketAddr>().ok().map(|socket| socket.ip()))
        .or_else(|| {
            text.strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
                .and_then(|inner| inner.parse().ok())
        })
}

impl FromRequest for ClientAddress {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(request: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientAddress::from_request(request)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn address(header: Option<&str>, values: &[&str]) -> String {
        let mut config = Config::from_lookup(|_| None).unwrap();
        config.trusted_proxy_header = header.map(|h| h.parse().unwrap());
        let mut request = TestRequest::default()
            .peer_addr("192.0.2.1:5000".parse().unwrap())
            .app_data(web::Data::new(config));
        for value in values {
            request = request.append_header((header.unwrap_or("x-forwarded-for"), *value));
        }
        ClientAddress::from_request(&request.to_http_request()).0
    }

    #[test]
    fn without_a_trusted_header_the_peer_is_the_client() {
        assert_eq!(address(None, &["203.0.113.9"]), "192.0.2.1");
    }

    #[test]
    fn the_last_value_of_the_trusted_header_is_the_client() {
        let xff = Some("X-Forwarded-For");
        assert_eq!(address(xff, &["203.0.113.9"]), "203.0.113.9");
        // The client wrote the first value; the proxy appended the last.
        assert_eq!(address(xff, &["10.9.9.9, 203.0.113.9"]), "203.0.113.9");
        assert_eq!(
            address(xff, &["10.9.9.9", "203.0.113.9:4711"]),
            "203.0.113.9"
        );
        assert_eq!(address(xff, &["not an address"]), "192.0.2.1");
        assert_eq!(address(xff, &[]), "192.0.2.1");
        assert_eq!(
            address(
                Some("Forwarded"),
                &["for=10.0.0.1, for=\"[2001:db8:cafe::17]:4711\";proto=https"]
            ),
            "2001:db8:cafe::/64"
        );
    }

    #[test]
    fn ipv6_clients_count_by_their_64_network() {
        let a = ClientAddress::of("2001:db8:1:2:aaaa::1".parse().unwrap());
        let b = ClientAddress::of("2001:db8:1:2:bbbb::2".parse().unwrap());
        assert_eq!(a, b);
        assert_eq!(a.0, "2001:db8:1:2::/64");
        assert_ne!(a, ClientAddress::of("2001:db8:1:3::1".parse().unwrap()));
        assert_eq!(
            ClientAddress::of("::ffff:203.0.113.9".parse().unwrap()).0,
            "203.0.113.9"
        );
    }
}
