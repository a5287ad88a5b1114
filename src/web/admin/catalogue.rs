//! The town's catalogue on the admin pages: the service library by theme
//! with the town's status of each service (enable, withdraw), its own
//! services, its drafts (publish online or in test), a definition pasted in
//! or uploaded as a file and checked (every problem shown next to its field,
//! with its line and, for a file, the file's name), and each of its
//! definitions downloadable as XML. The same use cases as
//! `guichet service …` (`usecases::catalogue`).

use crate::store::{ServiceState, ServiceStatus};
use crate::usecases::catalogue::{self, CatalogueError};
use crate::web::backoffice::view::{self, Bar};
use crate::web::backoffice::{bar, bo_page, unavailable};
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml, service_title};
use crate::web::{Body, not_found, plain, redirect};
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};

/// The largest definition accepted from the page, pasted or uploaded, in
/// bytes.
const MAX_DEFINITION: usize = 256 * 1024;

/// The upload form's file input.
const FILE_INPUT: &str = "definition-file";

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let notice = cx.query("done").map(|what| {
        let code = cx.query("code").unwrap_or_default();
        let count = cx.query("count").unwrap_or_default();
        cx.frame.format(
            &format!("bo.catalogue.done.{what}"),
            &[("code", &code), ("count", &count)],
        )
    });
    show(
        cx,
        StatusCode::OK,
        notice.as_deref().map(|n| ("success", n)),
        &Import::default(),
    )
    .await
}

/// What was pasted to import, and why it was refused; or why the uploaded
/// file was, with its name.
#[derive(Default)]
struct Import {
    text: String,
    problems: Vec<(Option<u32>, String)>,
    file: Option<String>,
    file_problems: Vec<(Option<u32>, String)>,
}

async fn show(
    cx: &Ctx<'_>,
    status: StatusCode,
    notice: Option<(&str, &str)>,
    import: &Import,
) -> Response<Body> {
    let (app, site) = (cx.app, cx.site);
    let states = match app.store.services(site.tenant.id) {
        Ok(s) => s,
        Err(e) => return unavailable(&e),
    };
    let drafts = match app.store.drafts(site.tenant.id) {
        Ok(d) => d,
        Err(e) => return unavailable(&e),
    };
    let tests = match app.store.test_counts(site.tenant.id).await {
        Ok(t) => t,
        Err(e) => return unavailable(&e),
    };
    let v = catalogue_view(
        cx,
        &bar(cx.session()),
        &Town {
            states: &states,
            drafts: &drafts,
            tests: &tests,
        },
        notice,
        import,
    );
    bo_page(cx, status, "bo-catalogue.xsl", v)
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, fields) = (cx.app, cx.site, &cx.fields);
    let actor = format!("agent:{}", cx.session().record.agent.login);
    let now = app.now();
    let code = fields.text("code").unwrap_or_default();
    let done = |what: &str, code: &str| {
        let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
        redirect(&format!(
            "{}/backoffice/admin/catalogue?done={what}&code={code}",
            cx.frame.base
        ))
    };
    let result = match fields.get("action").unwrap_or("") {
        "enable" | "enable-test" => {
            let (status, what) = if fields.get("action") == Some("enable") {
                (ServiceStatus::Online, "enabled")
            } else {
                (ServiceStatus::Test, "enabled-test")
            };
            catalogue::enable(&*app.store, &app.library, site, &code, status, &actor, now)
                .map(|()| done(what, &code))
        }
        "purge-tests" => {
            match catalogue::purge_tests(&*app.store, site, Some(&code), &actor, now).await {
                Ok(n) => Ok(redirect(&format!(
                    "{}/backoffice/admin/catalogue?done=purged&code={}&count={n}",
                    cx.frame.base,
                    form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
                ))),
                Err(e) => Err(e),
            }
        }
        "disable" => catalogue::disable(&*app.store, site, &code, &actor, now)
            .map(|()| done("disabled", &code)),
        "publish" | "publish-test" => {
            let status = if fields.get("action") == Some("publish") {
                ServiceStatus::Online
            } else {
                ServiceStatus::Test
            };
            catalogue::publish(&*app.store, site, &code, status, &actor, now)
                .map(|_| done(status.as_str(), &code))
        }
        "import" => {
            let text = fields.get("definition").unwrap_or("").to_owned();
            if text.len() > MAX_DEFINITION {
                // Said next to the field; what was pasted is not sent back.
                let message = cx.frame.format(
                    "bo.catalogue.definition-too-big",
                    &[("max", &(MAX_DEFINITION / 1024).to_string())],
                );
                let import = Import {
                    problems: vec![(None, message)],
                    ..Import::default()
                };
                return show(cx, StatusCode::PAYLOAD_TOO_LARGE, None, &import).await;
            }
            match catalogue::import(&*app.store, site, "definition.xml", &text, &actor, now) {
                Ok(code) => Ok(done("imported", &code)),
                Err(CatalogueError::Refused(refused)) => {
                    let import = Import {
                        text,
                        problems: refused.by_line(),
                        ..Import::default()
                    };
                    return show(cx, StatusCode::UNPROCESSABLE_ENTITY, None, &import).await;
                }
                Err(e) => Err(e),
            }
        }
        "upload" => return upload(cx, &actor).await,
        _ => return plain(StatusCode::BAD_REQUEST, "Action inconnue."),
    };
    match result {
        Ok(r) => r,
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(e) => {
            let text = e.to_string();
            show(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("error", &text)),
                &Import::default(),
            )
            .await
        }
    }
}

