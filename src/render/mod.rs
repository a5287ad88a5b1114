//! Rendering: XML views turned into HTML by XSLT 1.0 stylesheets.
//!
//! Each page has a default stylesheet in `xslt/` (compiled into the binary);
//! a tenant overrides any of them, or any file they include, by dropping a
//! file with the same name in `DATA/tenants/SLUG/xslt/`. Compiled stylesheets
//! are cached per thread (libxslt's are not `Send`) and recompiled when the
//! tenant's files change. A broken override is logged and the default is used:
//! a page is never blank because of a typo in a stylesheet.

pub mod chart;
pub mod documents;
pub mod mail;
pub mod map;
pub mod pdf;
pub mod sheet;
pub mod stats;
pub mod xslt;

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};
pub use xslt::RenderError;
use xslt::{Overlay, Stylesheet};

/// The default stylesheets, by file name.
pub const DEFAULT_STYLESHEETS: &[(&str, &str)] = &[
    ("layout.xsl", include_str!("../../xslt/layout.xsl")),
    ("catalogue.xsl", include_str!("../../xslt/catalogue.xsl")),
    ("form.xsl", include_str!("../../xslt/form.xsl")),
    ("receipt.xsl", include_str!("../../xslt/receipt.xsl")),
    ("track.xsl", include_str!("../../xslt/track.xsl")),
    ("error.xsl", include_str!("../../xslt/error.xsl")),
    (
        "satisfaction.xsl",
        include_str!("../../xslt/satisfaction.xsl"),
    ),
    ("alerts.xsl", include_str!("../../xslt/alerts.xsl")),
    ("doc.xsl", include_str!("../../xslt/doc.xsl")),
    (
        "exchange-doc.xsl",
        include_str!("../../xslt/exchange-doc.xsl"),
    ),
    ("account.xsl", include_str!("../../xslt/account.xsl")),
    ("documents.xsl", include_str!("../../xslt/documents.xsl")),
    (
        "conversation.xsl",
        include_str!("../../xslt/conversation.xsl"),
    ),
    ("bo-layout.xsl", include_str!("../../xslt/bo-layout.xsl")),
    ("bo-login.xsl", include_str!("../../xslt/bo-login.xsl")),
    ("bo-console.xsl", include_str!("../../xslt/bo-console.xsl")),
    ("bo-stats.xsl", include_str!("../../xslt/bo-stats.xsl")),
    ("bo-export.xsl", include_str!("../../xslt/bo-export.xsl")),
    ("bo-confirm.xsl", include_str!("../../xslt/bo-confirm.xsl")),
    ("bo-intake.xsl", include_str!("../../xslt/bo-intake.xsl")),
    ("bo-map.xsl", include_str!("../../xslt/bo-map.xsl")),
    (
        "bo-people-search.xsl",
        include_str!("../../xslt/bo-people-search.xsl"),
    ),
    ("bo-person.xsl", include_str!("../../xslt/bo-person.xsl")),
    ("bo-merges.xsl", include_str!("../../xslt/bo-merges.xsl")),
    ("bo-inbound.xsl", include_str!("../../xslt/bo-inbound.xsl")),
    (
        "bo-campaigns.xsl",
        include_str!("../../xslt/bo-campaigns.xsl"),
    ),
    (
        "bo-campaign-new.xsl",
        include_str!("../../xslt/bo-campaign-new.xsl"),
    ),
    (
        "bo-campaign.xsl",
        include_str!("../../xslt/bo-campaign.xsl"),
    ),
    (
        "bo-inbound-item.xsl",
        include_str!("../../xslt/bo-inbound-item.xsl"),
    ),
    ("bo-request.xsl", include_str!("../../xslt/bo-request.xsl")),
    ("bo-admin.xsl", include_str!("../../xslt/bo-admin.xsl")),
    ("bo-agent.xsl", include_str!("../../xslt/bo-agent.xsl")),
    (
        "bo-exchange.xsl",
        include_str!("../../xslt/bo-exchange.xsl"),
    ),
    (
        "bo-agent-form.xsl",
        include_str!("../../xslt/bo-agent-form.xsl"),
    ),
    ("bo-answer.xsl", include_str!("../../xslt/bo-answer.xsl")),
    (
        "bo-templates.xsl",
        include_str!("../../xslt/bo-templates.xsl"),
    ),
    (
        "bo-template.xsl",
        include_str!("../../xslt/bo-template.xsl"),
    ),
    (
        "bo-settings.xsl",
        include_str!("../../xslt/bo-settings.xsl"),
    ),
    (
        "bo-catalogue.xsl",
        include_str!("../../xslt/bo-catalogue.xsl"),
    ),
    ("bo-editor.xsl", include_str!("../../xslt/bo-editor.xsl")),
    ("bo-error.xsl", include_str!("../../xslt/bo-error.xsl")),
    ("bo-people.xsl", include_str!("../../xslt/bo-people.xsl")),
];

