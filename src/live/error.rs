//! What can go wrong when capturing live, each with what the user can do about it.

use std::fmt;

/// The capabilities a binary needs to capture without root.
pub const SETCAP_HINT: &str = "run as root, or give the binary the capture capabilities once: \
     sudo setcap cap_net_raw,cap_net_admin=eip <path to rtsp-inspector> \
     (scripts/setup --setcap does it for the built binary)";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveError {
    /// The interface named is not one libpcap knows.
    NoSuchInterface {
        name: String,
        available: Vec<String>,
    },
    /// The process may not open the interface for capture.
    NoPermission { interface: String, detail: String },
    /// The BPF filter does not compile; `detail` is libpcap's own message.
    BadFilter { filter: String, detail: String },
    /// libpcap could not list the interfaces.
    CannotList(String),
    /// libpcap could not open the interface for another reason.
    CannotOpen { interface: String, detail: String },
    /// The `--write` file could not be created or written.
    WriteFile { path: String, detail: String },
    /// A capture file to replay could not be opened.
    Replay(String),
}

impl fmt::Display for LiveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LiveError::NoSuchInterface { name, available } => {
                write!(f, "no such interface: {name}; ")?;
                if available.is_empty() {
                    write!(f, "libpcap lists no interface at all on this machine")
                } else {
                    write!(f, "the interfaces are: {}", available.join(", "))
                }
            }
            LiveError::NoPermission { interface, detail } => write!(
                f,
                "no permission to capture on {interface} ({detail}): {SETCAP_HINT}"
            ),
            LiveError::BadFilter { filter, detail } => {
                write!(f, "the filter {filter:?} does not compile: {detail}")
            }
            LiveError::CannotList(detail) => {
                write!(f, "cannot list the network interfaces: {detail}")
            }
            LiveError::CannotOpen { interface, detail } => {
                write!(f, "cannot capture on {interface}: {detail}")
            }
            LiveError::WriteFile { path, detail } => {
                write!(f, "cannot write the packets to {path}: {detail}")
            }
            LiveError::Replay(detail) => write!(f, "{detail}"),
        }
    }
}

impl std::error::Error for LiveError {}

/// libpcap's message without the binding's "libpcap error: " prefix.
pub fn pcap_text(error: &pcap::Error) -> String {
    match error {
        pcap::Error::PcapError(text) => text.clone(),
        other => other.to_string(),
    }
}

/// Whether libpcap's message says the process lacks the rights to capture.
pub fn is_permission_denied(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains("permission") || lower.contains("operation not permitted")
}
