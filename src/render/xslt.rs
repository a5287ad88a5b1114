//! A small safe layer over libxslt, hardened for serving pages.
//!
//! - Stylesheets are read by us, parsed without DTD loading, entity
//!   substitution or network access, and refused if they carry a DTD.
//!   `xsl:include`/`xsl:import` go through [`Overlay`]: a file name is looked
//!   up in the tenant's folder first, then among the built-in defaults, and
//!   nowhere else.
//! - Every transform runs with security preferences that forbid reading and
//!   writing files and the network, so `document()` reaches nothing.
//! - libxml2's external entity loader is replaced by one that loads nothing.
//! - A compiled stylesheet is not `Send`: callers keep one per thread.

use libxslt::bindings as ffi;
use std::cell::RefCell;
use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int, c_void};
use std::path::PathBuf;
use std::ptr;
use std::sync::Once;

/// Why a page could not be rendered: a stylesheet that does not compile, a view that does not parse, a transform that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct RenderError(pub String);

impl From<String> for RenderError {
    fn from(message: String) -> RenderError {
        RenderError(message)
    }
}

impl From<&str> for RenderError {
    fn from(message: &str) -> RenderError {
        RenderError(message.to_owned())
    }
}

/// Where stylesheets come from: a tenant folder that may override any file,
/// then the built-in defaults (name → text).
#[derive(Clone)]
pub struct Overlay {
    pub tenant_dir: Option<PathBuf>,
    pub defaults: &'static [(&'static str, &'static str)],
}

/// One stylesheet file as found through the overlay.
pub struct Source {
    /// `tenant:/…/NAME` or `default:NAME`, for messages and base URIs.
    pub uri: String,
    pub text: String,
    pub overridden: bool,
}

impl Overlay {
    pub fn find(&self, name: &str) -> Option<Source> {
        let name = base_name(name)?;
        if let Some(dir) = &self.tenant_dir {
            let path = dir.join(name);
            if let Ok(text) = std::fs::read_to_string(&path) {
                return Some(Source {
                    uri: path.to_string_lossy().into_owned(),
                    text,
                    overridden: true,
                });
            }
        }
        self.defaults
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(n, text)| Source {
                uri: format!("default:{n}"),
                text: (*text).to_owned(),
                overridden: false,
            })
    }
}

/// The last component of an include's href, if it is a plain `NAME.xsl`.
fn base_name(href: &str) -> Option<&str> {
    let name = href.rsplit(['/', ':', '\\']).next()?;
    let ok = name.ends_with(".xsl")
        && name.len() > 4
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        && !name.starts_with('.');
    ok.then_some(name)
}

thread_local! {
    /// The overlay used by the include loader while a stylesheet compiles.
    static COMPILING: RefCell<Option<Overlay>> = const { RefCell::new(None) };
    /// Per-thread security preferences forbidding every file and network access.
    static SECURITY: SecurityPrefs = SecurityPrefs::forbid_all();
}

struct SecurityPrefs(ffi::xsltSecurityPrefsPtr);

impl SecurityPrefs {
    fn forbid_all() -> SecurityPrefs {
        init();
        unsafe {
            let sec = ffi::xsltNewSecurityPrefs();
            for option in [
                ffi::xsltSecurityOption_XSLT_SECPREF_READ_FILE,
                ffi::xsltSecurityOption_XSLT_SECPREF_WRITE_FILE,
                ffi::xsltSecurityOption_XSLT_SECPREF_CREATE_DIRECTORY,
                ffi::xsltSecurityOption_XSLT_SECPREF_READ_NETWORK,
                ffi::xsltSecurityOption_XSLT_SECPREF_WRITE_NETWORK,
            ] {
                ffi::xsltSetSecurityPrefs(sec, option, Some(ffi::xsltSecurityForbid));
            }
            SecurityPrefs(sec)
        }
    }
}

impl Drop for SecurityPrefs {
    fn drop(&mut self) {
        unsafe { ffi::xsltFreeSecurityPrefs(self.0) }
    }
}

/// Parser options: no network, CDATA as text (as XSLT wants), and neither
/// DTD loading nor entity substitution.
const PARSE_OPTIONS: c_int =
    (ffi::xmlParserOption_XML_PARSE_NONET | ffi::xmlParserOption_XML_PARSE_NOCDATA) as c_int;

