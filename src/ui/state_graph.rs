//! Both state machines as graphs, side by side: the four states of RFC 2326 Appendix A (RFC 7826
//! Appendix B for RTSP/2.0) and the tables' transitions as labelled edges, drawn from
//! `session::machine`'s tables. The state each machine is in after the selected message is lit,
//! the edge it just took is highlighted, and when the two machines disagree (a server that timed
//! the session out) both say so.
//!
//! A transition back to the same state (SETUP in Ready, PLAY in Playing) is written inside the
//! node ("↻ PLAY, SETUP") rather than drawn as a loop: at the sizes a side panel gives, loops
//! and their labels collide with the long TEARDOWN edges.

use eframe::egui::{
    self, Align2, Color32, CornerRadius, FontId, Pos2, Rect, RichText, Sense, Shape, Stroke, Vec2,
    epaint::QuadraticBezierShape, pos2, vec2,
};

use crate::model::{Machine, Message, Model, Session, State, Transition};
use crate::session::machine::Protocol;
use crate::teach::edges::Attempt;
use crate::ui::facts::{self, Edge, Index};
use crate::ui::style::{self, Palette};
use crate::ui::teach::EdgeRef;
use crate::ui::{Command, Scope};

#[derive(Debug, Default)]
pub struct StateGraphView {
    /// Requests at the selected message that have no edge out of a machine's state (teaching
    /// mode sets them): drawn as a dashed edge to nowhere.
    pub attempts: Vec<Attempt>,
}

/// What a click on a graph asks for.
#[derive(Debug, Default)]
struct Clicked {
    state: Option<State>,
    edge: Option<(State, State)>,
}

/// What one graph shows.
struct Shown<'a> {
    machine: Machine,
    protocol: Protocol,
    current: Option<State>,
    /// Transitions of this machine at the selected message.
    taken: Vec<&'a Transition>,
    disagree: bool,
    attempts: Vec<&'a Attempt>,
}

/// The label an attempted edge is found by: "client attempted edge PAUSE from Ready: no such
/// edge (455 Method Not Valid in This State)".
pub fn attempt_label(attempt: &Attempt, reply: Option<&str>) -> String {
    format!(
        "{} attempted edge {} from {}: no such edge{}",
        attempt.machine.name(),
        attempt.method,
        attempt.state,
        reply.map(|r| format!(" ({r})")).unwrap_or_default()
    )
}

/// The label a node is found by: "client state Playing, current".
pub fn node_label(machine: Machine, state: State, current: bool) -> String {
    if current {
        format!("{} state {state}, current", machine.name())
    } else {
        format!("{} state {state}", machine.name())
    }
}

/// The label an edge is found by: "server edge Ready → Playing (PLAY), just taken".
pub fn edge_label(machine: Machine, edge: &Edge, taken: bool) -> String {
    format!(
        "{} edge {} → {} ({}){}",
        machine.name(),
        edge.from,
        edge.to,
        edge.methods.join(", "),
        if taken { ", just taken" } else { "" }
    )
}

