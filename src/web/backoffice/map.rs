//! The map of requests (`/T/backoffice/map`): the requests the console's
//! filters choose (the same query string) that have a point, drawn over the
//! town's districts as inline SVG (`render::map`), each a link to its page,
//! and listed in a table beside, which is also what a screen reader reads.

use super::console::{Asked, visible_departments};
use super::view::{agent_bar, bool_str, lateness, row_received, row_service, step_element};
use super::{bar, bo_page, forbidden, today, unavailable};
use crate::store::SortKey;
use crate::web::Body;
use crate::web::route::Ctx;
use crate::web::view::Xml;
use hyper::{Response, StatusCode};

/// Requests drawn at most: the newest ones.
pub const MOST: u32 = 500;

pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let (app, site, frame) = (cx.app, cx.site, cx.frame);
    let session = cx.session();
    if !session.record.agent.handles_requests() {
        return forbidden(cx);
    }
    let visible = visible_departments(session);
    let asked = Asked::read(cx, visible.as_deref());
    let today = today(app, site);
    let mut chosen = asked.query(visible.clone(), today);
    chosen.limit = 0;
    chosen.offset = 0;
    let mut located = chosen.clone();
    located.located = true;
    located.sort = SortKey::Received;
    located.descending = true;
    located.limit = MOST;
    let (counted, drawn) = match tokio::try_join!(
        app.store.console(site.tenant.id, chosen),
        app.store.console(site.tenant.id, located),
    ) {
        Ok(((all, _), (with_point, rows))) => ((all, with_point), rows),
        Err(e) => return unavailable(&e),
    };
    let places = site.look.get().places.clone();
    let points: Vec<_> = drawn.iter().filter_map(|r| r.point).collect();
    let map = crate::render::map::layout(places.districts(), &points);

    let mut x = Xml::new();
    frame.begin(&mut x, "bo-map", &frame.message("bo.map.title"));
    agent_bar(frame, &mut x, &bar(session));
    let filters = asked.filter_query();
    let console = format!("{}/backoffice/?{}", frame.base, filters);
    x.open(
        "map",
        &[
            ("chosen", &counted.0.to_string()),
            ("located", &counted.1.to_string()),
            ("drawn", &drawn.len().to_string()),
            ("console", console.trim_end_matches('&')),
        ],
    );
    let mut summary = frame.format(
        "bo.map.summary",
        &[
            ("chosen", &counted.0.to_string()),
            ("located", &counted.1.to_string()),
        ],
    );
    if counted.1 > u64::from(MOST) {
        summary.push(' ');
        summary.push_str(&frame.format("bo.map.newest", &[("most", &MOST.to_string())]));
    }
    if let Some(m) = map.as_ref().filter(|m| m.outside > 0) {
        summary.push(' ');
        summary.push_str(&frame.format("bo.map.outside", &[("outside", &m.outside.to_string())]));
    }
    x.text("summary", &[], &summary);
    if let Some(m) = &map {
        x.open(
            "plan",
            &[
                ("width", &m.width.to_string()),
                ("height", &m.height.to_string()),
            ],
        );
        for a in &m.areas {
            x.text(
                "area",
                &[
                    ("code", &a.code),
                    ("points", &a.points),
                    ("x", &a.label_x.to_string()),
                    ("y", &a.label_y.to_string()),
                ],
                &a.name,
            );
        }
        // The marks in the rows' order: `index` counts the rows with a point.
        let located_rows: Vec<_> = drawn.iter().filter(|r| r.point.is_some()).collect();
        for mark in &m.marks {
            let row = located_rows[mark.index];
            let (late, _) = lateness(
                row.submitted_at
                    .to_zoned(frame.tenant.time_zone.clone())
                    .date(),
                row.due_date,
                today,
                row.finished,
            );
            x.empty(
                "mark",
                &[
                    ("reference", &row.reference.to_string()),
                    ("x", &mark.x.to_string()),
                    ("y", &mark.y.to_string()),
                    ("late", bool_str(late)),
                    ("final", bool_str(row.finished)),
                ],
            );
        }
        x.close("plan");
    }
    x.open("requests", &[]);
    for row in &drawn {
        let reference = row.reference.to_string();
        let href = format!("{}/backoffice/requests/{reference}", frame.base);
        let received = row
            .submitted_at
            .to_zoned(frame.tenant.time_zone.clone())
            .date();
        let (late, _) = lateness(received, row.due_date, today, row.finished);
        x.open(
            "request",
            &[
                ("reference", &reference),
                ("href", &href),
                ("late", bool_str(late)),
                ("final", bool_str(row.finished)),
            ],
        );
        let service = row_service(frame, &mut x, row);
        step_element(&mut x, service, &row.step);
        let district = places
            .district(&row.district)
            .map_or_else(String::new, |d| d.name.clone());
        x.text("district", &[("code", &row.district)], &district);
        row_received(frame, &mut x, row);
        x.close("request");
    }
    x.close("requests");
    x.close("map");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-map.xsl", x.finish())
}
