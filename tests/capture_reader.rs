//! The capture reader and link decoder against the shared captures, with the expected values
//! taken from `capinfos` and tshark 4.0 (the commands are next to each table).

use std::path::{Path, PathBuf};

use rtsp_inspector::capture::file::{CaptureFormat, CaptureReader, ReadProblemKind};
use rtsp_inspector::capture::link::{Skip, Transport, decode};
use rtsp_inspector::capture::{LinkType, Timestamp};

const CAPTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/captures");

fn path(name: &str) -> PathBuf {
    Path::new(CAPTURES).join(name)
}

/// What reading and decoding a whole capture gave.
#[derive(Debug, Default)]
struct Summary {
    packets: u64,
    first_ts: Option<Timestamp>,
    last_ts: Option<Timestamp>,
    interfaces: Vec<u32>,
    tcp: u64,
    /// TCP segments with payload on the wire (captured or not).
    tcp_with_payload: u64,
    /// Payload bytes on the wire: captured plus missing.
    tcp_payload_bytes: u64,
    tcp_missing_segments: u64,
    udp: u64,
    udp_payload_bytes: u64,
    ipv6: u64,
    skips: Vec<Skip>,
}

fn summarize(name: &str) -> (Summary, CaptureReader) {
    let mut reader = CaptureReader::open(&path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let mut s = Summary::default();
    let mut last_offset = None;
    loop {
        let n = reader.read_packets(100, &mut |p| {
            s.packets += 1;
            assert_eq!(p.frame, s.packets, "{name}: frame numbers are consecutive");
            assert!(p.file_offset > last_offset, "{name}: offsets grow");
            last_offset = p.file_offset;
            s.first_ts.get_or_insert(p.ts);
            s.last_ts = Some(p.ts);
            let iface = p.interface as usize;
            if s.interfaces.len() <= iface {
                s.interfaces.resize(iface + 1, 0);
            }
            s.interfaces[iface] += 1;
            match decode(p.link_type, p.data, p.orig_len) {
                Ok(Transport::Tcp(t)) => {
                    s.tcp += 1;
                    s.ipv6 += u64::from(t.src.is_ipv6());
                    let on_wire = t.payload.len() as u64 + u64::from(t.missing_payload);
                    if on_wire > 0 {
                        s.tcp_with_payload += 1;
                    }
                    s.tcp_payload_bytes += on_wire;
                    s.tcp_missing_segments += u64::from(t.missing_payload > 0);
                }
                Ok(Transport::Udp(u)) => {
                    s.udp += 1;
                    s.ipv6 += u64::from(u.src.is_ipv6());
                    s.udp_payload_bytes += u.payload.len() as u64 + u64::from(u.missing_payload);
                }
                Err(skip) => s.skips.push(skip),
            }
        });
        if n == 0 {
            break;
        }
    }
    (s, reader)
}

/// `tshark -r F -T fields -e frame.time_epoch` prints seconds with 9 decimals (6 for pcap µs).
fn epoch(text: &str) -> Timestamp {
    let (secs, frac) = text.split_once('.').expect("seconds.fraction");
    let nanos = format!("{frac:0<9}");
    Timestamp::from_secs_nanos(secs.parse().unwrap(), nanos.parse().unwrap())
}

struct Expect {
    file: &'static str,
    /// `capinfos -c`
    packets: u64,
    format: CaptureFormat,
    /// `capinfos -E` (per interface for pcapng)
    link_types: &'static [LinkType],
    /// `-Y 'tcp && !icmp && !icmpv6'`
    tcp: u64,
    /// `-Y 'tcp.len>0'`
    tcp_with_payload: u64,
    /// `-Y 'udp && !icmp && !icmpv6'`
    udp: u64,
    /// first and last `frame.time_epoch`
    first: &'static str,
    last: &'static str,
}

const PCAP_US: CaptureFormat = CaptureFormat::Pcap {
    nanosecond: false,
    big_endian: false,
};
const NG: CaptureFormat = CaptureFormat::PcapNg;
const ETHER: &[LinkType] = &[LinkType::ETHERNET];

#[rustfmt::skip]
const EXPECTED: &[Expect] = &[
    Expect { file: "01_ffmpeg-tcp-av_gst.pcapng", packets: 706, format: NG, link_types: ETHER, tcp: 706, tcp_with_payload: 356, udp: 0, first: "1795313331.014988209", last: "1795313335.461817889" },
    Expect { file: "02_ffmpeg-udp-av_gst.pcap", packets: 387, format: PCAP_US, link_types: ETHER, tcp: 20, tcp_with_payload: 12, udp: 367, first: "1795313337.192276000", last: "1795313341.644114000" },
    Expect { file: "03_vlc-client_gst.pcapng", packets: 157, format: NG, link_types: ETHER, tcp: 22, tcp_with_payload: 10, udp: 135, first: "1795313343.329298753", last: "1795313356.009421420" },
    Expect { file: "04_gst-rtspsrc-tcp_gst.pcapng", packets: 823, format: NG, link_types: ETHER, tcp: 823, tcp_with_payload: 416, udp: 0, first: "1795313357.679376013", last: "1795313362.669187263" },
    Expect { file: "05_ffmpeg-record_ffmpeg-listen_sll.pcap", packets: 169, format: PCAP_US, link_types: &[LinkType::LINUX_SLL], tcp: 169, tcp_with_payload: 87, udp: 0, first: "1795313364.364662000", last: "1795313368.363625000" },
    Expect { file: "06_auth-digest_ffmpeg_gst.pcapng", packets: 576, format: NG, link_types: ETHER, tcp: 576, tcp_with_payload: 291, udp: 0, first: "1795313370.440049187", last: "1795313374.435133822" },
    Expect { file: "07_auth-basic_gst-rtspsrc-udp_gst.pcapng", packets: 443, format: NG, link_types: ETHER, tcp: 25, tcp_with_payload: 16, udp: 418, first: "1795313376.089737201", last: "1795313381.080784486" },
    Expect { file: "08_keepalive-30s_ffmpeg-udp_gst.pcapng", packets: 575, format: NG, link_types: ETHER, tcp: 36, tcp_with_payload: 22, udp: 539, first: "1795313382.775239841", last: "1795313413.817225021" },
    Expect { file: "09_session-timeout_gst-rtspsrc-udp-stopped_gst.pcapng", packets: 238, format: NG, link_types: ETHER, tcp: 23, tcp_with_payload: 12, udp: 215, first: "1795313415.463400435", last: "1795313439.457851107" },
    Expect { file: "10_scripted-errors_gst.pcapng", packets: 668, format: NG, link_types: ETHER, tcp: 668, tcp_with_payload: 345, udp: 0, first: "1795313441.723957909", last: "1795313447.300514622" },
    Expect { file: "11_concurrent-3-clients_gst.pcapng", packets: 2236, format: NG, link_types: ETHER, tcp: 1583, tcp_with_payload: 796, udp: 653, first: "1795313449.003500607", last: "1795313458.441796246" },
    Expect { file: "12_ipv6_gst-rtspsrc-udp_ffmpeg-tcp_gst.pcapng", packets: 916, format: NG, link_types: ETHER, tcp: 583, tcp_with_payload: 297, udp: 333, first: "1795313460.627444414", last: "1795313468.116097708" },
    Expect { file: "13_vlc-server-port10554_ffmpeg.pcapng", packets: 214, format: NG, link_types: ETHER, tcp: 40, tcp_with_payload: 20, udp: 174, first: "1795313622.920418062", last: "1795313627.396492619" },
    Expect { file: "14_impaired-netns_ffmpeg-tcp_gst.pcapng", packets: 704, format: NG, link_types: ETHER, tcp: 704, tcp_with_payload: 384, udp: 0, first: "1795313481.728910872", last: "1795313489.306095644" },
    Expect { file: "15_truncated-mid-packet_from-10.pcapng", packets: 333, format: NG, link_types: ETHER, tcp: 333, tcp_with_payload: 173, udp: 0, first: "1795313441.723957909", last: "1795313443.748356680" },
    Expect { file: "16_snaplen96_from-04.pcapng", packets: 823, format: NG, link_types: ETHER, tcp: 823, tcp_with_payload: 416, udp: 0, first: "1795313357.679376013", last: "1795313362.669187263" },
    Expect { file: "17_merged-2-interfaces_from-12-14.pcapng", packets: 1620, format: NG, link_types: &[LinkType::ETHERNET, LinkType::ETHERNET], tcp: 1287, tcp_with_payload: 681, udp: 333, first: "1795313460.627444414", last: "1795313489.306095644" },
    Expect { file: "18_redirect-302_gst-rtspsrc_gst.pcapng", packets: 659, format: NG, link_types: ETHER, tcp: 659, tcp_with_payload: 331, udp: 0, first: "1795313576.336148521", last: "1795313580.324943846" },
    Expect { file: "19_rtsp2_gst-rtspsrc-tcp_gst.pcapng", packets: 798, format: NG, link_types: ETHER, tcp: 798, tcp_with_payload: 403, udp: 0, first: "1795313826.258985461", last: "1795313831.255018015" },
    Expect { file: "third-party/camera-dahua-vlc-digest-udp.pcapng", packets: 1727, format: NG, link_types: ETHER, tcp: 141, tcp_with_payload: 88, udp: 1579, first: "1655223131.886149434", last: "1655223138.665319106" },
    Expect { file: "third-party/camera-imcp-digest-tcp-interleaved.pcap", packets: 1027, format: PCAP_US, link_types: ETHER, tcp: 1027, tcp_with_payload: 689, udp: 0, first: "1562571334.027804000", last: "1562571337.651230000" },
];

#[test]
fn every_shared_capture_matches_capinfos_and_tshark() {
    let mut checked = 0;
    for e in EXPECTED {
        let (s, reader) = summarize(e.file);
        let f = e.file;
        assert_eq!(s.packets, e.packets, "{f}: packets");
        assert_eq!(reader.packets_read(), e.packets, "{f}: packets_read");
        assert_eq!(reader.format(), e.format, "{f}: format");
        assert_eq!(reader.link_types(), e.link_types, "{f}: link types");
        assert_eq!(s.tcp, e.tcp, "{f}: TCP segments");
        assert_eq!(
            s.tcp_with_payload, e.tcp_with_payload,
            "{f}: TCP segments with payload"
        );
        assert_eq!(s.udp, e.udp, "{f}: UDP datagrams");
        assert_eq!(s.first_ts, Some(epoch(e.first)), "{f}: first timestamp");
        assert_eq!(s.last_ts, Some(epoch(e.last)), "{f}: last timestamp");
        let size = std::fs::metadata(path(f)).unwrap().len();
        assert_eq!(reader.total_bytes(), Some(size), "{f}: total bytes");
        if f.starts_with("15_") {
            let p = reader.problem().expect("15 is truncated");
            assert_eq!(p.kind, ReadProblemKind::Truncated, "{f}: {}", p.detail);
            assert_eq!(p.after_frame, 333);
            assert!(
                p.offset < size && reader.bytes_read() == p.offset,
                "{f}: {p:?}"
            );
        } else {
            assert_eq!(reader.problem(), None, "{f}");
            assert_eq!(reader.bytes_read(), size, "{f}: read to the end");
        }
        // Whatever is neither TCP nor UDP is a protocol tshark also shows as such (ARP, ICMP).
        for skip in &s.skips {
            assert!(
                matches!(
                    skip,
                    Skip::NotIp | Skip::OtherProtocol(1) | Skip::OtherProtocol(58)
                ),
                "{f}: {skip:?}"
            );
        }
        checked += 1;
    }
    // Every capture in the folders is in the table.
    let mut on_disk = 0;
    for dir in [CAPTURES.to_string(), format!("{CAPTURES}/third-party")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if name.ends_with(".pcap") || name.ends_with(".pcapng") {
                on_disk += 1;
            }
        }
    }
    assert_eq!(checked, on_disk);
}

