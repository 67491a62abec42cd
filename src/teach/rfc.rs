//! Where in the RFCs each method, header and status code is defined: RFC 2326 (RTSP/1.0) and
//! RFC 7826 (RTSP/2.0). Section numbers checked against both RFCs' tables of contents.

use crate::model::Machine;
use crate::session::machine::Protocol;

/// "RFC 2326" or "RFC 7826".
pub fn name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Rtsp1 => "RFC 2326",
        Protocol::Rtsp2 => "RFC 7826",
    }
}

/// The protocol a message or session speaks, from its version string.
pub fn protocol_of(version: &str) -> Protocol {
    if version.trim().starts_with("RTSP/2") {
        Protocol::Rtsp2
    } else {
        Protocol::Rtsp1
    }
}

/// The section that defines a method: "RFC 2326 §10.4".
pub fn method(protocol: Protocol, method: &str) -> Option<String> {
    let section = match protocol {
        Protocol::Rtsp1 => match method {
            "OPTIONS" => "10.1",
            "DESCRIBE" => "10.2",
            "ANNOUNCE" => "10.3",
            "SETUP" => "10.4",
            "PLAY" => "10.5",
            "PAUSE" => "10.6",
            "TEARDOWN" => "10.7",
            "GET_PARAMETER" => "10.8",
            "SET_PARAMETER" => "10.9",
            "REDIRECT" => "10.10",
            "RECORD" => "10.11",
            _ => return None,
        },
        Protocol::Rtsp2 => match method {
            "OPTIONS" => "13.1",
            "DESCRIBE" => "13.2",
            "SETUP" => "13.3",
            "PLAY" => "13.4",
            "PLAY_NOTIFY" => "13.5",
            "PAUSE" => "13.6",
            "TEARDOWN" => "13.7",
            "GET_PARAMETER" => "13.8",
            "SET_PARAMETER" => "13.9",
            "REDIRECT" => "13.10",
            _ => return None,
        },
    };
    Some(format!("{} §{section}", name(protocol)))
}

/// The section that defines a header: "RFC 2326 §12.39".
pub fn header(protocol: Protocol, header: &str) -> Option<String> {
    let lower = header.to_ascii_lowercase();
    let section = match protocol {
        Protocol::Rtsp1 => match lower.as_str() {
            "allow" => "12.4",
            "authorization" => "12.5",
            "content-base" => "12.11",
            "content-length" => "12.14",
            "content-type" => "12.16",
            "cseq" => "12.17",
            "location" => "12.25",
            "public" => "12.28",
            "range" => "12.29",
            "rtp-info" => "12.33",
            "session" => "12.37",
            "transport" => "12.39",
            "www-authenticate" => "12.44",
            _ => return None,
        },
        Protocol::Rtsp2 => match lower.as_str() {
            "allow" => "18.6",
            "authorization" => "18.8",
            "content-base" => "18.14",
            "content-length" => "18.17",
            "content-type" => "18.19",
            "cseq" => "18.20",
            "location" => "18.28",
            "media-properties" => "18.29",
            "pipelined-requests" => "18.33",
            "public" => "18.39",
            "range" => "18.40",
            "rtp-info" => "18.45",
            "session" => "18.49",
            "transport" => "18.54",
            "www-authenticate" => "18.58",
            _ => return None,
        },
    };
    Some(format!("{} §{section}", name(protocol)))
}

/// The section that defines a status code.
pub fn status(protocol: Protocol, status: u16) -> String {
    let section = match protocol {
        // RFC 2326 defines the codes it shares with HTTP in the table of §7.1.1 and only its
        // own in §11.
        Protocol::Rtsp1 => match status {
            250 => "11.1.1",
            s if (300..=399).contains(&s) => "11.2",
            405 => "11.3.1",
            451 => "11.3.2",
            452 => "11.3.3",
            453 => "11.3.4",
            454 => "11.3.5",
            455 => "11.3.6",
            456 => "11.3.7",
            457 => "11.3.8",
            458 => "11.3.9",
            459 => "11.3.10",
            460 => "11.3.11",
            461 => "11.3.12",
            462 => "11.3.13",
            551 => "11.3.14",
            _ => "7.1.1",
        },
        Protocol::Rtsp2 => match status {
            100 => "17.1.1",
            200 => "17.2.1",
            301 => "17.3.2",
            302 => "17.3.3",
            303 => "17.3.4",
            304 => "17.3.5",
            305 => "17.3.6",
            s if (300..=399).contains(&s) => "17.3",
            400 => "17.4.1",
            401 => "17.4.2",
            403 => "17.4.4",
            404 => "17.4.5",
            405 => "17.4.6",
            406 => "17.4.7",
            407 => "17.4.8",
            408 => "17.4.9",
            451 => "17.4.15",
            453 => "17.4.17",
            454 => "17.4.18",
            455 => "17.4.19",
            456 => "17.4.20",
            457 => "17.4.21",
            459 => "17.4.23",
            460 => "17.4.24",
            461 => "17.4.25",
            462 => "17.4.26",
            s if (400..=499).contains(&s) => "17.4",
            500 => "17.5.1",
            501 => "17.5.2",
            503 => "17.5.4",
            505 => "17.5.6",
            551 => "17.5.7",
            _ => "17.5",
        },
    };
    format!("{} §{section}", name(protocol))
}

/// The state table of a machine: "RFC 2326 A.1" (client), "A.2" (server), "RFC 7826 B.4".
pub fn table(protocol: Protocol, machine: Machine) -> &'static str {
    match (protocol, machine) {
        (Protocol::Rtsp1, Machine::Client) => "RFC 2326 A.1",
        (Protocol::Rtsp1, Machine::Server) => "RFC 2326 A.2",
        (Protocol::Rtsp2, _) => "RFC 7826 B.4",
    }
}

/// Where media over TCP is defined: `$`-framed interleaved data.
pub fn interleaved(protocol: Protocol) -> String {
    match protocol {
        Protocol::Rtsp1 => "RFC 2326 §10.12".into(),
        Protocol::Rtsp2 => "RFC 7826 §14".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_of_both_rfcs() {
        assert_eq!(
            method(Protocol::Rtsp1, "SETUP").as_deref(),
            Some("RFC 2326 §10.4")
        );
        assert_eq!(
            method(Protocol::Rtsp2, "SETUP").as_deref(),
            Some("RFC 7826 §13.3")
        );
        assert_eq!(
            header(Protocol::Rtsp1, "Transport").as_deref(),
            Some("RFC 2326 §12.39")
        );
        assert_eq!(
            header(Protocol::Rtsp2, "pipelined-requests").as_deref(),
            Some("RFC 7826 §18.33")
        );
        assert_eq!(status(Protocol::Rtsp1, 455), "RFC 2326 §11.3.6");
        assert_eq!(status(Protocol::Rtsp2, 455), "RFC 7826 §17.4.19");
        assert_eq!(status(Protocol::Rtsp1, 200), "RFC 2326 §7.1.1");
        assert_eq!(method(Protocol::Rtsp2, "RECORD"), None, "2.0 has no RECORD");
    }
}
