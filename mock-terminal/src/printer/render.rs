//! A print job rendered on the device's paper twice: as fixed-column text (what a person reads in
//! a report, a log or a golden file) and as SVG (what the paper looks like, QR codes included as
//! real, scannable modules).
//!
//! Geometry (harness-defined, H9):
//!
//! * the paper is `dots` wide ([`crate::config::DeviceModel::paper_dots`]: 384 on 58 mm);
//! * a character of a font `size` dots high (16 to 64, default [`DEFAULT_SIZE`]) is `size / 2`
//!   dots wide, so a line holds 32 characters at 24, 24 at 32, 16 at 48, 12 at 64;
//! * the text rendering is a grid of default-size cells ([`CELL`] = 12 dots, 32 columns): text
//!   of another size wraps where the paper would wrap it (sooner when bigger; later when smaller,
//!   so a size-16 line can run past 32 characters) and is aligned within the 32 columns; bold,
//!   italic and underline are plain there (the SVG shows them);
//! * a text line is `size * 5 / 4` dots high (30 at the default size); `divider`, `cut` and each
//!   `feed` line take one default line; `space` takes its `pixels` (about `pixels / 24` blank text
//!   lines, rounded);
//! * `columns` split the 32 columns by weight (cell `i` ends at column `32 × Σweights≤i / Σweights`)
//!   and wrap inside their cell;
//! * `divider`: SOLID `-`, DOTTED `.`, EMPTY blank, `offset` dots left blank at both ends;
//! * `cut`: `- - - cut - - -` across the width;
//! * `qr`: `[QR: <content>]` (centred unless aligned otherwise; a long one cut into lines of 32
//!   characters, so the whole content stays readable) in the text; in the SVG a QR code
//!   (the `qrcode` crate, `errorLevel` default M) with a quiet zone of [`QUIET_ZONE`] modules,
//!   each module `dotSize` dots (default [`DEFAULT_DOT_SIZE`]), smaller when the code would not
//!   fit the paper.
//!
//! Text lines carry no trailing spaces; the text ends with a newline. Control characters print as
//! spaces. Nothing here can fail: a QR code that cannot be encoded prints its placeholder line.

use std::fmt::Write as _;

use kushki_protocol::connect::{Align, Column, DividerType, PrintCommand, QrErrorLevel};
use qrcode::{Color, EcLevel, QrCode};

/// Font height when a `text` command gives no `size` (H9).
pub const DEFAULT_SIZE: u32 = 24;
/// Width in dots of one column of the text rendering: a default-size character.
pub const CELL: u32 = DEFAULT_SIZE / 2;
/// Module size in dots when a `qr` command gives no `dotSize` (harness-defined).
pub const DEFAULT_DOT_SIZE: u32 = 4;
/// Blank modules around a QR code (the QR specification's quiet zone).
pub const QUIET_ZONE: u32 = 4;
/// Smallest and largest font height a `text` command may ask for (H9).
pub const SIZES: (u32, u32) = (16, 64);

/// Both renderings of one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendering {
    /// Fixed-column text, one line per printed line.
    pub text: String,
    /// A standalone SVG document `dots` wide.
    pub svg: String,
}

/// Renders `commands` on paper `dots` wide.
pub fn render(commands: &[PrintCommand], dots: u32) -> Rendering {
    let mut page = Page::new(dots);
    for command in commands {
        page.command(command);
    }
    page.finish()
}

/// Height in dots of a text line of font `size`.
pub fn line_height(size: u32) -> u32 {
    size + size / 4
}

/// The characters a line of font `size` holds on paper `dots` wide.
pub fn chars_per_line(dots: u32, size: u32) -> usize {
    ((dots * 2) / size.max(1)).max(1) as usize
}

struct Page {
    dots: u32,
    lines: Vec<String>,
    svg: String,
    /// Top of the next line, in dots.
    y: u32,
}

impl Page {
    fn new(dots: u32) -> Page {
        Page {
            dots: dots.max(CELL),
            lines: Vec::new(),
            svg: String::new(),
            y: 0,
        }
    }

    /// Columns of the text rendering.
    fn columns(&self) -> usize {
        (self.dots / CELL) as usize
    }