#[test]
fn payload_bytes_match_tshark() {
    // `tshark -Y 'tcp.len>0' -T fields -e tcp.len | sum`, and the same for udp.length - 8.
    for (file, tcp_bytes, udp_bytes) in [
        ("01_ffmpeg-tcp-av_gst.pcapng", 71_705, 0),
        ("04_gst-rtspsrc-tcp_gst.pcapng", 80_934, 0),
        ("05_ffmpeg-record_ffmpeg-listen_sll.pcap", 85_688, 0),
        (
            "12_ipv6_gst-rtspsrc-udp_ffmpeg-tcp_gst.pcapng",
            59_083,
            61_744,
        ),
        ("16_snaplen96_from-04.pcapng", 80_934, 0),
        ("17_merged-2-interfaces_from-12-14.pcapng", 460_592, 61_744),
    ] {
        let (s, _) = summarize(file);
        assert_eq!(s.tcp_payload_bytes, tcp_bytes, "{file}: TCP payload bytes");
        assert_eq!(s.udp_payload_bytes, udp_bytes, "{file}: UDP payload bytes");
    }
}

#[test]
fn linux_cooked_capture_decodes_to_tcp() {
    let (s, _) = summarize("05_ffmpeg-record_ffmpeg-listen_sll.pcap");
    assert_eq!(s.tcp, 169);
    assert!(s.skips.is_empty(), "{:?}", s.skips);
}