impl StateGraphView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        index: &Index,
        scope: Option<Scope>,
        selected: Option<usize>,
    ) -> Option<Command> {
        let message = selected.and_then(|m| model.messages.get(m));
        let session = message
            .and_then(|m| m.session_index)
            .or(match scope {
                Some(Scope::Session(s)) => Some(s),
                _ => None,
            })
            .and_then(|s| model.sessions.get(s));
        let palette = Palette::of(ui.visuals());

        let (states, taken, heading) = match (session, message) {
            (Some(session), Some(message)) if message.session_index == Some(session.id) => (
                facts::states_at(model, message),
                facts::transitions_at(model, index, message),
                format!("after #{} {}", message.index, message.label()),
            ),
            (Some(session), _) => (
                Some((session.client_state, session.server_state)),
                Vec::new(),
                "at the end of the capture".to_string(),
            ),
            (None, _) => (None, Vec::new(), String::new()),
        };
        let protocol = facts::protocol(session.map(|s| s.version.as_str()).unwrap_or("RTSP/1.0"));
        let disagree = states.is_some_and(|(c, s)| c != s);

        ui.horizontal(|ui| {
            ui.strong("State machines");
            match (session, states) {
                (Some(_), Some((client, server))) if disagree => {
                    ui.label(RichText::new(heading).weak());
                    ui.label(
                        RichText::new(format!(
                            "The machines disagree: client {client}, server {server}"
                        ))
                        .color(palette.warning)
                        .strong(),
                    );
                }
                (Some(_), _) => {
                    ui.label(RichText::new(heading).weak());
                }
                (None, _) => {
                    ui.weak("select a session or one of its messages");
                }
            }
        });

        let mut command = None;
        ui.columns(2, |columns| {
            for (column, machine) in columns.iter_mut().zip([Machine::Client, Machine::Server]) {
                let shown = Shown {
                    machine,
                    protocol,
                    current: states.map(|(c, s)| match machine {
                        Machine::Client => c,
                        Machine::Server => s,
                    }),
                    taken: taken
                        .iter()
                        .copied()
                        .filter(|t| t.machine == machine)
                        .collect(),
                    disagree,
                    attempts: self
                        .attempts
                        .iter()
                        .filter(|a| a.machine == machine)
                        .collect(),
                };
                let clicked = graph(column, model, &shown, &palette);
                if let Some(state) = clicked.state
                    && let Some(session) = session
                    && let Some(m) = next_entry(session, machine, state, message)
                {
                    command = Some(Command::SelectMessage(m));
                }
                if let Some((from, to)) = clicked.edge
                    && let Some(session) = session
                {
                    command = Some(Command::ShowEdge(Some(EdgeRef {
                        session: session.id,
                        machine,
                        from,
                        to,
                    })));
                }
            }
        });
        command
    }
}

/// The next message after `after` that brings `machine` into `state` (else the first one):
/// what a click on a state node goes to.
fn next_entry(
    session: &Session,
    machine: Machine,
    state: State,
    after: Option<&Message>,
) -> Option<usize> {
    let entries: Vec<usize> = session
        .transitions
        .iter()
        .filter(|t| t.machine == machine && t.to == state)
        .filter_map(|t| t.message)
        .collect();
    let after = after.map(|m| m.index);
    entries
        .iter()
        .copied()
        .find(|&m| after.is_none_or(|a| m > a))
        .or(entries.first().copied())
}

struct Node {
    state: State,
    centre: Pos2,
    size: Vec2,
    in_table: bool,
    /// The methods that lead back to this state ("PLAY, SETUP").
    loop_methods: Vec<&'static str>,
}

impl Node {
    fn rect(&self) -> Rect {
        Rect::from_center_size(self.centre, self.size)
    }

    /// Where a line from the centre towards `toward` leaves the box.
    fn exit(&self, toward: Pos2) -> Pos2 {
        let d = toward - self.centre;
        let half = self.size / 2.0 + vec2(3.0, 3.0);
        let scale = if d.x.abs() * half.y > d.y.abs() * half.x {
            half.x / d.x.abs().max(1e-3)
        } else {
            half.y / d.y.abs().max(1e-3)
        };
        self.centre + d * scale
    }
}

