//! Department heads, told first when a request is late.

use crate::tenant::Site;
use crate::usecases::App;
use crate::web::backoffice::unavailable;
use crate::web::route::Ctx;
use crate::web::session::Session;
use crate::web::view::Frame;
use crate::web::{Body, Fields, plain, redirect};
use hyper::{Response, StatusCode};

/// An administrator names the head of each department (or none): the agent
/// told first when one of its requests is late.
async fn set_heads(
    app: &App,
    site: &Site,
    frame: &Frame<'_>,
    session: &Session,
    fields: &Fields,
) -> Response<Body> {
    let agents = match app.store.agents(site.tenant.id).await {
        Ok(a) => a,
        Err(e) => return unavailable(&e),
    };
    let mut heads = Vec::new();
    for d in &site.departments {
        let Some(value) = fields.get(&format!("head-{}", d.code)) else {
            continue;
        };
        if value.is_empty() {
            heads.push((d.code.clone(), None));
        } else if agents.iter().any(|a| a.active && a.agent.login == value) {
            heads.push((d.code.clone(), Some(value.to_owned())));
        } else {
            return plain(StatusCode::BAD_REQUEST, "Agent inconnu ou désactivé.");
        }
    }
    let actor = format!("agent:{}", session.record.agent.login);
    match app
        .store
        .set_department_heads(site.tenant.id, heads, actor, (app.clock)())
        .await
    {
        Ok(_) => redirect(&format!("{}/backoffice/admin?heads=1#heads", frame.base)),
        Err(e) => unavailable(&e),
    }
}

pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    set_heads(cx.app, cx.site, cx.frame, cx.session(), &cx.fields).await
}
