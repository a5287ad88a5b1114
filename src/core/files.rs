//! Files sent with a request (a photo of a pothole, a scanned identity
//! card): the kinds a definition may accept, a file's kind decided from its
//! content's magic bytes (never from its name or what the client says), an
//! image's metadata (EXIF location, XMP, comments) removed without
//! re-encoding it, a safe name to keep and serve it under, and its SHA-256,
//! under which the blob store keeps it once.

use bytes::Bytes;
use sha2::{Digest, Sha256};

/// The kinds of file a `file` field may accept (`accept="pdf jpeg png"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
    Webp,
}

impl FileKind {
    pub const ALL: [FileKind; 4] = [FileKind::Pdf, FileKind::Jpeg, FileKind::Png, FileKind::Webp];

    /// The word of definition files.
    pub fn name(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpeg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
        }
    }

    pub fn from_name(name: &str) -> Option<FileKind> {
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
        }
    }

    pub fn from_media_type(media_type: &str) -> Option<FileKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.media_type().eq_ignore_ascii_case(media_type.trim()))
    }

    /// As people know it (`PDF`, `JPEG`…).
    pub fn label(self) -> &'static str {
        match self {
            FileKind::Pdf => "PDF",
            FileKind::Jpeg => "JPEG",
            FileKind::Png => "PNG",
            FileKind::Webp => "WebP",
        }
    }

    /// The extension a kept file's name ends with.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Pdf => "pdf",
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
        }
    }

    fn is_image(self) -> bool {
        self != FileKind::Pdf
    }
}

/// What a `file` field accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRule {
    pub accept: Vec<FileKind>,
    /// Largest file, in bytes.
    pub max_bytes: u64,
    /// An image's metadata is removed before it is kept.
    pub remove_metadata: bool,
}

impl FileRule {
    pub const DEFAULT_KILOBYTES: u64 = 5 * 1024;
    pub const MAX_KILOBYTES: u64 = 20 * 1024;
    /// Most files one field takes.
    pub const MAX_FILES: usize = 10;
}

impl Default for FileRule {
    fn default() -> FileRule {
        FileRule {
            accept: vec![FileKind::Pdf, FileKind::Jpeg, FileKind::Png],
            max_bytes: FileRule::DEFAULT_KILOBYTES * 1024,
            remove_metadata: true,
        }
    }
}

/// A file as a channel received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawFile {
    /// The name it had on the sender's machine (may be empty).
    pub file_name: String,
    pub bytes: Bytes,
}

/// A file accepted: its kind, its bytes as kept (metadata removed when the
/// rule says), their SHA-256 (lower-case hex) and a safe name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileValue {
    pub name: String,
    pub kind: FileKind,
    pub bytes: Bytes,
    pub sha256: String,
}

/// A file kept with a request, as the store records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    /// Its number among the request's files, for download addresses.
    pub id: i64,
    /// The form's field it was sent in; `None` for a file an agent added.
    pub field: Option<String>,
    pub name: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    pub added_at: jiff::Timestamp,
    /// `citizen:web`, `citizen:soap`, `agent:LOGIN`.
    pub added_by: String,
    /// A document of the town's sent to the requester by e-mail.
    pub sent: bool,
}

impl Attached {
    /// Sent by the requester (with the request or a correction), which they
    /// may download again; an agent's own files are the town's.
    pub fn from_requester(&self) -> bool {
        self.field.is_some()
    }

    /// Whether the requester may download it: theirs, or the town's sent
    /// to them.
    pub fn requester_may_read(&self) -> bool {
        self.from_requester() || self.sent
    }
}

/// A one-page PDF, the example documentation pages and the WSDL's sample
/// envelope send (`reference/exemple.pdf`, which their snippets read).
pub const SAMPLE_PDF: &[u8] = include_bytes!("../../reference/exemple.pdf");

/// A 1×1 PNG, for a field that takes no PDF (`reference/exemple.png`).
pub const SAMPLE_PNG: &[u8] = include_bytes!("../../reference/exemple.png");

/// A sample file a rule accepts: its name and bytes.
pub fn sample(rule: &FileRule) -> RawFile {
    if rule.accept.contains(&FileKind::Pdf) {
        RawFile {
            file_name: "exemple.pdf".into(),
            bytes: Bytes::from_static(SAMPLE_PDF),
        }
    } else {
        RawFile {
            file_name: "exemple.png".into(),
            bytes: Bytes::from_static(SAMPLE_PNG),
        }
    }
}

/// The rule in words: kinds, size, count, metadata.
pub fn describe(rule: &FileRule, max_files: usize) -> Vec<String> {
    let kinds = kinds_words(&rule.accept);
    let mut out = vec![
        format!("Fichier {kinds}, reconnu à son contenu."),
        format!("{} au plus par fichier.", size_words(rule.max_bytes)),
    ];
    out.push(if max_files > 1 {
        format!("{max_files} fichiers au plus.")
    } else {
        "Un fichier.".to_owned()
    });
    if rule.remove_metadata && rule.accept.iter().any(|k| k.is_image()) {
        out.push("Les métadonnées des images (position GPS, appareil) sont retirées.".into());
    }
    out
}