/// A definition uploaded as a file (`multipart/form-data`): checked like a
/// pasted one and kept as a draft, or the page again with why it was not —
/// no file, an empty one, one too big (413) or not in UTF-8 — next to the
/// file input, with the file's name; nothing stored.
async fn upload(cx: &Ctx<'_>, actor: &str) -> Response<Body> {
    let frame = cx.frame;
    let Some(file) = cx
        .fields
        .file(FILE_INPUT)
        .filter(|f| !f.file_name.is_empty() || !f.bytes.is_empty())
    else {
        return refuse_file(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            "bo.catalogue.file-missing",
        )
        .await;
    };
    let name = if file.file_name.is_empty() {
        "definition.xml"
    } else {
        &file.file_name
    };
    if file.bytes.is_empty() {
        return refuse_file(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            "bo.catalogue.file-empty",
        )
        .await;
    }
    if file.bytes.len() > MAX_DEFINITION {
        return refuse_file(
            cx,
            StatusCode::PAYLOAD_TOO_LARGE,
            name,
            "bo.catalogue.file-too-big",
        )
        .await;
    }
    let Ok(text) = std::str::from_utf8(&file.bytes) else {
        return refuse_file(
            cx,
            StatusCode::UNPROCESSABLE_ENTITY,
            name,
            "bo.catalogue.file-not-utf8",
        )
        .await;
    };
    // Some editors start UTF-8 files with a byte order mark.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let (app, site) = (cx.app, cx.site);
    match catalogue::import(&*app.store, site, name, text, actor, app.now()) {
        Ok(code) => {
            let code: String = form_urlencoded::byte_serialize(code.as_bytes()).collect();
            redirect(&format!(
                "{}/backoffice/admin/catalogue?done=imported&code={code}",
                frame.base
            ))
        }
        Err(CatalogueError::Refused(refused)) => {
            let import = Import {
                file: Some(refused.file.clone()),
                file_problems: refused.by_line(),
                ..Import::default()
            };
            show(cx, StatusCode::UNPROCESSABLE_ENTITY, None, &import).await
        }
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(e) => {
            let text = e.to_string();
            show(
                cx,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(("error", &text)),
                &Import::default(),
            )
            .await
        }
    }
}

/// The page again with why the uploaded file (named `file`, empty when none
/// was chosen) was not read: the message `key`, next to the file input.
async fn refuse_file(cx: &Ctx<'_>, status: StatusCode, file: &str, key: &str) -> Response<Body> {
    let max = (MAX_DEFINITION / 1024).to_string();
    let message = cx.frame.format(key, &[("file", file), ("max", &max)]);
    let import = Import {
        file: Some(file.to_owned()).filter(|f| !f.is_empty()),
        file_problems: vec![(None, message)],
        ..Import::default()
    };
    show(cx, status, None, &import).await
}

/// A definition of the town's, as a file to download.
pub(super) async fn download(cx: &Ctx<'_>) -> Response<Body> {
    let Some(code) = cx.param("file").strip_suffix(".xml") else {
        return not_found(cx.site, cx.frame, cx.req);
    };
    match catalogue::export(&*cx.app.store, cx.site, code) {
        Ok(text) => {
            let mut r = Response::new(http_body_util::Full::new(bytes::Bytes::from(text)));
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/xml; charset=utf-8"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{code}.xml\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(CatalogueError::Store(e)) => unavailable(&e),
        Err(_) => not_found(cx.site, cx.frame, cx.req),
    }
}

// The page's view.

/// What the town has of the catalogue: its services' states, its drafts,
/// its test requests per service.
struct Town<'a> {
    states: &'a [ServiceState],
    drafts: &'a [(String, String)],
    tests: &'a [(String, u64)],
}