/// Draws one machine's graph; returns the state whose node was clicked.
fn graph(ui: &mut egui::Ui, model: &Model, shown: &Shown<'_>, palette: &Palette) -> Clicked {
    let title = match (shown.machine, shown.protocol) {
        (Machine::Client, Protocol::Rtsp1) => "Client · RFC 2326 A.1",
        (Machine::Server, Protocol::Rtsp1) => "Server · RFC 2326 A.2",
        (Machine::Client, Protocol::Rtsp2) => "Client · RFC 7826 B",
        (Machine::Server, Protocol::Rtsp2) => "Server · RFC 7826 B",
    };
    let colour = match shown.machine {
        Machine::Client => palette.client,
        Machine::Server => palette.server,
    };
    ui.label(RichText::new(title).color(colour).strong());

    let size = vec2(
        ui.available_width(),
        ui.available_height().clamp(150.0, 340.0),
    );
    let (full, _) = ui.allocate_exact_size(size, Sense::hover());
    let painter = ui.painter_at(full);
    // An attempted edge ends in a strip of its own under the graph, where its label cannot
    // collide with the table's edges.
    const ATTEMPT_STRIP: f32 = 30.0;
    let rect = if shown.attempts.is_empty() {
        full
    } else {
        Rect::from_min_max(full.min, pos2(full.max.x, full.max.y - ATTEMPT_STRIP))
    };
    let text = ui.visuals().text_color();
    let title_font = style::font::TITLE;
    let loop_font = style::font::SMALL;

    let edges = facts::edges(shown.protocol, shown.machine);
    let mut clicked = Clicked::default();
    let in_table = facts::table_states(shown.protocol, shown.machine);
    let measure = |s: &str, font: &FontId| {
        painter
            .fonts_mut(|f| f.layout_no_wrap(s.to_string(), font.clone(), text))
            .size()
            .x
    };
    let mut nodes: Vec<Node> = State::ALL
        .into_iter()
        .map(|state| {
            let loop_methods: Vec<&'static str> = edges
                .iter()
                .filter(|e| e.from == state && e.to == state)
                .flat_map(|e| e.methods.iter().copied())
                .collect();
            let loop_text = loop_line(&loop_methods);
            let width = measure(state.name(), &title_font).max(if loop_text.is_empty() {
                0.0
            } else {
                measure(&loop_text, &loop_font)
            }) + 18.0;
            let height = if loop_methods.is_empty() { 26.0 } else { 38.0 };
            Node {
                state,
                centre: rect.center(),
                size: vec2(width, height),
                in_table: in_table.contains(&state),
                loop_methods,
            }
        })
        .collect();

    // Init and Ready on the middle line, Playing top right, Recording bottom right.
    let margin = 6.0;
    let right_width = nodes[2].size.x.max(nodes[3].size.x);
    let init_x = rect.left() + margin + nodes[0].size.x / 2.0;
    let right_x = rect.right() - margin - right_width / 2.0;
    let mid_y = rect.top() + rect.height() * 0.5;
    nodes[0].centre = pos2(init_x, mid_y);
    nodes[1].centre = pos2(init_x + (right_x - init_x) * 0.48, mid_y);
    nodes[2].centre = pos2(right_x, rect.top() + nodes[2].size.y / 2.0 + 4.0);
    nodes[3].centre = pos2(right_x, rect.bottom() - nodes[3].size.y / 2.0 - 4.0);
    let node = |state: State| &nodes[State::ALL.iter().position(|&s| s == state).unwrap_or(0)];
    let centre = rect.center();

    let taken_here = |from: State, to: State| {
        shown
            .taken
            .iter()
            .any(|t| t.from == from && t.to == to && t.message.is_some())
    };
    let accent = colour;

    // Edges between different states, from the table.
    for edge in edges.iter().filter(|e| e.from != e.to) {
        let (a, b) = (node(edge.from), node(edge.to));
        let has_reverse = edges.iter().any(|e| e.from == edge.to && e.to == edge.from);
        let chord = b.centre - a.centre;
        let normal = vec2(-chord.y, chord.x).normalized();
        let bend = if has_reverse {
            // Two edges between the same states: one on each side of the line.
            -16.0
        } else {
            // A long edge back to Init: around the outside, away from the middle.
            let middle = a.centre + chord / 2.0;
            let away = if (middle - centre).dot(normal) >= 0.0 {
                1.0
            } else {
                -1.0
            };
            away * fitting_bend(
                rect,
                middle,
                normal * away,
                (chord.length() * 0.22).max(18.0),
            )
        };
        let control = a.centre + chord / 2.0 + normal * bend;
        let start = a.exit(control);
        let end = b.exit(control);
        let taken = taken_here(edge.from, edge.to);
        let stroke = if taken {
            Stroke::new(3.0, accent)
        } else {
            Stroke::new(1.2, palette.edge)
        };
        curve(&painter, start, control, end, stroke, false);
        let mid = bezier_point(start, control, end, 0.5);
        let label = edge.methods.join(", ");
        let label_pos = (mid + normal * bend.signum() * 9.0)
            .clamp(rect.min + vec2(32.0, 9.0), rect.max - vec2(32.0, 9.0));
        edge_text(
            &painter,
            ui,
            label_pos,
            &label,
            taken,
            if taken { accent } else { palette.weak },
        );
        let hit = Rect::from_center_size(label_pos, vec2(14.0 + 7.0 * label.len() as f32, 16.0));
        let id = ui.scope_id().with((
            "edge",
            shown.machine.name(),
            edge.from.name(),
            edge.to.name(),
        ));
        let response = ui.interact(hit, id, Sense::click());
        response.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::Role::Button,
                true,
                edge_label(shown.machine, edge, taken),
            )
        });
        if response.hovered() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::PointingHand);
        }
        let response = response
            .on_hover_text("Click: its row of the RFC's table and the messages that took it");
        if response.clicked() {
            clicked.edge = Some((edge.from, edge.to));
        }
    }

    // Transitions the table does not have: the server's timeout, a 3xx back to Init.
    for t in &shown.taken {
        let in_rows = edges.iter().any(|e| e.from == t.from && e.to == t.to);
        if in_rows && t.message.is_some() {
            continue;
        }
        let (a, b) = (node(t.from), node(t.to));
        if t.from == t.to {
            continue;
        }
        let chord = b.centre - a.centre;
        let normal = vec2(-chord.y, chord.x).normalized();
        let middle = a.centre + chord / 2.0;
        // Outside the table's own edge between the same states, away from the middle.
        let away = if (middle - centre).dot(normal) >= 0.0 {
            1.0
        } else {
            -1.0
        };
        let bend = (chord.length() * 0.22).max(18.0) + 16.0;
        let control = middle + normal * away * fitting_bend(rect, middle, normal * away, bend);
        let (start, end) = (a.exit(control), b.exit(control));
        curve(
            &painter,
            start,
            control,
            end,
            Stroke::new(3.0, palette.warning),
            true,
        );
        let why = if t.message.is_none() {
            "timeout"
        } else {
            "redirect"
        };
        // Kept inside the graph: an edge around the outside runs close to its border.
        let label_pos = (bezier_point(start, control, end, 0.5) + normal * away * 9.0)
            .clamp(rect.min + vec2(32.0, 9.0), rect.max - vec2(32.0, 9.0));
        edge_text(&painter, ui, label_pos, why, true, palette.warning);
    }

    // The nodes, over the edges.
    for n in &nodes {
        let current = shown.current == Some(n.state);
        let rect = n.rect();
        let id = ui
            .scope_id()
            .with(("state", shown.machine.name(), n.state.name()));
        let response = ui.interact(rect, id, Sense::click());
        let (fill, stroke, title_colour) = if current {
            let fill = if shown.disagree {
                palette.warning
            } else {
                accent
            };
            (fill, Stroke::new(2.0, fill), palette.current_text)
        } else if !n.in_table {
            (
                Color32::TRANSPARENT,
                Stroke::new(1.0, palette.lifeline),
                palette.lifeline,
            )
        } else {
            let stroke = if response.hovered() {
                Stroke::new(1.5, accent)
            } else {
                Stroke::new(1.0, palette.node_stroke)
            };
            (palette.node_fill, stroke, text)
        };
        painter.rect(
            rect,
            CornerRadius::same(8),
            fill,
            stroke,
            egui::StrokeKind::Inside,
        );
        let title_y = if n.loop_methods.is_empty() {
            rect.center().y
        } else {
            rect.top() + 12.0
        };
        painter.text(
            pos2(rect.center().x, title_y),
            Align2::CENTER_CENTER,
            n.state.name(),
            title_font.clone(),
            title_colour,
        );
        if !n.loop_methods.is_empty() {
            let loop_taken = taken_here(n.state, n.state);
            let colour = match (current, loop_taken) {
                (true, _) => palette.current_text,
                (false, true) => accent,
                (false, false) => palette.weak,
            };
            let font = if loop_taken {
                style::font::SMALL
            } else {
                loop_font.clone()
            };
            painter.text(
                pos2(rect.center().x, rect.bottom() - 10.0),
                Align2::CENTER_CENTER,
                loop_line(&n.loop_methods),
                font,
                colour,
            );
            if loop_taken {
                painter.rect_stroke(
                    rect.expand(3.0),
                    CornerRadius::same(10),
                    Stroke::new(2.0, accent),
                    egui::StrokeKind::Outside,
                );
            }
        }
        let label = node_label(shown.machine, n.state, current);
        response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, &label));
        let entered = n.state.name();
        let response = response.on_hover_text(format!(
            "{} in {entered}. Click: go to the next message that brings the {} here.",
            if current { "Now" } else { "Not now" },
            shown.machine.name()
        ));
        if response.clicked() {
            clicked.state = Some(n.state);
        }
        // The transitions back to the same state, written in the node, are edges too.
        if !n.loop_methods.is_empty() {
            let loop_rect = Rect::from_min_max(pos2(rect.left(), rect.bottom() - 17.0), rect.max);
            let id = ui
                .scope_id()
                .with(("loop", shown.machine.name(), n.state.name()));
            let response = ui.interact(loop_rect, id, Sense::click());
            let edge = Edge {
                from: n.state,
                to: n.state,
                methods: n.loop_methods.clone(),
            };
            let taken = taken_here(n.state, n.state);
            response.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    edge_label(shown.machine, &edge, taken),
                )
            });
            if response
                .on_hover_text("Click: its row of the RFC's table and the messages that took it")
                .clicked()
            {
                clicked.edge = Some((n.state, n.state));
            }
        }
    }
    for attempt in &shown.attempts {
        attempted_edge(
            ui,
            &painter,
            model,
            full,
            node(attempt.state),
            attempt,
            palette,
        );
    }
    clicked
}

