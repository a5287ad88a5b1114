//! Exports of requests (`/T/backoffice/export`): every request the
//! console's filters select — not one page — as CSV or as an XLSX
//! workbook, with the columns the agent chooses (the form's fields when the
//! console shows one service), kept as named export models per service.
//!
//! - `GET export?FILTERS[&model=ID]`: the choice of columns and format;
//! - `POST export?FILTERS`: `do=download` sends the file, `do=save` keeps
//!   the columns as a model under `name`, `do=delete` removes model `model`;
//! - `GET export/requests.csv|requests.xlsx?FILTERS&columns=a,b,…`: the
//!   file itself, for a bookmark or a script (at most [`MOST_ROWS`]);
//! - `GET export/files/ID`: a background export's file, for its agent.
//!
//! An export of more than [`AT_ONCE`] requests from the page runs in the
//! background ([`run_exports`]): the page queues it, shows the agent's
//! exports and offers each file once written, for [`KEPT`]; the file is
//! kept in the blob store, every step is in the audit journal.
//!
//! Agents export what the console shows them: the departments whose
//! requests they may read.

use super::console::{Asked, visible_departments};
use super::view::{agent_bar, channel_label, department_name};
use super::{bar, bo_page, forbidden, today, unavailable};
use crate::core::export::{Column, ExportModel, columns_text, field_value, parse_columns};
use crate::render::sheet::{self, Cell};
use crate::store::{
    ExportFile, ExportJob, ExportOutcome, ExportRow, ExportState, NewExportJob, StoreError,
    audit_detail,
};
use crate::tenant::Site;
use crate::usecases::App;
use crate::web::route::Ctx;
use crate::web::view::{Desk, Frame, Xml, service_title};
use crate::web::{Body, download, plain, redirect};
use bytes::Bytes;
use hyper::{Response, StatusCode};
use jiff::{SignedDuration, Timestamp};

/// Most requests a file asked by its address (`export/requests.csv`) writes.
pub const MOST_ROWS: u32 = 100_000;
/// Up to so many requests the page writes its export while the agent waits;
/// more go to the background.
pub const AT_ONCE: u64 = 5_000;
/// Most requests a background export writes: a sheet's rows.
pub const MOST_BACKGROUND: u32 = sheet::MAX_ROWS - 1;
/// How long a background export's file is offered.
pub const KEPT: SignedDuration = SignedDuration::from_hours(24);
/// Requests read at a time by a background export.
const SLICE: usize = 2_000;
/// A background export claimed this long ago and never finished belongs to
/// a node that died: another takes it up.
const STALE: SignedDuration = SignedDuration::from_hours(1);
/// The agent's last exports listed on the page.
const LISTED: u32 = 10;

/// The filters and the departments the agent may read; `None` for an
/// agent who may read none (statistics only).
fn asked(cx: &Ctx<'_>) -> Option<(Asked, Option<Vec<String>>)> {
    let visible = visible_departments(cx.session());
    if visible.as_ref().is_some_and(Vec::is_empty) {
        return None;
    }
    Some((Asked::read(cx, visible.as_deref()), visible))
}

/// The columns an agent may pick: the fixed ones, then the service's
/// fields when the console shows one service; (code, label).
fn offered(cx: &Ctx<'_>, asked: &Asked) -> Vec<(Column, String)> {
    let fields = asked
        .service
        .as_deref()
        .and_then(|s| cx.site.tenant.service(s))
        .map(|s| s.fields.as_slice())
        .unwrap_or_default();
    let labels = Labels::of(cx, asked);
    Column::FIXED
        .into_iter()
        .chain(fields.iter().map(|f| Column::Field(f.name.clone())))
        .map(|c| {
            let label = labels.heading(&c);
            (c, label)
        })
        .collect()
}