/// Global set-up, once per process: parser, EXSLT, and the loaders.
pub fn init() {
    static INIT: Once = Once::new();
    INIT.call_once(|| unsafe {
        ffi::xmlInitParser();
        libxslt::register_exslt();
        ffi::xmlSetExternalEntityLoader(Some(no_external_entities));
        ffi::xsltSetLoaderFunc(Some(overlay_loader));
    });
}

unsafe extern "C" fn no_external_entities(
    _url: *const c_char,
    _id: *const c_char,
    _ctxt: ffi::xmlParserCtxtPtr,
) -> ffi::xmlParserInputPtr {
    ptr::null_mut()
}

/// Includes and imports resolve through the overlay; `document()` loads nothing.
unsafe extern "C" fn overlay_loader(
    uri: *const ffi::xmlChar,
    _dict: ffi::xmlDictPtr,
    _options: c_int,
    _ctxt: *mut c_void,
    kind: ffi::xsltLoadType,
) -> ffi::xmlDocPtr {
    if kind != ffi::xsltLoadType_XSLT_LOAD_STYLESHEET || uri.is_null() {
        return ptr::null_mut();
    }
    let href = unsafe { CStr::from_ptr(uri as *const c_char) }
        .to_string_lossy()
        .into_owned();
    let source = COMPILING.with(|c| c.borrow().as_ref().and_then(|overlay| overlay.find(&href)));
    match source {
        Some(source) => parse_document(&source.text, &source.uri).unwrap_or(ptr::null_mut()),
        None => {
            tracing::error!(%href, "stylesheet include or import not found (only NAME.xsl from the tenant folder or the defaults)");
            ptr::null_mut()
        }
    }
}

/// Parses XML text into a libxml2 document; refuses a DTD.
fn parse_document(text: &str, url: &str) -> Result<ffi::xmlDocPtr, RenderError> {
    init();
    let len = c_int::try_from(text.len()).map_err(|_| "document too large".to_owned())?;
    let c_url = CString::new(url).map_err(|_| "bad URL".to_owned())?;
    let doc = unsafe {
        ffi::xmlReadMemory(
            text.as_ptr() as *const c_char,
            len,
            c_url.as_ptr(),
            ptr::null(),
            PARSE_OPTIONS,
        )
    };
    if doc.is_null() {
        return Err(RenderError::from(format!("{url} is not well-formed XML")));
    }
    unsafe {
        if !(*doc).intSubset.is_null() || !(*doc).extSubset.is_null() {
            ffi::xmlFreeDoc(doc);
            return Err(RenderError::from(format!(
                "{url} declares a DTD, which is refused"
            )));
        }
    }
    Ok(doc)
}

/// A compiled stylesheet. Not `Send`: keep it on the thread that compiled it.
pub struct Stylesheet {
    ptr: ffi::xsltStylesheetPtr,
    /// Whether a tenant file took part in it (the main one or an include).
    pub uri: String,
}

impl Drop for Stylesheet {
    fn drop(&mut self) {
        unsafe { ffi::xsltFreeStylesheet(self.ptr) }
    }
}

impl Stylesheet {
    /// Compiles `name` from the overlay, with its includes.
    pub fn compile(overlay: &Overlay, name: &str) -> Result<Stylesheet, RenderError> {
        let source = overlay
            .find(name)
            .ok_or_else(|| format!("stylesheet {name} not found"))?;
        let doc = parse_document(&source.text, &source.uri)?;
        COMPILING.with(|c| *c.borrow_mut() = Some(overlay.clone()));
        let ptr = unsafe { ffi::xsltParseStylesheetDoc(doc) };
        COMPILING.with(|c| *c.borrow_mut() = None);
        if ptr.is_null() {
            unsafe { ffi::xmlFreeDoc(doc) };
            return Err(RenderError::from(format!(
                "stylesheet {} does not compile (libxslt's messages are just above in the log)",
                source.uri
            )));
        }
        unsafe {
            if (*ptr).errors > 0 {
                ffi::xsltFreeStylesheet(ptr);
                return Err(RenderError::from(format!(
                    "stylesheet {} has errors (see libxslt's messages above)",
                    source.uri
                )));
            }
        }
        Ok(Stylesheet {
            ptr,
            uri: source.uri,
        })
    }