/// A request with no edge out of the current state: a dashed red edge from the state down to
/// a ghost that names what was tried and what the server said.
fn attempted_edge(
    ui: &mut egui::Ui,
    painter: &egui::Painter,
    model: &Model,
    full: Rect,
    from: &Node,
    attempt: &Attempt,
    palette: &Palette,
) {
    let reply = attempt
        .reply
        .and_then(|r| model.messages.get(r))
        .map(|r| r.label());
    let text = match (&reply, attempt.status) {
        (Some(_), Some(status)) => format!(
            "{}: no edge out of {} · server: {status}",
            attempt.method, attempt.state
        ),
        _ => format!("{}: no edge out of {}", attempt.method, attempt.state),
    };
    let font = style::font::LABEL;
    let galley = painter.fonts_mut(|f| f.layout_no_wrap(text, font, palette.failure));
    let size = galley.size() + vec2(14.0, 8.0);
    let centre_x = from.centre.x.clamp(
        full.left() + size.x / 2.0 + 2.0,
        full.right() - size.x / 2.0 - 2.0,
    );
    let ghost = Rect::from_center_size(pos2(centre_x, full.bottom() - size.y / 2.0 - 2.0), size);
    let start = from.exit(ghost.center());
    let end = pos2(ghost.center().x, ghost.top() - 1.0);
    let control = start + (end - start) / 2.0 + vec2(18.0, 0.0);
    curve(
        painter,
        start,
        control,
        end,
        Stroke::new(2.5, palette.failure),
        true,
    );
    painter.rect_filled(ghost, 5.0, ui.visuals().panel_fill);
    let points = [
        ghost.left_top(),
        ghost.right_top(),
        ghost.right_bottom(),
        ghost.left_bottom(),
        ghost.left_top(),
    ];
    painter.extend(Shape::dashed_line(
        &points,
        Stroke::new(1.5, palette.failure),
        5.0,
        3.0,
    ));
    painter.galley(ghost.min + vec2(7.0, 4.0), galley, palette.failure);
    let id = ui
        .scope_id()
        .with(("attempt", attempt.machine.name(), attempt.request));
    let response = ui.interact(ghost, id, Sense::hover());
    let label = attempt_label(attempt, reply.as_deref());
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Label, true, &label));
    response.on_hover_text(format!("{} {}", attempt.text, attempt.outcome));
}

