//! PDF documents (a request, its receipt, a letter, a person's data): a
//! small page layout of titled blocks under the town's letterhead, written
//! in-process with krilla.
//!
//! A document is a list of [`Block`]s; [`render`] breaks their text into
//! lines with the glyph advances of the embedded font (DejaVu Sans, regular
//! and bold, compiled into the binary and subset into each file), puts the
//! lines on A4 pages, then draws every page: the letterhead (the town's
//! colour band, its logo and name), the blocks, and a footer with the
//! document's reference and "page N / M". Text is real text, with its
//! Unicode mapping, so it can be searched, copied and read aloud.
//!
//! Knows nothing of requests or of HTML: the builders in
//! [`super::documents`] say what goes on the page.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, Node, SpanTag, TableHeaderScope, Tag, TagGroup,
    TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use skrifa::MetadataProvider;
use skrifa::instance::{LocationRef, Size as FontSize};
use std::num::NonZeroU16;
use std::sync::LazyLock;

static REGULAR: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
/// Where the blocks start below the letterhead, and end above the footer.
const CONTENT_TOP: f32 = 118.0;
const CONTENT_BOTTOM: f32 = PAGE_H - 60.0;
/// The label column of a [`Block::Field`].
const LABEL_W: f32 = 170.0;
const BODY: f32 = 10.0;
const TEXT: (u8, u8, u8) = (0x1b, 0x1b, 0x1b);
const GREY: (u8, u8, u8) = (0x55, 0x55, 0x55);

/// Who writes: the town, in its colour, with its logo.
pub struct Letterhead<'a> {
    pub town: &'a str,
    /// `#rgb` or `#rrggbb`; a dark blue when it is not a colour.
    pub colour: &'a str,
    /// The logo's bytes and media type (SVG, PNG or JPEG); drawn at most
    /// 44 points high. A logo that cannot be read is left out.
    pub logo: Option<(&'a [u8], &'a str)>,
    /// Lines under the town's name (its site, an address).
    pub lines: Vec<String>,
}

/// One piece of a document, laid out from top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// The document's title, large, in the town's colour.
    Title(String),
    /// A section's heading, ruled underneath.
    Heading(String),
    /// A heading inside a section, in bold.
    Subheading(String),
    /// Running text; a line break in it starts a new line.
    Paragraph(String),
    /// A label and its value, side by side.
    Field(String, String),
    /// A postal address block, at the right as in a window envelope.
    Address(Vec<String>),
    /// A line set to the right (the place and date of a letter).
    Right(String),
    /// Small grey text (a note, a legal mention).
    Small(String),
    /// Vertical space in points.
    Gap(f32),
}

/// A whole document: its blocks and what the PDF says about itself.
pub struct Doc {
    /// The PDF's title (its metadata, and the footer's left part).
    pub title: String,
    pub language: String,
    pub blocks: Vec<Block>,
}

/// A PDF that could not be written.
#[derive(Debug, thiserror::Error)]
#[error("PDF not written: {0}")]
pub struct PdfError(pub String);

struct Fonts {
    regular: Font,
    bold: Font,
}

static FONTS: LazyLock<Fonts> = LazyLock::new(|| Fonts {
    regular: Font::new(REGULAR.into(), 0).expect("DejaVu Sans is a font"),
    bold: Font::new(BOLD.into(), 0).expect("DejaVu Sans Bold is a font"),
});

/// Glyph advances of one face, in em, by character.
struct Measure {
    advances: std::collections::HashMap<char, f32>,
    fallback: f32,
}

impl Measure {
    fn of(data: &'static [u8]) -> Measure {
        let font = skrifa::FontRef::new(data).expect("an embedded font");
        // At a size of one, advances are in em.
        let metrics = font.glyph_metrics(FontSize::new(1.0), LocationRef::default());
        let charmap = font.charmap();
        let mut advances = std::collections::HashMap::new();
        for (code, glyph) in charmap.mappings() {
            if let (Some(c), Some(w)) = (char::from_u32(code), metrics.advance_width(glyph)) {
                advances.insert(c, w);
            }
        }
        Measure {
            advances,
            fallback: 0.6,
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advances.get(&c).copied().unwrap_or(self.fallback))
            .sum::<f32>()
            * size
    }
}

static MEASURES: LazyLock<(Measure, Measure)> =
    LazyLock::new(|| (Measure::of(REGULAR), Measure::of(BOLD)));

