//! The headers the state machines and findings need, read tolerantly.
//!
//! (First cut written by the session tracker's author so the engine builds; the RTSP module's
//! owner extends it. Keep these signatures.)

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HeaderError(pub String);

/// CSeq: a decimal number. 2^64 or garbage is an error, not a panic.
pub fn cseq(value: &str) -> Result<u64, HeaderError> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|e| HeaderError(format!("CSeq {value:?}: {e}")))
}

/// Content-Length: a decimal number of bytes.
pub fn content_length(value: &str) -> Result<u64, HeaderError> {
    value
        .trim()
        .parse::<u64>()
        .map_err(|e| HeaderError(format!("Content-Length {value:?}: {e}")))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHeader {
    pub id: String,
    pub timeout_secs: Option<u64>,
}

impl SessionHeader {
    /// `12345678;timeout=60`, with any spacing.
    pub fn parse(value: &str) -> Option<SessionHeader> {
        let mut parts = value.split(';');
        let id = parts.next()?.trim().to_string();
        if id.is_empty() {
            return None;
        }
        let timeout_secs = parts.find_map(|p| {
            let (name, v) = p.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("timeout")
                .then(|| v.trim().trim_matches('"').parse().ok())
                .flatten()
        });
        Some(SessionHeader { id, timeout_secs })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowerTransport {
    Udp,
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSpec {
    pub profile: String,
    pub lower: LowerTransport,
    pub unicast: Option<bool>,
    pub interleaved: Option<(u8, u8)>,
    pub client_port: Option<(u16, u16)>,
    pub server_port: Option<(u16, u16)>,
    pub ssrc: Option<String>,
    pub mode: Option<String>,
    pub destination: Option<String>,
    pub source: Option<String>,
    pub raw: String,
}

/// `a-b`, or `a` alone meaning `a-(a+1)`; None when either does not fit `T`.
fn pair<T: TryFrom<u32>>(value: &str) -> Option<(T, T)> {
    let mut it = value.trim().splitn(2, '-');
    let first: u32 = it.next()?.trim().parse().ok()?;
    let second: u32 = match it.next() {
        Some(s) => s.trim().parse().ok()?,
        None => first.checked_add(1)?,
    };
    Some((T::try_from(first).ok()?, T::try_from(second).ok()?))
}

/// Transport: comma-separated alternatives, each `profile;param;param=value`.
pub fn parse_transport(value: &str) -> Vec<TransportSpec> {
    value
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|spec| {
            let mut params = spec.split(';');
            let profile = params.next().unwrap_or("").trim().to_string();
            let lower = if profile.to_ascii_uppercase().ends_with("/TCP") {
                LowerTransport::Tcp
            } else {
                LowerTransport::Udp
            };
            let mut out = TransportSpec {
                profile,
                lower,
                unicast: None,
                interleaved: None,
                client_port: None,
                server_port: None,
                ssrc: None,
                mode: None,
                destination: None,
                source: None,
                raw: spec.trim().to_string(),
            };
            for param in params {
                let (name, v) = match param.split_once('=') {
                    Some((n, v)) => (
                        n.trim().to_ascii_lowercase(),
                        Some(v.trim().trim_matches('"')),
                    ),
                    None => (param.trim().to_ascii_lowercase(), None),
                };
                match (name.as_str(), v) {
                    ("unicast", _) => out.unicast = Some(true),
                    ("multicast", _) => out.unicast = Some(false),
                    ("interleaved", Some(v)) => out.interleaved = pair::<u8>(v).or(out.interleaved),
                    ("client_port", Some(v)) => out.client_port = pair::<u16>(v),
                    ("server_port", Some(v)) => out.server_port = pair::<u16>(v),
                    ("ssrc", Some(v)) => out.ssrc = Some(v.trim().to_string()),
                    ("mode", Some(v)) => out.mode = Some(v.to_string()),
                    ("destination", Some(v)) => out.destination = Some(v.to_string()),
                    ("source", Some(v)) => out.source = Some(v.to_string()),
                    _ => {}
                }
            }
            out
        })
        .collect()
}