#[test]
fn ipv6_capture_decodes() {
    let (s, _) = summarize("12_ipv6_gst-rtspsrc-udp_ffmpeg-tcp_gst.pcapng");
    // `-Y ipv6 | wc -l`: every packet.
    assert_eq!(s.ipv6, 916);
}

#[test]
fn snaplen_capture_reports_missing_payload() {
    let (s, _) = summarize("16_snaplen96_from-04.pcapng");
    let (full, _) = summarize("04_gst-rtspsrc-tcp_gst.pcapng");
    assert!(s.tcp_missing_segments > 0);
    assert_eq!(full.tcp_missing_segments, 0);
    // The cut file carries the same payload on the wire as the original.
    assert_eq!(s.tcp_payload_bytes, full.tcp_payload_bytes);
    // And every segment's captured part is at most what a 96-byte snap length leaves.
    let mut reader = CaptureReader::open(&path("16_snaplen96_from-04.pcapng")).unwrap();
    reader.read_packets(usize::MAX, &mut |p| {
        assert!(p.data.len() <= 96);
        if let Ok(Transport::Tcp(t)) = decode(p.link_type, p.data, p.orig_len) {
            assert!(t.payload.len() <= 96 - 54);
            if p.data.len() == p.orig_len as usize {
                assert_eq!(t.missing_payload, 0);
            }
        }
    });
}