    /// Transforms a view document (XML text) into the stylesheet's output.
    pub fn transform(&self, view: &str) -> Result<Vec<u8>, RenderError> {
        let doc = parse_document(view, "view:")?;
        let result = unsafe {
            let ctxt = ffi::xsltNewTransformContext(self.ptr, doc);
            if ctxt.is_null() {
                ffi::xmlFreeDoc(doc);
                return Err(RenderError::from("cannot create a transform context"));
            }
            SECURITY.with(|sec| ffi::xsltSetCtxtSecurityPrefs(sec.0, ctxt));
            let mut params: [*const c_char; 1] = [ptr::null()];
            let out = ffi::xsltApplyStylesheetUser(
                self.ptr,
                doc,
                params.as_mut_ptr(),
                ptr::null(),
                ptr::null_mut(),
                ctxt,
            );
            let failed = (*ctxt).state != ffi::xsltTransformState_XSLT_STATE_OK;
            ffi::xsltFreeTransformContext(ctxt);
            ffi::xmlFreeDoc(doc);
            if out.is_null() || failed {
                if !out.is_null() {
                    ffi::xmlFreeDoc(out);
                }
                return Err(RenderError::from(format!(
                    "transform by {} failed (see libxslt's messages above)",
                    self.uri
                )));
            }
            out
        };
        let mut text: *mut ffi::xmlChar = ptr::null_mut();
        let mut len: c_int = 0;
        unsafe {
            let rc = ffi::xsltSaveResultToString(&mut text, &mut len, result, self.ptr);
            ffi::xmlFreeDoc(result);
            if rc != 0 {
                return Err(RenderError::from("cannot serialise the transform's result"));
            }
            if text.is_null() {
                return Ok(Vec::new());
            }
            let bytes = std::slice::from_raw_parts(text, len as usize).to_vec();
            if let Some(free) = ffi::xmlFree {
                free(text as *mut c_void);
            }
            Ok(bytes)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &[(&str, &str)] = &[
        (
            "page.xsl",
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:include href="part.xsl"/><xsl:output method="html" encoding="UTF-8"/><xsl:template match="/"><p title="{/v/@t}"><xsl:call-template name="part"/><xsl:value-of select="/v"/></p></xsl:template></xsl:stylesheet>"#,
        ),
        (
            "part.xsl",
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template name="part">[default]</xsl:template></xsl:stylesheet>"#,
        ),
        (
            "leak.xsl",
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">[<xsl:value-of select="document('/etc/passwd')"/>]</xsl:template></xsl:stylesheet>"#,
        ),
        (
            "entity.xsl",
            r#"<!DOCTYPE x [<!ENTITY e SYSTEM "/etc/passwd">]><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/">&e;</xsl:template></xsl:stylesheet>"#,
        ),
    ];

    fn overlay(dir: Option<PathBuf>) -> Overlay {
        Overlay {
            tenant_dir: dir,
            defaults: DEFAULTS,
        }
    }

    #[test]
    fn transforms_and_escapes_text_and_attributes() {
        let s = Stylesheet::compile(&overlay(None), "page.xsl").unwrap();
        let out = s.transform(r#"<v t="&quot;&gt;&lt;script&gt;">&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt; é</v>"#).unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("[default]&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt; é"),
            "{out}"
        );
        // libxml2 quotes with ' when the value holds a ".
        assert!(out.contains(r#"title='"&gt;&lt;script&gt;'"#), "{out}");
    }

    #[test]
    fn a_tenant_file_overrides_an_include_by_name() {
        let dir = std::env::temp_dir().join(format!("guichet-xslt-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("part.xsl"),
            r#"<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template name="part">[tenant]</xsl:template></xsl:stylesheet>"#,
        )
        .unwrap();
        let s = Stylesheet::compile(&overlay(Some(dir.clone())), "page.xsl").unwrap();
        let out = String::from_utf8(s.transform("<v/>").unwrap()).unwrap();
        assert!(out.contains("[tenant]"), "{out}");
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn document_and_entities_reach_no_file() {
        let s = Stylesheet::compile(&overlay(None), "leak.xsl").unwrap();
        if let Ok(out) = s.transform("<v/>") {
            assert!(
                !String::from_utf8_lossy(&out).contains("root:"),
                "document() read a file"
            );
        }
        assert!(Stylesheet::compile(&overlay(None), "entity.xsl").is_err());
        assert!(Stylesheet::compile(&overlay(None), "../../etc/passwd").is_err());
        assert!(
            parse_document(r#"<!DOCTYPE v SYSTEM "file:///etc/passwd"><v/>"#, "view:").is_err()
        );
    }
}
