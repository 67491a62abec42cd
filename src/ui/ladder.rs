//! The timeline: a ladder (sequence) diagram of one session or connection.
//!
//! One lane per address (clients left, servers right), one arrow per message in capture order:
//! requests solid, replies dashed, failures red, messages with findings marked; the time on the
//! left (since the start of the capture, the time of day, and the gap since the previous
//! message) and both machines' states after the message on the right. Interleaved media is one
//! band, not thousands of arrows.
//!
//! Rows have one fixed height and only the visible ones are laid out and painted, so a ladder
//! of 100 000 messages scrolls like one of 10.

use eframe::egui::{self, Align2, Color32, Rect, RichText, Sense, Shape, Stroke, pos2, vec2};

use crate::export::ladder::media_band_position;
use crate::model::{Direction, Machine, MessageKind, Model, Transition};
use crate::ui::facts::{self, Index, Lane};
use crate::ui::style::{self, Palette, text_within};
use crate::ui::{Command, Scope};

pub const ROW_HEIGHT: f32 = 40.0;
const TIME_WIDTH: f32 = 150.0;
const STATES_WIDTH: f32 = 150.0;
const LANE_MARGIN: f32 = 44.0;

/// The rows of the current scope's ladder, rebuilt when the scope or the model changes.
#[derive(Debug, Default, Clone)]
pub struct Rows {
    pub key: Option<(Option<Scope>, u64)>,
    /// The scope's messages, in capture order.
    pub messages: Vec<usize>,
    /// The row of each of `messages`.
    message_rows: Vec<usize>,
    rows: Vec<Row>,
    /// The media band's text.
    pub band: Option<String>,
    /// Transitions that no message caused (a server's timeout), as (session, transition).
    events: Vec<(usize, usize)>,
    pub lanes: Vec<Lane>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    Message(usize),
    Media,
    /// An entry of `Rows::events`.
    Event(usize),
}