    fn command(&mut self, command: &PrintCommand) {
        match command {
            PrintCommand::Text {
                text,
                align,
                size,
                bold,
                italic,
                underline,
            } => {
                let style = Style {
                    size: size.unwrap_or(DEFAULT_SIZE).clamp(SIZES.0, SIZES.1),
                    bold: bold.unwrap_or(false),
                    italic: italic.unwrap_or(false),
                    underline: underline.unwrap_or(false),
                };
                self.text(text, align.unwrap_or(Align::Left), style);
            }
            PrintCommand::Columns { columns } => self.cells(columns),
            PrintCommand::Divider {
                divider_type,
                offset,
            } => self.divider(
                divider_type.unwrap_or(DividerType::Solid),
                offset.unwrap_or(0),
            ),
            PrintCommand::Feed { lines } => {
                for _ in 0..*lines {
                    self.lines.push(String::new());
                }
                self.y += lines * line_height(DEFAULT_SIZE);
            }
            PrintCommand::Space { pixels } => {
                let blank = (pixels + DEFAULT_SIZE / 2) / DEFAULT_SIZE;
                for _ in 0..blank {
                    self.lines.push(String::new());
                }
                self.y += pixels;
            }
            PrintCommand::Cut => self.cut(),
            PrintCommand::Qr {
                content,
                dot_size,
                error_level,
                align,
            } => self.qr(
                content,
                dot_size.unwrap_or(DEFAULT_DOT_SIZE),
                error_level.unwrap_or(QrErrorLevel::M),
                align.unwrap_or(Align::Center),
            ),
        }
    }

    fn text(&mut self, text: &str, align: Align, style: Style) {
        let per_line = chars_per_line(self.dots, style.size);
        for line in wrap(text, per_line) {
            self.text_line(&line, align);
            let width = line.chars().count() as u32 * style.size / 2;
            self.svg_text(offset(align, self.dots, width), width, &line, style);
            self.y += line_height(style.size);
        }
    }

    /// Adds `line` to the text rendering, aligned within its columns.
    fn text_line(&mut self, line: &str, align: Align) {
        let n = line.chars().count();
        let left = offset(align, self.columns() as u32, n as u32) as usize;
        self.lines
            .push(trim_end(format!("{}{line}", " ".repeat(left))));
    }

