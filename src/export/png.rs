//! The ladder's SVG rendered to a PNG with resvg, at twice its size so that it stays sharp on
//! a slide.
//!
//! The fonts are the ones egui ships (`epaint_default_fonts`: Ubuntu Light under the Ubuntu
//! Font Licence, Hack under the MIT licence), compiled in, so the picture is the same on every
//! machine whatever fonts it has.

use std::sync::Arc;

use resvg::{tiny_skia, usvg};

/// Pixels per SVG unit.
const SCALE: f32 = 2.0;

/// The most pixels a PNG may have (4 bytes each while rendering): 48 M pixels is 192 MB.
pub const MAX_PIXELS: u64 = 48_000_000;

fn fonts() -> usvg::fontdb::Database {
    let mut db = usvg::fontdb::Database::new();
    db.load_font_data(epaint_default_fonts::UBUNTU_LIGHT.to_vec());
    db.load_font_data(epaint_default_fonts::HACK_REGULAR.to_vec());
    // Whatever names the SVG asks for, the generic families end on these two.
    let family = |mono: bool| {
        db.faces()
            .find(|face| face.monospaced == mono)
            .and_then(|face| face.families.first())
            .map(|(name, _)| name.clone())
    };
    let (sans, mono) = (family(false), family(true));
    if let Some(sans) = sans {
        db.set_sans_serif_family(sans.clone());
        db.set_serif_family(sans);
    }
    if let Some(mono) = mono {
        db.set_monospace_family(mono);
    }
    db
}

/// Renders an SVG document to PNG bytes.
pub fn render(svg: &str) -> Result<Vec<u8>, String> {
    let mut options = usvg::Options {
        font_family: "sans-serif".into(),
        ..usvg::Options::default()
    };
    options.fontdb = Arc::new(fonts());
    let tree = usvg::Tree::from_str(svg, &options).map_err(|e| format!("reading the SVG: {e}"))?;
    let size = tree.size();
    let mut scale = SCALE;
    let pixels = |scale: f32| {
        (f64::from(size.width() * scale).ceil() as u64)
            * (f64::from(size.height() * scale).ceil() as u64)
    };
    if pixels(scale) > MAX_PIXELS {
        scale = 1.0;
    }
    if pixels(scale) > MAX_PIXELS {
        return Err(format!(
            "the ladder is too long for a PNG ({:.0}×{:.0} pixels); export it as SVG, or export \
             a part of it (a connection, or some messages)",
            size.width(),
            size.height()
        ));
    }
    let width = (size.width() * scale).ceil() as u32;
    let height = (size.height() * scale).ceil() as u32;
    let mut pixmap = tiny_skia::Pixmap::new(width, height)
        .ok_or_else(|| format!("cannot make a {width}×{height} picture"))?;
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| format!("encoding the PNG: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_fonts_load_and_name_the_generic_families() {
        let db = fonts();
        assert_eq!(db.len(), 2);
        let sans = db.query(&usvg::fontdb::Query {
            families: &[usvg::fontdb::Family::SansSerif],
            ..Default::default()
        });
        let mono = db.query(&usvg::fontdb::Query {
            families: &[usvg::fontdb::Family::Monospace],
            ..Default::default()
        });
        assert!(sans.is_some() && mono.is_some() && sans != mono);
    }

    #[test]
    fn renders_text() {
        let svg = r##"<svg xmlns="http://www.w3.org/2000/svg" width="60" height="20"><rect width="60" height="20" fill="#fff"/><text x="2" y="15" font-family="Ubuntu, sans-serif" font-size="14">PLAY</text></svg>"##;
        let png = render(svg).expect("renders");
        assert!(png.starts_with(b"\x89PNG"));
    }
}