/// `JPEG, PNG ou WebP`.
pub fn kinds_words(kinds: &[FileKind]) -> String {
    let labels: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
    match labels.split_last() {
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} ou {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// `5 Mio`, `800 Kio`.
pub fn size_words(bytes: u64) -> String {
    if bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 {
        format!("{} Mio", bytes / (1024 * 1024))
    } else {
        format!("{} Kio", bytes.div_ceil(1024))
    }
}

/// The kind of a file from its first bytes, if it is one of ours.
pub fn detect(bytes: &[u8]) -> Option<FileKind> {
    let found = infer::get(bytes)?;
    FileKind::from_media_type(found.mime_type())
}

/// What a file input offers to choose (its `accept`): extensions and
/// media types.
pub fn accept_list(kinds: &[FileKind]) -> String {
    let mut out = Vec::new();
    for k in kinds {
        out.push(format!(".{}", k.extension()));
        if *k == FileKind::Jpeg {
            out.push(".jpeg".into());
        }
        out.push(k.media_type().to_owned());
    }
    out.join(",")
}

/// Why a file is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileProblem {
    TooLarge,
    /// Not one of the kinds accepted (or of no kind known).
    Kind,
    /// Says it is an image but cannot be read as one.
    Unreadable,
}

impl FileProblem {
    /// Why the file `shown` (its name) is refused under `rule`, in French.
    pub fn words(self, rule: &FileRule, shown: &str) -> String {
        match self {
            FileProblem::TooLarge => format!(
                "le fichier « {shown} » dépasse {}.",
                size_words(rule.max_bytes)
            ),
            FileProblem::Kind => format!(
                "le fichier « {shown} » n'est pas un fichier {} (d'après son contenu).",
                kinds_words(&rule.accept)
            ),
            FileProblem::Unreadable => format!("l'image « {shown} » est illisible ou abîmée."),
        }
    }
}

/// Checks a file against its field's rule and makes the value kept.
pub fn accept(rule: &FileRule, raw: &RawFile) -> Result<FileValue, FileProblem> {
    if raw.bytes.len() as u64 > rule.max_bytes {
        return Err(FileProblem::TooLarge);
    }
    let kind = detect(&raw.bytes)
        .filter(|k| rule.accept.contains(k))
        .ok_or(FileProblem::Kind)?;
    let bytes = if rule.remove_metadata && kind.is_image() {
        without_metadata(kind, raw.bytes.clone()).ok_or(FileProblem::Unreadable)?
    } else {
        raw.bytes.clone()
    };
    Ok(FileValue {
        name: safe_name(&raw.file_name, kind),
        kind,
        sha256: sha256(&bytes),
        bytes,
    })
}

pub fn sha256(bytes: &[u8]) -> String {
    super::tracking::hex(&Sha256::digest(bytes))
}

/// JPEG segments that carry metadata rather than the picture: APP1 (EXIF,
/// XMP), APP12 (Ducky), APP13 (IPTC, Photoshop), COM (comments). APP0
/// (JFIF), APP2 (ICC colours) and APP14 (Adobe colour transform) stay: the
/// image is drawn with them.
const JPEG_METADATA: [u8; 4] = [0xE1, 0xEC, 0xED, 0xFE];

/// PNG chunks of text and time, besides eXIf.
const PNG_METADATA: [&[u8; 4]; 5] = [b"eXIf", b"tEXt", b"iTXt", b"zTXt", b"tIME"];

/// The image without its metadata; `None` when it cannot be parsed.
pub fn without_metadata(kind: FileKind, bytes: Bytes) -> Option<Bytes> {
    use img_parts::ImageEXIF;
    match kind {
        FileKind::Jpeg => {
            let mut jpeg = img_parts::jpeg::Jpeg::from_bytes(bytes).ok()?;
            jpeg.segments_mut()
                .retain(|s| !JPEG_METADATA.contains(&s.marker()));
            Some(jpeg.encoder().bytes())
        }
        FileKind::Png => {
            let mut png = img_parts::png::Png::from_bytes(bytes).ok()?;
            png.chunks_mut()
                .retain(|c| !PNG_METADATA.contains(&&c.kind()));
            Some(png.encoder().bytes())
        }
        FileKind::Webp => {
            let mut webp = img_parts::webp::WebP::from_bytes(bytes).ok()?;
            webp.set_exif(None);
            webp.remove_chunks_by_id(*b"XMP ");
            Some(webp.encoder().bytes())
        }
        FileKind::Pdf => Some(bytes),
    }
}

/// A file's name without the folders some senders put before it, trimmed.
pub fn base_name(sent: &str) -> &str {
    sent.rsplit(['/', '\\']).next().unwrap_or("").trim()
}

/// A name safe to keep, show and send in a `Content-Disposition` header:
/// the last part of the sender's path, without control characters, quotes,
/// slashes or backslashes, at most 100 characters, ending with the
/// extension of the kind found; `document.EXT` when nothing is left.
pub fn safe_name(sent: &str, kind: FileKind) -> String {
    let base = base_name(sent);
    let cleaned: String = base
        .chars()
        .map(|c| {
            if c.is_control() || matches!(c, '"' | '\'' | ';' | '<' | '>' | '|' | '*' | '?' | ':') {
                '_'
            } else {
                c
            }
        })
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim();
    let stem = match cleaned.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => cleaned,
    };
    let stem: String = stem.chars().take(100).collect();
    let stem = if stem.trim().is_empty() {
        "document".to_owned()
    } else {
        stem.trim().to_owned()
    };
    format!("{stem}.{}", kind.extension())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 1×1 JPEG with an APP1 EXIF segment holding a GPS position and a
    /// comment segment (the fixture the integration tests send too).
    const PHOTO_GPS: &[u8] = include_bytes!("../../tests/fixtures/photo-gps.jpg");

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_kind_comes_from_the_content_not_the_name() {
        let pdf = RawFile {
            file_name: "photo.jpg".into(),
            bytes: Bytes::from_static(
                b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n",
            ),
        };
        let rule = FileRule::default();
        let kept = accept(&rule, &pdf).unwrap();
        assert_eq!(kept.kind, FileKind::Pdf);
        assert_eq!(kept.name, "photo.pdf", "named after what it is");
        let images_only = FileRule {
            accept: vec![FileKind::Jpeg, FileKind::Png],
            ..FileRule::default()
        };
        assert_eq!(accept(&images_only, &pdf), Err(FileProblem::Kind));
        let text = RawFile {
            file_name: "scan.pdf".into(),
            bytes: Bytes::from_static(b"<script>alert(1)</script>"),
        };
        assert_eq!(accept(&rule, &text), Err(FileProblem::Kind));
        let small = FileRule {
            max_bytes: 10,
            ..FileRule::default()
        };
        assert_eq!(accept(&small, &pdf), Err(FileProblem::TooLarge));
    }

    #[test]
    fn an_images_metadata_is_removed_and_the_picture_kept() {
        let raw = RawFile {
            file_name: "IMG_2041.JPG".into(),
            bytes: Bytes::from_static(PHOTO_GPS),
        };
        assert!(contains(&raw.bytes, b"GPSLatitude"));
        let kept = accept(&FileRule::default(), &raw).unwrap();
        assert_eq!(kept.kind, FileKind::Jpeg);
        assert!(!contains(&kept.bytes, b"GPSLatitude"), "no location");
        assert!(!contains(&kept.bytes, b"Pris devant"), "no comment");
        assert!(
            contains(&kept.bytes, b"JFIF"),
            "the picture's own segments stay"
        );
        assert_eq!(
            kept.bytes.len(),
            PHOTO_GPS.len() - (4 + 45) - (4 + 20),
            "only the two segments removed"
        );
        assert_eq!(kept.sha256, sha256(&kept.bytes));
        let kept_as_sent = accept(
            &FileRule {
                remove_metadata: false,
                ..FileRule::default()
            },
            &raw,
        )
        .unwrap();
        assert!(contains(&kept_as_sent.bytes, b"GPSLatitude"));
        // JPEG magic bytes, then nonsense: refused, not kept half-read.
        let broken = RawFile {
            file_name: "x.jpg".into(),
            bytes: Bytes::from_static(&[0xFF, 0xD8, 0xFF, 0xE0, 0xFF, 0xFF, 0x00]),
        };
        assert_eq!(
            accept(&FileRule::default(), &broken),
            Err(FileProblem::Unreadable)
        );
    }

    #[test]
    fn names_are_safe_to_keep_and_serve() {
        assert_eq!(
            safe_name(
                "C:\\Users\\zoé\\Mes photos\\nid-de-poule.jpeg",
                FileKind::Jpeg
            ),
            "nid-de-poule.jpg"
        );
        assert_eq!(safe_name("../../etc/passwd", FileKind::Pdf), "passwd.pdf");
        assert_eq!(safe_name("a\"b;\r\nc.pdf", FileKind::Pdf), "a_b___c.pdf");
        assert_eq!(safe_name("", FileKind::Png), "document.png");
        assert_eq!(safe_name(".htaccess", FileKind::Pdf), "htaccess.pdf");
        assert_eq!(
            safe_name(&"x".repeat(300), FileKind::Pdf).chars().count(),
            104
        );
    }
}