    fn cells(&mut self, cells: &[Column]) {
        let total = self.columns();
        let weights: Vec<u64> = cells.iter().map(|c| u64::from(c.weight.max(1))).collect();
        let sum: u64 = weights.iter().sum();
        let mut bounds = vec![0usize];
        let mut running = 0u64;
        for w in &weights {
            running += w;
            bounds.push((total as u64 * running / sum) as usize);
        }
        let wrapped: Vec<Vec<String>> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let width = bounds[i + 1] - bounds[i];
                if width == 0 {
                    Vec::new()
                } else {
                    wrap(&c.text, width)
                }
            })
            .collect();
        let rows = wrapped.iter().map(Vec::len).max().unwrap_or(0).max(1);
        let style = Style::plain();
        for row in 0..rows {
            let mut line = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let width = bounds[i + 1] - bounds[i];
                let piece = wrapped[i].get(row).map(String::as_str).unwrap_or("");
                let n = piece.chars().count();
                let pad = match cell.align.unwrap_or(Align::Left) {
                    Align::Left => 0,
                    Align::Center => (width - n) / 2,
                    Align::Right => width - n,
                };
                line.push_str(&" ".repeat(pad));
                line.push_str(piece);
                line.push_str(&" ".repeat(width - n - pad));
                if n > 0 {
                    let x = (bounds[i] + pad) as u32 * CELL;
                    self.svg_text(x, n as u32 * CELL, piece, style);
                }
            }
            self.lines.push(trim_end(line));
            self.y += line_height(DEFAULT_SIZE);
        }
    }

    fn divider(&mut self, kind: DividerType, offset_dots: u32) {
        let offset_dots = offset_dots.min(self.dots / 2);
        let inset = (offset_dots / CELL) as usize;
        let glyph = match kind {
            DividerType::Solid => Some('-'),
            DividerType::Dotted => Some('.'),
            DividerType::Empty => None,
        };
        let line = match glyph {
            Some(g) => format!(
                "{}{}",
                " ".repeat(inset),
                g.to_string()
                    .repeat(self.columns().saturating_sub(2 * inset))
            ),
            None => String::new(),
        };
        self.lines.push(trim_end(line));
        if glyph.is_some() && offset_dots * 2 < self.dots {
            let mid = self.y + line_height(DEFAULT_SIZE) / 2;
            let dash = if kind == DividerType::Dotted {
                r#" stroke-dasharray="2 4""#
            } else {
                ""
            };
            let _ = write!(
                self.svg,
                r##"<line x1="{offset_dots}" y1="{mid}" x2="{}" y2="{mid}" stroke="#000" stroke-width="2"{dash}/>"##,
                self.dots - offset_dots
            );
        }
        self.y += line_height(DEFAULT_SIZE);
    }

    fn cut(&mut self) {
        self.lines.push(cut_line(self.columns()));
        let mid = self.y + line_height(DEFAULT_SIZE) / 2;
        let centre = self.dots / 2;
        let gap = 3 * CELL;
        let _ = write!(
            self.svg,
            r##"<g class="cut"><line x1="0" y1="{mid}" x2="{}" y2="{mid}" stroke="#000" stroke-dasharray="6 6"/><line x1="{}" y1="{mid}" x2="{}" y2="{mid}" stroke="#000" stroke-dasharray="6 6"/></g>"##,
            centre.saturating_sub(gap),
            centre + gap,
            self.dots
        );
        let label = "cut";
        let width = label.len() as u32 * 8;
        self.svg_text(
            centre - width / 2,
            width,
            label,
            Style {
                size: SIZES.0,
                ..Style::plain()
            },
        );
        self.y += line_height(DEFAULT_SIZE);
    }

    fn qr(&mut self, content: &str, dot_size: u32, level: QrErrorLevel, align: Align) {
        let placeholder = chunks(&format!("[QR: {content}]"), self.columns());
        for line in &placeholder {
            self.text_line(line, align);
        }
        let ec = match level {
            QrErrorLevel::L => EcLevel::L,
            QrErrorLevel::M => EcLevel::M,
            QrErrorLevel::Q => EcLevel::Q,
            QrErrorLevel::H => EcLevel::H,
        };
        let Ok(code) = QrCode::with_error_correction_level(content.as_bytes(), ec) else {
            // Too long for any QR version at this level: the paper shows the placeholder.
            for line in &placeholder {
                let width = line.chars().count() as u32 * CELL;
                self.svg_text(offset(align, self.dots, width), width, line, Style::plain());
                self.y += line_height(DEFAULT_SIZE);
            }
            return;
        };
        let modules = code.width() as u32;
        let span = modules + 2 * QUIET_ZONE;
        let dot = dot_size.clamp(1, 16).min(self.dots / span).max(1);
        let side = span * dot;
        let left = offset(align, self.dots, side);
        let colors = code.to_colors();
        let _ = write!(
            self.svg,
            r#"<g class="qr" data-modules="{modules}" data-dot="{dot}">"#
        );
        for row in 0..modules {
            let mut col = 0;
            while col < modules {
                let at = |c: u32| colors[(row * modules + c) as usize] == Color::Dark;
                if !at(col) {
                    col += 1;
                    continue;
                }
                let start = col;
                while col < modules && at(col) {
                    col += 1;
                }
                let _ = write!(
                    self.svg,
                    r##"<rect x="{}" y="{}" width="{}" height="{dot}" fill="#000"/>"##,
                    left + (QUIET_ZONE + start) * dot,
                    self.y + (QUIET_ZONE + row) * dot,
                    (col - start) * dot,
                );
            }
        }
        self.svg.push_str("</g>");
        self.y += side;
    }

    fn svg_text(&mut self, x: u32, width: u32, text: &str, style: Style) {
        if text.trim().is_empty() {
            return;
        }
        let baseline = self.y + style.size;
        let mut attrs = String::new();
        if style.bold {
            attrs.push_str(r#" font-weight="bold""#);
        }
        if style.italic {
            attrs.push_str(r#" font-style="italic""#);
        }
        if style.underline {
            attrs.push_str(r#" text-decoration="underline""#);
        }
        // A monospace glyph is about 0.6 em wide; the layout gives it `size / 2` dots, so the
        // font is 5/6 of `size`. `textLength` holds the width exactly where it is honoured.
        let tenths = style.size * 50 / 6;
        let _ = write!(
            self.svg,
            r#"<text x="{x}" y="{baseline}" font-size="{}.{}" textLength="{width}" lengthAdjust="spacingAndGlyphs"{attrs}>{}</text>"#,
            tenths / 10,
            tenths % 10,
            escape(text)
        );
    }

    fn finish(self) -> Rendering {
        let mut text = self.lines.join("\n");
        if !self.lines.is_empty() {
            text.push('\n');
        }
        let height = self.y.max(1);
        let svg = format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{height}" viewBox="0 0 {w} {height}" xml:space="preserve" font-family="monospace"><rect x="0" y="0" width="{w}" height="{height}" fill="#fff"/>{}</svg>"##,
            self.svg,
            w = self.dots
        );
        Rendering { text, svg }
    }
}

#[derive(Debug, Clone, Copy)]
struct Style {
    size: u32,
    bold: bool,
    italic: bool,
    underline: bool,
}

impl Style {
    fn plain() -> Style {
        Style {
            size: DEFAULT_SIZE,
            bold: false,
            italic: false,
            underline: false,
        }
    }
}

/// Where something `width` dots wide starts on paper `dots` wide.
fn offset(align: Align, dots: u32, width: u32) -> u32 {
    let free = dots.saturating_sub(width);
    match align {
        Align::Left => 0,
        Align::Center => free / 2,
        Align::Right => free,
    }
}

/// `- - - - cut - - - -` across `columns`.
fn cut_line(columns: usize) -> String {
    let mut line: Vec<char> = (0..columns)
        .map(|i| if i % 2 == 0 { '-' } else { ' ' })
        .collect();
    let label: Vec<char> = " cut ".chars().collect();
    if columns >= label.len() {
        let start = (columns - label.len()) / 2;
        line[start..start + label.len()].copy_from_slice(&label);
    }
    trim_end(line.into_iter().collect())
}

/// `text` (control characters as spaces) cut into lines of `width` characters.
fn chunks(text: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    chars
        .chunks(width.max(1))
        .map(|c| trim_end(c.iter().collect()))
        .collect()
}

/// Splits `text` into lines of at most `width` characters: at its newlines, then between words
/// when a line is too long, cutting words longer than a line. A line that fits keeps its spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut out = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph: String = paragraph
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        if paragraph.chars().count() <= width {
            out.push(trim_end(paragraph));
            continue;
        }
        let before = out.len();
        let mut line: Vec<char> = Vec::new();
        for word in paragraph.split_whitespace() {
            let mut word: &[char] = &word.chars().collect::<Vec<_>>();
            loop {
                if line.is_empty() {
                    if word.len() <= width {
                        line.extend_from_slice(word);
                        break;
                    }
                    out.push(word[..width].iter().collect());
                    word = &word[width..];
                    continue;
                }
                if line.len() + 1 + word.len() <= width {
                    line.push(' ');
                    line.extend_from_slice(word);
                    break;
                }
                out.push(line.drain(..).collect());
            }
        }
        if !line.is_empty() || out.len() == before {
            out.push(line.into_iter().collect());
        }
    }
    out
}