fn measure(bold: bool) -> &'static Measure {
    if bold { &MEASURES.1 } else { &MEASURES.0 }
}

/// The width of `text` in points.
pub fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    measure(bold).width(text, size)
}

/// `text` broken into lines no wider than `width`: at spaces, a word longer
/// than a line cut where it must; each line break of the text kept.
pub fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let m = measure(bold);
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let paragraph = paragraph.trim_end_matches('\r');
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if m.width(&candidate, size) <= width {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // A word wider than the line: cut it.
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if m.width(&piece, size) > width && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        lines.push(line);
    }
    lines
}

/// What is drawn on a page, positions in points from its top left corner.
#[derive(Debug, Clone)]
enum Ink {
    Text {
        x: f32,
        /// The baseline.
        y: f32,
        size: f32,
        bold: bool,
        colour: (u8, u8, u8),
        text: String,
    },
    Rule {
        y: f32,
        colour: (u8, u8, u8),
    },
}

/// Lays blocks out on pages.
struct Layout {
    /// Each page's inks, each with the piece of the document it draws.
    pages: Vec<Vec<(Ink, Piece)>>,
    y: f32,
    accent: (u8, u8, u8),
    /// The piece being laid out.
    piece: Piece,
}

/// Which block an ink belongs to, and which part of it (a field's label is
/// part 0, its value part 1): what the tag tree groups text by.
type Piece = (usize, u8);

impl Layout {
    fn new(accent: (u8, u8, u8)) -> Layout {
        Layout {
            pages: vec![Vec::new()],
            y: CONTENT_TOP,
            accent,
            piece: (0, 0),
        }
    }

    /// Room for `height` more points, on a new page if this one is full.
    fn room(&mut self, height: f32) {
        if self.y + height > CONTENT_BOTTOM && self.y > CONTENT_TOP {
            self.pages.push(Vec::new());
            self.y = CONTENT_TOP;
        }
    }

    fn ink(&mut self, ink: Ink) {
        let piece = self.piece;
        self.pages.last_mut().expect("a page").push((ink, piece));
    }

    #[allow(clippy::too_many_arguments)]
    fn lines(
        &mut self,
        x: f32,
        width: f32,
        text: &str,
        size: f32,
        bold: bool,
        colour: (u8, u8, u8),
        leading: f32,
    ) {
        for line in wrap(text, size, bold, width) {
            self.room(leading);
            self.y += leading;
            if !line.is_empty() {
                self.ink(Ink::Text {
                    x,
                    y: self.y - (leading - size) * 0.5,
                    size,
                    bold,
                    colour,
                    text: line,
                });
            }
        }
    }

    fn block(&mut self, block: &Block) {
        let full = PAGE_W - 2.0 * MARGIN;
        match block {
            Block::Title(t) => {
                self.lines(MARGIN, full, t, 17.0, true, self.accent, 23.0);
                self.y += 6.0;
            }
            Block::Heading(t) => {
                // A heading is never alone at the bottom of a page.
                self.room(18.0 + 4.0 * 14.0);
                self.y += 12.0;
                self.lines(MARGIN, full, t, 12.0, true, self.accent, 17.0);
                self.y += 3.0;
                let y = self.y;
                self.ink(Ink::Rule {
                    y,
                    colour: self.accent,
                });
                self.y += 5.0;
            }
            Block::Subheading(t) => {
                self.room(16.0 + 3.0 * 14.0);
                self.y += 6.0;
                self.lines(MARGIN, full, t, 10.5, true, TEXT, 15.0);
                self.y += 2.0;
            }
            Block::Paragraph(t) => {
                self.lines(MARGIN, full, t, BODY, false, TEXT, 14.0);
                self.y += 5.0;
            }
            Block::Small(t) => {
                self.lines(MARGIN, full, t, 8.0, false, GREY, 11.0);
                self.y += 3.0;
            }
            Block::Right(t) => {
                let w = text_width(t, BODY, false);
                self.room(14.0);
                self.y += 14.0;
                self.ink(Ink::Text {
                    x: PAGE_W - MARGIN - w,
                    y: self.y - 2.0,
                    size: BODY,
                    bold: false,
                    colour: TEXT,
                    text: t.clone(),
                });
                self.y += 5.0;
            }
            Block::Address(lines) => {
                let x = PAGE_W - MARGIN - 220.0;
                self.y += 10.0;
                for l in lines {
                    self.lines(x, 220.0, l, BODY, false, TEXT, 14.0);
                }
                self.y += 18.0;
            }
            Block::Field(label, value) => {
                let leading = 14.0;
                let labels = wrap(label, 9.0, true, LABEL_W - 10.0);
                let values = wrap(value, BODY, false, full - LABEL_W);
                let rows = labels.len().max(values.len());
                // A short row stays on one page.
                if rows <= 6 {
                    self.room(rows as f32 * leading);
                }
                for i in 0..rows {
                    self.room(leading);
                    self.y += leading;
                    let y = self.y - 2.0;
                    if let Some(l) = labels.get(i).filter(|l| !l.is_empty()) {
                        self.piece.1 = 0;
                        self.ink(Ink::Text {
                            x: MARGIN,
                            y,
                            size: 9.0,
                            bold: true,
                            colour: GREY,
                            text: l.clone(),
                        });
                    }
                    if let Some(v) = values.get(i).filter(|v| !v.is_empty()) {
                        self.piece.1 = 1;
                        self.ink(Ink::Text {
                            x: MARGIN + LABEL_W,
                            y,
                            size: BODY,
                            bold: false,
                            colour: TEXT,
                            text: v.clone(),
                        });
                    }
                }
                self.y += 3.0;
            }
            Block::Gap(h) => self.y += h,
        }
    }
}

