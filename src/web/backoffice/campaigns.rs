//! Lists and campaigns in the back office (`/T/backoffice/campaigns`): the
//! town's lists with their subscribers by channel, a person subscribed at
//! the counter, the campaigns sent with their figures (recipients, sent,
//! delivered, failed); a new campaign (`…/campaigns/new`: a list the agent
//! may send to, SMS or e-mail, a pre-formatted message to start from, the
//! SMS's parts and the recipients counted before it goes); one campaign's
//! page (`…/campaigns/ID`) with its recipients one by one.

use super::view::{agent_bar, date_time};
use super::{bar, bo_page, forbidden, unavailable};
use crate::core::campaigns::{Draft, DraftError, List, Medium};
use crate::store::{Campaign, ListCount, Subscribed};
use crate::usecases::campaigns::{self, ComposeError, SubscribeError};
use crate::web::route::Ctx;
use crate::web::view::Xml;
use crate::web::{Body, not_found, redirect};
use hyper::{Response, StatusCode};

/// Campaigns the page lists at most.
const MOST_LISTED: u32 = 100;
/// Recipients a campaign's page lists at most.
const MOST_RECIPIENTS: u32 = 500;

/// Whether the agent may open the pages: they handle requests (and so may
/// subscribe a person at the counter) or may send to a list.
fn may_open(cx: &Ctx<'_>) -> bool {
    let agent = &cx.session().record.agent;
    agent.handles_requests() || !campaigns::sendable_lists(cx.site, agent).is_empty()
}

fn figures_attrs(c: &Campaign) -> Vec<(&'static str, String)> {
    let f = &c.figures;
    let mut attrs = vec![
        ("recipients", f.recipients.to_string()),
        ("queued", f.queued.to_string()),
        ("sent", f.sent.to_string()),
        ("delivered", f.delivered.to_string()),
        ("failed", f.failed.to_string()),
        ("cancelled", c.cancelled.to_string()),
    ];
    if let Some(p) = f.delivered_percent() {
        attrs.push(("percent", p.to_string()));
    }
    attrs
}

fn campaign_view(cx: &Ctx<'_>, x: &mut Xml, c: &Campaign, lists: &[List]) {
    let frame = cx.frame;
    let href = format!("{}/backoffice/campaigns/{}", frame.base, c.id);
    let (when, iso) = date_time(frame, c.created_at);
    let list = lists
        .iter()
        .find(|l| l.code == c.list)
        .map_or(c.list.as_str(), |l| l.name.as_str());
    let id = c.id.to_string();
    let channel = frame.message(&format!("bo.channel.{}", c.channel));
    let state = frame.message(&format!("bo.campaigns.state.{}", c.state));
    let mut attrs: Vec<(&str, &str)> = vec![
        ("id", &id),
        ("href", &href),
        ("channel", &c.channel),
        ("state", &c.state),
    ];
    let figures = figures_attrs(c);
    for (k, v) in &figures {
        attrs.push((k, v));
    }
    x.open("campaign", &attrs);
    x.text("list", &[("code", &c.list)], list);
    x.text("channel", &[("code", &c.channel)], &channel);
    x.text("created", &[("date", &iso)], &when);
    x.text("author", &[], c.created_by.trim_start_matches("agent:"));
    x.text("status", &[("code", &c.state)], &state);
    let title = if c.subject.is_empty() {
        c.text.chars().take(80).collect::<String>()
    } else {
        c.subject.clone()
    };
    x.text("title", &[], title.trim());
    x.close("campaign");
}

fn counts_of<'a>(counts: &'a [ListCount], list: &str, channel: &str) -> Option<&'a ListCount> {
    counts
        .iter()
        .find(|c| c.list == list && c.channel == channel)
}

/// The lists and campaigns; after a subscription at the counter
/// (`?done=subscribed|already`), said so.
pub(super) async fn page(cx: &Ctx<'_>) -> Response<Body> {
    let done = cx.query("done").and_then(|d| match d.as_str() {
        "subscribed" => Some(cx.frame.message("bo.campaigns.counter.done")),
        "already" => Some(cx.frame.message("bo.campaigns.counter.already")),
        _ => None,
    });
    show_lists(cx, done, &[]).await
}

