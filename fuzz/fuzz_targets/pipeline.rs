#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| rtsp_inspector_fuzz::pipeline(data));
