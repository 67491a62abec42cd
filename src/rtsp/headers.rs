//! The headers the state machines and findings need, read tolerantly.
//!
//! Each reader is a pure function of the header value (as [`super::Head::header`] returns it)
//! and never panics: what cannot be read is an error or `None`, never a guess. Tolerated, since
//! cameras send them: whitespace around `;`, `=` and `,` (`ssrc= d6d6627` from Hikvision,
//! `9a90de54; timeout=60` from GW Security), quoted parameter values (`mode="play"`), a single
//! port where a pair is expected, a trailing `;` (Laureii's RTP-Info).

#![cfg_attr(
    not(test),
    deny(clippy::indexing_slicing, clippy::unwrap_used, clippy::expect_used)
)]

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct HeaderError(pub String);

/// CSeq: a decimal number. 2^64 or garbage is an error, not a panic.
pub fn cseq(value: &str) -> Result<u64, HeaderError> {
    decimal(value).map_err(|e| HeaderError(format!("CSeq {value:?}: {e}")))
}

/// Content-Length: a decimal number of bytes. Negative, signed or past 2^64 is an error.
pub fn content_length(value: &str) -> Result<u64, HeaderError> {
    decimal(value).map_err(|e| HeaderError(format!("Content-Length {value:?}: {e}")))
}

/// Digits only: `u64::from_str` would also take a leading `+`, which no sender means.
fn decimal(value: &str) -> Result<u64, &'static str> {
    let digits = value.trim();
    if digits.is_empty() {
        return Err("empty");
    }
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err("not a decimal number");
    }
    digits.parse().map_err(|_| "too large")
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionHeader {
    pub id: String,
    pub timeout_secs: Option<u64>,
}

impl SessionHeader {
    /// `12345678;timeout=60`, with any spacing (`708345999` after eight spaces from Hikvision,
    /// `9a90de54; timeout=60` from GW Security). None when there is no id.
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
                .then(|| decimal(unquote(v)).ok())
                .flatten()
        });
        Some(SessionHeader { id, timeout_secs })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum LowerTransport {
    Udp,
    Tcp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransportSpec {
    /// Transport protocol and profile, `RTP/AVP` (or `RTP/SAVP`, `RTP/AVPF`...), without the
    /// lower transport.
    pub profile: String,
    /// From the third part of the spec (`RTP/AVP/TCP`); UDP when there is none.
    pub lower: LowerTransport,
    /// `unicast` (true) or `multicast` (false), None when neither is said.
    pub unicast: Option<bool>,
    pub interleaved: Option<(u8, u8)>,
    pub client_port: Option<(u16, u16)>,
    pub server_port: Option<(u16, u16)>,
    pub ssrc: Option<String>,
    /// As sent, quotes removed (`play`, `PLAY`, `record`, `receive`).
    pub mode: Option<String>,
    pub destination: Option<String>,
    pub source: Option<String>,
    /// The whole spec as sent (trimmed): RTSP 2.0's `dest_addr`/`src_addr` and anything else
    /// not read above is there.
    pub raw: String,
}

/// `a-b`, or `a` alone meaning `a-(a+1)`; None when either does not fit `T`.
fn pair<T: TryFrom<u32>>(value: &str) -> Option<(T, T)> {
    let mut it = value.trim().splitn(2, '-');
    let first: u32 = decimal(it.next()?).ok()?.try_into().ok()?;
    let second: u32 = match it.next() {
        Some(s) => decimal(s).ok()?.try_into().ok()?,
        None => first.checked_add(1)?,
    };
    Some((T::try_from(first).ok()?, T::try_from(second).ok()?))
}

/// Trimmed, and without the double quotes around it.
fn unquote(value: &str) -> &str {
    let v = value.trim();
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
        .trim()
}

/// Splits on `sep` where it is not inside double quotes (RTSP 2.0 quotes addresses and URLs).
fn split_unquoted(value: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut quoted = false;
    value.split(move |c: char| {
        if c == '"' {
            quoted = !quoted;
        }
        c == sep && !quoted
    })
}

/// Transport: comma-separated alternatives, each `profile;param;param=value`.
pub fn parse_transport(value: &str) -> Vec<TransportSpec> {
    split_unquoted(value, ',')
        .filter(|s| !s.trim().is_empty())
        .map(parse_transport_spec)
        .collect()
}

fn parse_transport_spec(spec: &str) -> TransportSpec {
    let mut params = split_unquoted(spec, ';');
    let protocol = params.next().unwrap_or("").trim();
    let mut parts = protocol.splitn(3, '/');
    let profile = match (parts.next(), parts.next()) {
        (Some(proto), Some(profile)) => format!("{}/{}", proto.trim(), profile.trim()),
        (Some(proto), None) => proto.trim().to_string(),
        _ => String::new(),
    };
    let lower = match parts.next() {
        Some(lower) if lower.trim().eq_ignore_ascii_case("TCP") => LowerTransport::Tcp,
        _ => LowerTransport::Udp,
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
            Some((n, v)) => (n.trim().to_ascii_lowercase(), Some(unquote(v))),
            None => (param.trim().to_ascii_lowercase(), None),
        };
        let text = |v: &str| (!v.is_empty()).then(|| v.to_string());
        match (name.as_str(), v) {
            ("unicast", _) => out.unicast = Some(true),
            ("multicast", _) => out.unicast = Some(false),
            ("interleaved", Some(v)) => out.interleaved = pair::<u8>(v).or(out.interleaved),
            ("client_port", Some(v)) => out.client_port = pair::<u16>(v),
            ("server_port", Some(v)) => out.server_port = pair::<u16>(v),
            ("ssrc", Some(v)) => out.ssrc = text(v),
            ("mode", Some(v)) => out.mode = text(v),
            ("destination", Some(v)) => out.destination = text(v),
            ("source", Some(v)) => out.source = text(v),
            _ => {}
        }
    }
    out
}

