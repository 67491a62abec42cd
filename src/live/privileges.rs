//! Whether this process runs as root: capture only needs two capabilities, so a window or a
//! terminal started as root says so (issue: the project does not ask users to run it as root).

use std::os::unix::fs::MetadataExt;

/// True when the process's effective user is root (the owner of `/proc/self` is the effective
/// uid; no libc call needed).
pub fn running_as_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The note printed (stderr) or shown (the live dialog) when started as root.
pub const ROOT_NOTE: &str = "running as root. Live capture needs only two capabilities: \
     `sudo setcap cap_net_raw,cap_net_admin=eip` on the binary (or scripts/setup --setcap) \
     lets it capture as a normal user";