impl Rows {
    pub fn build(model: &Model, scope: Option<Scope>, generation: u64) -> Rows {
        let messages = facts::scope_messages(model, scope);
        let band = facts::media_summary(model, scope);
        let band_at = band.as_ref().map(|_| media_band_position(model, &messages));
        let lanes = facts::lanes(model, &facts::scope_connections(model, scope));
        // A machine that moved on its own (the server's timeout) gets a row at its time, so the
        // ladder shows where the two machines parted.
        let mut events: Vec<(usize, usize)> = match scope {
            Some(Scope::Session(s)) => model
                .sessions
                .get(s)
                .map(|session| {
                    session
                        .transitions
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| t.message.is_none())
                        .map(|(i, _)| (s, i))
                        .collect()
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let event_time = |&(s, t): &(usize, usize)| {
            model
                .sessions
                .get(s)
                .and_then(|session| session.transitions.get(t))
                .map(|t| t.time)
                .unwrap_or(f64::INFINITY)
        };
        events.sort_by(|a, b| event_time(a).total_cmp(&event_time(b)));

        let mut rows = Vec::with_capacity(messages.len() + events.len() + 1);
        let mut message_rows = Vec::with_capacity(messages.len());
        let mut next_event = 0;
        for (position, &m) in messages.iter().enumerate() {
            if band_at == Some(position) {
                rows.push(Row::Media);
            }
            let time = model.messages.get(m).map(|m| m.time).unwrap_or(0.0);
            while next_event < events.len() && event_time(&events[next_event]) < time {
                rows.push(Row::Event(next_event));
                next_event += 1;
            }
            message_rows.push(rows.len());
            rows.push(Row::Message(m));
        }
        while next_event < events.len() {
            rows.push(Row::Event(next_event));
            next_event += 1;
        }
        if band_at == Some(messages.len()) {
            rows.push(Row::Media);
        }
        Rows {
            key: Some((scope, generation)),
            messages,
            message_rows,
            rows,
            band,
            events,
            lanes,
        }
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn row(&self, row: usize) -> Option<Row> {
        self.rows.get(row).copied()
    }

    /// Where a message is among the scope's messages.
    pub fn position(&self, message: usize) -> Option<usize> {
        self.messages.binary_search(&message).ok()
    }

    pub fn row_of(&self, message: usize) -> Option<usize> {
        self.message_rows.get(self.position(message)?).copied()
    }

    fn event<'m>(&self, model: &'m Model, event: usize) -> Option<&'m Transition> {
        let &(s, t) = self.events.get(event)?;
        model.sessions.get(s)?.transitions.get(t)
    }
}

#[derive(Debug, Default)]
pub struct LadderView {
    /// Keep the newest row in view while rows arrive (a capture being read; later, live).
    pub follow: bool,
    /// The selection the view last scrolled to, so that it scrolls only when it changes.
    shown_selection: Option<usize>,
    /// The visible part of the content (from the last frame), to tell whether a row is in view.
    viewport: Option<Rect>,
}

/// Where the lanes are across a row of the given width.
fn lane_xs(left: f32, right: f32, lanes: usize) -> Vec<f32> {
    let from = left + TIME_WIDTH + LANE_MARGIN;
    let to = (right - STATES_WIDTH - LANE_MARGIN).max(from);
    match lanes {
        0 => Vec::new(),
        1 => vec![(from + to) / 2.0],
        n => (0..n)
            .map(|i| from + (to - from) * i as f32 / (n - 1) as f32)
            .collect(),
    }
}

impl LadderView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        index: &Index,
        rows: &Rows,
        selected: Option<usize>,
    ) -> Option<Command> {
        let palette = Palette::of(ui.visuals());
        self.header(ui, model, rows, &palette);
        if rows.is_empty() {
            ui.add_space(12.0);
            ui.weak("No RTSP messages here (yet).");
            return None;
        }

        // A scroll by the user stops following the newest message (the Follow box unticks).
        if self.follow
            && ui.rect_contains_pointer(ui.available_rect_before_wrap())
            && ui.input(|i| {
                i.raw
                    .events
                    .iter()
                    .any(|e| matches!(e, egui::Event::MouseWheel { delta, .. } if delta.y != 0.0))
            })
        {
            self.follow = false;
        }
        let mut area = egui::ScrollArea::vertical()
            .id_salt(("ladder", rows.key.map(|k| k.0)))
            .auto_shrink([false, false])
            .stick_to_bottom(self.follow);
        if selected != self.shown_selection {
            self.shown_selection = selected;
            if let Some(row) = selected.and_then(|m| rows.row_of(m)) {
                let top = row as f32 * ROW_HEIGHT;
                let visible = self
                    .viewport
                    .is_some_and(|v| top >= v.min.y && top + ROW_HEIGHT <= v.max.y);
                if !visible {
                    let height = self
                        .viewport
                        .map(|v| v.height())
                        .unwrap_or(ui.available_height());
                    area = area.vertical_scroll_offset((top - height / 2.0).max(0.0));
                }
            }
        }

        let mut command = None;
        let output = area.show_viewport(ui, |ui, viewport| {
            ui.set_height(ROW_HEIGHT * rows.len() as f32);
            let content = ui.max_rect();
            let first = (viewport.min.y / ROW_HEIGHT).floor().max(0.0) as usize;
            let last = ((viewport.max.y / ROW_HEIGHT).ceil() as usize).min(rows.len());
            let xs = lane_xs(content.left(), content.right(), rows.lanes.len());
            for r in first..last {
                let rect = Rect::from_min_size(
                    pos2(content.left(), content.top() + r as f32 * ROW_HEIGHT),
                    vec2(content.width(), ROW_HEIGHT),
                );
                match rows.row(r) {
                    Some(Row::Message(m)) => {
                        if let Some(c) =
                            message_row(ui, model, index, rows, &xs, rect, m, selected, &palette)
                        {
                            command = Some(c);
                        }
                    }
                    Some(Row::Media) => {
                        let text = rows.band.as_deref().unwrap_or("");
                        media_row(ui, &xs, rect, text, &palette);
                    }
                    Some(Row::Event(e)) => {
                        if let Some(t) = rows.event(model, e) {
                            event_row(ui, model, rows, &xs, rect, t, &palette);
                        }
                    }
                    None => {}
                }
            }
        });
        self.viewport = Some(Rect::from_min_size(
            pos2(0.0, output.state.clamped_offset().y),
            output.inner_rect.size(),
        ));
        command
    }

    /// Lane titles and column titles, above the scrolling rows.
    fn header(&self, ui: &mut egui::Ui, model: &Model, rows: &Rows, palette: &Palette) {
        let (rect, _) = ui.allocate_exact_size(vec2(ui.available_width(), 36.0), Sense::hover());
        let painter = ui.painter_at(rect);
        let small = style::font::SMALL;
        let text = ui.visuals().text_color();
        painter.text(
            pos2(rect.left() + 8.0, rect.top() + 4.0),
            Align2::LEFT_TOP,
            "time",
            small.clone(),
            palette.weak,
        );
        if let Some(start) = model.capture.start_time {
            painter.text(
                pos2(rect.left() + 8.0, rect.top() + 18.0),
                Align2::LEFT_TOP,
                format!("from {} UTC", facts::time_of_day(start)),
                small.clone(),
                palette.weak,
            );
        }
        painter.text(
            pos2(rect.right() - STATES_WIDTH + 8.0, rect.top() + 4.0),
            Align2::LEFT_TOP,
            "states after",
            small.clone(),
            palette.weak,
        );
        painter.text(
            pos2(rect.right() - STATES_WIDTH + 8.0, rect.top() + 18.0),
            Align2::LEFT_TOP,
            "client · server",
            small.clone(),
            palette.weak,
        );
        let xs = lane_xs(rect.left(), rect.right(), rows.lanes.len());
        let spacing = xs
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(2.0 * LANE_MARGIN, f32::min);
        for (lane, &x) in rows.lanes.iter().zip(&xs) {
            let colour = if lane.is_server {
                palette.server
            } else {
                palette.client
            };
            let role = if lane.is_server { "server" } else { "client" };
            painter.text(
                pos2(x, rect.top() + 4.0),
                Align2::CENTER_TOP,
                role,
                style::font::LABEL,
                colour,
            );
            text_within(
                &painter,
                pos2(x, rect.top() + 19.0),
                Align2::CENTER_TOP,
                lane.address.clone(),
                small.clone(),
                text,
                spacing - 8.0,
            );
        }
        painter.hline(
            rect.x_range(),
            rect.bottom() - 0.5,
            ui.visuals().widgets.noninteractive.bg_stroke,
        );
    }
}

