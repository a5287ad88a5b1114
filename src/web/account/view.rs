//! The account pages' views (`account` in `xsd/view.xsd`, `account.xsl`):
//! a page is a few blocks — notices, paragraphs, forms of plain fields,
//! links, lists of requests — so that one stylesheet draws them all.

use super::session::CitizenSession;
use crate::core::status::CitizenStatus;
use crate::web::route::Ctx;
use crate::web::view::{Frame, Xml};
use crate::web::{Body, page};
use hyper::{Response, StatusCode};

/// One input of an account form.
pub struct Input<'a> {
    pub name: &'a str,
    /// `email`, `password`, `text`, `tel`, or `select` (with `options`).
    pub kind: &'a str,
    pub label: String,
    pub value: String,
    pub autocomplete: &'a str,
    pub required: bool,
    pub help: Option<String>,
    pub error: Option<String>,
    pub options: Vec<(String, String)>,
}

impl<'a> Input<'a> {
    pub fn new(name: &'a str, kind: &'a str, label: String, autocomplete: &'a str) -> Input<'a> {
        Input {
            name,
            kind,
            label,
            value: String::new(),
            autocomplete,
            required: true,
            help: None,
            error: None,
            options: Vec::new(),
        }
    }

    pub fn value(mut self, value: &str) -> Self {
        value.clone_into(&mut self.value);
        self
    }

    pub fn optional(mut self) -> Self {
        self.required = false;
        self
    }

    pub fn help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }
}

/// An account page being written.
pub struct View<'a> {
    frame: &'a Frame<'a>,
    x: Xml,
}

