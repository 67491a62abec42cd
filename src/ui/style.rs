//! Colours, sizes and the theme: one place, so the ladder, the graphs and the lists agree on
//! what a request, a reply, a failure and a finding look like in both themes.

use eframe::egui::{self, Color32, Visuals};
use serde::{Deserialize, Serialize};

use crate::model::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum ThemeChoice {
    #[default]
    System,
    Light,
    Dark,
}

impl ThemeChoice {
    pub const ALL: [ThemeChoice; 3] = [ThemeChoice::System, ThemeChoice::Light, ThemeChoice::Dark];

    pub fn name(self) -> &'static str {
        match self {
            ThemeChoice::System => "Follow the system",
            ThemeChoice::Light => "Light",
            ThemeChoice::Dark => "Dark",
        }
    }

    pub fn preference(self) -> egui::ThemePreference {
        match self {
            ThemeChoice::System => egui::ThemePreference::System,
            ThemeChoice::Light => egui::ThemePreference::Light,
            ThemeChoice::Dark => egui::ThemePreference::Dark,
        }
    }
}

/// The colours of one theme. Picked for contrast on egui's panel fill in each theme.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    pub request: Color32,
    pub reply: Color32,
    pub failure: Color32,
    pub warning: Color32,
    pub info: Color32,
    pub media: Color32,
    pub lifeline: Color32,
    pub client: Color32,
    pub server: Color32,
    pub node_fill: Color32,
    pub node_stroke: Color32,
    pub current_text: Color32,
    pub edge: Color32,
    pub weak: Color32,
}

impl Palette {
    pub fn of(visuals: &Visuals) -> Palette {
        if visuals.dark_mode {
            Palette {
                request: Color32::from_rgb(110, 170, 255),
                reply: Color32::from_rgb(120, 205, 140),
                failure: Color32::from_rgb(255, 110, 100),
                warning: Color32::from_rgb(240, 185, 70),
                info: Color32::from_rgb(150, 170, 200),
                media: Color32::from_rgba_unmultiplied(120, 120, 200, 48),
                lifeline: Color32::from_gray(85),
                client: Color32::from_rgb(70, 130, 230),
                server: Color32::from_rgb(200, 120, 50),
                node_fill: Color32::from_gray(40),
                node_stroke: Color32::from_gray(110),
                current_text: Color32::WHITE,
                edge: Color32::from_gray(120),
                weak: Color32::from_gray(150),
            }
        } else {
            Palette {
                request: Color32::from_rgb(25, 90, 200),
                reply: Color32::from_rgb(20, 130, 60),
                failure: Color32::from_rgb(200, 40, 30),
                warning: Color32::from_rgb(175, 110, 0),
                info: Color32::from_rgb(80, 100, 130),
                media: Color32::from_rgba_unmultiplied(90, 90, 200, 36),
                lifeline: Color32::from_gray(190),
                client: Color32::from_rgb(35, 100, 210),
                server: Color32::from_rgb(190, 95, 20),
                node_fill: Color32::from_gray(245),
                node_stroke: Color32::from_gray(150),
                current_text: Color32::WHITE,
                edge: Color32::from_gray(150),
                weak: Color32::from_gray(100),
            }
        }
    }

    pub fn severity(&self, severity: Severity) -> Color32 {
        match severity {
            Severity::Error => self.failure,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
        }
    }

    /// The colour of a reply's status: failures (3xx and up) stand out.
    pub fn status(&self, status: Option<u16>) -> Color32 {
        match status {
            Some(300..) | None => self.failure,
            Some(_) => self.reply,
        }
    }
}

/// The few text sizes the views draw with besides egui's text styles. Every size is a glyph
/// cache of its own, filled the first time the size is drawn: fewer sizes, less of that work
/// (see [`warm_glyphs`]).
pub mod font {
    use eframe::egui::FontId;

    /// Annotations: times, loop labels, media bands, RFC rows.
    pub const SMALL: FontId = FontId::proportional(11.0);
    /// Arrow labels, state names.
    pub const LABEL: FontId = FontId::proportional(12.5);
    /// Titles of the graphs and finding texts.
    pub const TITLE: FontId = FontId::proportional(13.0);
    /// The step bar's sentence, the one thing to read first.
    pub const STEP: FontId = FontId::proportional(14.5);
    /// Raw bytes and finding codes.
    pub const MONO: FontId = FontId::monospace(12.0);
}

/// Lays out the printable ASCII (and the few other characters the views use) in every size the
/// capture views use, at each of the four quarter-pixel offsets epaint rasterises a glyph at,
/// so that the glyphs are rasterised in the first frame (drawn before the window shows) rather
/// than in the first frame with a capture on screen: that frame took 19-33 ms instead of about
/// 5 (release, 1 GB capture B).
pub fn warm_glyphs(ui: &egui::Ui) {
    // The non-ASCII the views draw: separators, arrows, units, the live dot.
    let printable: String = (' '..='~').chain("·→←↑↓↻…—–§µ×●".chars()).collect();
    let quarter_pixel = 0.25 / ui.ctx().pixels_per_point();
    let mut fonts: Vec<egui::FontId> = [
        egui::TextStyle::Small,
        egui::TextStyle::Body,
        egui::TextStyle::Button,
        egui::TextStyle::Monospace,
    ]
    .iter()
    .map(|style| style.resolve(ui.style()))
    .collect();
    for own in [
        font::SMALL,
        font::LABEL,
        font::TITLE,
        font::STEP,
        font::MONO,
    ] {
        if !fonts.contains(&own) {
            fonts.push(own);
        }
    }
    ui.fonts_mut(|f| {
        for font in fonts {
            for quarter in 0..4 {
                let mut job = egui::text::LayoutJob::default();
                job.append(
                    &printable,
                    quarter as f32 * quarter_pixel,
                    egui::TextFormat::simple(font.clone(), egui::Color32::WHITE),
                );
                f.layout_job(job);
            }
        }
    });
}