struct Cached {
    sheet: Stylesheet,
    /// Whole pages that depend only on their key (see [`render_cached`]).
    pages: HashMap<String, Vec<u8>>,
    /// The tenant's stylesheet files and their times when compiled.
    stamp: Vec<(PathBuf, Option<SystemTime>)>,
    checked: Instant,
}

impl Cached {
    fn new(sheet: Stylesheet, stamp: Vec<(PathBuf, Option<SystemTime>)>) -> Cached {
        Cached {
            sheet,
            pages: HashMap::new(),
            stamp,
            checked: Instant::now(),
        }
    }
}

/// The built-in stylesheets, without any tenant file.
fn defaults_only() -> Overlay {
    Overlay {
        tenant_dir: None,
        defaults: DEFAULT_STYLESHEETS,
    }
}

thread_local! {
    /// Compilations with the tenant's overlay on this thread (for tests).
    static TENANT_COMPILES: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
    static CACHE: RefCell<HashMap<(PathBuf, String), Cached>> = RefCell::new(HashMap::new());
}

const RECHECK: Duration = Duration::from_secs(1);

fn stamp(dir: &Path) -> Vec<(PathBuf, Option<SystemTime>)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let t = std::fs::metadata(&p).and_then(|m| m.modified()).ok();
            (p, t)
        })
        .collect()
}

/// Renders `view` with stylesheet `page` (e.g. `form.xsl`), using the
/// tenant's overrides in `tenant_xslt_dir` when they work.
pub fn render(tenant_xslt_dir: &Path, page: &str, view: &str) -> Result<Vec<u8>, RenderError> {
    let key = (tenant_xslt_dir.to_owned(), page.to_owned());
    let tenant_result = CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let fresh = match cache.get_mut(&key) {
            Some(c) if c.checked.elapsed() < RECHECK => true,
            Some(c) => {
                c.checked = Instant::now();
                c.stamp == stamp(tenant_xslt_dir)
            }
            None => false,
        };
        if !fresh {
            let stamp = stamp(tenant_xslt_dir);
            let overlay = Overlay {
                tenant_dir: (!stamp.is_empty()).then(|| tenant_xslt_dir.to_owned()),
                defaults: DEFAULT_STYLESHEETS,
            };
            TENANT_COMPILES.with(|c| c.set(c.get() + 1));
            // A broken override: the default is remembered under the broken
            // files' stamp, so the override is tried again (and logged) only
            // when they change.
            let sheet = Stylesheet::compile(&overlay, page).or_else(|e| {
                tracing::error!(dir = %tenant_xslt_dir.display(), %page, error = %e, "tenant stylesheet override is broken; using the default until its files change");
                Stylesheet::compile(&defaults_only(), page)
            });
            match sheet {
                Ok(sheet) => {
                    cache.insert(key.clone(), Cached::new(sheet, stamp));
                }
                Err(_) => {
                    cache.remove(&key);
                    return None;
                }
            }
        }
        let cached = cache.get(&key).expect("just cached");
        Some(cached.sheet.transform(view))
    });
    match tenant_result {
        Some(Ok(html)) => Ok(html),
        Some(Err(e)) if !stamp(tenant_xslt_dir).is_empty() => {
            tracing::error!(dir = %tenant_xslt_dir.display(), %page, error = %e, "tenant stylesheet failed on this page; using the default");
            render_default(page, view)
        }
        Some(Err(e)) => Err(e),
        None => render_default(page, view),
    }
}

