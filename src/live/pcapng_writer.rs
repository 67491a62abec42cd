//! Streams captured packets to a pcapng file as they arrive (`live --write`, the window's saved
//! capture): one Section Header, one Interface Description per capture, then an Enhanced Packet
//! Block per packet. Nothing is held in memory but the write buffer; `report` and the window
//! open the file like any other capture.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::capture::{LinkType, Timestamp};

const SECTION_HEADER: u32 = 0x0A0D_0D0A;
const INTERFACE_DESCRIPTION: u32 = 0x0000_0001;
const ENHANCED_PACKET: u32 = 0x0000_0006;
const BYTE_ORDER_MAGIC: u32 = 0x1A2B_3C4D;
const OPTION_END: u16 = 0;
const OPTION_IF_NAME: u16 = 2;
const OPTION_IF_TSRESOL: u16 = 9;
/// Timestamps in nanoseconds (10^-9), as the live capture asks libpcap for them.
const NANOSECONDS: u8 = 9;

fn padded(len: usize) -> usize {
    len.div_ceil(4) * 4
}

pub struct PcapngWriter<W: Write> {
    out: W,
    packets: u64,
}

impl PcapngWriter<BufWriter<File>> {
    /// Creates (or truncates) `path` and writes the headers for one interface.
    pub fn create(
        path: &Path,
        link_type: LinkType,
        snaplen: u32,
        interface: &str,
    ) -> io::Result<Self> {
        let file = File::create(path)?;
        PcapngWriter::new(BufWriter::new(file), link_type, snaplen, interface)
    }
}

impl<W: Write> PcapngWriter<W> {
    pub fn new(mut out: W, link_type: LinkType, snaplen: u32, interface: &str) -> io::Result<Self> {
        // Section Header Block: no options, section length unknown (-1).
        out.write_all(&SECTION_HEADER.to_le_bytes())?;
        out.write_all(&28u32.to_le_bytes())?;
        out.write_all(&BYTE_ORDER_MAGIC.to_le_bytes())?;
        out.write_all(&1u16.to_le_bytes())?;
        out.write_all(&0u16.to_le_bytes())?;
        out.write_all(&(-1i64).to_le_bytes())?;
        out.write_all(&28u32.to_le_bytes())?;

        // Interface Description Block with its name and nanosecond timestamps.
        let name = interface.as_bytes();
        let name_len = name.len().min(u16::MAX as usize);
        let options = 4 + padded(name_len) + 4 + 4 + 4;
        let total = u32::try_from(16 + options + 4).map_err(io::Error::other)?;
        out.write_all(&INTERFACE_DESCRIPTION.to_le_bytes())?;
        out.write_all(&total.to_le_bytes())?;
        out.write_all(&(link_type.0 as u16).to_le_bytes())?;
        out.write_all(&0u16.to_le_bytes())?;
        out.write_all(&snaplen.to_le_bytes())?;
        out.write_all(&OPTION_IF_NAME.to_le_bytes())?;
        out.write_all(&(name_len as u16).to_le_bytes())?;
        out.write_all(name.get(..name_len).unwrap_or_default())?;
        out.write_all(&[0u8; 3][..padded(name_len) - name_len])?;
        out.write_all(&OPTION_IF_TSRESOL.to_le_bytes())?;
        out.write_all(&1u16.to_le_bytes())?;
        out.write_all(&[NANOSECONDS, 0, 0, 0])?;
        out.write_all(&OPTION_END.to_le_bytes())?;
        out.write_all(&0u16.to_le_bytes())?;
        out.write_all(&total.to_le_bytes())?;
        Ok(PcapngWriter { out, packets: 0 })
    }

    /// One packet: its captured bytes and its length on the wire.
    pub fn write_packet(&mut self, ts: Timestamp, data: &[u8], orig_len: u32) -> io::Result<()> {
        let captured = u32::try_from(data.len()).map_err(io::Error::other)?;
        let total = u32::try_from(32 + padded(data.len())).map_err(io::Error::other)?;
        let nanos = ts.0.max(0) as u64;
        self.out.write_all(&ENHANCED_PACKET.to_le_bytes())?;
        self.out.write_all(&total.to_le_bytes())?;
        self.out.write_all(&0u32.to_le_bytes())?;
        self.out.write_all(&((nanos >> 32) as u32).to_le_bytes())?;
        self.out.write_all(&(nanos as u32).to_le_bytes())?;
        self.out.write_all(&captured.to_le_bytes())?;
        self.out.write_all(&orig_len.to_le_bytes())?;
        self.out.write_all(data)?;
        self.out
            .write_all(&[0u8; 3][..padded(data.len()) - data.len()])?;
        self.out.write_all(&total.to_le_bytes())?;
        self.packets += 1;
        Ok(())
    }

    pub fn packets(&self) -> u64 {
        self.packets
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capture::file::CaptureReader;

    #[test]
    fn what_it_writes_reads_back_with_the_capture_reader() {
        let mut writer =
            PcapngWriter::new(Vec::new(), LinkType::ETHERNET, 65535, "lo").expect("headers");
        let ts = Timestamp::from_secs_nanos(1_700_000_000, 123_456_789);
        writer.write_packet(ts, &[1, 2, 3, 4, 5], 60).expect("one");
        writer
            .write_packet(ts.plus_secs(1.0), &[9; 8], 8)
            .expect("two");
        let bytes = writer.into_inner();
        let mut reader = CaptureReader::from_reader(
            Box::new(std::io::Cursor::new(bytes.clone())),
            Path::new("written.pcapng"),
            Some(bytes.len() as u64),
        )
        .expect("a pcapng file");
        let mut seen = Vec::new();
        reader.read_packets(10, &mut |p| {
            seen.push((p.ts, p.data.to_vec(), p.orig_len, p.link_type))
        });
        assert_eq!(reader.problem(), None);
        assert_eq!(
            seen,
            vec![
                (ts, vec![1, 2, 3, 4, 5], 60, LinkType::ETHERNET),
                (ts.plus_secs(1.0), vec![9; 8], 8, LinkType::ETHERNET),
            ]
        );
    }
}