async fn show_lists(cx: &Ctx<'_>, done: Option<String>, errors: &[(&str, &str)]) -> Response<Body> {
    if !may_open(cx) {
        return forbidden(cx);
    }
    let (app, site, frame, session) = (cx.app, cx.site, cx.frame, cx.session());
    let agent = &session.record.agent;
    let lists = site.look.get().settings.lists();
    let sendable: Vec<String> = campaigns::sendable_lists(site, agent)
        .into_iter()
        .map(|l| l.code)
        .collect();
    let counts = match app.store.list_counts(site.tenant.id).await {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    // Agents see the campaigns of the lists they send to; administrators
    // every list's.
    let seen = (!agent.admin).then(|| sendable.clone());
    let sent = match app.store.campaigns(site.tenant.id, seen, MOST_LISTED).await {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    let mut x = Xml::new();
    frame.begin(&mut x, "bo-campaigns", &frame.message("bo.campaigns.title"));
    agent_bar(frame, &mut x, &bar(session));
    let action = format!("{}/backoffice/campaigns", frame.base);
    let new = format!("{action}/new");
    let mut attrs = vec![("action", action.as_str())];
    if !sendable.is_empty() {
        attrs.push(("new", new.as_str()));
    }
    if agent.handles_requests() {
        attrs.push(("counter", "true"));
    }
    x.open("campaigns", &attrs);
    if let Some(d) = &done {
        x.text("done", &[], d);
    }
    for (field, key) in errors {
        x.text("error", &[("field", field)], &frame.message(key));
    }
    for l in &lists {
        let n = |channel| counts_of(&counts, &l.code, channel);
        let sms = n("sms").map_or(0, |c| c.active).to_string();
        let email = n("email").map_or(0, |c| c.active).to_string();
        let pending =
            (n("sms").map_or(0, |c| c.pending) + n("email").map_or(0, |c| c.pending)).to_string();
        let mut attrs = vec![
            ("code", l.code.as_str()),
            ("sms", sms.as_str()),
            ("email", email.as_str()),
            ("pending", pending.as_str()),
        ];
        if let Some(k) = &l.keyword {
            attrs.push(("keyword", k));
        }
        if sendable.contains(&l.code) {
            attrs.push(("sendable", "true"));
        }
        x.open("list", &attrs);
        x.text("name", &[], &l.name);
        if !l.description.is_empty() {
            x.text("description", &[], &l.description);
        }
        x.close("list");
    }
    for c in &sent {
        campaign_view(cx, &mut x, c, &lists);
    }
    if agent.handles_requests() {
        x.open("typed", &[]);
        for name in ["list", "channel", "address"] {
            x.text(name, &[], cx.fields.get(name).unwrap_or("").trim());
        }
        x.close("typed");
    }
    x.close("campaigns");
    x.close("page");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    bo_page(cx, status, "bo-campaigns.xsl", x.finish())
}

/// A person subscribed at the counter: list, channel, address.
pub(super) async fn post(cx: &Ctx<'_>) -> Response<Body> {
    let agent = &cx.session().record.agent;
    if !agent.handles_requests() {
        return forbidden(cx);
    }
    let list = cx.fields.get("list").unwrap_or("");
    let Some(medium) = cx.fields.get("channel").and_then(Medium::parse) else {
        return show_lists(cx, None, &[("channel", "bo.campaigns.error.channel")]).await;
    };
    let address = cx.fields.get("address").unwrap_or("");
    match campaigns::subscribe_at_counter(cx.app, cx.site, agent, list, medium, address).await {
        Ok(s) => {
            // Said on a fresh page: the form empty for the next person.
            let done = if s == Subscribed::Already {
                "already"
            } else {
                "subscribed"
            };
            let mut r = redirect(&format!(
                "{}/backoffice/campaigns?done={done}",
                cx.frame.base
            ));
            *r.status_mut() = StatusCode::SEE_OTHER;
            r
        }
        Err(SubscribeError::List) => {
            show_lists(cx, None, &[("list", "bo.campaigns.error.list")]).await
        }
        Err(SubscribeError::Address) => {
            let key = if medium == Medium::Sms {
                "bo.campaigns.error.phone"
            } else {
                "bo.campaigns.error.email"
            };
            show_lists(cx, None, &[("address", key)]).await
        }
        Err(SubscribeError::Wait) => {
            show_lists(cx, None, &[("address", "alerts.error.wait")]).await
        }
        Err(SubscribeError::Unavailable(e)) => unavailable(&e),
    }
}

/// The new campaign's form, from a pre-formatted message (`?list=&message=N`).
pub(super) async fn new(cx: &Ctx<'_>) -> Response<Body> {
    let agent = &cx.session().record.agent;
    let lists = campaigns::sendable_lists(cx.site, agent);
    if lists.is_empty() {
        return forbidden(cx);
    }
    let list = cx
        .query("list")
        .filter(|l| lists.iter().any(|k| k.code == *l))
        .unwrap_or_else(|| lists[0].code.clone());
    let mut draft = Draft {
        list: list.clone(),
        medium: cx.query("channel").unwrap_or_else(|| "sms".into()),
        ..Draft::default()
    };
    if let Some(m) = cx
        .query("message")
        .and_then(|n| n.parse::<usize>().ok())
        .and_then(|n| {
            lists
                .iter()
                .find(|l| l.code == list)?
                .messages
                .get(n)
                .cloned()
        })
    {
        draft.subject = m.subject;
        draft.text = m.text;
    }
    compose_page(cx, &lists, &draft, &[], None).await
}

/// `do=preview`: the draft checked and counted, not sent; `do=send`: stored
/// and sent.
pub(super) async fn compose(cx: &Ctx<'_>) -> Response<Body> {
    let agent = &cx.session().record.agent;
    let lists = campaigns::sendable_lists(cx.site, agent);
    if lists.is_empty() {
        return forbidden(cx);
    }
    let field = |n: &str| cx.fields.get(n).unwrap_or("").to_owned();
    let draft = Draft {
        list: field("list"),
        medium: field("channel"),
        subject: field("subject"),
        text: field("text"),
    };
    if cx.fields.get("do") != Some("send") {
        let allowed: Vec<&List> = lists.iter().collect();
        let (errors, preview) = match draft.check(&allowed) {
            Ok(checked) => (Vec::new(), Some(checked)),
            Err(errors) => (errors, None),
        };
        return compose_page(cx, &lists, &draft, &errors, preview.as_ref()).await;
    }
    match campaigns::compose(cx.app, cx.site, agent, &draft).await {
        Ok((id, _)) => {
            let mut r = redirect(&format!("{}/backoffice/campaigns/{id}", cx.frame.base));
            *r.status_mut() = StatusCode::SEE_OTHER;
            r
        }
        Err(ComposeError::Invalid(errors)) => compose_page(cx, &lists, &draft, &errors, None).await,
        Err(ComposeError::Unavailable(e)) => unavailable(&e),
    }
}

async fn compose_page(
    cx: &Ctx<'_>,
    lists: &[List],
    draft: &Draft,
    errors: &[DraftError],
    preview: Option<&crate::core::campaigns::Checked>,
) -> Response<Body> {
    let (app, site, frame, session) = (cx.app, cx.site, cx.frame, cx.session());
    let counts = match app.store.list_counts(site.tenant.id).await {
        Ok(c) => c,
        Err(e) => return unavailable(&e),
    };
    let mut x = Xml::new();
    frame.begin(
        &mut x,
        "bo-campaign-new",
        &frame.message("bo.campaigns.new"),
    );
    agent_bar(frame, &mut x, &bar(session));
    let action = format!("{}/backoffice/campaigns/new", frame.base);
    let back = format!("{}/backoffice/campaigns", frame.base);
    let sms = if site.look.get().settings.sms.is_some() {
        "true"
    } else {
        "false"
    };
    x.open(
        "campaign-new",
        &[("action", &action), ("back", &back), ("sms", sms)],
    );
    for e in errors {
        x.text("error", &[("field", e.field)], &frame.message(e.key));
    }
    for l in lists {
        let n = |channel| counts_of(&counts, &l.code, channel).map_or(0, |c| c.active);
        let (s, e) = (n("sms").to_string(), n("email").to_string());
        let mut attrs = vec![("code", l.code.as_str()), ("sms", &s), ("email", &e)];
        if l.code == draft.list {
            attrs.push(("selected", "true"));
        }
        x.open("list", &attrs);
        x.text("name", &[], &l.name);
        for (i, m) in l.messages.iter().enumerate() {
            let href = format!(
                "{action}?list={}&message={i}&channel={}",
                l.code,
                if Medium::parse(&draft.medium).is_some() {
                    draft.medium.as_str()
                } else {
                    "sms"
                }
            );
            x.text("message", &[("href", &href)], &m.title);
        }
        x.close("list");
    }
    x.text("channel", &[], &draft.medium);
    x.text("subject", &[], &draft.subject);
    x.text("text", &[], &draft.text);
    if let Some(p) = preview {
        let recipients = counts_of(&counts, &p.list, p.medium.as_str()).map_or(0, |c| c.active);
        let segments = crate::core::sms::segments(&p.text);
        let units = segments.units.to_string();
        let parts = segments.parts.to_string();
        let r = recipients.to_string();
        let mut attrs = vec![("recipients", r.as_str())];
        if p.medium == Medium::Sms {
            attrs.push(("parts", &parts));
            attrs.push(("units", &units));
            attrs.push((
                "encoding",
                match segments.encoding {
                    crate::core::sms::Encoding::Gsm7 => "gsm7",
                    crate::core::sms::Encoding::Ucs2 => "ucs2",
                },
            ));
        }
        x.open("preview", &attrs);
        let said = if p.medium == Medium::Sms {
            frame.format(
                "bo.campaigns.preview.sms",
                &[("recipients", &r), ("parts", &parts), ("units", &units)],
            )
        } else {
            frame.format("bo.campaigns.preview.email", &[("recipients", &r)])
        };
        x.text("said", &[], &said);
        x.text("text", &[], &p.text);
        x.close("preview");
    }
    x.close("campaign-new");
    x.close("page");
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    bo_page(cx, status, "bo-campaign-new.xsl", x.finish())
}

/// One campaign: its text, figures, recipients.
pub(super) async fn campaign(cx: &Ctx<'_>) -> Response<Body> {
    if !may_open(cx) {
        return forbidden(cx);
    }
    let (app, site, frame, session) = (cx.app, cx.site, cx.frame, cx.session());
    let agent = &session.record.agent;
    let Ok(id) = cx.param("id").parse::<i64>() else {
        return not_found(site, frame, cx.req);
    };
    let c = match app.store.campaign(site.tenant.id, id).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(site, frame, cx.req),
        Err(e) => return unavailable(&e),
    };
    let sendable = campaigns::sendable_lists(site, agent);
    if !agent.admin && !sendable.iter().any(|l| l.code == c.list) {
        return forbidden(cx);
    }
    let recipients = match app
        .store
        .campaign_recipients(site.tenant.id, id, MOST_RECIPIENTS)
        .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(&e),
    };
    let lists = site.look.get().settings.lists();
    let mut x = Xml::new();
    let title = frame.format("bo.campaigns.one", &[("id", &id.to_string())]);
    frame.begin(&mut x, "bo-campaign", &title);
    agent_bar(frame, &mut x, &bar(session));
    let back = format!("{}/backoffice/campaigns", frame.base);
    x.open("campaign-page", &[("back", &back)]);
    campaign_view(cx, &mut x, &c, &lists);
    x.text("subject", &[], &c.subject);
    x.text("text", &[], &c.text);
    for r in &recipients {
        let mut attrs = vec![("state", r.state.as_str())];
        let attempts = r.attempts.to_string();
        attrs.push(("attempts", &attempts));
        x.open("recipient", &attrs);
        x.text("address", &[], &r.address);
        x.text(
            "status",
            &[],
            &frame.message(&format!("bo.campaigns.send.{}", r.state)),
        );
        if let Some(t) = r.receipt_at.or(r.sent_at) {
            let (when, iso) = date_time(frame, t);
            x.text("at", &[("date", &iso)], &when);
        }
        if let Some(e) = &r.error {
            x.text("error", &[], e);
        }
        x.close("recipient");
    }
    if c.figures.recipients > recipients.len() as u64 {
        x.text(
            "more",
            &[],
            &frame.format(
                "bo.campaigns.more",
                &[("shown", &recipients.len().to_string())],
            ),
        );
    }
    x.close("campaign-page");
    x.close("page");
    bo_page(cx, StatusCode::OK, "bo-campaign.xsl", x.finish())
}