/// `#rgb` / `#rrggbb` as bytes.
fn rgb_of(colour: &str) -> Option<(u8, u8, u8)> {
    let full = crate::tenant::look::full_hex(colour)?;
    let byte = |i: usize| u8::from_str_radix(&full[i..i + 2], 16).ok();
    Some((byte(1)?, byte(3)?, byte(5)?))
}

fn fill(surface: &mut Surface, (r, g, b): (u8, u8, u8)) {
    surface.set_fill(Some(Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }));
}

fn rect(surface: &mut Surface, x: f32, y: f32, w: f32, h: f32, colour: (u8, u8, u8)) {
    let mut pb = PathBuilder::new();
    if let Some(r) = Rect::from_xywh(x, y, w, h) {
        pb.push_rect(r);
    }
    if let Some(path) = pb.finish() {
        fill(surface, colour);
        surface.draw_path(&path);
    }
}

fn text(
    surface: &mut Surface,
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    colour: (u8, u8, u8),
    t: &str,
) {
    fill(surface, colour);
    let font = if bold {
        FONTS.bold.clone()
    } else {
        FONTS.regular.clone()
    };
    surface.draw_text(
        Point::from_xy(x, y),
        font,
        size,
        t,
        false,
        TextDirection::Auto,
    );
}

/// A logo ready to draw, and its size in points.
enum Logo {
    Raster(Image),
    Vector(Box<usvg::Tree>),
}

fn logo(bytes: &[u8], media_type: &str) -> Option<(Logo, f32, f32)> {
    let (logo, w, h) = match media_type {
        "image/svg+xml" => {
            let tree = usvg::Tree::from_data(bytes, &usvg::Options::default()).ok()?;
            let s = tree.size();
            let (w, h) = (s.width(), s.height());
            (Logo::Vector(Box::new(tree)), w, h)
        }
        "image/png" | "image/jpeg" => {
            let data = krilla::Data::from(bytes.to_vec());
            let image = if media_type == "image/png" {
                Image::from_png(data, true)
            } else {
                Image::from_jpeg(data, true)
            }
            .ok()?;
            let (w, h) = image.size();
            (Logo::Raster(image), w as f32, h as f32)
        }
        _ => return None,
    };
    if !(w > 0.0 && h > 0.0) {
        return None;
    }
    // At most 44 points high and 160 wide, keeping its proportions.
    let scale = (44.0 / h).min(160.0 / w);
    Some((logo, w * scale, h * scale))
}