fn trim_end(mut line: String) -> String {
    line.truncate(line.trim_end().len());
    line
}

/// Escapes text for XML content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_size_gives_thirty_two_columns_and_bigger_sizes_fewer() {
        assert_eq!(chars_per_line(384, 24), 32);
        assert_eq!(chars_per_line(384, 32), 24);
        assert_eq!(chars_per_line(384, 48), 16);
        assert_eq!(chars_per_line(384, 64), 12);
        assert_eq!(chars_per_line(384, 16), 48);
    }

    #[test]
    fn wrapping_breaks_between_words_and_cuts_words_longer_than_a_line() {
        assert_eq!(wrap("uno dos tres", 7), ["uno dos", "tres"]);
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
        assert_eq!(wrap("a\nb", 10), ["a", "b"]);
        assert_eq!(wrap("", 10), [""]);
        assert_eq!(wrap("          x", 4), ["x"]);
        assert_eq!(wrap("           ", 4), [""]);
        assert_eq!(
            wrap("Total    9.00", 32),
            ["Total    9.00"],
            "a line that fits keeps its spaces"
        );
    }

    #[test]
    fn the_cut_line_is_centred_on_the_label() {
        assert_eq!(cut_line(32), "- - - - - - - cut - - - - - - -");
        assert_eq!(cut_line(3), "- -");
    }

    #[test]
    fn text_is_escaped_in_the_svg() {
        let r = render(
            &[PrintCommand::Text {
                text: "<a & 'b'>".into(),
                align: None,
                size: None,
                bold: Some(true),
                italic: None,
                underline: None,
            }],
            384,
        );
        assert!(r.svg.contains("&lt;a &amp; &apos;b&apos;&gt;"), "{}", r.svg);
        assert!(r.svg.contains(r#"font-weight="bold""#));
        assert_eq!(r.text, "<a & 'b'>\n");
    }

    #[test]
    fn a_qr_code_too_big_for_its_dot_size_shrinks_to_the_paper() {
        let r = render(
            &[PrintCommand::Qr {
                content: "x".repeat(1000),
                dot_size: Some(16),
                error_level: Some(QrErrorLevel::H),
                align: None,
            }],
            384,
        );
        assert!(r.svg.contains(r#"data-dot="2""#), "{}", &r.svg[..300]);
    }

    #[test]
    fn columns_split_the_width_by_weight() {
        let cell = |text: &str, weight, align| Column {
            text: text.into(),
            weight,
            align,
        };
        let r = render(
            &[PrintCommand::Columns {
                columns: vec![
                    cell("Espresso", 3, None),
                    cell("8.00", 1, Some(Align::Right)),
                ],
            }],
            384,
        );
        assert_eq!(r.text, format!("Espresso{}8.00\n", " ".repeat(20)));
    }
}
