//! Numbers and times as the exports write them (the same forms the window shows).

/// 1234567 → "1 234 567" (thin spaces).
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 * 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{2009}');
        }
        out.push(c);
    }
    out
}

/// Seconds as a gap between two messages: "35 µs", "7.2 ms", "1.250 s", "3 min 5 s".
pub fn duration_text(seconds: f64) -> String {
    let s = seconds.abs();
    if s < 1e-3 {
        format!("{:.0} µs", seconds * 1e6)
    } else if s < 1.0 {
        format!("{:.1} ms", seconds * 1e3)
    } else if s < 120.0 {
        format!("{seconds:.3} s")
    } else {
        format!(
            "{:.0} min {:.0} s",
            (seconds / 60.0).trunc(),
            seconds % 60.0
        )
    }
}

/// Unix time as the time of day in UTC, to the millisecond: "14:02:11.123".
pub fn time_of_day(unix: f64) -> String {
    let millis = (unix * 1000.0).round() as i64;
    let of_day = millis.rem_euclid(86_400_000);
    let secs = of_day / 1000;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        of_day % 1000
    )
}

/// The interleaved media of a connection, a part per RTP/RTCP channel pair:
/// "RTP ch 0-1: 1 234 packets + 5 RTCP" (RTP on an even channel, its RTCP on the next odd one,
/// RFC 2326 §10.12); a lone odd channel is "ch 3: 5 RTCP".
pub fn interleaved_media(connection: &crate::model::Connection) -> Vec<String> {
    let frames = |channel: u8| -> u64 {
        connection
            .channels
            .iter()
            .filter(|ch| ch.channel == channel)
            .map(|ch| ch.frames)
            .sum()
    };
    let channels: std::collections::BTreeSet<u8> =
        connection.channels.iter().map(|ch| ch.channel).collect();
    let mut parts = Vec::new();
    for &channel in &channels {
        let (rtp, rtcp) = if channel % 2 == 0 {
            (frames(channel), frames(channel.saturating_add(1)))
        } else if channels.contains(&(channel - 1)) {
            continue;
        } else {
            (0, frames(channel))
        };
        if rtp + rtcp == 0 {
            continue;
        }
        let mut part = if channel % 2 == 0 {
            format!(
                "RTP ch {}-{}: {} packets",
                channel,
                channel.saturating_add(1),
                thousands(rtp)
            )
        } else {
            format!("ch {channel}: ")
        };
        if rtcp > 0 {
            if rtp > 0 {
                part.push_str(" + ");
            }
            part.push_str(&format!("{} RTCP", thousands(rtcp)));
        }
        parts.push(part);
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        assert_eq!(thousands(1_234_567), "1\u{2009}234\u{2009}567");
        assert_eq!(thousands(999), "999");
        assert_eq!(duration_text(0.000_039), "39 µs");
        assert_eq!(duration_text(0.0072), "7.2 ms");
        assert_eq!(duration_text(2.007), "2.007 s");
        assert_eq!(time_of_day(1_763_777_441.724), "02:10:41.724");
    }
}