/// Renders with the built-in stylesheets only.
pub fn render_default(page: &str, view: &str) -> Result<Vec<u8>, RenderError> {
    let key = (PathBuf::new(), page.to_owned());
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if !cache.contains_key(&key) {
            let sheet = Stylesheet::compile(&defaults_only(), page)?;
            cache.insert(key.clone(), Cached::new(sheet, Vec::new()));
        }
        cache.get(&key).expect("just cached").sheet.transform(view)
    })
}

/// Most pages kept per stylesheet and thread by [`render_cached`].
const MAX_CACHED_PAGES: usize = 256;

/// Like [`render`], for a page whose HTML depends only on `key` (an empty
/// form in one language, say): the HTML is kept per thread and dropped when
/// the tenant's stylesheets change, so `view` is built and transformed once.
pub fn render_cached(
    tenant_xslt_dir: &Path,
    page: &str,
    key: &str,
    view: impl FnOnce() -> String,
) -> Result<Vec<u8>, RenderError> {
    let cache_key = (tenant_xslt_dir.to_owned(), page.to_owned());
    let hit = CACHE.with(|cache| {
        let cache = cache.borrow();
        cache
            .get(&cache_key)
            .filter(|c| c.checked.elapsed() < RECHECK)
            .and_then(|c| c.pages.get(key).cloned())
    });
    if let Some(html) = hit {
        return Ok(html);
    }
    let html = render(tenant_xslt_dir, page, &view())?;
    CACHE.with(|cache| {
        if let Some(c) = cache.borrow_mut().get_mut(&cache_key)
            && c.pages.len() < MAX_CACHED_PAGES
        {
            c.pages.insert(key.to_owned(), html.clone());
        }
    });
    Ok(html)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VIEW: &str = r#"<page xmlns="urn:guichet:view:1" kind="error" lang="fr"><site><name>Ville</name><tenant>t</tenant><home>/t/</home><track>/t/track</track><stylesheet>/s.css</stylesheet><footer>pied</footer></site><messages/><title>Titre</title><error status="404">Introuvable</error></page>"#;

    #[test]
    fn a_broken_override_falls_back_and_is_retried_only_when_its_files_change() {
        let dir = std::env::temp_dir().join(format!("guichet-render-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("error.xsl"), "<xsl:stylesheet version=\"1.0\" xmlns:xsl=\"http://www.w3.org/1999/XSL/Transform\"><oops").unwrap();
        let before = TENANT_COMPILES.with(|c| c.get());
        for _ in 0..3 {
            let html = String::from_utf8(render(&dir, "error.xsl", VIEW).unwrap()).unwrap();
            assert!(html.contains("<h1>Titre</h1>"), "{html}");
        }
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        render(&dir, "error.xsl", VIEW).unwrap();
        assert_eq!(
            TENANT_COMPILES.with(|c| c.get()) - before,
            1,
            "the broken override was compiled again without a change"
        );
        std::fs::write(
            dir.join("error.xsl"),
            crate::render::DEFAULT_STYLESHEETS[5].1.replace(
                "<p><xsl:value-of select=\"v:error\"/></p>",
                "<p id=\"fixed\">ok</p>",
            ),
        )
        .unwrap();
        std::thread::sleep(RECHECK + Duration::from_millis(50));
        let html = String::from_utf8(render(&dir, "error.xsl", VIEW).unwrap()).unwrap();
        assert!(html.contains(r#"<p id="fixed">ok</p>"#), "{html}");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