fn letterhead(surface: &mut Surface, head: &Letterhead, accent: (u8, u8, u8)) {
    rect(surface, 0.0, 0.0, PAGE_W, 8.0, accent);
    let mut x = MARGIN;
    if let Some((bytes, media_type)) = head.logo
        && let Some((logo, w, h)) = logo(bytes, media_type)
        && let Some(size) = Size::from_wh(w, h)
    {
        surface.push_transform(&Transform::from_translate(MARGIN, 30.0));
        match logo {
            Logo::Raster(image) => surface.draw_image(image, size),
            Logo::Vector(tree) => {
                surface.draw_svg(&tree, size, SvgSettings::default());
            }
        }
        surface.pop();
        x += w + 14.0;
    }
    let name_width = PAGE_W - MARGIN - x;
    let mut y = 48.0;
    for line in wrap(head.town, 15.0, true, name_width).iter().take(2) {
        text(surface, x, y, 15.0, true, accent, line);
        y += 18.0;
    }
    for line in head.lines.iter().take(2) {
        text(surface, x, y - 2.0, 8.5, false, GREY, line);
        y += 11.0;
    }
    rect(surface, MARGIN, 96.0, PAGE_W - 2.0 * MARGIN, 0.8, accent);
}

fn artifact(kind: ArtifactType) -> ContentTag<'static> {
    ContentTag::Artifact(Artifact::new(kind, None))
}

/// The document's structure for assistive technologies, in reading order:
/// the title a first-level heading, sections second-level ones, text
/// paragraphs, and each run of label/value rows a table whose rows have
/// their label as header.
fn tag_tree(blocks: &[Block], tagged: Vec<(Piece, Identifier)>, lang: &str) -> TagTree {
    let mut by_piece: std::collections::HashMap<Piece, Vec<Identifier>> =
        std::collections::HashMap::new();
    for (piece, id) in tagged {
        by_piece.entry(piece).or_default().push(id);
    }
    let mut take = |piece: Piece| -> Vec<Node> {
        by_piece
            .remove(&piece)
            .unwrap_or_default()
            .into_iter()
            .map(Node::from)
            .collect()
    };
    let heading = |level: u16| Tag::Hn(NonZeroU16::new(level).expect("a level"), None);
    let mut tree = TagTree::new().with_lang(Some(lang.to_owned()));
    let mut table: Option<TagGroup> = None;
    for (i, block) in blocks.iter().enumerate() {
        if !matches!(block, Block::Field(..) | Block::Gap(_))
            && let Some(t) = table.take()
        {
            tree.push(t);
        }
        match block {
            Block::Title(_) => tree.push(TagGroup::with_children(heading(1), take((i, 0)))),
            Block::Heading(_) => tree.push(TagGroup::with_children(heading(2), take((i, 0)))),
            Block::Subheading(_) => tree.push(TagGroup::with_children(heading(3), take((i, 0)))),
            Block::Paragraph(_) | Block::Small(_) | Block::Right(_) | Block::Address(_) => {
                tree.push(TagGroup::with_children(Tag::P, take((i, 0))))
            }
            Block::Field(..) => {
                let row = TagGroup::with_children(
                    Tag::TR,
                    vec![
                        TagGroup::with_children(Tag::TH(TableHeaderScope::Row), take((i, 0)))
                            .into(),
                        TagGroup::with_children(Tag::TD, take((i, 1))).into(),
                    ],
                );
                table
                    .get_or_insert_with(|| TagGroup::new(Tag::Table))
                    .push(row);
            }
            Block::Gap(_) => {}
        }
    }
    if let Some(t) = table {
        tree.push(t);
    }
    tree
}

