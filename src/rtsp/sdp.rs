//! SDP (RFC 8866) bodies, read simply for display: the session's lines and one block per `m=`
//! line. A pure function of the body text; it never panics and keeps nothing the body does not
//! hold (one entry per line at most).

/// What an SDP says, read simply: the session's lines and one block per `m=` line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sdp {
    /// Session-level lines other than `a=`, as (type, value): `v`, `o`, `s`, `c`, `t`...
    pub session: Vec<(String, String)>,
    pub session_attributes: Vec<String>,
    pub media: Vec<SdpMedia>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SdpMedia {
    /// The `m=` line's value: "video 0 RTP/AVP 96".
    pub line: String,
    pub control: Option<String>,
    /// `a=rtpmap` values: "96 H264/90000".
    pub rtpmaps: Vec<String>,
    /// Other attributes, as sent.
    pub attributes: Vec<String>,
}

/// Reads an SDP body; `None` when the body does not look like one (no `v=` line).
pub fn parse_sdp(body: &str) -> Option<Sdp> {
    let mut sdp = Sdp::default();
    let mut saw_version = false;
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        let Some((kind, value)) = line.split_once('=') else {
            continue;
        };
        let kind = kind.trim();
        if kind == "v" {
            saw_version = true;
        }
        match (kind, sdp.media.last_mut()) {
            ("m", _) => sdp.media.push(SdpMedia {
                line: value.to_string(),
                ..SdpMedia::default()
            }),
            ("a", Some(media)) => {
                if let Some(control) = value.strip_prefix("control:") {
                    media.control = Some(control.to_string());
                } else if let Some(rtpmap) = value.strip_prefix("rtpmap:") {
                    media.rtpmaps.push(rtpmap.to_string());
                } else {
                    media.attributes.push(value.to_string());
                }
            }
            ("a", None) => sdp.session_attributes.push(value.to_string()),
            (_, Some(media)) => media.attributes.push(format!("{kind}={value}")),
            (_, None) => sdp.session.push((kind.to_string(), value.to_string())),
        }
    }
    saw_version.then_some(sdp)
}