/// The service models are kept under: the console's one, or `""`.
fn model_service(asked: &Asked) -> String {
    asked.service.clone().unwrap_or_default()
}

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let Some((asked, visible)) = asked(cx) else {
        return forbidden(cx);
    };
    let (app, site) = (cx.app, cx.site);
    let mut count = asked.query(visible.clone(), today(app, site));
    count.limit = 1;
    count.offset = 0;
    let total = match app.store.console(site.tenant.id, count).await {
        Ok((total, _)) => total,
        Err(e) => return unavailable(&e),
    };
    let models = match app
        .store
        .export_models(site.tenant.id, Some(model_service(&asked)))
        .await
    {
        Ok(m) => m,
        Err(e) => return unavailable(&e),
    };
    let chosen_model = cx
        .query("model")
        .and_then(|id| id.parse::<i64>().ok())
        .and_then(|id| models.iter().find(|m| m.id == id));
    let chosen = match (chosen_model, cx.query("columns")) {
        (Some(m), _) => m.columns.clone(),
        (None, Some(text)) => parse_columns(&text).unwrap_or_else(|_| Column::default_set()),
        (None, None) => Column::default_set(),
    };
    let notice = match (cx.query("saved"), cx.query("queued")) {
        (Some(name), _) => Some(cx.frame.format("bo.export.saved", &[("name", &name)])),
        (None, Some(_)) => Some(cx.frame.message("bo.export.queued")),
        (None, None) => None,
    };
    let jobs = match agent_jobs(cx).await {
        Ok(j) => j,
        Err(e) => return unavailable(&e),
    };
    let v = export_view(
        cx,
        &Shown {
            asked: &asked,
            total,
            models: &models,
            model: chosen_model,
            chosen: &chosen,
            jobs: &jobs,
        },
        notice,
        None,
    );
    bo_page(cx, StatusCode::OK, "bo-export.xsl", v)
}

/// The agent's last background exports.
async fn agent_jobs(cx: &Ctx<'_>) -> Result<Vec<ExportJob>, StoreError> {
    let login = cx.session().record.agent.login.clone();
    cx.app
        .store
        .export_jobs(cx.site.tenant.id, login, LISTED)
        .await
}