/// Range (RFC 2326 §12.29, RFC 7826 §18.40): `npt=0-`, `npt=0.000-10.5`, `npt=now-`,
/// `clock=19961108T142300Z-`, `smpte=10:07:00-10:07:33:05.01`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Range {
    /// `npt`, `clock`, `smpte`, ... as sent, lowercased.
    pub unit: String,
    /// Seconds, for an npt time (`12.5` or `0:00:12.5`); None for `now`, an open start, or
    /// another unit.
    pub start: Option<f64>,
    pub end: Option<f64>,
}

impl Range {
    /// The first range of the value (`;time=` and further ranges ignored).
    pub fn parse(value: &str) -> Result<Range, HeaderError> {
        let err = |why: &str| HeaderError(format!("Range {value:?}: {why}"));
        let first = value.split([';', ',']).next().unwrap_or("").trim();
        let (unit, times) = first.split_once('=').ok_or_else(|| err("no unit"))?;
        let unit = unit.trim().to_ascii_lowercase();
        if unit.is_empty() {
            return Err(err("no unit"));
        }
        if unit != "npt" {
            return Ok(Range {
                unit,
                start: None,
                end: None,
            });
        }
        let (start, end) = times.split_once('-').ok_or_else(|| err("no '-'"))?;
        let time = |t: &str| -> Result<Option<f64>, HeaderError> {
            let t = t.trim();
            if t.is_empty() || t.eq_ignore_ascii_case("now") {
                Ok(None)
            } else {
                npt_seconds(t).map(Some).ok_or_else(|| err("bad npt time"))
            }
        };
        Ok(Range {
            unit,
            start: time(start)?,
            end: time(end)?,
        })
    }
}

/// npt-sec (`12.5`) or npt-hhmmss (`1:02:03.5`), in seconds.
fn npt_seconds(t: &str) -> Option<f64> {
    let mut seconds = 0.0;
    let fields: Vec<&str> = t.split(':').collect();
    if fields.len() > 3 {
        return None;
    }
    for (i, field) in fields.iter().enumerate() {
        let last = i + 1 == fields.len();
        // Only digits and (in the last field) one dot: `f64::from_str` would also take "inf".
        let dots = field.bytes().filter(|&b| b == b'.').count();
        let valid = !field.is_empty()
            && field.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && (dots == 0 || (last && dots == 1))
            && field.bytes().any(|b| b.is_ascii_digit());
        if !valid {
            return None;
        }
        let v: f64 = field.parse().ok()?;
        seconds = seconds * 60.0 + v;
    }
    Some(seconds)
}

/// Public (and Allow): the methods listed, trimmed, in the order sent.
pub fn public_methods(value: &str) -> Vec<String> {
    value
        .split(',')
        .map(str::trim)
        .filter(|m| !m.is_empty())
        .map(str::to_string)
        .collect()
}

