//! BPF filters checked before a capture starts, with libpcap's own message when one does not
//! compile. Checking needs no capture rights: the filter is compiled against a "dead" handle
//! of the interface's link type.

use crate::capture::LinkType;

use super::error::{LiveError, pcap_text};

/// Compiles `filter` for packets of `link_type` (Ethernet for most interfaces, `lo` included).
/// An empty filter is no filter.
pub fn check(filter: &str, link_type: LinkType) -> Result<(), LiveError> {
    if filter.trim().is_empty() {
        return Ok(());
    }
    let bad = |detail: String| LiveError::BadFilter {
        filter: filter.to_string(),
        detail,
    };
    let link = i32::try_from(link_type.0).map_err(|_| bad("unknown link type".into()))?;
    let dead = pcap::Capture::dead(pcap::Linktype(link)).map_err(|e| bad(pcap_text(&e)))?;
    dead.compile(filter, true)
        .map(|_| ())
        .map_err(|e| bad(pcap_text(&e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_filter_compiles_and_a_bad_one_says_why() {
        assert_eq!(check("tcp port 8554", LinkType::ETHERNET), Ok(()));
        assert_eq!(check("  ", LinkType::ETHERNET), Ok(()));
        let Err(LiveError::BadFilter { detail, .. }) = check("tcp prot 8554", LinkType::ETHERNET)
        else {
            panic!("a misspelt filter must not compile");
        };
        assert!(
            detail.contains("syntax error"),
            "libpcap's message: {detail}"
        );
    }
}
