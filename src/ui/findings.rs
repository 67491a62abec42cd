//! Every finding of the capture, worst first within capture order; a click goes to its message.

use eframe::egui::{self, RichText};

use crate::model::{Finding, Model, Severity};
use crate::ui::style::{self, Palette};
use crate::ui::{Command, facts};

#[derive(Debug)]
pub struct FindingsView {
    pub show_info: bool,
    pub filter: String,
    /// Rows (finding positions) for (filter, show_info, model generation).
    cache: Option<(String, bool, u64, Vec<usize>)>,
}

impl Default for FindingsView {
    fn default() -> Self {
        FindingsView {
            show_info: true,
            filter: String::new(),
            cache: None,
        }
    }
}

/// The label a finding's row is found by.
pub fn finding_label(finding: &Finding) -> String {
    format!("finding {}: {}", finding.code, finding.text)
}

impl FindingsView {
    #[must_use]
    pub fn ui(
        &mut self,
        ui: &mut egui::Ui,
        model: &Model,
        generation: u64,
        selected: Option<usize>,
    ) -> Option<Command> {
        let palette = Palette::of(ui.visuals());
        let counts = |severity: Severity| {
            model
                .findings
                .iter()
                .filter(|f| f.severity == severity)
                .count()
        };
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.strong(format!("Findings ({})", model.findings.len()));
            for severity in [Severity::Error, Severity::Warning, Severity::Info] {
                let n = counts(severity);
                if n > 0 {
                    let noun = match (severity, n) {
                        (Severity::Error, 1) => "error",
                        (Severity::Error, _) => "errors",
                        (Severity::Warning, 1) => "warning",
                        (Severity::Warning, _) => "warnings",
                        (Severity::Info, _) => "info",
                    };
                    ui.label(
                        RichText::new(format!("{n} {noun}")).color(palette.severity(severity)),
                    );
                }
            }
            ui.separator();
            ui.checkbox(&mut self.show_info, "Show info");
            let label = ui.label("Search");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter)
                    .hint_text("code, status or text")
                    .desired_width(220.0),
            )
            .labelled_by(label.id);
        });
        ui.separator();

        let rows = self.rows(model, generation);
        if rows.is_empty() {
            ui.weak(if model.findings.is_empty() {
                "No findings."
            } else {
                "Nothing matches."
            });
            return None;
        }
        let mut command = None;
        egui::ScrollArea::vertical()
            .id_salt("findings")
            .auto_shrink([false, false])
            .show_rows(ui, style::FINDING_ROW, rows.len(), |ui, range| {
                for &position in &rows[range] {
                    let Some(finding) = model.findings.get(position) else {
                        continue;
                    };
                    let is_selected = finding.message.is_some() && finding.message == selected;
                    let response = style::list_row(
                        ui,
                        style::FINDING_ROW - ui.spacing().item_spacing.y,
                        is_selected,
                        || finding_label(finding),
                        |ui| paint_finding(ui, finding, &palette),
                    );
                    let response = response.on_hover_text(&finding.text);
                    if response.clicked()
                        && let Some(m) = facts::finding_message(model, finding)
                    {
                        command = Some(Command::SelectMessage(m));
                    }
                }
            });
        command
    }

    fn rows(&mut self, model: &Model, generation: u64) -> Vec<usize> {
        let fresh = matches!(&self.cache,
            Some((f, info, g, _)) if *f == self.filter && *info == self.show_info && *g == generation);
        if !fresh {
            let words: Vec<String> = self
                .filter
                .split_whitespace()
                .map(str::to_lowercase)
                .collect();
            let mut rows: Vec<usize> = model
                .findings
                .iter()
                .enumerate()
                .filter(|(_, f)| self.show_info || f.severity != Severity::Info)
                .filter(|(_, f)| {
                    words.iter().all(|w| {
                        f.code.to_lowercase().contains(w) || f.text.to_lowercase().contains(w)
                    })
                })
                .map(|(i, _)| i)
                .collect();
            // Worst first; within a severity, in capture order (the sort is stable).
            rows.sort_by_key(|&i| std::cmp::Reverse(model.findings[i].severity));
            self.cache = Some((self.filter.clone(), self.show_info, generation, rows));
        }
        self.cache
            .as_ref()
            .map(|(_, _, _, rows)| rows.clone())
            .unwrap_or_default()
    }
}

/// One finding's row, painted in columns: severity, code, where, text (cut to the width).
fn paint_finding(ui: &mut egui::Ui, finding: &Finding, palette: &Palette) {
    let rect = ui.max_rect();
    // The row's clip, not the inner rect's: text may use the row's vertical padding.
    let painter = ui.painter();
    let y = rect.center().y;
    let font = style::font::TITLE;
    let colour = palette.severity(finding.severity);
    let text = ui.visuals().text_color();
    let columns = [(0.0, 62.0), (62.0, 200.0), (262.0, 100.0)];
    let cells = [
        (finding.severity.name().to_string(), colour, font.clone()),
        (finding.code.clone(), text, style::font::MONO),
        (
            match (finding.frame, finding.message) {
                (Some(frame), Some(m)) => format!("fr {frame} · #{m}"),
                (Some(frame), None) => format!("fr {frame}"),
                (None, Some(m)) => format!("#{m}"),
                (None, None) => String::new(),
            },
            palette.weak,
            font.clone(),
        ),
    ];
    for ((x, width), (cell, colour, font)) in columns.into_iter().zip(cells) {
        style::text_within(
            painter,
            egui::pos2(rect.left() + x, y),
            egui::Align2::LEFT_CENTER,
            cell,
            font,
            colour,
            width - 8.0,
        );
    }
    let left = rect.left() + 362.0;
    style::text_within(
        painter,
        egui::pos2(left, y),
        egui::Align2::LEFT_CENTER,
        finding.text.clone(),
        font,
        text,
        rect.right() - left,
    );
}