/// One stream of an RTP-Info header.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RtpInfo {
    pub url: String,
    pub seq: Option<u16>,
    /// None when absent or unreadable (`rtptime=-1` has been seen, moonfire-nvr issue 224).
    pub rtptime: Option<u32>,
    pub ssrc: Option<String>,
}

/// RTP-Info: `url=...;seq=...;rtptime=...`, one per stream, comma-separated. A new stream
/// starts only at a comma followed by `url=`, since a URL may itself contain a comma.
pub fn rtp_info(value: &str) -> Vec<RtpInfo> {
    let mut streams: Vec<String> = Vec::new();
    for piece in split_unquoted(value, ',') {
        let starts_stream = piece
            .trim_start()
            .get(..4)
            .is_some_and(|p| p.eq_ignore_ascii_case("url="));
        match streams.last_mut() {
            Some(last) if !starts_stream => {
                last.push(',');
                last.push_str(piece);
            }
            _ => streams.push(piece.to_string()),
        }
    }
    streams
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|stream| {
            let mut info = RtpInfo {
                url: String::new(),
                seq: None,
                rtptime: None,
                ssrc: None,
            };
            for param in split_unquoted(stream, ';') {
                let Some((name, v)) = param.split_once('=') else {
                    continue;
                };
                let v = unquote(v);
                match name.trim().to_ascii_lowercase().as_str() {
                    "url" => info.url = v.to_string(),
                    "seq" => info.seq = decimal(v).ok().and_then(|n| n.try_into().ok()),
                    "rtptime" => info.rtptime = decimal(v).ok().and_then(|n| n.try_into().ok()),
                    "ssrc" => info.ssrc = (!v.is_empty()).then(|| v.to_string()),
                    _ => {}
                }
            }
            info
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtsp_header_cseq() {
        assert_eq!(cseq("1"), Ok(1));
        assert_eq!(cseq(" 7 "), Ok(7));
        assert_eq!(cseq("18446744073709551615"), Ok(u64::MAX));
        assert!(cseq("18446744073709551616").is_err());
        for bad in ["", "x", "-1", "+1", "1 2", "0x10"] {
            assert!(cseq(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rtsp_header_content_length() {
        assert_eq!(content_length("589"), Ok(589));
        assert_eq!(content_length("4294967296"), Ok(4_294_967_296));
        assert!(content_length("-1").is_err());
        assert!(content_length("12abc").is_err());
        assert!(content_length("99999999999999999999999").is_err());
    }

    #[test]
    fn rtsp_header_session() {
        let s = SessionHeader::parse("12345678;timeout=60").unwrap();
        assert_eq!((s.id.as_str(), s.timeout_secs), ("12345678", Some(60)));
        let s = SessionHeader::parse("  9a90de54; timeout = 120 ").unwrap();
        assert_eq!((s.id.as_str(), s.timeout_secs), ("9a90de54", Some(120)));
        let s = SessionHeader::parse("abc;timeout=x").unwrap();
        assert_eq!(s.timeout_secs, None);
        let s = SessionHeader::parse("abc;timeout=\"30\"").unwrap();
        assert_eq!(s.timeout_secs, Some(30));
        assert_eq!(SessionHeader::parse(" ;timeout=60"), None);
        assert_eq!(SessionHeader::parse(""), None);
    }

    #[test]
    fn rtsp_header_transport_tcp_and_udp() {
        let specs = parse_transport("RTP/AVP/TCP;unicast;interleaved=0-1;ssrc= d6d6627");
        assert_eq!(specs.len(), 1);
        let t = &specs[0];
        assert_eq!(t.profile, "RTP/AVP");
        assert_eq!(t.lower, LowerTransport::Tcp);
        assert_eq!(t.unicast, Some(true));
        assert_eq!(t.interleaved, Some((0, 1)));
        assert_eq!(t.ssrc.as_deref(), Some("d6d6627"));

        let t = &parse_transport("RTP/AVP;unicast;client_port=4588;mode=\"PLAY\"")[0];
        assert_eq!(t.lower, LowerTransport::Udp);
        assert_eq!(t.client_port, Some((4588, 4589)));
        assert_eq!(t.mode.as_deref(), Some("PLAY"));

        let t = &parse_transport(
            "rtp/avp/udp ; multicast ; destination=224.2.0.1 ; client_port = 5000 - 5001",
        )[0];
        assert_eq!(t.profile, "rtp/avp");
        assert_eq!(t.lower, LowerTransport::Udp);
        assert_eq!(t.unicast, Some(false));
        assert_eq!(t.destination.as_deref(), Some("224.2.0.1"));
        assert_eq!(t.client_port, Some((5000, 5001)));
    }

    #[test]
    fn rtsp_header_transport_alternatives_and_rtsp2() {
        let value = "RTP/AVP/TCP;unicast;interleaved=0-1, RTP/AVP;unicast;client_port=41000-41001";
        let specs = parse_transport(value);
        assert_eq!(specs.len(), 2);
        assert_eq!(specs[1].client_port, Some((41000, 41001)));
        assert_eq!(specs[1].raw, "RTP/AVP;unicast;client_port=41000-41001");

        let value =
            "RTP/AVP;unicast;dest_addr=\"192.0.2.5:3456\"/\"192.0.2.5:3457\";mode=\"PLAY, RECORD\"";
        let specs = parse_transport(value);
        assert_eq!(specs.len(), 1);
        assert!(specs[0].raw.contains("dest_addr=\"192.0.2.5:3456\""));
        assert_eq!(specs[0].mode.as_deref(), Some("PLAY, RECORD"));
    }

    #[test]
    fn rtsp_header_transport_bad_numbers() {
        let t =
            &parse_transport("RTP/AVP/TCP;interleaved=300-301;client_port=70000;server_port=x")[0];
        assert_eq!(t.interleaved, None);
        assert_eq!(t.client_port, None);
        assert_eq!(t.server_port, None);
        let t = &parse_transport("RTP/AVP/TCP;interleaved=255")[0];
        assert_eq!(t.interleaved, None);
        assert_eq!(parse_transport(" , ,"), vec![]);
    }

    #[test]
    fn rtsp_header_range() {
        let r = Range::parse("npt=0-").unwrap();
        assert_eq!((r.unit.as_str(), r.start, r.end), ("npt", Some(0.0), None));
        let r = Range::parse("npt=0.000-10.5").unwrap();
        assert_eq!((r.start, r.end), (Some(0.0), Some(10.5)));
        let r = Range::parse("npt=now-").unwrap();
        assert_eq!((r.start, r.end), (None, None));
        let r = Range::parse("npt = 1:02:03.5 - 596.48;time=19970123T143720Z").unwrap();
        assert_eq!((r.start, r.end), (Some(3723.5), Some(596.48)));
        let r = Range::parse("clock=19961108T142300Z-19961108T143520Z").unwrap();
        assert_eq!((r.unit.as_str(), r.start, r.end), ("clock", None, None));
        for bad in ["npt=inf-", "npt=1.2.3-", "0-10", "npt=5", "=0-", "npt=a-b"] {
            assert!(Range::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rtsp_header_public_methods() {
        assert_eq!(
            public_methods("OPTIONS, DESCRIBE,SETUP , ,PLAY"),
            vec!["OPTIONS", "DESCRIBE", "SETUP", "PLAY"]
        );
        assert!(public_methods("").is_empty());
    }

    #[test]
    fn rtsp_header_rtp_info() {
        let v = "url=trackID=1;seq=1;rtptime=0,url=rtsp://h/vod/mp4:a,b.mov/trackID=2;seq=65535;rtptime=4294967295;ssrc=9fc9fff8";
        let info = rtp_info(v);
        assert_eq!(info.len(), 2);
        assert_eq!(info[0].url, "trackID=1");
        assert_eq!((info[0].seq, info[0].rtptime), (Some(1), Some(0)));
        assert_eq!(info[1].url, "rtsp://h/vod/mp4:a,b.mov/trackID=2");
        assert_eq!(
            (info[1].seq, info[1].rtptime),
            (Some(65535), Some(u32::MAX))
        );
        assert_eq!(info[1].ssrc.as_deref(), Some("9fc9fff8"));
        let info = rtp_info("url=trackID=1;seq=1;rtptime=-1");
        assert_eq!(info[0].rtptime, None);
        let info = rtp_info("url=rtsp://192.168.1.19:554/0/main/trackID=0;seq=0;rtptime=0;");
        assert_eq!((info[0].seq, info[0].rtptime), (Some(0), Some(0)));
        assert!(rtp_info("").is_empty());
    }
}
