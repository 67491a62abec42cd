//! The framer's events without frame numbers and times, which depend on how the bytes were
//! cut: what the framing tests compare between a stream fed whole and fed in pieces.

use rtsp_inspector::capture::Timestamp;
use rtsp_inspector::rtsp::{FramerEvent, Message};

#[derive(Debug, Clone, PartialEq)]
pub enum Ev {
    Message(Box<Message>),
    Interleaved {
        channel: u8,
        length: u16,
        offset: u64,
        complete: bool,
    },
    Garbage {
        offset: u64,
        length: u64,
    },
    Limit {
        offset: u64,
    },
}

pub fn normalize(events: &[FramerEvent]) -> Vec<Ev> {
    events
        .iter()
        .map(|e| match e {
            FramerEvent::Message(m) => {
                let mut m = m.clone();
                (m.frame, m.first_frame, m.ts, m.first_ts) = (0, 0, Timestamp(0), Timestamp(0));
                Ev::Message(m)
            }
            FramerEvent::Interleaved {
                channel,
                length,
                stream_offset,
                complete,
                ..
            } => Ev::Interleaved {
                channel: *channel,
                length: *length,
                offset: *stream_offset,
                complete: *complete,
            },
            FramerEvent::Garbage {
                stream_offset,
                length,
                ..
            } => Ev::Garbage {
                offset: *stream_offset,
                length: *length,
            },
            FramerEvent::LimitHit { stream_offset, .. } => Ev::Limit {
                offset: *stream_offset,
            },
        })
        .collect()
}