/// What the export page shows.
struct Shown<'a> {
    asked: &'a Asked,
    total: u64,
    models: &'a [ExportModel],
    model: Option<&'a ExportModel>,
    chosen: &'a [Column],
    jobs: &'a [ExportJob],
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let Some((asked, visible)) = asked(cx) else {
        return forbidden(cx);
    };
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let fields = &cx.fields;
    let back = format!("{}/backoffice/export?{}", frame.base, asked.filter_query());
    let columns: Result<Vec<Column>, _> = parse_columns(&fields.all("column").join(","));
    let columns = match columns {
        Ok(c) => c,
        Err(e) => return plain(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    match fields.get("do").unwrap_or("download") {
        "delete" => {
            let Some(id) = fields.get("model").and_then(|m| m.parse::<i64>().ok()) else {
                return redirect(&back);
            };
            match app.store.delete_export_model(site.tenant.id, id).await {
                Ok(_) => redirect(&back),
                Err(e) => unavailable(&e),
            }
        }
        "save" => {
            let name: String = fields
                .get("name")
                .unwrap_or("")
                .trim()
                .chars()
                .take(80)
                .collect();
            let error = if name.is_empty() {
                Some(("name", frame.message("bo.export.error.name")))
            } else if columns.is_empty() {
                Some(("column", frame.message("bo.export.error.columns")))
            } else {
                None
            };
            if let Some(error) = error {
                return refused(
                    cx,
                    &asked,
                    visible,
                    &columns,
                    StatusCode::BAD_REQUEST,
                    error,
                )
                .await;
            }
            let model = ExportModel {
                id: 0,
                service: model_service(&asked),
                name: name.clone(),
                columns,
            };
            let by = cx.session().record.agent.login.clone();
            match app
                .store
                .save_export_model(site.tenant.id, model, by, app.now())
                .await
            {
                Ok(id) => {
                    let mut saved = String::new();
                    form_urlencoded::Serializer::new(&mut saved)
                        .append_pair("model", &id.to_string())
                        .append_pair("saved", &name);
                    redirect(&format!("{back}{saved}"))
                }
                Err(e) => unavailable(&e),
            }
        }
        _ => {
            let xlsx = fields.get("format") == Some("xlsx");
            let columns = if columns.is_empty() {
                Column::default_set()
            } else {
                columns
            };
            let total = match count(cx, &asked, visible.clone()).await {
                Ok(t) => t,
                Err(e) => return unavailable(&e),
            };
            if total <= AT_ONCE {
                return send(cx, &asked, visible, &columns, xlsx).await;
            }
            let job = NewExportJob {
                agent: cx.session().record.agent.login.clone(),
                filters: asked.filter_query(),
                columns: columns_text(&columns),
                xlsx,
                lang: frame.lang.to_owned(),
                expected: total.min(u64::from(MOST_BACKGROUND)),
            };
            match app.store.queue_export(site.tenant.id, job, app.now()).await {
                Ok(Some(id)) => {
                    app.exports_due.notify_one();
                    redirect(&format!("{back}queued={id}"))
                }
                Ok(None) => {
                    let error = ("exports", frame.message("bo.export.error.pending"));
                    refused(cx, &asked, visible, &columns, StatusCode::CONFLICT, error).await
                }
                Err(e) => unavailable(&e),
            }
        }
    }
}

/// How many requests the filters select.
async fn count(
    cx: &Ctx<'_>,
    asked: &Asked,
    visible: Option<Vec<String>>,
) -> Result<u64, StoreError> {
    let mut count = asked.query(visible, today(cx.app, cx.site));
    count.limit = 1;
    count.offset = 0;
    Ok(cx.app.store.console(cx.site.tenant.id, count).await?.0)
}

/// The page again, with what was chosen and the message next to its field.
async fn refused(
    cx: &Ctx<'_>,
    asked: &Asked,
    visible: Option<Vec<String>>,
    columns: &[Column],
    status: StatusCode,
    error: (&str, String),
) -> Response<Body> {
    let store = &cx.app.store;
    let models = store
        .export_models(cx.site.tenant.id, Some(model_service(asked)))
        .await
        .unwrap_or_default();
    let jobs = agent_jobs(cx).await.unwrap_or_default();
    let total = count(cx, asked, visible).await.unwrap_or_default();
    let shown = Shown {
        asked,
        total,
        models: &models,
        model: None,
        chosen: columns,
        jobs: &jobs,
    };
    let v = export_view(cx, &shown, None, Some(error));
    bo_page(cx, status, "bo-export.xsl", v)
}

/// `GET export/files/ID`: a background export's file, for the agent who
/// asked it, while it is offered.
pub(super) async fn ready_file(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site) = (cx.app, cx.site);
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return plain(StatusCode::NOT_FOUND, "Export inconnu.");
    };
    let login = cx.session().record.agent.login.clone();
    let jobs = match app
        .store
        .export_jobs(site.tenant.id, login.clone(), u32::MAX)
        .await
    {
        Ok(j) => j,
        Err(e) => return unavailable(&e),
    };
    let Some(job) = jobs.into_iter().find(|j| j.id == id) else {
        return plain(StatusCode::NOT_FOUND, "Export inconnu.");
    };
    let now = app.now();
    let file = match (&job.state, &job.file, job.expires_at) {
        (ExportState::Ready, Some(file), Some(until)) if until > now => file.clone(),
        (ExportState::Ready | ExportState::Expired, _, _) => {
            return plain(StatusCode::GONE, &cx.frame.message("bo.export.job.gone"));
        }
        _ => return plain(StatusCode::NOT_FOUND, "Export inconnu."),
    };
    let blobs = std::sync::Arc::clone(&app.blobs);
    let digest = file.sha256.clone();
    let bytes = match tokio::task::spawn_blocking(move || blobs.get(&digest)).await {
        Ok(Ok(Some(b))) => b,
        Ok(Ok(None)) => return plain(StatusCode::GONE, &cx.frame.message("bo.export.job.gone")),
        Ok(Err(e)) => {
            tracing::error!(error = %e, export = id, "export file unreadable");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "Export illisible.");
        }
        Err(e) => {
            tracing::error!(error = %e, export = id, "export file unreadable");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "Export illisible.");
        }
    };
    if let Err(e) = app
        .store
        .record_audit(
            site.tenant.id,
            format!("agent:{login}"),
            format!("export:{id}"),
            "export.downloaded".into(),
            format!("export {id} : {} demandes, {}", file.rows, file.name),
            now,
        )
        .await
    {
        return unavailable(&e);
    }
    download(bytes, media_type(job.asked.xlsx), &file.name)
}

fn media_type(xlsx: bool) -> &'static str {
    if xlsx {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    }
}