fn lifelines(painter: &egui::Painter, xs: &[f32], rect: Rect, palette: &Palette) {
    for &x in xs {
        painter.vline(x, rect.y_range(), Stroke::new(1.0, palette.lifeline));
    }
}

#[allow(clippy::too_many_arguments)]
fn message_row(
    ui: &mut egui::Ui,
    model: &Model,
    index: &Index,
    rows: &Rows,
    xs: &[f32],
    rect: Rect,
    m: usize,
    selected: Option<usize>,
    palette: &Palette,
) -> Option<Command> {
    let message = model.messages.get(m)?;
    let id = ui.scope_id().with(("ladder-row", m));
    let response = ui.interact(rect, id, Sense::click());
    let is_selected = selected == Some(m);
    let label = message.label();
    response.widget_info(|| {
        egui::WidgetInfo::selected(
            egui::Role::Button,
            true,
            is_selected,
            format!("message {m}: {}", facts::arrow_label(message)),
        )
    });
    let painter = ui.painter_at(rect);
    if is_selected {
        painter.rect_filled(
            rect,
            0.0,
            ui.visuals().selection.bg_fill.gamma_multiply(0.45),
        );
    } else if response.hovered() {
        painter.rect_filled(
            rect,
            0.0,
            ui.visuals()
                .widgets
                .hovered
                .weak_bg_fill
                .gamma_multiply(0.5),
        );
    }
    lifelines(&painter, xs, rect, palette);
    let text_colour = ui.visuals().text_color();

    // Time: since the capture's start, then the time of day and the gap since the previous
    // message of this ladder.
    let mono = style::font::MONO;
    let small = style::font::SMALL;
    painter.text(
        pos2(rect.left() + 8.0, rect.top() + 5.0),
        Align2::LEFT_TOP,
        format!("{:.6}", message.time),
        mono.clone(),
        text_colour,
    );
    painter.text(
        pos2(rect.left() + TIME_WIDTH - 8.0, rect.top() + 6.0),
        Align2::RIGHT_TOP,
        format!("fr {}", message.frame),
        small.clone(),
        palette.weak,
    );
    let previous = rows
        .position(m)
        .and_then(|p| p.checked_sub(1))
        .and_then(|p| rows.messages.get(p))
        .and_then(|&p| model.messages.get(p));
    let mut second = model
        .capture
        .start_time
        .map(|start| facts::time_of_day(start + message.time))
        .unwrap_or_default();
    if let Some(previous) = previous {
        second.push_str(&format!(
            "  +{}",
            facts::duration_text(message.time - previous.time)
        ));
    }
    painter.text(
        pos2(rect.left() + 8.0, rect.top() + 22.0),
        Align2::LEFT_TOP,
        second,
        small.clone(),
        palette.weak,
    );

    // The arrow.
    let failed = facts::is_failure(message);
    let colour = match message.kind {
        MessageKind::Request => palette.request,
        MessageKind::Response if failed => palette.failure,
        MessageKind::Response => palette.reply,
    };
    let lanes = facts::message_lanes(model, &rows.lanes, message);
    let arrow_y = rect.top() + 27.0;
    let (from_x, to_x) = match lanes {
        Some((from, to)) => (xs.get(from).copied(), xs.get(to).copied()),
        None => (None, None),
    };
    let (from_x, to_x) = match (from_x, to_x, message.direction) {
        (Some(a), Some(b), _) => (a, b),
        // A lane we cannot place (a connection the model does not list): draw across.
        (_, _, Direction::ClientToServer) => (
            xs.first().copied().unwrap_or(rect.center().x - 40.0),
            xs.last().copied().unwrap_or(rect.center().x + 40.0),
        ),
        (_, _, Direction::ServerToClient) => (
            xs.last().copied().unwrap_or(rect.center().x + 40.0),
            xs.first().copied().unwrap_or(rect.center().x - 40.0),
        ),
    };
    let width = if is_selected { 2.5 } else { 1.6 };
    let stroke = Stroke::new(width, colour);
    let sign = if to_x >= from_x { 1.0 } else { -1.0 };
    let tip = pos2(to_x - sign * 2.0, arrow_y);
    let start = pos2(from_x + sign * 2.0, arrow_y);
    let shaft_end = pos2(tip.x - sign * 8.0, arrow_y);
    match message.kind {
        MessageKind::Request => {
            painter.line_segment([start, shaft_end], stroke);
        }
        MessageKind::Response => {
            painter.extend(Shape::dashed_line(&[start, shaft_end], stroke, 6.0, 4.0));
        }
    }
    painter.add(Shape::convex_polygon(
        vec![
            tip,
            pos2(tip.x - sign * 9.0, arrow_y - 4.5),
            pos2(tip.x - sign * 9.0, arrow_y + 4.5),
        ],
        colour,
        Stroke::NONE,
    ));

    // Its label, above the arrow, cut to the arrow's length.
    let span = (to_x - from_x).abs();
    let label_font = style::font::TITLE;
    let mut text = label.clone();
    if let Some(cseq) = message.cseq {
        text.push_str(&format!("  ·  CSeq {cseq}"));
    }
    if !message.complete {
        text.push_str("  (cut)");
    }
    let label_rect = text_within(
        &painter,
        pos2((from_x + to_x) / 2.0, arrow_y - 4.0),
        Align2::CENTER_BOTTOM,
        text,
        label_font,
        if failed { palette.failure } else { text_colour },
        // The lanes' margins are free: a label may reach into them.
        (span + 2.0 * LANE_MARGIN - 40.0).max(30.0),
    );

    // Findings on this message: a marker beside the label.
    let findings = index.message_findings.get(&m).copied();
    if let Some((count, worst)) = findings {
        let centre = pos2(label_rect.right() + 10.0, label_rect.center().y);
        let marker = palette.severity(worst);
        let text = if count > 1 {
            count.to_string()
        } else {
            "!".to_string()
        };
        let galley = painter.layout_no_wrap(text, style::font::SMALL, Color32::WHITE);
        // A circle, widened into a pill when the count does not fit in it.
        let half_width = (galley.size().x / 2.0 + 3.0).max(7.0);
        let badge = Rect::from_center_size(centre, vec2(2.0 * half_width, 14.0));
        painter.rect_filled(badge, 7.0, marker);
        painter.galley(centre - galley.size() / 2.0, galley, Color32::WHITE);
    }

    // States after the message, with what it changed (the transitions it caused).
    if let (Some((client, server)), Some(_)) = (message.states_after, message.session_index) {
        let moved = facts::transitions_at(model, index, message);
        let left = rect.right() - STATES_WIDTH + 8.0;
        let disagree = client != server;
        for (machine, now, y) in [
            (Machine::Client, client, rect.top() + 5.0),
            (Machine::Server, server, rect.top() + 21.0),
        ] {
            let short = match machine {
                Machine::Client => "C",
                Machine::Server => "S",
            };
            let change = moved.iter().rev().find(|t| t.machine == machine);
            let (text, colour) = match change {
                Some(t) => (format!("{short} {} → {}", t.from, t.to), text_colour),
                None if disagree => (format!("{short} {now}"), palette.warning),
                None => (format!("{short} {now}"), palette.weak),
            };
            painter.text(pos2(left, y), Align2::LEFT_TOP, text, small.clone(), colour);
        }
    }

    let response = response.on_hover_ui(|ui| {
        ui.set_max_width(420.0);
        ui.label(RichText::new(facts::arrow_label(message)).strong());
        if let Some(url) = &message.url {
            ui.label(url);
        }
        if let Some(start) = model.capture.start_time {
            ui.label(format!(
                "{} UTC, frame {}",
                facts::absolute_time(start + message.time),
                message.frame
            ));
        }
        for finding in model.findings_for_message(m) {
            ui.colored_label(
                palette.severity(finding.severity),
                format!("{}: {}", finding.code, finding.text),
            );
        }
    });
    response.clicked().then_some(Command::SelectMessage(m))
}