/// `bend`, or less, so that the curve's farthest point (half the bend out, for a quadratic
/// curve) and its label stay inside the graph: in a wide, low panel the edges around the outside
/// would run off it.
fn fitting_bend(rect: Rect, middle: Pos2, outward: Vec2, bend: f32) -> f32 {
    let inside = rect.shrink2(vec2(8.0, 16.0));
    let mut bend = bend;
    for _ in 0..12 {
        if inside.contains(middle + outward * (bend * 0.5)) {
            break;
        }
        bend *= 0.8;
    }
    bend
}

fn loop_line(methods: &[&str]) -> String {
    if methods.is_empty() {
        String::new()
    } else {
        format!("↻ {}", methods.join(", "))
    }
}

fn bezier_point(a: Pos2, c: Pos2, b: Pos2, t: f32) -> Pos2 {
    let u = 1.0 - t;
    pos2(
        u * u * a.x + 2.0 * u * t * c.x + t * t * b.x,
        u * u * a.y + 2.0 * u * t * c.y + t * t * b.y,
    )
}

fn curve(
    painter: &egui::Painter,
    start: Pos2,
    control: Pos2,
    end: Pos2,
    stroke: Stroke,
    dashed: bool,
) {
    // Stop the line short of the tip so the arrowhead's point stays sharp.
    let direction = (end - control).normalized();
    let head = 9.0 + stroke.width;
    let shaft_end = end - direction * (head * 0.8);
    if dashed {
        let points: Vec<Pos2> = (0..=16)
            .map(|i| bezier_point(start, control, shaft_end, i as f32 / 16.0))
            .collect();
        painter.extend(Shape::dashed_line(&points, stroke, 5.0, 4.0));
    } else {
        painter.add(QuadraticBezierShape::from_points_stroke(
            [start, control, shaft_end],
            false,
            Color32::TRANSPARENT,
            stroke,
        ));
    }
    let side = vec2(-direction.y, direction.x) * (head * 0.45);
    painter.add(Shape::convex_polygon(
        vec![
            end,
            end - direction * head + side,
            end - direction * head - side,
        ],
        stroke.color,
        Stroke::NONE,
    ));
}

fn edge_text(
    painter: &egui::Painter,
    ui: &egui::Ui,
    pos: Pos2,
    text: &str,
    strong: bool,
    colour: Color32,
) {
    let font = if strong {
        style::font::LABEL
    } else {
        style::font::SMALL
    };
    let galley = painter.fonts_mut(|f| f.layout_no_wrap(text.to_string(), font, colour));
    let rect = Align2::CENTER_CENTER.anchor_size(pos, galley.size());
    // A backing in the panel's colour keeps the label readable where it crosses a line.
    painter.rect_filled(rect.expand2(vec2(3.0, 1.0)), 3.0, ui.visuals().panel_fill);
    painter.galley(rect.min, galley, colour);
}
