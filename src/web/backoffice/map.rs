//! The map of requests (`/T/backoffice/map`): the requests the console's
//! filters choose (the same query string) that have a point, drawn over the
//! town's districts as inline SVG (`render::map`), each a link to its page,
//! and listed in a table beside, which is also what a screen reader reads;
//! over the town's tile server when it has one (`[map] tiles`: Leaflet
//! from the town's own assets, `js/map.js`), the SVG kept for browsers
//! without JavaScript.

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
    let (chosen_n, located_n, drawn_n) = (
        counted.0.to_string(),
        counted.1.to_string(),
        drawn.len().to_string(),
    );
    let mut attrs = vec![
        ("chosen", chosen_n.as_str()),
        ("located", located_n.as_str()),
        ("drawn", drawn_n.as_str()),
        ("console", console.trim_end_matches('&')),
    ];
    // Over the town's tile server (Leaflet, from the town's own assets),
    // when it has one: the points' and outlines' coordinates come along.
    let look = site.look.get();
    let tiles = look.settings.map.tiles.clone();
    let zoom = look.settings.map.max_zoom.to_string();
    let assets = format!("{}/assets/", frame.base);
    if let Some(t) = &tiles {
        attrs.push(("tiles", t));
        attrs.push(("attribution", &look.settings.map.attribution));
        attrs.push(("max-zoom", &zoom));
        attrs.push(("assets", &assets));
    }
    x.open("map", &attrs);
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
            let lonlat = tiles
                .as_ref()
                .and_then(|_| places.district(&a.code))
                .map(|d| {
                    d.outline
                        .iter()
                        .map(|p| format!("{},{}", p.lon, p.lat))
                        .collect::<Vec<_>>()
                        .join(" ")
                });
            let (lx, ly) = (a.label_x.to_string(), a.label_y.to_string());
            let mut attrs = vec![
                ("code", a.code.as_str()),
                ("points", a.points.as_str()),
                ("x", lx.as_str()),
                ("y", ly.as_str()),
            ];
            if let Some(l) = &lonlat {
                attrs.push(("lonlat", l));
            }
            x.text("area", &attrs, &a.name);
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
        let point = row
            .point
            .filter(|_| tiles.is_some())
            .map(|p| (p.lat.to_string(), p.lon.to_string()));
        let mut attrs = vec![
            ("reference", reference.as_str()),
            ("href", href.as_str()),
            ("late", bool_str(late)),
            ("final", bool_str(row.finished)),
        ];
        if let Some((lat, lon)) = &point {
            attrs.push(("lat", lat));
            attrs.push(("lon", lon));
        }
        x.open("request", &attrs);
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