fn media_row(ui: &egui::Ui, xs: &[f32], rect: Rect, text: &str, palette: &Palette) {
    let painter = ui.painter_at(rect);
    lifelines(&painter, xs, rect, palette);
    let band = Rect::from_min_max(
        pos2(rect.left() + TIME_WIDTH, rect.top() + 8.0),
        pos2(rect.right() - STATES_WIDTH, rect.bottom() - 8.0),
    );
    painter.rect_filled(band, 4.0, palette.media);
    text_within(
        &painter,
        band.center(),
        Align2::CENTER_CENTER,
        text.to_string(),
        style::font::LABEL,
        ui.visuals().text_color(),
        band.width() - 16.0,
    );
    painter.text(
        pos2(rect.left() + 8.0, rect.center().y),
        Align2::LEFT_CENTER,
        "media",
        style::font::SMALL,
        palette.weak,
    );
}

/// A machine that moved on its own: a mark on its lane and what happened, across the row.
fn event_row(
    ui: &egui::Ui,
    model: &Model,
    rows: &Rows,
    xs: &[f32],
    rect: Rect,
    t: &Transition,
    palette: &Palette,
) {
    let painter = ui.painter_at(rect);
    lifelines(&painter, xs, rect, palette);
    let lane = rows.lanes.iter().position(|l| match t.machine {
        Machine::Server => l.is_server,
        Machine::Client => !l.is_server,
    });
    let x = lane
        .and_then(|l| xs.get(l).copied())
        .unwrap_or(rect.center().x);
    let y = rect.center().y + 4.0;
    painter.circle_filled(pos2(x, y), 6.0, palette.warning);
    let small = style::font::SMALL;
    painter.text(
        pos2(rect.left() + 8.0, rect.top() + 5.0),
        Align2::LEFT_TOP,
        format!("{:.6}", t.time),
        style::font::MONO,
        ui.visuals().text_color(),
    );
    if let Some(start) = model.capture.start_time {
        painter.text(
            pos2(rect.left() + 8.0, rect.top() + 22.0),
            Align2::LEFT_TOP,
            facts::time_of_day(start + t.time),
            small.clone(),
            palette.weak,
        );
    }
    let from = rect.left() + TIME_WIDTH + 8.0;
    let to = rect.right() - STATES_WIDTH - 8.0;
    text_within(
        &painter,
        pos2((from + to) / 2.0, y - 8.0),
        Align2::CENTER_BOTTOM,
        format!("{}: {}", t.machine.name(), t.cause),
        style::font::LABEL,
        palette.warning,
        to - from,
    );
    let short = match t.machine {
        Machine::Client => "C",
        Machine::Server => "S",
    };
    painter.text(
        pos2(rect.right() - STATES_WIDTH + 8.0, rect.top() + 13.0),
        Align2::LEFT_TOP,
        format!("{short} {} → {}", t.from, t.to),
        small,
        palette.warning,
    );
}
