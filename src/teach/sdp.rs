//! Just enough of an SDP description (RFC 4566) to explain it: its streams, their codecs and
//! control URLs.

/// One `m=` block.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stream {
    /// "video", "audio", "application".
    pub kind: String,
    /// From `a=rtpmap`: "H264/90000".
    pub codecs: Vec<String>,
    /// `a=control`: "stream=0" or a full URL.
    pub control: Option<String>,
}

/// The streams of an SDP body; empty when it has none (or is not SDP).
pub fn streams(body: &str) -> Vec<Stream> {
    let mut streams: Vec<Stream> = Vec::new();
    for line in body.lines() {
        let line = line.trim_end_matches('\r');
        let Some((kind, value)) = line.split_once('=') else {
            continue;
        };
        match (kind.trim(), streams.last_mut()) {
            ("m", _) => streams.push(Stream {
                kind: value.split_whitespace().next().unwrap_or("").to_string(),
                ..Stream::default()
            }),
            ("a", Some(stream)) => {
                if let Some(control) = value.strip_prefix("control:") {
                    stream.control = Some(control.trim().to_string());
                } else if let Some(rtpmap) = value.strip_prefix("rtpmap:") {
                    // "96 H264/90000" → "H264/90000"
                    let codec = rtpmap.split_whitespace().nth(1).unwrap_or(rtpmap);
                    stream.codecs.push(codec.to_string());
                }
            }
            _ => {}
        }
    }
    streams
}

/// The `a=control` values of the streams.
pub fn controls(body: &str) -> Vec<String> {
    streams(body)
        .into_iter()
        .filter_map(|s| s.control)
        .collect()
}

/// "video (H264/90000, control stream=0) and audio (PCMU/8000, control stream=1)".
pub fn describe(streams: &[Stream]) -> String {
    let parts: Vec<String> = streams
        .iter()
        .map(|s| {
            let mut details = Vec::new();
            if !s.codecs.is_empty() {
                details.push(s.codecs.join(", "));
            }
            if let Some(control) = &s.control {
                details.push(format!("control {control}"));
            }
            if details.is_empty() {
                s.kind.clone()
            } else {
                format!("{} ({})", s.kind, details.join(", "))
            }
        })
        .collect();
    match parts.len() {
        0 => String::new(),
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_with_codecs_and_controls() {
        let body = "v=0\r\ns=x\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n\
                    a=control:stream=0\r\nm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n\
                    a=control:stream=1\r\n";
        let found = streams(body);
        assert_eq!(found.len(), 2);
        assert_eq!(
            describe(&found),
            "video (H264/90000, control stream=0) and audio (PCMU/8000, control stream=1)"
        );
        assert_eq!(controls(body), vec!["stream=0", "stream=1"]);
        assert!(streams("no sdp here").is_empty());
    }
}