impl<'a> View<'a> {
    /// Begins the page `name` titled `title`; signed in, with the account's
    /// navigation (`here` marked) and the sign-out button.
    pub fn begin(
        frame: &'a Frame<'a>,
        name: &str,
        title: &str,
        signed_in: Option<&CitizenSession>,
        here: &str,
    ) -> View<'a> {
        let mut x = Xml::new();
        frame.begin(&mut x, "account", title);
        x.open("account", &[("page", name)]);
        if let Some(s) = signed_in {
            x.open(
                "nav",
                &[
                    ("who", &s.citizen.email),
                    ("logout", &frame.url("/account/logout")),
                    ("token", &s.token),
                ],
            );
            for (path, key) in [
                ("/account/", "account.nav.requests"),
                ("/account/archive", "account.nav.archive"),
                ("/account/profile", "account.nav.profile"),
                ("/account/security", "account.nav.security"),
                ("/", "account.nav.services"),
            ] {
                let current = if key.ends_with(here) && !here.is_empty() {
                    "true"
                } else {
                    "false"
                };
                x.text(
                    "link",
                    &[("href", &frame.url(path)), ("current", current)],
                    &frame.message(key),
                );
            }
            x.close("nav");
        }
        View { frame, x }
    }

    pub fn notice(&mut self, kind: &str, text: &str) -> &mut Self {
        self.x.text("notice", &[("kind", kind)], text);
        self
    }

    pub fn para(&mut self, text: &str) -> &mut Self {
        self.x.text("para", &[], text);
        self
    }

    pub fn heading(&mut self, text: &str) -> &mut Self {
        self.x.text("heading", &[], text);
        self
    }

    /// A form posting to `action` (under the tenant) with `token`.
    pub fn form(
        &mut self,
        id: &str,
        action: &str,
        token: &str,
        submit: &str,
        inputs: &[Input],
    ) -> &mut Self {
        self.form_in(id, action, token, submit, inputs, false)
    }

    /// A form whose answer opens at the top of the window, out of the
    /// town's iframe when the page is in one.
    pub fn top_form(&mut self, id: &str, action: &str, token: &str, submit: &str) -> &mut Self {
        self.form_in(id, action, token, submit, &[], true)
    }

    fn form_in(
        &mut self,
        id: &str,
        action: &str,
        token: &str,
        submit: &str,
        inputs: &[Input],
        top: bool,
    ) -> &mut Self {
        let action = self.frame.url(action);
        let mut attributes = vec![
            ("id", id),
            ("action", action.as_str()),
            ("token", token),
            ("submit", submit),
        ];
        if top {
            attributes.push(("target", "_top"));
        }
        self.x.open("form", &attributes);
        for i in inputs {
            let required = if i.required { "true" } else { "false" };
            let field_id = format!("{id}-{}", i.name);
            self.x.open(
                "input",
                &[
                    ("name", i.name),
                    ("id", &field_id),
                    ("type", i.kind),
                    ("autocomplete", i.autocomplete),
                    ("required", required),
                ],
            );
            self.x.text("label", &[], &i.label);
            if let Some(h) = &i.help {
                self.x.text("help", &[], h);
            }
            if let Some(e) = &i.error {
                self.x.text("error", &[], e);
            }
            if i.kind != "password" {
                self.x.text("value", &[], &i.value);
            }
            for (value, label) in &i.options {
                let selected = if *value == i.value { "true" } else { "false" };
                self.x
                    .text("option", &[("value", value), ("selected", selected)], label);
            }
            self.x.close("input");
        }
        self.x.close("form");
        self
    }

    pub fn links(&mut self, links: &[(String, String)]) -> &mut Self {
        self.x.open("links", &[]);
        for (href, text) in links {
            self.x
                .text("link", &[("href", &self.frame.url(href))], text);
        }
        self.x.close("links");
        self
    }

    /// Requests with their steps; `empty` said when there are none.
    pub fn requests(&mut self, list: &[CitizenStatus], empty: &str) -> &mut Self {
        self.x.open("requests", &[]);
        if list.is_empty() {
            self.x.text("empty", &[], empty);
        }
        for status in list {
            self.request(status, false);
        }
        self.x.close("requests");
        self
    }

    /// One request: reference, service, state, dates, its steps (and the
    /// town's messages, on its own page).
    pub fn request(&mut self, status: &CitizenStatus, whole: bool) -> &mut Self {
        let frame = self.frame;
        let reference = status.reference.to_string();
        let href = frame.url(&format!("/account/requests/{reference}"));
        let submitted = status
            .submitted_at
            .to_zoned(frame.tenant.time_zone.clone())
            .date();
        self.x.open(
            "request",
            &[
                ("reference", &reference),
                ("href", &href),
                ("state", status.state.as_str()),
                ("submitted", &submitted.to_string()),
                ("due", &status.due_date.to_string()),
            ],
        );
        self.x.text("service", &[], &status.service_title);
        self.x.text("state", &[], status.state.label_in(frame.lang));
        self.x.text(
            "dates",
            &[],
            &frame.format(
                "account.request.dates",
                &[
                    ("submitted", &frame.date(submitted)),
                    ("due", &frame.date(status.due_date)),
                ],
            ),
        );
        for step in &status.steps {
            let date = step.date.map(|d| d.to_string());
            let mut attrs = vec![
                ("done", if step.done { "true" } else { "false" }),
                ("current", if step.current { "true" } else { "false" }),
            ];
            if let Some(d) = &date {
                attrs.push(("date", d));
            }
            self.x.open("step", &attrs);
            self.x.text("label", &[], &step.label);
            let when = match step.date {
                Some(d) => frame.format("track.done", &[("date", &frame.date(d))]),
                None => frame.message("track.not-yet"),
            };
            self.x.text("when", &[], &when);
            self.x.close("step");
        }
        if whole {
            if status.correction_asked {
                let href = frame.url(&format!("/account/requests/{reference}/correct"));
                crate::web::citizen::correction_link(&mut self.x, frame, &href);
            }
            crate::web::citizen::conversation(&mut self.x, frame, &status.messages);
        }
        self.x.close("request");
        self
    }

    /// The form the citizen replies to the town with.
    pub fn reply(&mut self, form: &crate::web::citizen::ReplyForm) -> &mut Self {
        crate::web::citizen::reply_form(&mut self.x, self.frame, form);
        self
    }

    pub fn finish(mut self) -> String {
        self.x.close("account");
        self.x.close("page");
        self.x.finish()
    }
}

/// An account page's response: never stored by a cache.
pub fn respond(cx: &Ctx<'_>, status: StatusCode, view: String) -> Response<Body> {
    page(cx.site, cx.frame, cx.req, status, "account.xsl", view, true)
}