#[test]
fn two_interface_capture_keeps_interface_ids() {
    let (s, reader) = summarize("17_merged-2-interfaces_from-12-14.pcapng");
    // `tshark -T fields -e frame.interface_id | sort | uniq -c`
    assert_eq!(s.interfaces, vec![916, 704]);
    assert_eq!(reader.link_types().len(), 2);
}

#[test]
fn offsets_point_at_records() {
    // A pcap record's offset is where its 16-byte header starts: re-reading the file there
    // gives the captured length that was reported.
    let file = path("02_ffmpeg-udp-av_gst.pcap");
    let bytes = std::fs::read(&file).unwrap();
    let mut reader = CaptureReader::open(&file).unwrap();
    let mut checked = 0;
    reader.read_packets(usize::MAX, &mut |p| {
        let at = p.file_offset.unwrap() as usize;
        let caplen = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap());
        assert_eq!(caplen as usize, p.data.len());
        assert_eq!(&bytes[at + 16..at + 16 + p.data.len()], p.data);
        checked += 1;
    });
    assert_eq!(checked, 387);

    // A pcapng packet's offset is its Enhanced Packet Block.
    let file = path("17_merged-2-interfaces_from-12-14.pcapng");
    let bytes = std::fs::read(&file).unwrap();
    let mut reader = CaptureReader::open(&file).unwrap();
    reader.read_packets(usize::MAX, &mut |p| {
        let at = p.file_offset.unwrap() as usize;
        assert_eq!(&bytes[at..at + 4], &6u32.to_le_bytes());
        assert_eq!(&bytes[at + 28..at + 28 + p.data.len()], p.data);
    });
}

