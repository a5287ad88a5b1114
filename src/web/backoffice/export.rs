//! Exports of requests (`/T/backoffice/export`): every request the
//! console's filters select — not one page — as CSV or as an XLSX
//! workbook, with the columns the agent chooses (the form's fields when the
//! console shows one service), kept as named export models per service.
//!
//! - `GET export?FILTERS[&model=ID]`: the choice of columns and format;
//! - `POST export?FILTERS`: `do=download` sends the file, `do=save` keeps
//!   the columns as a model under `name`, `do=delete` removes model `model`;
//! - `GET export/requests.csv|requests.xlsx?FILTERS&columns=a,b,…`: the
//!   file itself, for a bookmark or a script.
//!
//! Agents export what the console shows them: the departments whose
//! requests they may read.

use super::console::{Asked, visible_departments};
use super::view::{agent_bar, channel_label, department_name};
use super::{bar, bo_page, forbidden, today, unavailable};
use crate::core::export::{Column, ExportModel, field_value, parse_columns};
use crate::render::sheet::{self, Cell};
use crate::store::ExportRow;
use crate::web::route::Ctx;
use crate::web::view::{Xml, service_title};
use crate::web::{Body, download, plain, redirect};
use bytes::Bytes;
use hyper::{Response, StatusCode};

/// Most requests one export writes.
pub const MOST_ROWS: u32 = 100_000;

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
    Column::FIXED
        .into_iter()
        .chain(fields.iter().map(|f| Column::Field(f.name.clone())))
        .map(|c| {
            let label = heading(cx, asked, &c);
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
    let notice = cx
        .query("saved")
        .map(|name| cx.frame.format("bo.export.saved", &[("name", &name)]));
    let v = export_view(
        cx,
        &asked,
        total,
        &models,
        chosen_model,
        &chosen,
        notice,
        None,
    );
    bo_page(cx, StatusCode::OK, "bo-export.xsl", v)
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
                let models = app
                    .store
                    .export_models(site.tenant.id, Some(model_service(&asked)))
                    .await
                    .unwrap_or_default();
                let v = export_view(cx, &asked, 0, &models, None, &columns, None, Some(error));
                return bo_page(cx, StatusCode::BAD_REQUEST, "bo-export.xsl", v);
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
            send(cx, &asked, visible, &columns, xlsx).await
        }
    }
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

/// Reads the requests and writes the file.
async fn send(
    cx: &Ctx<'_>,
    asked: &Asked,
    visible: Option<Vec<String>>,
    columns: &[Column],
    xlsx: bool,
) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let mut query = asked.query(visible, today(app, site));
    query.offset = 0;
    query.limit = MOST_ROWS;
    let values = columns.iter().any(|c| matches!(c, Column::Field(_)));
    let rows = match app.store.export_rows(site.tenant.id, query, values).await {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let header: Vec<String> = columns.iter().map(|c| heading(cx, asked, c)).collect();
    let cells: Vec<Vec<Cell>> = rows.iter().map(|r| row_cells(cx, columns, r)).collect();
    tracing::info!(
        tenant = %site.tenant.slug,
        agent = %cx.session().record.agent.login,
        requests = rows.len(),
        "requests exported"
    );
    let day = today(app, site);
    let stem = format!("demandes-{}-{day}", site.tenant.slug);
    let title = frame.message("bo.export.sheet");
    let written = if xlsx {
        sheet::xlsx(&title, &header, &cells).map_err(|e| e.to_string())
    } else {
        sheet::csv_of_cells(&header, &cells).map_err(|e| e.to_string())
    };
    match written {
        Ok(bytes) if xlsx => download(
            Bytes::from(bytes),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("{stem}.xlsx"),
        ),
        Ok(bytes) => download(
            Bytes::from(bytes),
            "text/csv; charset=utf-8",
            &format!("{stem}.csv"),
        ),
        Err(e) => {
            tracing::error!(error = %e, "export not written");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "Export impossible.")
        }
    }
}

/// A column's heading, on the page and in the file.
fn heading(cx: &Ctx<'_>, asked: &Asked, column: &Column) -> String {
    match column {
        Column::Field(name) => field_label(cx, asked, name),
        c => cx.frame.message(&format!("bo.export.column.{}", c.code())),
    }
}

/// A field's label in the console's service (else in the first service
/// that has it), else its name.
fn field_label(cx: &Ctx<'_>, asked: &Asked, name: &str) -> String {
    let services = &cx.site.tenant.services;
    let chosen = asked.service.as_deref();
    services
        .iter()
        .filter(|s| chosen.is_none_or(|c| s.code == c))
        .chain(services.iter())
        .flat_map(|s| s.fields.iter())
        .find(|f| f.name == name)
        .map_or_else(
            || name.to_owned(),
            |f| {
                crate::core::catalogue::in_lang(&f.label, f.label_en.as_deref(), cx.frame.lang)
                    .to_owned()
            },
        )
}

fn row_cells(cx: &Ctx<'_>, columns: &[Column], r: &ExportRow) -> Vec<Cell> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let row = &r.row;
    let service = site
        .tenant
        .service_version(&row.service_code, row.service_version);
    let text = |s: &str| Cell::Text(s.to_owned());
    columns
        .iter()
        .map(|c| match c {
            Column::Reference => Cell::Text(row.reference.to_string()),
            Column::Service => {
                text(service.map_or(row.service_code.as_str(), |s| service_title(s, frame.lang)))
            }
            Column::Channel => Cell::Text(channel_label(frame, &row.channel)),
            Column::Step => text(
                service
                    .and_then(|s| s.step(&row.step))
                    .map_or(row.step.as_str(), |s| s.label.as_str()),
            ),
            Column::Department => Cell::Text(department_name(site, &row.department)),
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
                app.message_url, site.tenant.slug, row.reference
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
                    let worded: Vec<(String, String)> =
                        r.values
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

#[allow(clippy::too_many_arguments)]
fn export_view(
    cx: &Ctx<'_>,
    asked: &Asked,
    total: u64,
    models: &[ExportModel],
    model: Option<&ExportModel>,
    chosen: &[Column],
    notice: Option<String>,
    error: Option<(&str, String)>,
) -> String {
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
    let (total_text, most) = (total.to_string(), MOST_ROWS.to_string());
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
    x.close("export");
    x.close("page");
    x.finish()
}
