//! Certificates as PDF: a clean A4 page with embedded fonts and a QR code of the
//! verification URL, drawn with krilla (no layout engine, no external files).

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::text::{Font, TextDirection};
use qrcode::{Color, QrCode};

const REGULAR: &[u8] = include_bytes!("../templates/fonts/Lato-Regular.ttf");
const BOLD: &[u8] = include_bytes!("../templates/fonts/Lato-Bold.ttf");

/// A4 in PostScript points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 72.0;

/// Everything printed on a certificate, already in the holder's language.
pub struct CertificateSheet {
    pub organisation: String,
    pub heading: String,
    pub confirms: String,
    pub holder: String,
    pub completed: String,
    pub course: String,
    pub version_line: String,
    pub dates: Vec<(String, String)>,
    pub serial_label: String,
    pub serial: String,
    pub verify_label: String,
    pub verify_url: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the embedded font cannot be read")]
    Font,
    #[error("the QR code cannot be made: {0}")]
    Qr(String),
    #[error("the PDF cannot be written: {0:?}")]
    Write(String),
}

pub fn certificate(sheet: &CertificateSheet) -> Result<Vec<u8>, PdfError> {
    let regular = Font::new(REGULAR.into(), 0).ok_or(PdfError::Font)?;
    let bold = Font::new(BOLD.into(), 0).ok_or(PdfError::Font)?;
    let qr = QrCode::new(sheet.verify_url.as_bytes()).map_err(|e| PdfError::Qr(e.to_string()))?;

    let mut document = Document::new();
    let settings =
        PageSettings::from_wh(WIDTH, HEIGHT).ok_or(PdfError::Write("page size".into()))?;
    let mut page = document.start_page_with(settings);
    let mut surface = page.surface();
    let green = rgb::Color::new(0x2d, 0x6a, 0x2f);
    let ink = rgb::Color::new(0x1b, 0x1f, 0x23);

    // A calm frame.
    if let Some(frame) = rect_path(24.0, 24.0, WIDTH - 48.0, HEIGHT - 48.0) {
        surface.set_fill(None);
        surface.set_stroke(Some(Stroke {
            paint: green.into(),
            width: 3.0,
            ..Default::default()
        }));
        surface.draw_path(&frame);
        surface.set_stroke(None);
    }
    let fill = |color: rgb::Color| Fill {
        paint: color.into(),
        opacity: NormalizedF32::ONE,
        rule: FillRule::NonZero,
    };

    let mut y = 130.0;
    surface.set_fill(Some(fill(green)));
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        regular.clone(),
        14.0,
        &sheet.organisation,
        false,
        TextDirection::Auto,
    );
    y += 60.0;
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        bold.clone(),
        40.0,
        &sheet.heading,
        false,
        TextDirection::Auto,
    );
    surface.set_fill(Some(fill(ink)));
    y += 60.0;
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        regular.clone(),
        14.0,
        &sheet.confirms,
        false,
        TextDirection::Auto,
    );
    y += 40.0;
    for line in wrap(&sheet.holder, 26.0) {
        surface.draw_text(
            Point::from_xy(MARGIN, y),
            bold.clone(),
            26.0,
            &line,
            false,
            TextDirection::Auto,
        );
        y += 34.0;
    }
    y += 6.0;
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        regular.clone(),
        14.0,
        &sheet.completed,
        false,
        TextDirection::Auto,
    );
    y += 34.0;
    for line in wrap(&sheet.course, 20.0) {
        surface.draw_text(
            Point::from_xy(MARGIN, y),
            bold.clone(),
            20.0,
            &line,
            false,
            TextDirection::Auto,
        );
        y += 27.0;
    }
    y += 4.0;
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        regular.clone(),
        12.0,
        &sheet.version_line,
        false,
        TextDirection::Auto,
    );
    y += 50.0;
    for (label, value) in &sheet.dates {
        surface.draw_text(
            Point::from_xy(MARGIN, y),
            regular.clone(),
            12.0,
            label,
            false,
            TextDirection::Auto,
        );
        surface.draw_text(
            Point::from_xy(MARGIN + 150.0, y),
            bold.clone(),
            12.0,
            value,
            false,
            TextDirection::Auto,
        );
        y += 20.0;
    }
    surface.draw_text(
        Point::from_xy(MARGIN, y),
        regular.clone(),
        12.0,
        &sheet.serial_label,
        false,
        TextDirection::Auto,
    );
    surface.draw_text(
        Point::from_xy(MARGIN + 150.0, y),
        bold.clone(),
        12.0,
        &sheet.serial,
        false,
        TextDirection::Auto,
    );

    // The QR code at the bottom, with the URL written out beside it.
    let module = 3.0;
    let size = qr.width() as f32 * module;
    let (qx, qy) = (MARGIN, HEIGHT - MARGIN - size - 10.0);
    let mut modules = PathBuilder::new();
    for (i, color) in qr.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            let (col, row) = ((i % qr.width()) as f32, (i / qr.width()) as f32);
            if let Some(rect) =
                Rect::from_xywh(qx + col * module, qy + row * module, module, module)
            {
                modules.push_rect(rect);
            }
        }
    }
    if let Some(path) = modules.finish() {
        surface.set_fill(Some(fill(rgb::Color::black())));
        surface.draw_path(&path);
    }
    surface.set_fill(Some(fill(ink)));
    let text_x = qx + size + 20.0;
    surface.draw_text(
        Point::from_xy(text_x, qy + 20.0),
        regular.clone(),
        11.0,
        &sheet.verify_label,
        false,
        TextDirection::Auto,
    );
    surface.draw_text(
        Point::from_xy(text_x, qy + 38.0),
        regular,
        9.0,
        &sheet.verify_url,
        false,
        TextDirection::Auto,
    );

    surface.finish();
    page.finish();
    document
        .finish()
        .map_err(|e| PdfError::Write(format!("{e:?}")))
}

fn rect_path(x: f32, y: f32, w: f32, h: f32) -> Option<krilla::geom::Path> {
    let mut builder = PathBuilder::new();
    builder.push_rect(Rect::from_xywh(x, y, w, h)?);
    builder.finish()
}

/// Breaks text into lines that fit the text width, estimating half an em per character.
fn wrap(text: &str, font_size: f32) -> Vec<String> {
    let max_chars = ((WIDTH - 2.0 * MARGIN) / (font_size * 0.5)) as usize;
    let mut lines = vec![String::new()];
    for word in text.split_whitespace() {
        let current = lines.last_mut().expect("starts with one line");
        if !current.is_empty() && current.chars().count() + 1 + word.chars().count() > max_chars {
            lines.push(word.to_owned());
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(word);
        }
    }
    lines
}