#[test]
fn batches_of_any_size_give_the_same_packets() {
    let name = "11_concurrent-3-clients_gst.pcapng";
    let mut lens = Vec::new();
    let mut reader = CaptureReader::open(&path(name)).unwrap();
    while reader.read_packets(1, &mut |p| lens.push((p.frame, p.data.len()))) > 0 {}
    let mut all = Vec::new();
    let mut reader = CaptureReader::open(&path(name)).unwrap();
    assert_eq!(
        reader.read_packets(usize::MAX, &mut |p| all.push((p.frame, p.data.len()))),
        2236
    );
    assert_eq!(reader.read_packets(usize::MAX, &mut |_| {}), 0);
    assert_eq!(lens, all);
}

#[test]
fn opening_what_is_not_a_capture() {
    use rtsp_inspector::capture::file::CaptureError;
    let e = CaptureReader::open(&path("no-such-file.pcap"))
        .err()
        .expect("missing");
    assert!(matches!(e, CaptureError::Io { .. }), "{e}");
    let e = CaptureReader::open(&path("MANIFEST.md"))
        .err()
        .expect("text");
    match e {
        CaptureError::NotACapture { detail, .. } => assert!(detail.contains("text"), "{detail}"),
        other => panic!("{other}"),
    }
    let e = CaptureReader::open(Path::new(CAPTURES))
        .err()
        .expect("directory");
    assert!(matches!(e, CaptureError::Io { .. }), "{e}");
}

/// Throughput on a big capture: `RTSP_BENCH_CAPTURE=big.pcapng cargo test --release --test
/// capture_reader -- --ignored --nocapture read_speed`.
#[test]
#[ignore]
fn read_speed() {
    let Ok(file) = std::env::var("RTSP_BENCH_CAPTURE") else {
        return;
    };
    for _ in 0..3 {
        let start = std::time::Instant::now();
        let mut reader = CaptureReader::open(Path::new(&file)).unwrap();
        let (mut n, mut bytes, mut decoded) = (0u64, 0u64, 0u64);
        while reader.read_packets(4096, &mut |p| {
            n += 1;
            bytes += p.data.len() as u64 + u64::from(p.data.first().copied().unwrap_or(0));
        }) > 0
        {}
        let read = start.elapsed();
        let mut reader = CaptureReader::open(Path::new(&file)).unwrap();
        let start = std::time::Instant::now();
        while reader.read_packets(4096, &mut |p| {
            decoded += u64::from(decode(p.link_type, p.data, p.orig_len).is_ok());
        }) > 0
        {}
        println!(
            "{n} packets, {bytes} bytes: read {:.3} s ({:.0} MB/s); read+decode {:.3} s ({decoded} decoded)",
            read.as_secs_f64(),
            reader.bytes_read() as f64 / read.as_secs_f64() / 1e6,
            start.elapsed().as_secs_f64()
        );
    }
}