fn catalogue_view(
    cx: &Ctx<'_>,
    b: &Bar,
    town: &Town,
    notice: Option<(&str, &str)>,
    import: &Import,
) -> String {
    let frame: &Frame = cx.frame;
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-catalogue", &frame.message("bo.catalogue.title"));
    view::agent_bar(frame, &mut x, b);
    let back = format!("{}/backoffice/admin", frame.base);
    let action = format!("{back}/catalogue");
    let new = format!("{back}/catalogue/new");
    x.open(
        "catalogue-admin",
        &[
            ("back", &back),
            ("action", &action),
            ("token", b.token),
            ("new", &new),
        ],
    );
    if let Some((kind, text)) = notice {
        x.text("notice", &[("kind", kind)], text);
    }
    let states = town.states;
    let status_of = |code: &str| states.iter().find(|s| s.code == code);
    let mut theme = String::new();
    for entry in cx.app.library.iter() {
        let s = &entry.service;
        if s.theme.label != theme {
            if !theme.is_empty() {
                x.close("theme");
            }
            theme = s.theme.label.clone();
            x.open("theme", &[("code", &s.theme.code), ("label", &theme)]);
        }
        service_row(
            &mut x,
            frame,
            town,
            &s.code,
            service_title(s, frame.lang),
            status_of(&s.code),
        );
    }
    if !theme.is_empty() {
        x.close("theme");
    }
    let own: Vec<&ServiceState> = states
        .iter()
        .filter(|st| !cx.app.library.iter().any(|l| l.service.code == st.code))
        .collect();
    if !own.is_empty() {
        x.open("own", &[]);
        for st in own {
            let title = cx
                .site
                .tenant
                .service_version(&st.code, st.version)
                .map_or(st.code.clone(), |s| service_title(s, frame.lang).to_owned());
            service_row(&mut x, frame, town, &st.code, &title, Some(st));
        }
        x.close("own");
    }
    for (code, _) in town.drafts {
        let edit = format!("{back}/catalogue/{code}/edit");
        x.empty("draft", &[("code", code), ("edit", &edit)]);
    }
    x.open("import", &[]);
    for (line, message) in &import.problems {
        let line = line.map(|l| l.to_string());
        let mut attrs = Vec::new();
        if let Some(l) = &line {
            attrs.push(("line", l.as_str()));
        }
        x.text("error", &attrs, message);
    }
    if !import.text.is_empty() {
        x.text("value", &[], &import.text);
    }
    x.close("import");
    let mut attrs = Vec::new();
    if let Some(file) = &import.file {
        attrs.push(("file", file.as_str()));
    }
    x.open("upload", &attrs);
    for (line, message) in &import.file_problems {
        let line = line.map(|l| l.to_string());
        let mut attrs = Vec::new();
        if let Some(l) = &line {
            attrs.push(("line", l.as_str()));
        }
        x.text("error", &attrs, message);
    }
    x.close("upload");
    x.close("catalogue-admin");
    x.close("page");
    x.finish()
}

fn service_row(
    x: &mut Xml,
    frame: &Frame,
    town: &Town,
    code: &str,
    title: &str,
    state: Option<&ServiceState>,
) {
    let download = format!("{}/backoffice/admin/catalogue/{code}.xml", frame.base);
    let edit = format!("{}/backoffice/admin/catalogue/{code}/edit", frame.base);
    let try_it = format!(
        "{}{}/services/{code}",
        frame.base,
        crate::web::view::Desk::Testers.prefix()
    );
    let version = state.map(|s| s.version.to_string());
    let tests = town
        .tests
        .iter()
        .find(|(c, _)| c == code)
        .map(|(_, n)| n.to_string());
    let mut attrs = vec![
        ("code", code),
        ("status", state.map_or("absent", |s| s.status.as_str())),
    ];
    if let Some(v) = &version {
        attrs.push(("version", v.as_str()));
        attrs.push(("download", download.as_str()));
        attrs.push(("edit", edit.as_str()));
    }
    if state.is_some_and(|s| s.status == ServiceStatus::Test) {
        attrs.push(("try", try_it.as_str()));
    }
    if let Some(n) = &tests {
        attrs.push(("tests", n.as_str()));
    }
    x.text("service", &attrs, title);
}
