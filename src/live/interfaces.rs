//! The interfaces libpcap can capture on, with what a person picks one by.

use super::error::{LiveError, pcap_text};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interface {
    pub name: String,
    /// libpcap's description (often none on Linux).
    pub description: Option<String>,
    /// Its IPv4 and IPv6 addresses, as text.
    pub addresses: Vec<String>,
    pub up: bool,
    pub running: bool,
    pub loopback: bool,
}

impl Interface {
    /// "up", "up, not running", "down".
    pub fn status(&self) -> &'static str {
        match (self.up, self.running) {
            (true, true) => "up",
            (true, false) => "up, no link",
            (false, _) => "down",
        }
    }
}

/// Every interface libpcap lists, in its order (the ones it thinks best first).
pub fn list() -> Result<Vec<Interface>, LiveError> {
    let devices = pcap::Device::list().map_err(|e| LiveError::CannotList(pcap_text(&e)))?;
    Ok(devices
        .into_iter()
        .map(|device| Interface {
            addresses: device
                .addresses
                .iter()
                .map(|a| a.addr.to_string())
                .collect(),
            up: device.flags.is_up(),
            running: device.flags.is_running(),
            loopback: device.flags.is_loopback(),
            description: device.desc,
            name: device.name,
        })
        .collect())
}

/// Checks that `name` is an interface libpcap knows; the error lists the ones it does.
pub fn find(name: &str) -> Result<Interface, LiveError> {
    let all = list()?;
    match all.iter().find(|i| i.name == name) {
        Some(interface) => Ok(interface.clone()),
        None => Err(LiveError::NoSuchInterface {
            name: name.to_string(),
            available: all.into_iter().map(|i| i.name).collect(),
        }),
    }
}