/// The file's name: `demandes-SLUG-DAY.csv`.
fn file_name(site: &Site, day: jiff::civil::Date, xlsx: bool) -> String {
    let extension = if xlsx { "xlsx" } else { "csv" };
    format!("demandes-{}-{day}.{extension}", site.tenant.slug)
}

pub(super) async fn file(cx: &Ctx<'_>) -> Response<Body> {
    let xlsx = match cx.param("file") {
        "requests.csv" => false,
        "requests.xlsx" => true,
        _ => return plain(StatusCode::NOT_FOUND, "Export inconnu."),
    };
    let Some((asked, visible)) = asked(cx) else {
        return forbidden(cx);
    };
    let columns = match cx.query("columns").map(|c| parse_columns(&c)) {
        None => Column::default_set(),
        Some(Ok(c)) if c.is_empty() => Column::default_set(),
        Some(Ok(c)) => c,
        Some(Err(e)) => return plain(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    send(cx, &asked, visible, &columns, xlsx).await
}

/// Reads the requests and writes the file while the agent waits.
async fn send(
    cx: &Ctx<'_>,
    asked: &Asked,
    visible: Option<Vec<String>>,
    columns: &[Column],
    xlsx: bool,
) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let day = today(app, site);
    let filters = asked.filter_query();
    let mut query = asked.query(visible, day);
    query.offset = 0;
    query.limit = MOST_ROWS;
    let values = columns.iter().any(|c| matches!(c, Column::Field(_)));
    let rows = match app.store.export_rows(site.tenant.id, query, values).await {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let labels = Labels::of(cx, asked);
    let written = (|| {
        let mut w = labels.writer(columns, xlsx)?;
        for r in &rows {
            w.push(&labels.cells(columns, r))?;
        }
        w.finish()
    })();
    let login = &cx.session().record.agent.login;
    tracing::info!(
        tenant = %site.tenant.slug,
        agent = %login,
        requests = rows.len(),
        "requests exported"
    );
    let asked_job = NewExportJob {
        agent: login.clone(),
        filters,
        columns: columns_text(columns),
        xlsx,
        lang: frame.lang.to_owned(),
        expected: rows.len() as u64,
    };
    if let Err(e) = app
        .store
        .record_audit(
            site.tenant.id,
            format!("agent:{login}"),
            "export".into(),
            "export.downloaded".into(),
            audit_detail(&asked_job),
            app.now(),
        )
        .await
    {
        return unavailable(&e);
    }
    match written {
        Ok(bytes) => download(
            Bytes::from(bytes),
            media_type(xlsx),
            &file_name(site, day, xlsx),
        ),
        Err(e) => {
            tracing::error!(error = %e, "export not written");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Export impossible.")
        }
    }
}

/// Writes the background exports waiting in any town, one after the other,
/// until none waits; how many were done. Each is read with its agent's
/// rights of the moment (one who left or lost them gets a failed export)
/// and its file kept in the blob store before the job is marked ready.
pub async fn run_exports(app: &App) -> Result<usize, StoreError> {
    let mut done = 0;
    loop {
        let now = app.now();
        let Some(job) = app.store.claim_export(now, now - STALE).await? else {
            return Ok(done);
        };
        let outcome = match write_job(app, &job).await {
            Ok(file) => {
                tracing::info!(
                    export = job.id,
                    requests = file.rows,
                    bytes = file.size,
                    "background export written"
                );
                ExportOutcome::Ready {
                    file,
                    expires_at: app.now() + KEPT,
                }
            }
            Err(why) => {
                tracing::warn!(export = job.id, reason = %why, "background export failed");
                ExportOutcome::Failed(why)
            }
        };
        app.store.finish_export(job.id, outcome, app.now()).await?;
        done += 1;
    }
}

/// A background export's file, or why it could not be written (in words,
/// for the agent).
async fn write_job(app: &App, job: &ExportJob) -> Result<ExportFile, String> {
    let failed = |e: &dyn std::fmt::Display| format!("erreur interne : {e}");
    let site = app
        .site_by_id(job.tenant_id)
        .ok_or_else(|| "la commune n'est plus servie".to_owned())?;
    let agents = app
        .store
        .agents(job.tenant_id)
        .await
        .map_err(|e| failed(&e))?;
    let agent = agents
        .iter()
        .find(|a| a.agent.login == job.asked.agent && a.active)
        .ok_or_else(|| "l'agent n'a plus de compte actif".to_owned())?;
    let visible = agent.agent.request_departments();
    if visible.as_ref().is_some_and(Vec::is_empty) {
        return Err("l'agent ne lit plus les demandes d'aucun service".into());
    }
    let columns = parse_columns(&job.asked.columns).map_err(|e| failed(&e))?;
    let look = site.look.get();
    let lang = if look.has_language(&job.asked.lang) {
        job.asked.lang.clone()
    } else {
        look.settings.language.clone()
    };
    let frame = Frame {
        tenant: &site.tenant,
        step_colours: &site.step_colours,
        look: &look,
        lang: &lang,
        base: format!("/{}", site.tenant.slug),
        backoffice: true,
        desk: Desk::Public,
        inbound: None,
    };
    let asked = Asked::from_query(&site, &job.asked.filters, visible.as_deref());
    let day = today(app, &site);
    let mut query = asked.query(visible, day);
    query.offset = 0;
    query.limit = MOST_BACKGROUND;
    let ids = app
        .store
        .export_ids(job.tenant_id, query)
        .await
        .map_err(|e| failed(&e))?;
    let labels = Labels {
        site: &site,
        frame: &frame,
        service: asked.service.as_deref(),
        url: &app.message_url,
        places: site.look.get().places.clone(),
    };
    let values = columns.iter().any(|c| matches!(c, Column::Field(_)));
    let mut w = labels
        .writer(&columns, job.asked.xlsx)
        .map_err(|e| failed(&e))?;
    for slice in ids.chunks(SLICE) {
        let rows = app
            .store
            .export_rows_of(job.tenant_id, slice.to_vec(), values)
            .await
            .map_err(|e| failed(&e))?;
        for r in &rows {
            w.push(&labels.cells(&columns, r)).map_err(|e| failed(&e))?;
        }
        // A slice at a time, letting the requests being served go first.
        tokio::task::yield_now().await;
    }
    let rows = u64::from(w.rows());
    let bytes = w.finish().map_err(|e| failed(&e))?;
    let sha256 = crate::core::files::sha256(&bytes);
    let size = bytes.len() as u64;
    let blobs = std::sync::Arc::clone(&app.blobs);
    let digest = sha256.clone();
    tokio::task::spawn_blocking(move || blobs.put(&digest, &bytes))
        .await
        .map_err(|e| failed(&e))?
        .map_err(|e| failed(&e))?;
    Ok(ExportFile {
        sha256,
        size,
        name: file_name(&site, day, job.asked.xlsx),
        rows,
    })
}

/// What names an export's columns and writes its cells: the town, the
/// agent's language, the console's service.
struct Labels<'a> {
    site: &'a Site,
    frame: &'a Frame<'a>,
    service: Option<&'a str>,
    /// Guichet's address, for the links to the requests.
    url: &'a str,
    /// The town's districts, for their names.
    places: std::sync::Arc<crate::core::places::Places>,
}

impl<'a> Labels<'a> {
    fn of(cx: &'a Ctx<'_>, asked: &'a Asked) -> Labels<'a> {
        Labels {
            site: cx.site,
            frame: cx.frame,
            service: asked.service.as_deref(),
            url: &cx.app.message_url,
            places: cx.site.look.get().places.clone(),
        }
    }

    /// A sheet with the columns' headings written.
    fn writer(&self, columns: &[Column], xlsx: bool) -> Result<sheet::Writer, sheet::SheetError> {
        let header: Vec<String> = columns.iter().map(|c| self.heading(c)).collect();
        if xlsx {
            sheet::Writer::xlsx(&self.frame.message("bo.export.sheet"), &header)
        } else {
            sheet::Writer::csv(&header)
        }
    }

    /// A column's heading, on the page and in the file.
    fn heading(&self, column: &Column) -> String {
        match column {
            Column::Field(name) => self.field_label(name),
            c => self
                .frame
                .message(&format!("bo.export.column.{}", c.code())),
        }
    }

    /// A field's label in the console's service (else in the first service
    /// that has it), else its name.
    fn field_label(&self, name: &str) -> String {
        let services = &self.site.tenant.services;
        let chosen = self.service;
        services
            .iter()
            .filter(|s| chosen.is_none_or(|c| s.code == c))
            .chain(services.iter())
            .flat_map(|s| s.fields.iter())
            .find(|f| f.name == name)
            .map_or_else(
                || name.to_owned(),
                |f| {
                    crate::core::catalogue::in_lang(
                        &f.label,
                        f.label_en.as_deref(),
                        self.frame.lang,
                    )
                    .to_owned()
                },
            )
    }

    /// A request's row of cells.
    fn cells(&self, columns: &[Column], r: &ExportRow) -> Vec<Cell> {
        let (site, frame) = (self.site, self.frame);
        let row = &r.row;
        let service = site
            .tenant
            .service_version(&row.service_code, row.service_version);
        let text = |s: &str| Cell::Text(s.to_owned());
        columns
            .iter()
            .map(|c| match c {
                Column::Reference => Cell::Text(row.reference.to_string()),
                Column::Service => text(
                    service.map_or(row.service_code.as_str(), |s| service_title(s, frame.lang)),
                ),
                Column::Channel => Cell::Text(channel_label(frame, &row.channel)),
                Column::Step => text(
                    service
                        .and_then(|s| s.step(&row.step))
                        .map_or(row.step.as_str(), |s| s.label.as_str()),
                ),
                Column::Department => Cell::Text(department_name(site, &row.department)),
                Column::District => Cell::Text(
                    self.places
                        .district(&row.district)
                        .map_or_else(String::new, |d| d.name.clone()),
                ),
                Column::Requester => text(&row.requester_name),
                Column::Email => text(r.email.as_deref().unwrap_or("")),
                Column::Received => Cell::DateTime(
                    row.submitted_at
                        .to_zoned(site.tenant.time_zone.clone())
                        .datetime(),
                ),
                Column::Due => Cell::Date(row.due_date),
                Column::State => {
                    let state = if row.finished {
                        "final"
                    } else if row.waiting {
                        "waiting"
                    } else {
                        "open"
                    };
                    Cell::Text(frame.message(&format!("bo.export.state.{state}")))
                }
                Column::Link => Cell::Link(format!(
                    "{}/{}/backoffice/requests/{}",
                    self.url, site.tenant.slug, row.reference
                )),
                Column::Field(name) => {
                    // A choice says its option's wording, not its code.
                    let options = service
                        .and_then(|s| s.fields.iter().find(|f| &f.name == name))
                        .map(|f| f.options.as_slice())
                        .unwrap_or_default();
                    if options.is_empty() {
                        Cell::Text(field_value(&r.values, name))
                    } else {
                        let worded: Vec<(String, String)> = r
                            .values
                            .iter()
                            .map(|(path, v)| {
                                let label = options.iter().find(|o| &o.value == v).map_or(
                                    v.as_str(),
                                    |o| {
                                        crate::core::catalogue::in_lang(
                                            &o.label,
                                            o.label_en.as_deref(),
                                            frame.lang,
                                        )
                                    },
                                );
                                (path.clone(), label.to_owned())
                            })
                            .collect();
                        Cell::Text(field_value(&worded, name))
                    }
                }
            })
            .collect()
    }
}

fn export_view(
    cx: &Ctx<'_>,
    shown: &Shown<'_>,
    notice: Option<String>,
    error: Option<(&str, String)>,
) -> String {
    let Shown {
        asked,
        total,
        models,
        model,
        chosen,
        jobs,
    } = *shown;
    let frame = cx.frame;
    let session = cx.session();
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-export", &frame.message("bo.export.title"));
    agent_bar(frame, &mut x, &bar(session));
    let filters = asked.filter_query();
    let action = format!("{}/backoffice/export?{filters}", frame.base);
    let console = format!("{}/backoffice/?{filters}", frame.base);
    let service_title = asked
        .service
        .as_deref()
        .and_then(|s| cx.site.tenant.service(s))
        .map(|s| service_title(s, frame.lang).to_owned())
        .unwrap_or_default();
    let (total_text, most) = (total.to_string(), MOST_BACKGROUND.to_string());
    x.open(
        "export",
        &[
            ("action", &action),
            ("console", &console),
            ("token", bar(session).token),
            ("total", &total_text),
            ("most", &most),
            ("service", &service_title),
        ],
    );
    if let Some(n) = &notice {
        x.text("notice", &[], n);
    }
    if total > AT_ONCE {
        let count = thousands(AT_ONCE, frame.lang);
        x.text(
            "background",
            &[],
            &frame.format("bo.export.background", &[("count", &count)]),
        );
    }
    if let Some((field, message)) = &error {
        x.text("error", &[("field", field)], message);
    }
    x.open("columns", &[]);
    for (column, label) in offered(cx, asked) {
        let code = column.code();
        let checked = if chosen.contains(&column) {
            "true"
        } else {
            "false"
        };
        let kind = if matches!(column, Column::Field(_)) {
            "field"
        } else {
            "request"
        };
        x.text(
            "column",
            &[("code", &code), ("checked", checked), ("kind", kind)],
            &label,
        );
    }
    x.close("columns");
    x.open("models", &[]);
    for m in models {
        let id = m.id.to_string();
        let href = format!("{action}model={id}");
        let selected = if model.is_some_and(|c| c.id == m.id) {
            "true"
        } else {
            "false"
        };
        let general = if m.service.is_empty() {
            "true"
        } else {
            "false"
        };
        x.text(
            "model",
            &[
                ("id", &id),
                ("href", &href),
                ("selected", selected),
                ("general", general),
            ],
            &m.name,
        );
    }
    x.close("models");
    jobs_view(cx, &mut x, jobs);
    x.close("export");
    x.close("page");
    x.finish()
}

/// The agent's background exports: where each stands, its file while offered.
fn jobs_view(cx: &Ctx<'_>, x: &mut Xml, jobs: &[ExportJob]) {
    let (frame, site) = (cx.frame, cx.site);
    let now = cx.app.now();
    let tz = &site.tenant.time_zone;
    let when = |t: Timestamp, key: &str| {
        let z = t.to_zoned(tz.clone());
        frame.format(
            key,
            &[
                (
                    "date",
                    &crate::tenant::dates::long_date(z.date(), frame.lang),
                ),
                ("time", &z.strftime("%H:%M").to_string()),
            ],
        )
    };
    x.open("jobs", &[]);
    for job in jobs {
        // A file past its time is expired, whether or not the store says so yet.
        let state = match job.state {
            ExportState::Ready if job.expires_at.is_none_or(|t| t <= now) => ExportState::Expired,
            s => s,
        };
        let id = job.id.to_string();
        let href = format!("{}/backoffice/export/files/{id}", frame.base);
        let format = if job.asked.xlsx { "XLSX" } else { "CSV" };
        let expected = job.asked.expected.to_string();
        let queued = when(job.queued_at, "bo.export.job.at");
        let mut attrs: Vec<(&str, String)> = vec![
            ("id", id),
            ("state", state.as_str().to_owned()),
            ("format", format.to_owned()),
            ("expected", expected),
            ("queued", queued),
        ];
        if let Some(file) = job.file.as_ref().filter(|_| state == ExportState::Ready) {
            attrs.push(("href", href));
            attrs.push(("rows", file.rows.to_string()));
            attrs.push(("size", size_text(file.size)));
        }
        if let (Some(until), ExportState::Ready) = (job.expires_at, state) {
            attrs.push(("until", when(until, "bo.export.job.until")));
        }
        let refs: Vec<(&str, &str)> = attrs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        x.open("job", &refs);
        x.text(
            "state",
            &[],
            &frame.message(&format!("bo.export.job.{}", state.as_str())),
        );
        if let Some(why) = job.error.as_ref().filter(|_| state == ExportState::Failed) {
            x.text("why", &[], why);
        }
        x.close("job");
    }
    x.close("jobs");
}

/// A file's size in words: `12,4 Mo`.
fn size_text(bytes: u64) -> String {
    let (value, unit) = if bytes >= 1 << 20 {
        (bytes as f64 / f64::from(1 << 20), "Mo")
    } else {
        (bytes as f64 / 1024.0, "ko")
    };
    format!("{value:.1} {unit}").replace('.', ",")
}

/// A count with its thousands apart: `5 000`, `5,000` in English.
fn thousands(n: u64, lang: &str) -> String {
    let digits = n.to_string();
    let gap = if lang == "en" { ',' } else { '\u{202f}' };
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(gap);
        }
        out.push(d);
    }
    out
}