/// The document as a PDF file.
pub fn render(head: &Letterhead, doc: &Doc) -> Result<Vec<u8>, PdfError> {
    let accent = rgb_of(head.colour).unwrap_or((0x00, 0x00, 0x91));
    let mut layout = Layout::new(accent);
    for (i, block) in doc.blocks.iter().enumerate() {
        layout.piece = (i, 0);
        layout.block(block);
    }
    // Every piece of text drawn, in reading order, for the tag tree.
    let mut tagged: Vec<(Piece, Identifier)> = Vec::new();
    let count = layout.pages.len();
    let mut document = Document::new();
    for (i, inks) in layout.pages.iter().enumerate() {
        let settings =
            PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| PdfError("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        // The letterhead and the footer repeat on every page: artifacts,
        // outside the document's structure.
        surface.start_tagged(artifact(ArtifactType::Header));
        letterhead(&mut surface, head, accent);
        surface.end_tagged();
        for (ink, piece) in inks {
            match ink {
                Ink::Text {
                    x,
                    y,
                    size,
                    bold,
                    colour,
                    text: t,
                } => {
                    let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
                    text(&mut surface, *x, *y, *size, *bold, *colour, t);
                    surface.end_tagged();
                    tagged.push((*piece, id));
                }
                Ink::Rule { y, colour } => {
                    surface.start_tagged(artifact(ArtifactType::Layout));
                    rect(
                        &mut surface,
                        MARGIN,
                        *y,
                        PAGE_W - 2.0 * MARGIN,
                        0.6,
                        *colour,
                    );
                    surface.end_tagged();
                }
            }
        }
        surface.start_tagged(artifact(ArtifactType::Footer));
        // The footer: what this is, and where in it.
        let footer_y = PAGE_H - 34.0;
        rect(
            &mut surface,
            MARGIN,
            footer_y - 12.0,
            PAGE_W - 2.0 * MARGIN,
            0.4,
            GREY,
        );
        let pages = format!("{} / {count}", i + 1);
        let left_room = PAGE_W - 2.0 * MARGIN - text_width(&pages, 8.0, false) - 20.0;
        let title = wrap(&doc.title, 8.0, false, left_room)
            .into_iter()
            .next()
            .unwrap_or_default();
        text(&mut surface, MARGIN, footer_y, 8.0, false, GREY, &title);
        let w = text_width(&pages, 8.0, false);
        text(
            &mut surface,
            PAGE_W - MARGIN - w,
            footer_y,
            8.0,
            false,
            GREY,
            &pages,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }
    document.set_tag_tree(tag_tree(&doc.blocks, tagged, &doc.language));
    document.set_metadata(
        Metadata::new()
            .title(doc.title.clone())
            .language(doc.language.clone())
            .creator("Guichet".to_owned())
            .producer("Guichet (krilla)".to_owned())
            .authors(vec![head.town.to_owned()]),
    );
    document.finish().map_err(|e| PdfError(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head() -> Letterhead<'static> {
        Letterhead {
            town: "Ville de Démoville",
            colour: "#000091",
            logo: None,
            lines: vec!["https://www.demoville.fr".into()],
        }
    }

    #[test]
    fn lines_are_broken_at_spaces_within_the_width() {
        let text = "Une demande d'acte de naissance reçue le 2 décembre, traitée par l'état civil.";
        let lines = wrap(text, 10.0, false, 150.0);
        assert!(lines.len() > 1, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, 10.0, false) <= 150.0, "{l}");
        }
        assert_eq!(lines.join(" "), text);
        // A word wider than the line is cut, nothing is lost.
        let long = "x".repeat(300);
        let cut = wrap(&long, 10.0, false, 100.0);
        assert!(cut.len() > 2);
        assert_eq!(cut.concat(), long);
        // Line breaks of the text are kept, empty lines too.
        assert_eq!(wrap("a\n\nb", 10.0, false, 100.0), ["a", "", "b"]);
    }

    #[test]
    fn a_long_document_goes_on_several_pages_with_fonts_embedded() {
        let mut blocks = vec![Block::Title("Demande n° 2026-000042".into())];
        for i in 0..120 {
            blocks.push(Block::Field(
                format!("Champ {i}"),
                "Élévation à l'œuvre".into(),
            ));
        }
        let pdf = render(
            &head(),
            &Doc {
                title: "Demande 2026-000042".into(),
                language: "fr".into(),
                blocks,
            },
        )
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        let text = String::from_utf8_lossy(&pdf);
        assert!(text.contains("/FontFile2"), "the font is embedded");
        // Tagged: its structure and language for assistive technologies.
        assert!(
            text.contains("/StructTreeRoot") && text.contains("/Marked true"),
            "tagged"
        );
        assert!(text.matches("/Type /Page\n").count() + text.matches("/Type /Page/").count() <= 10);
    }

    #[test]
    fn logos_are_drawn_and_an_unreadable_one_left_out() {
        let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="#c00"/></svg>"##;
        let png = crate::core::files::SAMPLE_PNG;
        for logo in [
            (&svg[..], "image/svg+xml"),
            (png, "image/png"),
            (&b"not an image"[..], "image/png"),
        ] {
            let mut h = head();
            h.logo = Some(logo);
            let pdf = render(
                &h,
                &Doc {
                    title: "t".into(),
                    language: "fr".into(),
                    blocks: vec![Block::Paragraph("x".into())],
                },
            )
            .unwrap();
            assert!(pdf.starts_with(b"%PDF-"));
        }
    }
}