/// Our fonts and spacing on top of egui's defaults: a little more air between items, so the
/// lists and the message view read as a tool rather than a debug panel. Call before any text of
/// the first frame is laid out (fonts change at once only then).
pub fn apply(ctx: &egui::Context) {
    // egui's proportional font has no arrows; its monospace font (Hack) has → ↑ ↓ ↻, so it is
    // the proportional family's fallback.
    let mut fonts = egui::FontDefinitions::default();
    if let Some(proportional) = fonts.families.get_mut(&egui::FontFamily::Proportional)
        && !proportional.iter().any(|f| f == "Hack")
    {
        proportional.push("Hack".to_string());
    }
    ctx.set_fonts(fonts);
    ctx.global_style_mut(|style| {
        style.spacing.item_spacing = egui::vec2(8.0, 5.0);
        style.spacing.button_padding = egui::vec2(8.0, 3.0);
        style.spacing.interact_size.y = 22.0;
    });
}

/// The window's icon: a small ladder diagram (two lifelines, three arrows), drawn here rather
/// than shipped as a file.
pub fn icon() -> egui::IconData {
    const SIZE: usize = 64;
    let mut rgba = vec![0u8; SIZE * SIZE * 4];
    let mut put = |x: usize, y: usize, c: [u8; 4]| {
        if x < SIZE && y < SIZE {
            let i = (y * SIZE + x) * 4;
            rgba[i..i + 4].copy_from_slice(&c);
        }
    };
    let background = [32, 74, 150, 255];
    let white = [240, 244, 250, 255];
    let green = [130, 220, 150, 255];
    for y in 0..SIZE {
        for x in 0..SIZE {
            // Rounded corners: leave the pixels outside a radius-10 arc transparent.
            let cx = x.clamp(10, SIZE - 11) as i32 - x as i32;
            let cy = y.clamp(10, SIZE - 11) as i32 - y as i32;
            if cx * cx + cy * cy <= 100 {
                put(x, y, background);
            }
        }
    }
    for y in 10..54 {
        for x in 14..17 {
            put(x, y, white);
        }
        for x in 47..50 {
            put(x, y, white);
        }
    }
    for (row, colour, rightwards) in [(20, white, true), (32, green, false), (44, white, true)] {
        for x in 17..47 {
            for dy in 0..2 {
                put(x, row + dy, colour);
            }
        }
        for i in 0..6 {
            let x = if rightwards { 46 - i } else { 17 + i };
            for dy in 0..=i {
                put(x, row - dy + 1, colour);
                put(x, row + dy, colour);
            }
        }
    }
    egui::IconData {
        rgba,
        width: SIZE as u32,
        height: SIZE as u32,
    }
}

/// Row heights of the virtual lists (fixed, so that only the visible rows are laid out).
pub const SESSION_ROW: f32 = 62.0;
pub const FINDING_ROW: f32 = 26.0;

/// A clickable row of a list: a full-width rectangle that lights up when hovered or selected,
/// with `contents` laid out inside it. Screen readers and tests find it by `label`.
pub fn list_row(
    ui: &mut egui::Ui,
    height: f32,
    selected: bool,
    label: impl Fn() -> String,
    contents: impl FnOnce(&mut egui::Ui),
) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(ui.available_width(), height),
        egui::Sense::click(),
    );
    if ui.is_rect_visible(rect) {
        let visuals = ui.visuals();
        let fill = if selected {
            Some(visuals.selection.bg_fill.gamma_multiply(0.55))
        } else if response.hovered() {
            Some(visuals.widgets.hovered.weak_bg_fill.gamma_multiply(0.6))
        } else {
            None
        };
        if let Some(fill) = fill {
            ui.painter().rect_filled(rect, 4.0, fill);
        }
        let inner = rect.shrink2(egui::vec2(8.0, 4.0));
        let mut child = ui.new_child(
            egui::UiBuilder::new()
                .max_rect(inner)
                .layout(egui::Layout::top_down(egui::Align::Min)),
        );
        child.shrink_clip_rect(rect);
        child.spacing_mut().item_spacing.y = 1.0;
        contents(&mut child);
    }
    response
        .widget_info(|| egui::WidgetInfo::selected(egui::Role::Button, true, selected, label()));
    response
}

/// A one-line label that is cut with "…" rather than wrapped or overflowing.
pub fn line(ui: &mut egui::Ui, text: impl Into<egui::WidgetText>) -> egui::Response {
    ui.add(egui::Label::new(text).truncate().selectable(false))
}

/// Paints `text` anchored at `pos`, cut with "…" to fit `width`; returns where it went. For
/// rows that are painted rather than laid out (the virtual lists).
pub fn text_within(
    painter: &egui::Painter,
    pos: egui::Pos2,
    anchor: egui::Align2,
    text: String,
    font: egui::FontId,
    colour: Color32,
    width: f32,
) -> egui::Rect {
    let mut job = egui::text::LayoutJob::simple_singleline(text, font, colour);
    job.wrap = egui::text::TextWrapping::truncate_at_width(width.max(8.0));
    let galley = painter.fonts_mut(|f| f.layout_job(job));
    let rect = anchor.anchor_size(pos, galley.size());
    painter.galley(rect.min, galley, colour);
    rect
}
